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


TRACKED = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>De kas klopt niet.</w:t></w:r><w:commentRangeEnd w:id="0"/>
<w:ins w:id="1" w:author="{AUTHOR}" w:date="2024-03-05T09:12:00Z"><w:r><w:t> Het tekort is groot.</w:t></w:r></w:ins>
<w:r><w:commentReference w:id="0"/></w:r></w:p></w:body></w:document>"""
COMMENTS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:comment w:id="0" w:author="{AUTHOR}" w:initials="HKU" w:date="2024-03-05T09:13:00Z"><w:p><w:r><w:t>Zie de bonnen van maart.</w:t></w:r></w:p></w:comment>
</w:comments>"""
PEOPLE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">
<w15:person w15:author="{AUTHOR}"><w15:presenceInfo w15:providerId="AD" w15:userId="S-1-5-21-henk"/></w15:person>
</w15:people>"""


def docx_with_tracked_change_and_comment() -> bytes:
    """A DOCX whose body names its writer: a tracked insertion and a comment by AUTHOR,
    and Word's list of the people who wrote in it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("[Content_Types].xml", CONTENT_TYPES)
        docx.writestr("_rels/.rels", RELS)
        docx.writestr("word/document.xml", TRACKED)
        docx.writestr("word/comments.xml", COMMENTS)
        docx.writestr("word/people.xml", PEOPLE)
        docx.writestr("docProps/core.xml", CORE)
    return out.getvalue()


ODT_CONTENT = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:body><office:text>
<text:tracked-changes><text:changed-region text:id="c1"><text:insertion><office:change-info>
<dc:creator>{AUTHOR}</dc:creator><dc:date>2024-03-05T09:12:00</dc:date></office:change-info>
</text:insertion></text:changed-region></text:tracked-changes>
<text:p>De kas klopt niet.<office:annotation><dc:creator>{AUTHOR}</dc:creator>
<meta:creator-initials>HKU</meta:creator-initials><text:p>Zie de bonnen van maart.</text:p>
</office:annotation></text:p></office:text></office:body></office:document-content>"""


def odt_with_tracked_change_and_annotation() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", ODT_CONTENT)
    return out.getvalue()
