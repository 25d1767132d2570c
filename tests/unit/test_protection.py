"""Protection against disadvantage through the triage application (in memory): the
steps in the melding's statuses, and the check-ins due as the follow-up view keeps
them: listed from the closing, off while reopened, back at the next closing, gone once
checked in; `reprisal_complaint_recorded` carries no name and no text."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from services.triage.application import TriageApplication
from services.triage.domain.commands import Decision
from services.triage.protection.application import (
    Handling,
    check_in,
    handle_complaint,
    protect,
    record_complaint,
)
from services.triage.protection.domain.protection import Protection
from services.triage.protection.views import FollowUp
from shared.clock import MovableClock
from shared.contracts import ReprisalComplaintRecorded
from shared.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from tests.unit.test_handling import ADMISSIBLE, AUTHORITY, MELDPUNT, NOW, received, triage


def closed(app: TriageApplication, melding: UUID) -> None:
    app.assess(melding, ADMISSIBLE, MELDPUNT)
    app.decide(melding, Decision(outcome=("no_action",), motivation="Geen grond."), AUTHORITY)


def test_the_steps_follow_the_meldings_status_and_the_check_in_list() -> None:
    app = triage()
    app.clock = MovableClock(NOW)
    follow_up = FollowUp(within_days=90)
    app.feed(follow_up.apply)
    melding = received(app)

    with pytest.raises(InvalidInput):  # a complaint names a protected person
        record_complaint(app, melding, person_id="1", description="d",
                         received_on=NOW.date(), principal=MELDPUNT)
    protect(app, melding, name="Gerrit", role="witness", note="", principal=MELDPUNT)
    with pytest.raises(Conflict):
        protect(app, melding, name=" gerrit ", role="witness", note="", principal=MELDPUNT)
    with pytest.raises(InvalidInput):
        record_complaint(app, melding, person_id="1", description="d",
                         received_on=NOW.date() + timedelta(days=2), principal=MELDPUNT)
    record_complaint(app, melding, person_id="1", description="Overgeplaatst.",
                     received_on=NOW.date(), principal=MELDPUNT)
    with pytest.raises(InvalidTransition):
        check_in(app, melding, notes="n", disadvantage=False, principal=MELDPUNT)
    assert follow_up.due() == []

    closed(app, melding)
    with pytest.raises(InvalidTransition) as refused:
        protect(app, melding, name="Later", role="helper", note="", principal=MELDPUNT)
    assert refused.value.state == "closed"
    with pytest.raises(NotFound):
        handle_complaint(app, melding, "9", Handling("unfounded", "m"), AUTHORITY)
    handle_complaint(app, melding, "1", Handling("measures_taken", "Teruggedraaid."),
                     AUTHORITY)
    with pytest.raises(Conflict):
        handle_complaint(app, melding, "1", Handling("unfounded", "m"), AUTHORITY)
    [due] = follow_up.due()
    closed_at = app.get_report(melding, MELDPUNT).closure["at"]  # type: ignore[index]
    assert (due.melding_id, due.due_by) == (melding, closed_at + timedelta(days=90))

    # Reopened: off the list; closed again: back, from the new closing.
    app.clock.advance(timedelta(days=5))
    app.reopen(melding, "Nieuwe feiten.", AUTHORITY)
    assert follow_up.due() == []
    app.decide(melding, Decision(outcome=("no_action",), motivation="Nog steeds niet."),
               AUTHORITY)
    [again] = follow_up.due()
    assert again.closed_at == closed_at + timedelta(days=5)
    check_in(app, melding, notes="Geen nadeel.", disadvantage=False, principal=MELDPUNT)
    assert follow_up.due() == [] and follow_up.due_by(melding) is None

    # What travels of a complaint: the melding and the moment, nothing else.
    events = [app.integration_event(e) for e in app.events.get(Protection.create_id(melding))]
    [complaint] = [e for e in events if isinstance(e, ReprisalComplaintRecorded)]
    assert set(complaint.model_dump(exclude={"keyed", "keys"})) == {"melding_id", "at"}
    assert not complaint.keyed_fields


def test_a_closed_melding_with_no_one_to_protect_has_no_check_in() -> None:
    app = triage()
    follow_up = FollowUp(within_days=90)
    app.feed(follow_up.apply)
    melding = received(app)
    closed(app, melding)
    assert follow_up.due() == []
    with pytest.raises(Conflict):
        check_in(app, melding, notes="n", disadvantage=False, principal=MELDPUNT)
