"""The form's files: its `attachments` input (several files; a plain file input, so a
browser without JavaScript sends them as well), and the message for a refused one."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request

from services.intake.files.application import IntakeFiles
from shared.errors import DomainError
from shared.files.upload import Upload, reason_of, receive

FIELD = frozenset({"attachments"})


async def posted_upload(request: Request, files: IntakeFiles, directory: Path) -> Upload:
    """The form's fields and files; a form posted without files (urlencoded) as well."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await receive(request, files.limits, directory, file_fields=FIELD)
    form = await request.form()
    return Upload(fields={name: value for name, value in form.items()
                          if isinstance(value, str)}, workdir=directory)


def refusal_key(error: DomainError) -> str:
    """The error message for a refused file, by the limit or rule it broke."""
    return f"attachments_{reason_of(error.extra.get('limit'), error.detail)}"
