"""Notifications: staff learn by e-mail that a melding arrived, that a reporter
replied, or that a feedback term nears, without any of the melding's content.

The console holds the directory (who has which e-mail address and role), so the
notifier lives here: `domain/` decides (notices, digests, feedback terms, each
person's preference, and who is told what), `application.py` reacts to the
integration events and to the clock, `postman.py` sends what is decided, in order,
and `adapters/` are SMTP and the development mail file."""
