"""Intake keeps a melding's description, involved persons and identity (named, or
sealed to the adviser) encrypted with the melding's own key: its store holds no
trace of them (even decrypted with the store's cipher key), the meldpunt still reads
them, and destroying the key ends them in intake's store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking

from shared.config import Settings
from shared.contracts import ReporterMessaged
from shared.keyring import Shredded
from tests.support import MELDING, eventually, ok, running, token

SHREDDED_AT = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
DISTINCTIVE = "Wethouder Zwanenburg liet het zwembad van Lent op kosten bouwen"


def stored_states(application: Any, melding_id: UUID) -> list[bytes]:
    """Every stored event of the melding, opened with the store's own cipher key."""
    mapper = application.mapper
    return [mapper.compressor.decompress(mapper.cipher.decrypt(stored.state))
            for stored in application.recorder.select_events(melding_id)]


async def test_the_store_holds_the_description_only_under_the_meldings_key(
        settings: Settings) -> None:
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        response = await intake.client.post("/api/meldingen", json={
            **MELDING, "description": DISTINCTIVE, "involved": ["Wethouder Zwanenburg"],
            "identity": {"name": "Hendrika Terpstra", "email": "h.terpstra@example.org"}})
        assert response.status_code == 201, response.text
        melding_id = UUID(response.json()["id"])
        application = intake.application

        states = stored_states(application, melding_id)
        assert states, "the melding was stored"
        for distinctive in (b"Zwanenburg", b"Terpstra", b"terpstra@"):
            assert not any(distinctive in state for state in states), distinctive
        assert any(b'"mk1:' in state for state in states)
        report = application.get_report(melding_id)
        assert (report.involved, report.identity["name"]) == (
            ["Wethouder Zwanenburg"], "Hendrika Terpstra")

        # An anonymous reporter's identity, sealed to the adviser, is kept under the
        # melding's key too.
        anonymous = await ok(intake.client.post("/api/meldingen", json={
            **MELDING, "anonymous": True, "identity": {"name": "Hendrika Terpstra"}}), 201)
        sealed = application.get_report(UUID(anonymous["id"])).sealed_identity["sealed"]
        assert not any(sealed.encode() in state
                       for state in stored_states(application, UUID(anonymous["id"])))
        assert application.keyring.key(str(melding_id))  # its key is in the key table

        # Read back through the store, the melding has its description, and the
        # meldpunt reads it in triage (it travelled in melding_received).
        assert application.get_report(melding_id).description == DISTINCTIVE
        meldpunt = token(settings, "meldpunt")

        async def readable() -> bool:
            answer = await triage.client.get(f"/api/meldingen/{melding_id}",
                                             headers=meldpunt)
            return answer.status_code == 200 and answer.json()["description"] == DISTINCTIVE

        await eventually(readable)

        # Another melding, then the first one's key destroyed: the first no longer
        # opens in intake's store, the second still does.
        other = await intake.client.post("/api/meldingen", json=MELDING)
        other_id = UUID(other.json()["id"])
        application.keyring.destroy(str(melding_id), datetime.now(UTC), "no_follow_up")
        with pytest.raises(Shredded):
            application.get_report(melding_id)
        assert application.get_report(other_id).description == MELDING["description"]


async def test_a_shredded_melding_answers_410_and_stops_nothing(settings: Settings) -> None:
    meldpunt = token(settings, "meldpunt")
    async with running("intake", settings) as intake:
        gone = await ok(intake.client.post(
            "/api/meldingen", json={**MELDING, "description": DISTINCTIVE}), 201)
        kept = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
        intake.application.keyring.destroy(gone["id"], SHREDDED_AT, "no_follow_up")

    # A restart reads the whole store (its views' sweep): the shredded melding is left
    # out, the service starts.
    async with running("intake", settings) as intake:
        answer = await intake.client.get(f"/api/meldingen/{gone['id']}/record",
                                         headers=meldpunt)
        assert answer.status_code == 410, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["shredded_on"] == "2031-03-04"
        assert problem["type"] == "urn:meldingen:problem:shredded"
        assert "Zwanenburg" not in answer.text
        assert (await intake.client.get(f"/api/meldingen/{kept['id']}/record",
                                        headers=meldpunt)).status_code == 200

        # A message for the shredded melding changes nothing and is tracked, so the
        # inbox goes on with the next one.
        application = intake.application
        tracking = Tracking("triage", 1)
        application.process_event(ReporterMessaged(
            melding_id=gone["id"], body="Nog een vraag", purpose="message",
            at=SHREDDED_AT), tracking)
        assert application.recorder.max_tracking_id("triage") == 1
