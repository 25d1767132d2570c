"""Turns the posted melding form into a `Submission`, or into errors per field.

The rules are the JSON API's (`MeldingIn`) and the domain's (`refusals`), so the form
and the API accept the same meldingen; only the messages differ: they name the field
in the reporter's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import ValidationError

from services.intake.api.schemas import MeldingIn
from services.intake.domain.report import refusals
from services.intake.domain.submission import Submission
from shared.errors import InvalidInput

FIELDS = ("kind", "theme", "description", "occurred", "involved", "concerns",
          "anonymous", "name", "email", "phone", "attachments", "meeting")
IDENTITY_FIELDS = ("name", "email", "phone")
Sealing = Literal["browser", "server", "none", "named"]


@dataclass
class MeldingForm:
    """What the reporter typed (to show again after an error) and what is wrong with it."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    submission: Submission | None = None
    sealing: Sealing = "none"


def parse_melding(posted: dict[str, str], today: date, lang: str = "nl") -> MeldingForm:
    """The melding the form describes; `lang` is the page's, the reporter's language."""
    values = {name: posted.get(name, "").strip() for name in FIELDS}
    values["identity_sealed"] = posted.get("identity_sealed", "").strip()
    values["key_id"] = posted.get("key_id", "").strip()
    form = MeldingForm(values=values)

    anonymous = {"true": True, "false": False}.get(values["anonymous"])
    if anonymous is None:
        form.errors["anonymous"] = "anonymous"
    identity = {name: values[name] for name in IDENTITY_FIELDS if values[name]}
    sealed = values["identity_sealed"] if anonymous else ""
    if sealed and identity:
        # The reporter typed the details again (e.g. after an error): the new ones count.
        sealed = values["identity_sealed"] = ""
    occurred = _date(values["occurred"])
    if values["occurred"] and occurred is None:
        form.errors["occurred"] = "occurred"
    if anonymous is not None:
        for refusal in refusals(anonymous=anonymous, identity=identity, occurred=occurred,
                                today=today):
            form.errors.setdefault(error_field(refusal), error_field(refusal))

    payload: dict[str, object] = {
        "kind": values["kind"], "theme": values["theme"],
        "description": values["description"], "anonymous": bool(anonymous),
        "involved": [line.strip() for line in values["involved"].splitlines() if line.strip()],
        "concerns": values["concerns"] or "unknown",
        "occurred": occurred,
        "identity": identity or None,
        "identity_sealed": sealed or None,
        "key_id": (values["key_id"] or None) if sealed else None,
        "meeting_requested": values["meeting"] == "yes",
        "language": lang,
    }
    try:
        body = MeldingIn.model_validate(payload)
    except ValidationError as exc:
        for error in exc.errors():
            form.errors.setdefault(field_of(error["loc"]), field_of(error["loc"]))
    if form.errors:
        # In the order of the form, so the summary reads top to bottom.
        order = [*FIELDS, "identity_sealed"]
        form.errors = dict(sorted(form.errors.items(), key=lambda item: order.index(item[0])))
        return form

    form.sealing = "named" if not anonymous else (
        "browser" if sealed else "server" if identity else "none")
    form.submission = body.submission()  # the web channel: MeldingIn's default
    return form


def error_field(error: InvalidInput) -> str:
    """The form field a domain error names."""
    return field_of(error.field.split("."))


def field_of(loc: tuple[int | str, ...] | list[str]) -> str:
    """The form field a validation error (or a domain error's `field`) belongs to."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "identity":
        return parts[1] if len(parts) > 1 and parts[1] in IDENTITY_FIELDS else "name"
    if parts and parts[0] in ("identity_sealed", "key_id"):
        return "identity_sealed"
    return parts[0] if parts and parts[0] in FIELDS else "description"


def _date(text: str) -> date | None:
    """The day typed as the Dutch page asks (15-03-2024, also 15-3-2024 or with slashes
    or dots) or as a browser's date input sends it (2024-03-15)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if parts is None:
        return None
    try:
        return date(int(parts[3]), int(parts[2]), int(parts[1]))
    except ValueError:
        return None
