"""Feedback in the meldpunt's words: templates in the reporter's language to start
from, a template's gap that must be filled, and the meldpunt's text is what the
reporter reads in the mailbox, in one language."""

from __future__ import annotations

from typing import Any

from services.triage.domain.feedback import GAP, TEMPLATES
from shared.config import Settings
from tests.support import MELDING, RunningService, assessment, eventually, ok, running, token


async def file(intake: RunningService, triage: RunningService, headers: dict[str, str],
               **changes: Any) -> tuple[str, dict[str, str]]:
    filed = await ok(intake.client.post("/api/meldingen", json={**MELDING, **changes}), 201)
    login = await ok(intake.client.post("/api/mailbox/login",
                                        json={"receipt": filed["receipt"]}))

    async def arrived() -> bool:
        response = await triage.client.get(f"/api/meldingen/{filed['id']}/feedback-templates",
                                           headers=headers)
        return response.status_code == 200

    await eventually(arrived)
    return filed["id"], {"Authorization": f"Bearer {login['token']}"}


async def mailbox_bodies(intake: RunningService, reporter: dict[str, str]) -> list[str]:
    mailbox = await ok(intake.client.get("/api/mailbox", headers=reporter))
    return [m["body"] for m in mailbox["messages"]
            if m["from"] == "meldpunt" and m["purpose"] != "acknowledgement"]


async def test_the_meldpunts_feedback_reaches_the_mailbox_in_the_reporters_language(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    meldpunt = token(settings, "meldpunt", "mia")
    async with running("intake", settings) as intake, \
            running("triage", settings) as triage:
        english, reporter = await file(intake, triage, meldpunt, language="en")
        dutch, dutch_reporter = await file(intake, triage, meldpunt)

        offered = await ok(triage.client.get(f"/api/meldingen/{english}/feedback-templates",
                                             headers=meldpunt))
        assert offered == {"language": "en", "templates": TEMPLATES["en"]}
        assert (await ok(triage.client.get(f"/api/meldingen/{dutch}/feedback-templates",
                                           headers=meldpunt)))["templates"] == TEMPLATES["nl"]
        # The templates are for the meldpunt, who writes the feedback.
        assert (await triage.client.get(f"/api/meldingen/{english}/feedback-templates",
                                        headers=token(settings, "competent_authority"))
                ).status_code == 403

        # The 3-month template unfinished is refused, naming the field, and sends nothing.
        unfinished = offered["templates"]["three_months"]
        refused = await triage.client.post(f"/api/meldingen/{english}/messages",
                                           headers=meldpunt,
                                           json={"body": unfinished, "purpose": "feedback"})
        assert refused.status_code == 422, refused.text
        assert "body" in refused.text and GAP in refused.json()["detail"]
        melding = await ok(triage.client.get(f"/api/meldingen/{english}", headers=meldpunt))
        assert melding["messages"] == [] and melding["feedback_at"] is None

        # Filled in, the meldpunt's own words are what the reporter reads.
        words = unfinished.replace(GAP, "The investigation into the gift is under way.")
        await ok(triage.client.post(f"/api/meldingen/{english}/messages", headers=meldpunt,
                                    json={"body": words, "purpose": "feedback"}), 201)

        async def delivered() -> bool:
            return await mailbox_bodies(intake, reporter) == [words]

        await eventually(delivered)

        # An inadmissible melding closed by its competent authority following the
        # advice owes the closing feedback: the meldpunt starts from the closing template
        # in the reporter's language (not "NL / EN"), and its text is what arrives.
        await ok(triage.client.post(f"/api/meldingen/{dutch}/assessment", headers=meldpunt,
                                    json=assessment(admissible=False)))
        await ok(triage.client.post(f"/api/meldingen/{dutch}/decision",
                                    headers=token(settings, "competent_authority"),
                                    json={"outcome": ["no_action"], "motivation": "Eens."}))
        await give_closing_feedback(triage, meldpunt, dutch, TEMPLATES["nl"]["inadmissible"])

        async def closed() -> bool:
            return await mailbox_bodies(intake, dutch_reporter) == [
                TEMPLATES["nl"]["inadmissible"]]

        await eventually(closed)
        assert " / " not in TEMPLATES["nl"]["inadmissible"]

        # So does one the competent authority's decision closes, in English.
        await ok(triage.client.post(f"/api/meldingen/{english}/assessment", headers=meldpunt,
                                    json=assessment()))
        decided = await triage.client.post(
            f"/api/meldingen/{english}/decision", headers=token(settings, "competent_authority"),
            json={"outcome": ["no_action"], "motivation": "Geen grond."})
        assert decided.status_code == 200, decided.text
        closing = TEMPLATES["en"]["no_action"] + " Thank you for reporting."
        await give_closing_feedback(triage, meldpunt, english, closing,
                                    start=TEMPLATES["en"]["no_action"])

        async def decided_in_english() -> bool:
            return await mailbox_bodies(intake, reporter) == [words, closing]

        await eventually(decided_in_english)


async def give_closing_feedback(triage: RunningService, meldpunt: dict[str, str],
                                melding_id: str, body: str, *, start: str | None = None
                                ) -> None:
    """The closing feedback is due from the meldpunt, with the template's start; it
    writes it."""
    melding = await ok(triage.client.get(f"/api/meldingen/{melding_id}", headers=meldpunt))
    assert melding["closing_feedback"]["start"] == (start or body)
    assert melding["closing_feedback"]["given_at"] is None
    await ok(triage.client.post(f"/api/meldingen/{melding_id}/closing-feedback",
                                headers=meldpunt, json={"body": body}), 201)
