"""Receiving files from a multipart request, streamed (never whole in memory): each
file part goes straight to a private temporary file (0600, in a 0700 directory under
the service's var dir, gone when the request is done), counted against the limits as
it comes. The other parts are small text fields. What is over a limit is refused
with the limit named, and the rest of the request still counts."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from shared.config import Settings
from shared.errors import DomainError, InvalidInput
from shared.files.types import allowed_types

#: The text fields' bytes together, at most (the JSON API's own body limit is as small).
FIELD_BYTES = 64 * 1024
NAME_CHARS = 120


class TooLarge(DomainError):
    status = 413
    title = "Payload too large"

    def __init__(self, detail: str, *, field: str, limit: str) -> None:
        super().__init__(detail, limit=limit, errors=[{"field": field, "message": detail}])
        self.field = field


#: Why a file was refused, by the limit (setting) it broke; a form's message per reason.
REASONS = {
    "MELDINGEN_ATTACHMENT_MAX_BYTES": "too_large",
    "MELDINGEN_ATTACHMENTS_MAX_TOTAL_BYTES": "total",
    "MELDINGEN_ATTACHMENTS_MAX_COUNT": "count",
    "MELDINGEN_ATTACHMENT_TYPES": "type",
}


def reason_of(limit: object, detail: str) -> str:
    """The reason a refused file names on a form: its limit's, else empty or unreadable
    (the refusals without a limit: `part_end`'s empty file, `cleaning`'s unreadable)."""
    if isinstance(limit, str) and limit in REASONS:
        return REASONS[limit]
    return "empty" if "empty" in detail else "unreadable"


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_total_bytes: int
    max_count: int
    types: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.attachment_max_bytes, settings.attachments_max_total_bytes,
                   settings.attachments_max_count, allowed_types(settings.attachment_types))


@dataclass(frozen=True)
class Uploads:
    """What a service's file routes need: the limits, and where files wait."""

    limits: Limits
    var_dir: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> Uploads:
        return cls(Limits.from_settings(settings), settings.var_dir)


@dataclass
class Received:
    """One file part: where it waits, its size, and why it is refused, if it is."""

    field: str
    name: str
    path: Path
    size: int = 0
    refused: DomainError | None = None


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[Received] = field(default_factory=list)
    workdir: Path = Path()


def safe_name(sent: str) -> str:
    """The file's name without a path, control characters or quotes, and not too long;
    a name kept only encrypted, since it may say who sent it."""
    base = re.split(r"[\\/]", sent)[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"]", "", base).strip(" .") or "bestand"
    stem, dot, suffix = base.rpartition(".")
    if dot and len(suffix) <= 10:
        return stem[:NAME_CHARS - len(suffix) - 1] + "." + suffix
    return base[:NAME_CHARS]


@asynccontextmanager
async def workdir(var_dir: Path, service: str) -> AsyncIterator[Path]:
    """A private directory for one request's files, removed with everything in it."""
    root = var_dir / "tmp" / service
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = root / secrets.token_hex(8)
    path.mkdir(mode=0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def private_file(path: Path) -> IO[bytes]:
    return os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb")


class _Parts:
    """The parser's callbacks: headers of each part, then its data to a field or file."""

    def __init__(self, upload: Upload, limits: Limits, file_fields: frozenset[str],
                 already: tuple[int, int]) -> None:
        self.upload, self.limits, self.file_fields = upload, limits, file_fields
        self.count, self.total = already
        self.field_bytes = 0
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._field: str | None = None
        self._text: list[bytes] = []
        self._file: Received | None = None
        self._out: IO[bytes] | None = None

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._headers = {}
        self._field, self._text, self._file, self._out = name, [], None, None
        if name in self.file_fields and filename is not None:
            if not filename:
                self._field = None  # a file input left empty: no file was chosen
                return
            path = self.upload.workdir / f"{len(self.upload.files)}.received"
            self._file = Received(name, safe_name(filename.decode("utf-8", "replace")), path)
            self.upload.files.append(self._file)
            self.count += 1
            if self.count > self.limits.max_count:
                self._file.refused = TooLarge(
                    f"At most {self.limits.max_count} files go with one melding.",
                    field=name, limit="MELDINGEN_ATTACHMENTS_MAX_COUNT")
            else:
                self._out = private_file(path)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._file is not None:
            self._file_data(self._file, chunk)
        elif self._field is not None:
            self.field_bytes += len(chunk)
            if self.field_bytes > FIELD_BYTES:
                raise TooLarge(f"The form's fields are larger than {FIELD_BYTES} bytes.",
                               field=self._field, limit="MELDINGEN_MAX_BODY_BYTES")
            self._text.append(chunk)

    def _file_data(self, file: Received, chunk: bytes) -> None:
        file.size += len(chunk)
        if file.refused is not None or self._out is None:
            return
        refusal = None
        if file.size > self.limits.max_bytes:
            refusal = TooLarge(f"The file is larger than {self.limits.max_bytes} bytes "
                               "(MELDINGEN_ATTACHMENT_MAX_BYTES).", field=file.field,
                               limit="MELDINGEN_ATTACHMENT_MAX_BYTES")
        elif self.total + file.size > self.limits.max_total_bytes:
            refusal = TooLarge(f"The files of one melding are at most "
                               f"{self.limits.max_total_bytes} bytes together "
                               "(MELDINGEN_ATTACHMENTS_MAX_TOTAL_BYTES).", field=file.field,
                               limit="MELDINGEN_ATTACHMENTS_MAX_TOTAL_BYTES")
        if refusal is not None:
            file.refused = refusal
            self._close(discard=True)
            return
        self._out.write(chunk)

    def part_end(self) -> None:
        if self._file is not None:
            if self._file.refused is None and self._file.size == 0:
                self._file.refused = InvalidInput("The file is empty.", field=self._file.field)
            if self._file.refused is None:
                self.total += self._file.size
            self._close(discard=self._file.refused is not None)
        elif self._field is not None:
            self.upload.fields[self._field] = b"".join(self._text).decode("utf-8", "replace")
        self._field, self._file = None, None

    def _close(self, *, discard: bool) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        if discard and self._file is not None:
            self._file.path.unlink(missing_ok=True)

    def close(self) -> None:
        self._close(discard=False)


async def receive(request: Request, limits: Limits, directory: Path, *,
                  file_fields: frozenset[str], already: tuple[int, int] = (0, 0)) -> Upload:
    """The request's fields and files; `already`: the melding's files so far (count,
    bytes), for the limits per melding. Raises InvalidInput for a body that is not
    multipart, TooLarge for a body beyond every limit together."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidInput("Send the files as multipart/form-data.", field="body")
    upload = Upload(workdir=directory)
    parts = _Parts(upload, limits, file_fields, already)
    parser = MultipartParser(boundary, {
        "on_header_field": parts.header_field, "on_header_value": parts.header_value,
        "on_header_end": parts.header_end, "on_headers_finished": parts.headers_finished,
        "on_part_data": parts.part_data, "on_part_end": parts.part_end})
    # Past this, the client sends more than any refusal could still be answered for.
    ceiling = limits.max_total_bytes + limits.max_bytes + 2 * FIELD_BYTES
    streamed = 0
    try:
        async for chunk in request.stream():
            streamed += len(chunk)
            if streamed > ceiling:
                raise TooLarge(f"The request is larger than {ceiling} bytes.", field="body",
                               limit="MELDINGEN_ATTACHMENTS_MAX_TOTAL_BYTES")
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        raise InvalidInput("The multipart body is malformed.", field="body") from None
    finally:
        parts.close()
    return upload
