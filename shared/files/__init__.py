"""Files beside a melding (docs/privacy.md, "Attachments"): received in chunks to a
private temporary file, typed from their bytes, cleaned of metadata, and kept
encrypted with the melding's key in the files stream, never in an event."""
