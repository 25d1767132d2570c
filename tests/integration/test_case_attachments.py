"""The reporter's files for the case's team (issue 19): an investigator on the case and
its competent authority list and download them from investigation, those sent before
the decision (in `melding_decided`) and after it (`attachment_shared`), each download
in the case's history; 404 for a person concerned and an investigator not on the case."""

from __future__ import annotations

import hashlib
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.persistence import Tracking

from services.investigation.files.domain.attachments import CaseAttachments
from shared.config import Settings
from shared.contracts import MeldingDecided, SharedFile
from tests.files import docx_with_author, gps_of, jpeg_with_gps, no_author_left
from tests.integration.test_attachments import mailbox_token, send
from tests.integration.test_keyed_fields import stored_states
from tests.integration.test_shredding import MELDPUNT, file
from tests.support import (
    DEFAULT_AUTHORITY,
    assessment,
    eventually,
    listed,
    ok,
    running,
    token,
)


async def test_the_case_team_downloads_the_reporters_files(sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt, authority = MELDPUNT[0], token(settings, "competent_authority")
    ivan, otto, cees = (token(settings, "investigator", sub) for sub in ("ivan", "otto", "cees"))
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings))
             for name in ("intake", "triage", "investigation")}
        intake, triage, cases = s["intake"], s["triage"].client, s["investigation"].client
        for sub in ("ivan", "otto", "cees"):
            listed(s["triage"], sub, "investigator")
            listed(s["investigation"], sub, "investigator")
        melding_id, receipt = await file(s, "Een leverancier gaf een blauwe bakfiets.")
        mailbox = await mailbox_token(intake, receipt)

        # One file before the decision, which lists it; cees is concerned in the melding.
        status, photo = await send(intake, mailbox, "tuin.jpg", jpeg_with_gps())
        assert status == 201, photo

        async def in_triage() -> bool:
            return len(await ok(triage.get(f"/api/meldingen/{melding_id}/attachments",
                                           headers=meldpunt))) == 1

        await eventually(in_triage)
        await ok(triage.post(f"/api/meldingen/{melding_id}/assessment", headers=meldpunt,
                             json=assessment(concerned_staff=["cees"])))
        await ok(triage.post(f"/api/meldingen/{melding_id}/decision", headers=authority,
                             json={"outcome": ["investigation"], "motivation": "m"}))

        async def case_opened() -> bool:
            return (await cases.get(f"/api/cases/{melding_id}", headers=authority)).is_success

        await eventually(case_opened)
        await ok(cases.post(f"/api/cases/{melding_id}/investigators", headers=authority,
                            json={"investigators": ["ivan"]}))
        # One after it, which follows on its own.
        status, document = await send(intake, mailbox, "notulen.docx", docx_with_author())
        assert status == 201, document

        listing = f"/api/cases/{melding_id}/attachments"

        async def both_arrived() -> bool:
            return len(await ok(cases.get(listing, headers=ivan))) == 2

        await eventually(both_arrived)
        files = await ok(cases.get(listing, headers=ivan))
        assert [f["id"] for f in files] == [photo["id"], document["id"]]
        assert files[0] == {k: photo[k] for k in files[0]}

        # Downloaded as intake stored them: cleaned, as an attachment no browser renders.
        photo_url = f"{listing}/{photo['id']}"
        got = await cases.get(photo_url, headers=ivan)
        assert got.status_code == 200, got.text
        assert hashlib.sha256(got.content).hexdigest() == photo["sha256"]
        assert gps_of(got.content) == {}
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in got.headers["content-security-policy"]
        assert got.headers["content-disposition"].startswith('attachment; filename="tuin.jpg"')
        doc = await cases.get(f"{listing}/{document['id']}", headers=authority)
        assert doc.status_code == 200 and no_author_left(doc.content)

        # Not on the case, concerned in it, or not reading a case's content: refused,
        # and nothing recorded.
        for stranger in (otto, cees):
            assert (await cases.get(listing, headers=stranger)).status_code == 404
            assert (await cases.get(photo_url, headers=stranger)).status_code == 404
        assert (await cases.get(photo_url, headers=meldpunt)).status_code == 403
        assert (await cases.get(f"{listing}/nope", headers=ivan)).status_code == 404

        history = (await ok(cases.get(f"/api/cases/{melding_id}", headers=ivan)))["history"]
        downloads = [(h["what"], h["who"]) for h in history
                     if h["what"].startswith("attachment ")]
        assert downloads == [(f"attachment {photo['id']} downloaded", "ivan"),
                             (f"attachment {document['id']} downloaded", DEFAULT_AUTHORITY)]

        # The reporter's names for the files are kept only under the melding's key.
        states = stored_states(s["investigation"].application,
                               CaseAttachments.create_id(UUID(melding_id)))
        assert sum(b"mk1:" in state for state in states) == 2
        assert not any(b"notulen" in state or b"tuin" in state for state in states)

        # A decision again (after a reopening, or a copy come late): the case stays, and
        # takes the files it lists that the case lacks, once.
        later = SharedFile(attachment_id="f" * 32, name="later.txt", size=3,
                           content_type="text/plain", sha256="0" * 64, cleaned=True,
                           chunks=1, stored_by="intake", at=datetime.now(UTC))
        again = MeldingDecided(
            melding_id=melding_id, outcome=["investigation"], theme="gifts",
            assessed_by="mia", decided_by=DEFAULT_AUTHORITY, police_report_on=None,
            at=datetime.now(UTC), attachments=[*(SharedFile(
                attachment_id=f["id"], **{k: f[k] for k in ("name", "size", "content_type",
                                                            "sha256", "cleaned")},
                chunks=1, stored_by="intake", at=datetime.now(UTC)) for f in files), later])
        for position in (1, 2):
            s["investigation"].application.process_event(again, Tracking("again", position))
        files = await ok(cases.get(listing, headers=ivan))
        assert [f["id"] for f in files] == [photo["id"], document["id"], later.attachment_id]
