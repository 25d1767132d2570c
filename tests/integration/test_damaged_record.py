"""A stored event that no longer decrypts, in triage's store: the service starts (its
queue is fed from the store), serves the other meldingen, answers for the damaged one
with a stable problem type, lists it in /readyz, and an integration event for it is
tracked without stopping the inbox. The full fault, every store as processes:
tests/faults/test_damaged_record.py."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from eventsourcing.persistence import Tracking

from services.triage.bootstrap import build_application
from shared.config import Settings
from shared.contracts import MeldingReceived
from tests.faults.harness import damage_stored_event
from tests.support import running, token

DAMAGED = "urn:meldingen:problem:damaged-record"


def received(melding_id: str) -> MeldingReceived:
    now = datetime.now(UTC)
    return MeldingReceived(
        melding_id=melding_id, kind="wrongdoing", theme="resources", channel="web",
        description="Dienstauto's worden privé gebruikt.", involved=[], occurred=None,
        anonymous=True, identity=None, received_at=now, acknowledged_at=now)


async def test_a_damaged_event_costs_triage_only_its_melding(settings: Settings) -> None:
    damaged, other = str(uuid4()), str(uuid4())
    app = build_application(settings)
    try:
        for position, melding_id in enumerate((damaged, other), start=1):
            app.process_event(received(melding_id), Tracking(settings.stream, position))
        first = next(n for n in app.recorder.select_notifications(None, 10)
                     if n.topic.endswith("Report.Received")
                     and str(n.originator_id) == damaged)
    finally:
        app.close()
    damage_stored_event(settings, "triage", first.id)

    meldpunt = token(settings, "meldpunt")
    async with running("triage", settings) as triage:
        answer = await triage.client.get(f"/api/meldingen/{damaged}", headers=meldpunt)
        assert answer.status_code == 500
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == DAMAGED
        assert "Dienstauto" not in answer.text
        assert (await triage.client.get(f"/api/meldingen/{other}",
                                        headers=meldpunt)).status_code == 200
        listed = (await triage.client.get("/api/meldingen", headers=meldpunt)).json()
        assert [item["id"] for item in listed["items"]] == [other]
        ready = (await triage.client.get("/readyz")).json()
        assert ready["damaged_records"] == [
            {"store": "triage", "originator_id": damaged, "version": 1}]

        # Another message for the damaged melding changes nothing and is tracked: the
        # inbox goes on with the next one instead of retrying it for ever.
        application = triage.application
        application.process_event(received(damaged), Tracking(settings.stream, 3))
        assert application.recorder.max_tracking_id(settings.stream) == 3
        assert application.repository.get(UUID(other)).version == 1
