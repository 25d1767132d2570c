"""Metadata removed from a reporter's file before it is stored (docs/privacy.md,
"Attachments"). mat2 is the reference, but it needs the system's GObject libraries;
these three wheels do its work for the types the allow-list takes:

- images: decoded and encoded again by Pillow with none of the source's EXIF, XMP,
  ICC profile or text chunks (turned upright first, as the EXIF orientation said);
- PDF: pikepdf drops the document information dictionary and the XMP metadata stream;
- office and OpenDocument: the zip is written again with its metadata parts
  (`docProps/core.xml`, `app.xml`, `custom.xml`, `meta.xml`) emptied by lxml, the
  authors, initials and times of tracked changes and comments in its body emptied
  (`shared/files/authorship.py`), and every entry's time set to one fixed moment.

What has no cleaner (audio) is kept as it came, and reported as not cleaned. A file
that does not read as the type its bytes announce is refused: it cannot be cleaned."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pikepdf
from lxml import etree
from PIL import Image, ImageOps, ImageSequence

from shared.errors import InvalidInput
from shared.files.authorship import is_xml_part, neutralised
from shared.files.types import GROUPS

#: The parts of an office or OpenDocument zip that hold authors, dates and the like.
METADATA_PARTS = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml",
                  "meta.xml")
#: Every rewritten zip entry's time: zip's earliest, which says nothing.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF",
                  "image/webp": "WEBP", "image/tiff": "TIFF", "image/bmp": "BMP"}
#: Types with no metadata of their own to remove.
NOTHING_TO_REMOVE = GROUPS["text"]


def clean(source: Path, target: Path, content_type: str, *, field: str) -> bool:
    """Write `source` without its metadata to `target`; whether it was cleaned
    (False: copied as it is, for a type with no cleaner)."""
    try:
        if content_type in PILLOW_FORMATS:
            _image(source, target, PILLOW_FORMATS[content_type])
        elif content_type in GROUPS["pdf"]:
            _pdf(source, target)
        elif content_type in GROUPS["office"] | GROUPS["opendocument"]:
            _zip(source, target)
        else:
            shutil.copyfile(source, target)
            return content_type in NOTHING_TO_REMOVE
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, pikepdf.PdfError,
            zipfile.BadZipFile, etree.XMLSyntaxError):
        raise InvalidInput(f"The file does not read as {content_type}; it was not accepted.",
                           field=field) from None
    return True


def _image(source: Path, target: Path, format: str) -> None:
    with Image.open(source) as image:
        frames = [ImageOps.exif_transpose(frame.copy())
                  for frame in ImageSequence.Iterator(image)]
    for frame in frames:
        frame.info.clear()  # text chunks, comments, XMP, ICC: nothing is carried over
    options: dict[str, object] = {"quality": 95} if format in ("JPEG", "WEBP") else {}
    if len(frames) > 1 and format in ("GIF", "WEBP", "TIFF"):
        options.update(save_all=True, append_images=frames[1:])
    frames[0].save(target, format=format, exif=b"", **options)


def _pdf(source: Path, target: Path) -> None:
    with pikepdf.open(source) as pdf:
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        if "/Metadata" in pdf.Root:
            del pdf.Root["/Metadata"]
        pdf.save(target, static_id=True)


def _zip(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as cleaned:
        for entry in original.infolist():
            data = original.read(entry)
            if entry.filename in METADATA_PARTS:
                data = _emptied(data)
            elif is_xml_part(entry.filename):
                data = neutralised(data)
            copy = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            # An OpenDocument's `mimetype` must stay the first entry, stored.
            copy.compress_type = (zipfile.ZIP_STORED if entry.filename == "mimetype"
                                  else zipfile.ZIP_DEFLATED)
            cleaned.writestr(copy, data)


def _emptied(xml: bytes) -> bytes:
    """The metadata part with its root (and namespaces) kept, every property gone:
    for OpenDocument's meta.xml the `office:meta` element's children."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml, parser)
    holders = [child for child in root if etree.QName(child).localname == "meta"] or [root]
    for holder in holders:
        for child in list(holder):
            holder.remove(child)
        holder.text = None
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                standalone=True))
