# ruff: noqa: E501 - the OOXML parts below are kept as Word writes them, one element a line
"""Files with metadata that could name a reporter, made in the test (Pillow, zipfile)."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

#: What must not survive cleaning, and must appear nowhere stored.
AUTHOR = "Henk Klokkenluider-Uniek"
GPS_LATITUDE = (52.0, 22.0, 12.34)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "KlokCam"  # Make
    exif[0x013B] = AUTHOR  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", GPS_LATITUDE, "E", (4.0, 53.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


CORE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{AUTHOR}</dc:creator>
<cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy></cp:coreProperties>"""
DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>De kas klopt niet.</w:t></w:r></w:p></w:body></w:document>"""
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""


def docx_with_author() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("[Content_Types].xml", CONTENT_TYPES)
        docx.writestr("_rels/.rels", RELS)
        docx.writestr("word/document.xml", DOCUMENT)
        docx.writestr("docProps/core.xml", CORE)
    return out.getvalue()


def no_author_left(docx: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(docx)) as cleaned:
        return all(AUTHOR.encode() not in cleaned.read(name) for name in cleaned.namelist())


def gps_of(jpeg: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(jpeg)) as image:
        return dict(image.getexif().get_ifd(0x8825))
