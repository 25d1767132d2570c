"""From a received file to one ready to store: typed, let in or refused, cleaned (a
reporter's) or kept byte for byte (an investigator's evidence), and its sha256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from shared.files.cleaning import clean
from shared.files.types import check_type, sniff
from shared.files.upload import Limits, Received

READ_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Prepared:
    """What an event says of a file (no byte of it), and where its bytes wait."""

    id: str
    name: str
    size: int
    content_type: str
    sha256: str
    cleaned: bool
    path: Path

    def described(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "size": self.size,
                "content_type": self.content_type, "sha256": self.sha256,
                "cleaned": self.cleaned}


def new_id() -> str:
    return secrets.token_hex(16)


def cleaned(received: Received, limits: Limits) -> Prepared:
    """A reporter's file without its metadata (blocking: call it in a thread). Raises
    InvalidInput for a type not let in, or a file that does not read as its type."""
    content_type = check_type(sniff(received.path), limits.types, field=received.field)
    target = received.path.with_suffix(".clean")
    was_cleaned = clean(received.path, target, content_type, field=received.field)
    received.path.unlink()  # the original goes at once: only the cleaned file is kept
    return _described(new_id(), received.name, target, content_type, was_cleaned)


def kept(received: Received) -> Prepared:
    """An investigator's evidence, byte for byte; its type as its bytes say."""
    content_type = sniff(received.path) or "application/octet-stream"
    return _described(new_id(), received.name, received.path, content_type, False)


def _described(file_id: str, name: str, path: Path, content_type: str,
               was_cleaned: bool) -> Prepared:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(READ_BYTES):
            digest.update(block)
    return Prepared(file_id, name, path.stat().st_size, content_type, digest.hexdigest(),
                    was_cleaned, path)
