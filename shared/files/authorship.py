"""Who wrote what inside an office or OpenDocument body (docs/privacy.md,
"Attachments"): the metadata parts say who made the document, but its body says who
made each tracked change and comment, by name, initials, account and time. mat2's
own office cleaning leaves these in the body; a reporter who sends a report with
their own change marks would be named by it. So every XML part of the zip is read,
and each such attribute or element is emptied, not removed: the schemas require
`w:author` on a tracked change, and a document Word or LibreOffice no longer opens
helps nobody. The changes and comments themselves stay (they may be the point)."""

from __future__ import annotations

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DC = "http://purl.org/dc/elements/1.1/"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PRESENTATION = "http://schemas.openxmlformats.org/presentationml/2006/main"

#: Attributes named so in any namespace: DOCX's `w:author` and `w:initials` (tracked
#: changes, comments), `w15:person`'s `w15:author` and its presence's `userId` and
#: `providerId` (the account), threaded comments' `displayName`.
ANY_NAMESPACE = frozenset({"author", "initials", "userId", "providerId", "displayName"})
#: DOCX's `w:date` of a change or comment: a timeline of the writer (`date` means
#: other things elsewhere).
CHANGE_TIME = f"{{{W}}}date"
#: Elements whose text is emptied: ODT's `dc:creator` and `dc:date` (of an annotation
#: or a change's `office:change-info`), `meta:creator-initials`, and XLSX comments'
#: `<authors><author>`.
ELEMENTS = frozenset({f"{{{DC}}}creator", f"{{{DC}}}date", f"{{{META}}}creator-initials",
                      f"{{{SPREADSHEET}}}author"})
#: Where an unqualified `name` is an author's: PowerPoint's list of comment authors.
AUTHOR_LIST = f"{{{PRESENTATION}}}cmAuthor"


def is_xml_part(filename: str) -> bool:
    return filename.endswith((".xml", ".rels"))


def neutralised(xml: bytes) -> bytes:
    """The part with every author, initials, account and change time emptied; the
    same bytes when it names none (nothing rewritten that need not be)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(xml, parser)
    changed = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        if element.tag in ELEMENTS and (element.text or len(element)):
            for child in list(element):
                element.remove(child)
            element.text = None
            changed = True
        for attribute, value in element.attrib.items():
            if value and _names_someone(element.tag, attribute):
                element.set(attribute, "")
                changed = True
    if not changed:
        return xml
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                standalone=True))


def _names_someone(tag: str, attribute: str) -> bool:
    if tag == AUTHOR_LIST and attribute in ("name", "initials"):
        return True
    return attribute == CHANGE_TIME or etree.QName(attribute).localname in ANY_NAMESPACE
