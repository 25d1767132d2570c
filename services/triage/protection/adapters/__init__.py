"""Protection keeps to triage's event store through `TriageApplication`: no adapter of
its own."""
