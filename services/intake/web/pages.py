"""The reporter's web form and the receipt page.

The receipt page is the answer to the form's post itself: the code travels in that one
response body and nowhere else (no redirect, no URL, no cookie, no log line).
"""

from __future__ import annotations

import base64
from typing import get_args

from eventsourcing.persistence import PersistenceError
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake.adapters.receipts import grouped
from services.intake.api.deps import Filer, Files, Intake
from services.intake.application import IntakeApplication
from services.intake.domain.reception import adviser_for
from services.intake.web.forms import MeldingForm, error_field, parse_melding
from services.intake.web.rendering import (
    cross_site,
    form_tokens,
    render,
)
from services.intake.web.texts import language
from services.intake.web.uploads import posted_upload, refusal_key
from shared.contracts import Kind
from shared.errors import InvalidInput, Unavailable
from shared.files.upload import workdir
from shared.terms import local_date

router = APIRouter(include_in_schema=False)

# Where the error summary links to for each field: a radio group's first option.
ANCHORS = {
    "kind": "kind-integrity_violation",
    "theme": "theme-interests",
    "concerns": "concerns-unknown",
    "anonymous": "anonymous-false",
    "identity_sealed": "name",
}


@router.get("/", response_class=HTMLResponse)
def form(request: Request, intake: Intake, lang: str | None = None) -> HTMLResponse:
    """The web form (Dutch; English with ?lang=en)."""
    return _form(request, intake, language(lang), MeldingForm(values={}))


@router.post("/", response_class=HTMLResponse)
async def submit(request: Request, intake: Intake, filing: Filer,
                 files: Files) -> HTMLResponse:
    """File the melding and show its receipt, or show the form again with its errors
    (a refused file included: all else the reporter typed stays)."""
    async with workdir(files.var_dir, "intake") as directory:
        upload = await posted_upload(request, files, directory)
        posted = upload.fields
        lang = language(posted.get("lang"))
        melding = parse_melding(posted, local_date(intake.clock.now()), lang)
        if cross_site(request) or not form_tokens(request).valid(posted.get("form_token", "")):
            melding.errors = {"form": "form"}
            return _form(request, intake, lang, melding, status_code=403)
        prepared = await files.prepare(upload.files)
        if prepared.refused:
            melding.errors = {**melding.errors,
                              "attachments": refusal_key(prepared.refused[0].error)}
        if melding.errors or melding.submission is None:
            return _form(request, intake, lang, melding, status_code=422)
        try:
            filed = await filing.file(melding.submission)
            await files.keep(filed.id, prepared.attached)
        except InvalidInput as exc:
            # Mostly what the form could not check itself: a sealed box that is not one.
            field = error_field(exc)
            melding.errors = {field: field}
            if field == "identity_sealed":
                melding.values["identity_sealed"] = ""
            return _form(request, intake, lang, melding, status_code=422)
        except (Unavailable, PersistenceError):
            melding.errors = {"unavailable": "unavailable"}
            return _form(request, intake, lang, melding, status_code=503)
    return render(request, "receipt.html", lang, groups=grouped(filed.receipt).split(),
                  sealing=melding.sealing, attachments=prepared.attached)


#: Whose key the script seals to for each kind (the domain's rule, rendered once).
ADVISER_OF_KIND = {kind: adviser_for(kind, "web") for kind in get_args(Kind)}


def _form(
    request: Request,
    intake: IntakeApplication,
    lang: str,
    melding: MeldingForm,
    status_code: int = 200,
) -> HTMLResponse:
    # Both advisers' keys: the script seals to the one the chosen kind goes to.
    keys = {adviser: (sealer.current, base64.b64encode(sealer.public_keys[sealer.current])
                      .decode()) for adviser, sealer in intake.sealers.items()}
    return render(
        request, "form.html", lang, status_code=status_code, switch="/",
        values=melding.values, errors=melding.errors, anchors=ANCHORS,
        adviser_keys=keys, adviser_of_kind=ADVISER_OF_KIND,
        today=local_date(intake.clock.now()).isoformat(),
    )
