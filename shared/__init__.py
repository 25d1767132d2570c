"""What the four meldingen services share: settings, auth, errors, event store, messaging."""
