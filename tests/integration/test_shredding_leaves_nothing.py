"""After shredding, nothing on the machine reads a melding's content (issue 18): a
melding walked to its closing with distinctive strings (description, a named identity,
messages both ways, minutes, a measure, a note), a 0-day term, the retention run;
then every event of every store under `var/` and every message of the stream, read
raw and decrypted with every key left (`tests/integration/reader.py`), holds none of
them, not even through the keys sealed on the stream: with a short rotation and grace,
the transport epochs that sealed them are gone by then. Before shredding the same
reader finds each (so the test can fail)."""

from __future__ import annotations

from contextlib import AsyncExitStack

from shared.config import Settings
from tests.integration import reader
from tests.integration.test_shredding import MELDPUNT, closed_after_conversation, file
from tests.support import eventually, ok, running, token

DESCRIPTION = "Een leverancier gaf een blauwe bakfiets."
DISTINCTIVE = ("blauwe bakfiets", "Jan Jansen", "jan@example.org", "Gesprek gevoerd",
               "Training over geschenken", "Wij nemen contact op over de zilveren",
               "Ik heb nog een foto van de oranje", "Notitie over de paarse")


def found(text: str) -> list[str]:
    return [s for s in DISTINCTIVE if s in text]


async def test_nothing_of_a_shredded_melding_reads_with_every_key_left(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={
        "retention_days": 0, "transport_key_rotation_seconds": 2.0,
        "transport_key_grace_seconds": 1.5})
    MELDPUNT[:] = [token(settings, "meldpunt", "mia")]
    meldpunt = MELDPUNT[0]
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings))
             for name in ("intake", "triage", "investigation", "reporting")}
        triage, intake = s["triage"].client, s["intake"].client

        async def offered() -> bool:  # before anything is sealed to them
            return all([await reader.offered_epochs(settings, receiver)
                        for receiver in ("triage", "investigation")])

        await eventually(offered)
        melding_id, receipt = await file(s, DESCRIPTION)
        # Another melding filed beside it (sealed to the same epochs, or the next), kept.
        other_id = (await ok(intake.post("/api/meldingen", json={
            "kind": "integrity_violation", "theme": "gifts", "anonymous": True,
            "description": "Een ander gaf een groene kruiwagen."}), 201))["id"]
        # Messages both ways and a note, beside the filing's content.
        await ok(triage.post(f"/api/meldingen/{melding_id}/messages", headers=meldpunt,
                             json={"body": "Wij nemen contact op over de zilveren pen."}))
        mailbox = await ok(intake.post("/api/mailbox/login", json={"receipt": receipt}))
        reporter = {"Authorization": f"Bearer {mailbox['token']}"}
        await ok(intake.post("/api/mailbox/messages", headers=reporter,
                             json={"body": "Ik heb nog een foto van de oranje fiets."}), 201)
        await ok(triage.post(f"/api/meldingen/{melding_id}/notes", headers=meldpunt,
                             json={"body": "Notitie over de paarse envelop."}), 201)

        async def replied() -> bool:
            melding = await ok(triage.get(f"/api/meldingen/{melding_id}", headers=meldpunt))
            return "oranje" in str(melding)

        await eventually(replied)
        await closed_after_conversation(s, settings, melding_id)

        # Before: the reader finds every string, in the stores and on the stream.
        messages = await reader.stream_messages(settings)
        boxes = [box for m in messages if m["data"].get("melding_id") == melding_id
                 for box in (m["data"].get("keys") or {}).values()]
        assert len(boxes) == 2 and all(box.startswith("e") for box in boxes)  # epochs'
        keys = reader.kept_keys(settings)
        assert found(reader.store_text(settings, keys)) == list(DISTINCTIVE)
        on_stream = reader.stream_text(messages, keys + reader.sealed_keys(messages, settings))
        assert "blauwe bakfiets" in on_stream and "Gesprek gevoerd" not in on_stream

        run = await ok(triage.post("/api/retention/run", headers=meldpunt))
        assert [m["melding_id"] for m in run["shredded"]] == [melding_id]
        authority = token(settings, "competent_authority")

        async def shredded_everywhere() -> bool:
            case = await s["investigation"].client.get(f"/api/cases/{melding_id}",
                                                       headers=authority)
            login = await intake.post("/api/mailbox/login", json={"receipt": receipt})
            return case.status_code == 410 and login.status_code == 401

        await eventually(shredded_everywhere)

        # After: no store holds any of it, with every key left on the machine.
        keys = reader.kept_keys(settings)
        assert not [k for k in keys if k.melding_id == melding_id]
        assert found(reader.store_text(settings, keys)) == []
        messages = await reader.stream_messages(settings)
        assert found(reader.stream_text(messages, keys)) == []

        # The stream's sealed copies open with no key left either, once the epochs
        # that sealed them have ended (rotation, grace and drain: some seconds).
        def opens_nothing() -> bool:
            sealed = reader.sealed_keys(messages, settings)
            return not [k for k in sealed if k.melding_id in (melding_id, other_id)]

        await eventually(opens_nothing, timeout=30)
        assert found(reader.stream_text(messages, keys + reader.sealed_keys(
            messages, settings))) == []
        # The epoch's end closed the kept melding's sealed copy too, independent of
        # shredding: its content on the stream opens only with the key tables' copy.
        assert "groene kruiwagen" in reader.stream_text(messages, keys)
        assert "groene kruiwagen" not in reader.stream_text(messages, [])
