"""A melding's whole procedure across the real intake, triage and investigation
services and a real nats-server: both branches end with the melding closed in triage
and the final feedback in the reporter's mailbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from services.triage.domain.feedback import TEMPLATES
from shared.config import Settings
from tests.support import (
    MELDING,
    RunningService,
    assessment,
    eventually,
    listed,
    ok,
    running,
    token,
)

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@asynccontextmanager
async def procedure(settings: Settings) -> AsyncIterator[dict[str, RunningService]]:
    async with AsyncExitStack() as stack:
        yield {name: await stack.enter_async_context(running(name, settings))
               for name in ("intake", "triage", "investigation")}


async def file_and_decide(s: dict[str, RunningService], settings: Settings,
                          outcome: list[str]) -> tuple[str, str]:
    """A reporter files; the meldpunt assesses; the competent authority decides."""
    filed = await ok(await s["intake"].client.post("/api/meldingen", json=MELDING), 201)
    melding_id, receipt = filed["id"], filed["receipt"]
    meldpunt = token(settings, "meldpunt", "mia")
    triage = s["triage"].client

    async def arrived() -> bool:
        return (await triage.get(f"/api/meldingen/{melding_id}", headers=meldpunt)).is_success

    await eventually(arrived)
    await ok(await triage.post(f"/api/meldingen/{melding_id}/assessment", headers=meldpunt,
                               json=assessment(severity="high", advice=outcome[0])))
    await ok(await triage.post(f"/api/meldingen/{melding_id}/messages", headers=meldpunt,
                               json={"body": "We gaan uw melding behandelen."}), 201)
    authority = token(settings, "competent_authority")
    decided = await ok(await triage.post(
        f"/api/meldingen/{melding_id}/decision", headers=authority,
        json={"outcome": outcome, "motivation": "Het vermoeden is ernstig genoeg."}))
    assert decided["status"] == "decided"

    async def case_opened() -> bool:
        return (await s["investigation"].client.get(f"/api/cases/{melding_id}",
                                                    headers=authority)).is_success

    await eventually(case_opened)
    return melding_id, receipt


async def closed_with_feedback(s: dict[str, RunningService], settings: Settings,
                               melding_id: str, receipt: str) -> None:
    """Triage closes the melding, and the reporter reads the feedback in the mailbox."""
    meldpunt = token(settings, "meldpunt", "mia")

    async def closed() -> bool:
        melding = (await s["triage"].client.get(f"/api/meldingen/{melding_id}",
                                                headers=meldpunt)).json()
        return bool(melding["status"] == "closed")

    await eventually(closed)
    melding = await ok(await s["triage"].client.get(f"/api/meldingen/{melding_id}",
                                                    headers=meldpunt))
    assert melding["closing"]["reason"] == "case_closed"
    # Without the authority's own words the start is triage's closing template, in the
    # reporter's language only, saying that measures were taken and nothing of which;
    # the meldpunt's text is what is sent.
    due = melding["closing_feedback"]
    assert due["start"] == TEMPLATES["nl"]["case_closed_with_measures"]
    assert due["given_at"] is None
    given = await ok(await s["triage"].client.post(
        f"/api/meldingen/{melding_id}/closing-feedback", headers=meldpunt,
        json={"body": due["start"] + " Dank voor uw melding."}), 201)
    assert given["feedback_at"] is not None
    whats = [h["what"] for h in given["history"]]
    assert whats[:4] == ["received", "acknowledged",
                         "competent authority: tester (unknown: default)", "assessed"]
    assert whats[-2:] == ["closed (case_closed)", "feedback_sent"]

    login = await ok(await s["intake"].client.post("/api/mailbox/login",
                                                   json={"receipt": receipt}))
    reporter = {"Authorization": f"Bearer {login['token']}"}

    async def feedback_arrived() -> bool:
        mailbox = (await s["intake"].client.get("/api/mailbox", headers=reporter)).json()
        return any(m.get("purpose") == "feedback" for m in mailbox["messages"])

    await eventually(feedback_arrived)
    mailbox = await ok(await s["intake"].client.get("/api/mailbox", headers=reporter))
    # the acknowledgement, the meldpunt's message and the final feedback
    assert len(mailbox["messages"]) >= 3, mailbox
    final = [m for m in mailbox["messages"] if m.get("purpose") == "feedback"][-1]
    assert final["body"] == (TEMPLATES["nl"]["case_closed_with_measures"]
                             + " Dank voor uw melding.")


async def test_conversation_branch_ends_closed_with_feedback(settings: Settings) -> None:
    async with procedure(settings) as s:
        melding_id, receipt = await file_and_decide(s, settings, ["conversation"])
        authority = token(settings, "competent_authority")
        cases = s["investigation"].client

        # The competent authority talks with the person concerned, then decides measures.
        case = await ok(await cases.post(f"/api/cases/{melding_id}/conversation",
                                         headers=authority,
                                         json={"minutes": "Gesprek gevoerd; fiets terug."}))
        assert (case["path"], case["status"]) == ("conversation", "conversation_held")
        case = await ok(await cases.post(f"/api/cases/{melding_id}/measures", headers=authority,
                                         json={"measures": [{
                                             "target": "process", "kind": "training",
                                             "description": "Training over geschenken."}]}))
        assert case["status"] == "closed"

        await closed_with_feedback(s, settings, melding_id, receipt)


async def test_investigation_branch_ends_closed_with_feedback(settings: Settings) -> None:
    async with procedure(settings) as s:
        melding_id, receipt = await file_and_decide(s, settings, ["investigation"])
        authority = token(settings, "competent_authority")
        ivan = token(settings, "investigator", "ivan")
        cases = s["investigation"].client
        url = f"/api/cases/{melding_id}"
        # Investigators come from the directory; so do those below who may not be one.
        for sub, name in (("ivan", "Ivan Petrov"), ("olga", "Olga"), ("mia", "Mia"),
                          ("tester", "Tester"), ("piet", "Afdelingshoofd Inkoop")):
            listed(s["investigation"], sub, "investigator", name=name)

        # Nobody who assessed, decided or is concerned (by name) may investigate.
        for conflicted in ("mia", "tester", "piet"):
            refused = await cases.post(f"{url}/investigators", headers=authority,
                                       json={"investigators": [conflicted]})
            assert refused.status_code == 409, refused.text
            assert refused.json()["reason"]
        # Before assignment the investigator cannot see the case: as if there were none.
        assert (await cases.get(url, headers=ivan)).status_code == 404
        await ok(await cases.post(f"{url}/investigators", headers=authority,
                                  json={"investigators": ["ivan"]}))
        # They read the allegation they investigate.
        case = await ok(await cases.get(url, headers=ivan))
        assert case["description"] == MELDING["description"]

        # The competent authority adds olga and takes her off again, both recorded.
        case = await ok(await cases.post(f"{url}/investigators/OLGA", headers=authority))
        assert case["investigators"] == ["ivan", "olga"]
        olga = token(settings, "investigator", "olga")
        assert (await cases.get(url, headers=olga)).is_success
        case = await ok(await cases.delete(f"{url}/investigators/olga", headers=authority))
        assert case["investigators"] == ["ivan"]
        assert [h["what"] for h in case["history"]][-2:] == [
            "investigator added: olga", "investigator removed: olga"]
        assert (await cases.get(url, headers=olga)).status_code == 404

        # The protocol, in order.
        await ok(await cases.post(f"{url}/plan", headers=ivan, json={"text": "Plan."}))
        interview = await ok(await cases.post(
            f"{url}/interviews", headers=ivan,
            json={"interviewee": "afdelingshoofd inkoop", "minutes": "Verslag."}), 201)
        await ok(await cases.post(f"{url}/interviews/{interview['interview_id']}/comments",
                                  headers=ivan, json={"text": "Correctie op regel 3."}))
        await ok(await cases.post(f"{url}/evidence", headers=ivan,
                                  json={"description": "Factuur fiets", "sha256": SHA}))
        await ok(await cases.post(f"{url}/draft-report", headers=ivan, json={"text": "Concept."}))
        await ok(await cases.post(f"{url}/response", headers=ivan,
                                  json={"text": "Ik dacht dat het mocht."}))
        case = await ok(await cases.post(f"{url}/final-report", headers=ivan,
                                         json={"text": "Rapport.", "conclusion": "founded"}))
        assert case["status"] == "final_reported"

        # Another investigator sees neither the case nor it in the list.
        olga = token(settings, "investigator", "olga")
        assert (await cases.get(url, headers=olga)).status_code == 404
        assert (await ok(await cases.get("/api/cases", headers=olga)))["total"] == 0
        assert (await ok(await cases.get("/api/cases", headers=ivan)))["total"] == 1

        # The meldpunt follows the case's steps, not what the minutes say.
        followed = await ok(await cases.get(url, headers=token(settings, "meldpunt", "mia")))
        assert followed["status"] == "final_reported" and followed["content_withheld"]
        assert followed["interviews"] == [] and followed["description"] is None
        assert "Verslag." not in str(followed)

        case = await ok(await cases.post(f"{url}/measures", headers=authority, json={
            "measures": [{"target": "person", "kind": "written_reprimand",
                          "description": "Schriftelijke berisping."}]}))
        assert case["status"] == "closed"
        assert [h["what"] for h in case["history"]][-1] == "measures taken; case closed"

        await closed_with_feedback(s, settings, melding_id, receipt)
