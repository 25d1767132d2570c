"""The form's files: its `attachments` input (several files; a plain file input, so a
browser without JavaScript sends them as well), and the message for a refused one."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request

from services.intake.files.application import IntakeFiles
from shared.errors import DomainError
from shared.files.upload import Upload, receive

FIELD = frozenset({"attachments"})
#: The error message for a refused file, by the limit or rule it broke.
REFUSALS = {
    "MELDINGEN_ATTACHMENT_MAX_BYTES": "attachments_too_large",
    "MELDINGEN_ATTACHMENTS_MAX_TOTAL_BYTES": "attachments_total",
    "MELDINGEN_ATTACHMENTS_MAX_COUNT": "attachments_count",
    "MELDINGEN_ATTACHMENT_TYPES": "attachments_type",
}


async def posted_upload(request: Request, files: IntakeFiles, directory: Path) -> Upload:
    """The form's fields and files; a form posted without files (urlencoded) as well."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await receive(request, files.limits, directory, file_fields=FIELD)
    form = await request.form()
    return Upload(fields={name: value for name, value in form.items()
                          if isinstance(value, str)}, workdir=directory)


def refusal_key(error: DomainError) -> str:
    limit = error.extra.get("limit")
    if isinstance(limit, str) and limit in REFUSALS:
        return REFUSALS[limit]
    return "attachments_empty" if "empty" in error.detail else "attachments_unreadable"
