"""A case decided before `melding_decided` listed the reporter's files (issue 19):
the decision went to investigation without them, so triage shares each file from
before it once, as `attachment_shared` (services/triage/files/backfill.py), and the
case's team lists and downloads it; shared once, not again after a restart."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any
from uuid import UUID

import anyio.to_thread

from services.triage.domain.report import Report
from services.triage.files.backfill import share_due
from services.triage.files.domain.files import MeldingFiles
from shared.config import Settings
from tests.integration.test_attachments import mailbox_token, send
from tests.integration.test_shredding import MELDPUNT, file
from tests.support import assessment, eventually, ok, running, token

STATEMENT = b"Op 3 maart zag ik de leverancier de fiets afleveren.\n" * 100


def decided_the_old_way(triage: Any, melding_id: UUID) -> None:
    """The decision as the code before the files' list stored it: no `files_listed`,
    so the relay publishes it as that code did, without `attachments`."""
    app = triage.application

    def decide(report: Report) -> None:
        report._decided(outcome=["investigation"], motivation="m", police_report_on=None,
                        theme=report.theme, involved=list(report.involved),
                        assessed_by=report.assessed_by or "", by="tester", at=app.clock.now(),
                        referral_to=None, police_report_motivation=None, files_listed=False)

    app.update(lambda: app.repository.get(melding_id), decide, conflict="again")


async def test_a_case_decided_before_decisions_listed_files_gets_them(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"retention_check_seconds": 0.2})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt, authority = MELDPUNT[0], token(settings, "competent_authority")
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings))
             for name in ("intake", "triage")}
        melding_id, receipt = await file(s, "Een leverancier gaf een blauwe bakfiets.")
        status, sent = await send(s["intake"], await mailbox_token(s["intake"], receipt),
                                  "verslag.txt", STATEMENT)
        assert status == 201, sent
        triage = s["triage"].client

        async def in_triage() -> bool:
            return len(await ok(triage.get(f"/api/meldingen/{melding_id}/attachments",
                                           headers=meldpunt))) == 1

        await eventually(in_triage)
        await ok(triage.post(f"/api/meldingen/{melding_id}/assessment", headers=meldpunt,
                             json=assessment()))
        await anyio.to_thread.run_sync(decided_the_old_way, s["triage"], UUID(melding_id))
        cases = (await stack.enter_async_context(running("investigation", settings))).client

        async def listed() -> list[dict[str, Any]]:
            answer = await cases.get(f"/api/cases/{melding_id}/attachments",
                                     headers=authority)
            return list(answer.json()) if answer.is_success else []

        async def shared() -> bool:
            return len(await listed()) == 1

        await eventually(shared)
        [described] = await listed()
        assert described["id"] == sent["id"] and described["name"] == "verslag.txt"
        got = await cases.get(f"/api/cases/{melding_id}/attachments/{sent['id']}",
                              headers=authority)
        assert got.status_code == 200 and got.content == STATEMENT

        # Recorded as shared once: later rounds share nothing more, nor does a restart.
        files: MeldingFiles = s["triage"].application.repository.get(
            MeldingFiles.create_id(UUID(melding_id)))
        assert files.is_shared(str(sent["id"]))
    async with running("triage", settings) as again:
        # Its rows are a table: the start read no event, nothing is due, nothing recorded.
        assert again.app.state.parts.flusher.views.read_at_start == 0
        backfill = again.app.state.parts.backfill
        assert backfill.unshared.due() == {}
        assert await anyio.to_thread.run_sync(share_due, again.application,
                                              backfill.unshared) == 0
        assert shares(again) == 1


def shares(triage: Any) -> int:
    return sum(1 for n in triage.application.recorder.select_notifications(0, 10_000)
               if n.topic.endswith("MeldingFiles.Shared"))
