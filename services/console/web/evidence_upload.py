"""The case page's evidence form with its file (issue 19): the file is streamed to a
private file under the console's var dir (counted against the same limits as
investigation's, `shared/files/upload.py`) and from there to investigation, which
keeps it byte for byte and computes its sha256; never whole in the console's memory,
and gone from the console when the request is done."""

from __future__ import annotations

from typing import IO, Any

from fastapi import Request

from services.console.adapters.calls import Refusal
from services.console.api.deps import parts
from shared.config import Settings
from shared.errors import DomainError
from shared.files.upload import REASONS, Limits, Received, reason_of, receive

FILE_FIELD = "file"
MIB = 1024 * 1024


def takes_file(request: Request, command: str) -> bool:
    return command == "add_evidence" and request.headers.get(
        "content-type", "").startswith("multipart/form-data")


async def posted_with_file(request: Request, directory: Any
                           ) -> tuple[dict[str, list[str]], Received | None, Refusal | None]:
    """The form's fields, its file (None when none was chosen), and why the request or
    its file is refused, worded as investigation's refusal would be."""
    limits = Limits.from_settings(parts(request).settings)
    try:
        upload = await receive(request, limits, directory,
                               file_fields=frozenset({FILE_FIELD}))
    except DomainError as refused:
        return {}, None, _refusal(refused)
    posted = {name: [value] for name, value in upload.fields.items()}
    file = upload.files[0] if upload.files else None
    if file is not None and file.refused is not None:
        return posted, None, _refusal(file.refused)
    return posted, file, None


def opened(file: Received) -> dict[str, tuple[str, IO[bytes]]]:
    """The multipart `file` part for investigation, read from disk as it is sent."""
    return {FILE_FIELD: (file.name, file.path.open("rb"))}


def file_errors(refusal: Refusal) -> dict[str, str]:
    """The `file` input's message for a refused file, the console's or investigation's
    (`file_too_large`, `file_empty`, ...: words_cases.py), else none."""
    if FILE_FIELD not in refusal.fields:
        return {}
    return {FILE_FIELD: f"file_{reason_of(refusal.limit, refusal.detail)}"}


def limits_shown(settings: Settings) -> dict[str, str]:
    """The limits as the file input's hint and messages name them."""
    limits = Limits.from_settings(settings)
    return {"max_bytes": _size(limits.max_bytes), "max_total": _size(limits.max_total_bytes),
            "max_count": str(limits.max_count)}


def _size(size: int) -> str:
    return f"{size // MIB} MiB" if size % MIB == 0 else f"{size} bytes"


def _refusal(error: DomainError) -> Refusal:
    """Named on the file input when the file broke a rule of files (the request as a
    whole over every limit counts: the file made it so); else the page's text alone."""
    limit = error.extra.get("limit")
    listed = error.extra.get("errors")
    named = [e.get("field") for e in listed if isinstance(e, dict)] \
        if isinstance(listed, list) else []
    on_file = FILE_FIELD in named or limit in REASONS
    return Refusal(error.status, error.detail,
                   fields={FILE_FIELD: error.detail} if on_file else {},
                   limit=limit if isinstance(limit, str) else None)
