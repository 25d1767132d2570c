"""The settings the docs name are the settings there are: every `MELDINGEN_*` in the
README and `docs/` (outside a "Not yet" section, which describes what is not built)
is a field of `shared/config.py` (or its `_FILE` twin) or read by name in the code,
and every field is in `docs/configuration.md`."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_settings import BaseSettings

from shared import config

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"MELDINGEN_[A-Z0-9_]*[A-Z0-9]")
PLACEHOLDERS = {"MELDINGEN_X", "MELDINGEN_X_FILE"}  # configuration.md's example of a secret


def fields() -> set[str]:
    found: set[str] = set()
    for value in vars(config).values():
        if (isinstance(value, type) and issubclass(value, BaseSettings)
                and value is not BaseSettings):
            found |= {f"MELDINGEN_{name.upper()}" for name in value.model_fields}
    return found


def built_text(text: str) -> str:
    """The text without its "Not yet" sections (to the next heading of that level)."""
    kept, skipping = [], 0
    for line in text.splitlines():
        heading = re.match(r"(#+) ", line)
        if heading and skipping and len(heading.group(1)) <= skipping:
            skipping = 0
        if heading and line.lstrip("#").strip().lower() == "not yet":
            skipping = len(heading.group(1))
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def read_in_code() -> set[str]:
    names: set[str] = set()
    for folder in ("services", "shared", "bench", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"\"(MELDINGEN_[A-Z0-9_]+)\"", path.read_text()))
    return names


def test_every_setting_the_docs_name_exists() -> None:
    known = fields() | read_in_code() | PLACEHOLDERS
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    unknown = {f"{path.name}: {name}" for path in documents
               for name in NAME.findall(built_text(path.read_text()))
               if name not in known and name.removesuffix("_FILE") not in known}
    assert sorted(unknown) == []


def test_every_setting_is_in_the_configuration_docs() -> None:
    documented = set(NAME.findall((ROOT / "docs" / "configuration.md").read_text()))
    assert sorted(f for f in fields()
                  if f not in documented and f + "_FILE" not in documented
                  and f.removesuffix("_FILE") not in documented) == []


def test_a_not_yet_section_is_left_out_up_to_the_next_heading() -> None:
    text = "## A\nMELDINGEN_ONE\n### Not yet\nMELDINGEN_TWO\n### B\nMELDINGEN_THREE"
    assert NAME.findall(built_text(text)) == ["MELDINGEN_ONE", "MELDINGEN_THREE"]
