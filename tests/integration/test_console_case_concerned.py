"""The competent authority's steps beside the protocol on the console's case page, over
HTTP (ASGI) against the real services: a conversation turned into an investigation,
interim measures taken and lifted, the person concerned informed (after a
postponement), heard, their request to see the file answered, the final measures
settling each interim measure, and the outcome told. A form without its motivation
is refused on the same page, naming the field, and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from shared.terms import LOCAL
from tests.consoleflows import add, enrol, post, second_browser, sign_in
from tests.integration.test_console_cases import (
    STANDING,
    Procedure,
    offered,
    procedure,
    settings,
    signed_in,
    step,
)
from tests.support import MELDING, eventually

__all__ = ["procedure", "settings"]  # the fixtures, shared with test_console_cases


async def test_escalation_interim_measures_and_the_person_concerned_on_the_case_page(
        procedure: Procedure) -> None:
    p = procedure
    melding_id = (await p.intake.client.post("/api/meldingen", json=MELDING)).json()["id"]
    melding, case = f"/meldingen/{melding_id}", f"/cases/{melding_id}"
    ivo = add(p.console.application, "ivo", "investigator")
    authority = p.console.client
    await signed_in(p, authority, "bert", "meldpunt", "competent_authority")

    async def arrived() -> bool:
        return 'id="assessment-form"' in (await authority.get(melding)).text

    await eventually(arrived)
    page = (await authority.get(melding)).text
    await post(authority, f"{melding}/assessment", page, admissible="true",
               reasonable_grounds="true", code_violation="true", severity="medium",
               theme="gifts", advice="conversation", motivation="Een gesprek volstaat.")
    page = (await authority.get(melding)).text
    await post(authority, f"{melding}/decision", page, outcome="conversation",
               motivation="Eerst een gesprek.")

    async def opened() -> bool:
        return (await authority.get(case)).status_code == 200

    await eventually(opened)
    page = (await authority.get(case)).text
    assert offered(page) == ["record_conversation", "escalate", "inform_person_concerned"]
    bare = await post(authority, f"{case}/escalate", page)
    assert bare.status_code == 422 and 'id="escalation_motivation-error"' in bare.text
    page = await step(authority, case, "escalate",
                      escalation_motivation="Het gesprek wees op meer.")
    assert "Het gesprek wees op meer." in page and "Wacht op onderzoekers" in page
    assert offered(page) == ["assign_investigators", *STANDING]

    # Interim measures, each with a motivation; one lifted again with one.
    unmotivated = await post(authority, f"{case}/take_interim_measure", page,
                             interim_kind="suspension")
    assert unmotivated.status_code == 422
    assert 'id="interim_motivation-error"' in unmotivated.text
    await step(authority, case, "take_interim_measure", interim_kind="suspension",
               interim_motivation="Bewijs kan verdwijnen.")
    page = await step(authority, case, "take_interim_measure", interim_kind="non_active",
                      interim_motivation="Rust op de afdeling.")
    assert "lift_interim_measure" in offered(page)
    unlifted = await post(authority, f"{case}/lift_interim_measure", page, measure_id="2")
    assert unlifted.status_code == 422 and 'id="lift_motivation-error"' in unlifted.text
    page = await step(authority, case, "lift_interim_measure", measure_id="2",
                      lift_motivation="De rust is terug.")
    assert "Opgeheven: De rust is terug." in page and "Schorsing" in page

    # The person concerned: informing postponed, then informed, heard, the file asked.
    today = p.clock.now().astimezone(LOCAL).date()
    until = (today + timedelta(days=10)).isoformat()
    late = await post(authority, f"{case}/postpone_informing", page,
                      postpone_reason="Bewijs.", postpone_until=today.isoformat())
    assert late.status_code == 422 and 'id="postpone_until-error"' in late.text
    page = await step(authority, case, "postpone_informing",
                      postpone_reason="Bewijs kan verdwijnen.", postpone_until=until)
    assert f"Informeren uitgesteld tot {until}" in page
    page = await step(authority, case, "inform_person_concerned",
                      informed_on=today.isoformat(), informed_by="De secretaris")
    assert "door De secretaris" in page
    assert not {"inform_person_concerned", "postpone_informing"} & set(offered(page))
    await step(authority, case, "record_hearing", held_on=today.isoformat(),
               hearing_minutes="Zij legt uit hoe het ging.")
    page = await step(authority, case, "record_file_request", requested_on=today.isoformat())
    unanswered = await post(authority, f"{case}/answer_file_request", page, request_id="1",
                            granted="true")
    assert unanswered.status_code == 422 and 'id="file_answer-error"' in unanswered.text
    page = await step(authority, case, "answer_file_request", request_id="1",
                      granted="false", file_answer="Niet tijdens de interviews.")
    assert "Geweigerd: Niet tijdens de interviews." in page
    await step(authority, case, "assign_investigators", investigators="ivo")

    async with second_browser(p.console) as investigator:
        secret = await enrol(investigator, ivo, p.clock)
        assert (await sign_in(investigator, "ivo", secret, p.clock)).status_code == 303
        # What the person concerned said is on the page for the case's team, too.
        assert "Zij legt uit hoe het ging." in (await investigator.get(case)).text
        for command, fields in (
                ("record_plan", {"plan_text": "Plan."}),
                ("record_interview", {"interviewee": "X", "interview_minutes": "M."}),
                ("add_evidence", {"evidence_description": "Factuur", "sha256": "a" * 64}),
                ("issue_draft_report", {"draft_text": "Concept."}),
                ("record_response", {"response_text": "Zienswijze."}),
                ("issue_final_report", {"final_text": "Rapport.", "conclusion": "founded"})):
            await step(investigator, case, command, **fields)

    # The final measures must say what becomes of the suspension still in force.
    page = (await authority.get(case)).text
    assert 'id="interim_ending-1"' in page and 'id="interim_kept-1"' in page
    measures = {"target": "person", "kind": "dismissal", "measure_description": "Ontslag."}
    silent = await post(authority, f"{case}/take_measures", page, **measures)
    assert silent.status_code == 422 and 'id="interim_ending-error"' in silent.text
    assert "Gesloten" not in silent.text
    page = await step(authority, case, "take_measures", interim_ending="1", **measures)
    assert "Gesloten" in page and "Beëindigd door de maatregelen" in page
    # After the close: the outcome told, and the file may still be asked for.
    assert offered(page) == ["record_file_request", "tell_outcome"]
    page = await step(authority, case, "tell_outcome", told_on=today.isoformat())
    assert f"De uitkomst is meegedeeld op {today.isoformat()}." in page
    assert offered(page) == ["record_file_request"]
