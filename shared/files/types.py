"""What a file is, decided from its bytes (never its name), and whether it may come in.

`filetype` reads the magic bytes; plain text has none, so text is what decodes as
UTF-8 with no NUL byte. The allow-list names groups (`image`, `pdf`, `office`,
`opendocument`, `text`, `audio`) or single types, from `MELDINGEN_ATTACHMENT_TYPES`."""

from __future__ import annotations

import codecs
from pathlib import Path

import filetype

from shared.errors import InvalidInput

GROUPS: dict[str, frozenset[str]] = {
    # Only what Pillow re-encodes: an image that cannot be cleaned is not let in.
    "image": frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff",
                        "image/bmp"}),
    "pdf": frozenset({"application/pdf"}),
    "office": frozenset({
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"}),
    "opendocument": frozenset({"application/vnd.oasis.opendocument.text",
                               "application/vnd.oasis.opendocument.spreadsheet",
                               "application/vnd.oasis.opendocument.presentation"}),
    "text": frozenset({"text/plain"}),
    "audio": frozenset({"audio/mpeg", "audio/ogg", "audio/x-wav", "audio/x-flac",
                        "audio/aac", "audio/mp4", "audio/amr", "audio/x-m4a"}),
}
DEFAULT_TYPES = "image,pdf,office,opendocument,text,audio"
#: How much of a file the plain-text check reads.
TEXT_PROBE = 64 * 1024


def allowed_types(setting: str) -> frozenset[str]:
    """The content types a setting names; a name neither a group nor a type is an error."""
    allowed: set[str] = set()
    for name in (part.strip() for part in setting.split(",")):
        if name in GROUPS:
            allowed |= GROUPS[name]
        elif "/" in name:
            allowed.add(name)
        elif name:
            raise ValueError(f"{name!r} is neither a type group ({', '.join(GROUPS)}) "
                             "nor a content type")
    return frozenset(allowed)


def sniff(path: Path) -> str | None:
    """The file's content type from its first bytes; None when nothing is recognised."""
    kind = filetype.guess(str(path))
    if kind is not None:
        return str(kind.mime)
    with path.open("rb") as file:
        probe = file.read(TEXT_PROBE)
    if b"\x00" in probe:
        return None
    try:
        # Incremental: a character cut in two at the probe's end is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(probe, final=False)
    except UnicodeDecodeError:
        return None
    return "text/plain"


def check_type(content_type: str | None, allowed: frozenset[str], *, field: str) -> str:
    """The content type, if the allow-list lets it in; else a refusal naming the setting."""
    if content_type is None or content_type not in allowed:
        shown = content_type or "an unrecognised type"
        raise InvalidInput(f"The file is {shown}, which is not accepted "
                           "(MELDINGEN_ATTACHMENT_TYPES).", field=field,
                           limit="MELDINGEN_ATTACHMENT_TYPES")
    return content_type
