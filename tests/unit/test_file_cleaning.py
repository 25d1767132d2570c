"""Cleaning and typing files from their bytes (shared/files/): what could name a
reporter is gone after cleaning, and a file is what its bytes say, not its name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pikepdf
import pytest

from shared.errors import InvalidInput
from shared.files.authorship import neutralised
from shared.files.cleaning import clean
from shared.files.types import GROUPS, allowed_types, check_type, sniff
from tests.files import (
    AUTHOR,
    docx_with_author,
    docx_with_tracked_change_and_comment,
    gps_of,
    jpeg_with_gps,
    odt_with_tracked_change_and_annotation,
)

ODT_META = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3">
<office:meta><meta:initial-creator>{AUTHOR}</meta:initial-creator></office:meta>
</office:document-meta>"""


def written(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_pdf_loses_its_author_and_keeps_its_pages(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = AUTHOR
    with pdf.open_metadata() as xmp:
        xmp["dc:creator"] = [AUTHOR]
    source = tmp_path / "in.pdf"
    pdf.save(source)
    assert AUTHOR.encode() in source.read_bytes()

    assert clean(source, tmp_path / "out.pdf", "application/pdf", field="file")
    cleaned = (tmp_path / "out.pdf").read_bytes()
    assert AUTHOR.encode() not in cleaned
    with pikepdf.open(tmp_path / "out.pdf") as result:
        assert len(result.pages) == 1


def test_an_opendocument_loses_its_creator_and_keeps_its_mimetype_first(
        tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odt.writestr("meta.xml", ODT_META)
        odt.writestr("content.xml", '<office:document-content xmlns:office='
                                    '"urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    source = written(tmp_path, "in.odt", out.getvalue())
    content_type = sniff(source)
    assert content_type == "application/vnd.oasis.opendocument.text"

    assert clean(source, tmp_path / "out.odt", content_type, field="file")
    with zipfile.ZipFile(tmp_path / "out.odt") as cleaned:
        assert cleaned.namelist()[0] == "mimetype"
        assert cleaned.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert AUTHOR.encode() not in cleaned.read("meta.xml")
        assert b"office:meta" in cleaned.read("meta.xml")


def test_images_and_office_documents_are_cleaned(tmp_path: Path) -> None:
    photo = written(tmp_path, "a.jpg", jpeg_with_gps())
    assert clean(photo, tmp_path / "b.jpg", "image/jpeg", field="file")
    assert gps_of((tmp_path / "b.jpg").read_bytes()) == {}
    docx = written(tmp_path, "a.docx", docx_with_author())
    assert clean(docx, tmp_path / "b.docx", sniff(docx) or "", field="file")
    assert AUTHOR.encode() not in (tmp_path / "b.docx").read_bytes()


def test_audio_is_kept_as_sent_and_marked_not_cleaned(tmp_path: Path) -> None:
    sound = written(tmp_path, "a.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64)
    assert sniff(sound) == "audio/mpeg"
    assert clean(sound, tmp_path / "b.mp3", "audio/mpeg", field="file") is False
    assert (tmp_path / "b.mp3").read_bytes() == sound.read_bytes()


def test_a_type_comes_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    allowed = allowed_types("image,pdf,office,opendocument,text,audio")
    executable = written(tmp_path, "foto.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 60)
    with pytest.raises(InvalidInput) as refused:
        check_type(sniff(executable), allowed, field="file")
    assert refused.value.extra["limit"] == "MELDINGEN_ATTACHMENT_TYPES"
    text = written(tmp_path, "notes.bin", "Geen geheimen, wel één é.\n".encode())
    assert check_type(sniff(text), allowed, field="file") == "text/plain"
    assert sniff(written(tmp_path, "x.txt", b"a\x00b")) is None


def test_a_broken_image_is_refused_not_kept(tmp_path: Path) -> None:
    broken = written(tmp_path, "a.jpg", jpeg_with_gps()[:40])
    with pytest.raises(InvalidInput):
        clean(broken, tmp_path / "b.jpg", "image/jpeg", field="file")


def test_the_allow_list_names_groups_or_types() -> None:
    assert allowed_types("pdf, image/png") == GROUPS["pdf"] | {"image/png"}
    with pytest.raises(ValueError, match="video"):
        allowed_types("video")


def test_a_docx_body_loses_who_made_its_changes_and_comments(tmp_path: Path) -> None:
    source = written(tmp_path, "in.docx", docx_with_tracked_change_and_comment())
    content_type = sniff(source) or ""
    assert clean(source, tmp_path / "out.docx", content_type, field="file")
    with zipfile.ZipFile(tmp_path / "out.docx") as cleaned:
        parts = {name: cleaned.read(name) for name in cleaned.namelist()}
    for name, data in parts.items():
        assert AUTHOR.encode() not in data, name
        assert b"HKU" not in data and b"S-1-5-21-henk" not in data, name
        assert b"2024-03-05" not in data, name
    # The change and the comment themselves stay, with the attributes Word requires.
    document = parts["word/document.xml"]
    assert b"Het tekort is groot." in document and b'w:author=""' in document
    assert b"Zie de bonnen van maart." in parts["word/comments.xml"]
    assert b'w:initials=""' in parts["word/comments.xml"]


def test_an_odt_body_loses_who_made_its_changes_and_annotations(tmp_path: Path) -> None:
    source = written(tmp_path, "in.odt", odt_with_tracked_change_and_annotation())
    assert clean(source, tmp_path / "out.odt", sniff(source) or "", field="file")
    with zipfile.ZipFile(tmp_path / "out.odt") as cleaned:
        content = cleaned.read("content.xml")
        assert cleaned.namelist()[0] == "mimetype"
    assert AUTHOR.encode() not in content and b"HKU" not in content
    assert b"2024-03-05" not in content
    assert b"Zie de bonnen van maart." in content and b"<dc:creator/>" in content


def test_a_part_that_names_nobody_is_kept_as_it_is() -> None:
    plain = b'<?xml version="1.0"?>\n<a xmlns:x="urn:x" x:name="kept"><b>t</b></a>'
    assert neutralised(plain) == plain
