"""A melding's key travels on the stream sealed to each service that holds its content
(intake to triage; triage onward to investigation with a case), and its content
travels encrypted with it: the raw JetStream messages hold none of its description,
identity, reply or message text, while triage and investigation show them through
their APIs and keep them only under the melding's key in their own stores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking

from shared.config import Settings
from shared.messaging.envelope import Envelope
from shared.messaging.keyed import seal
from tests.integration.test_procedure_happy_paths import procedure
from tests.support import MELDING, assessment, eventually, jetstream, ok, token

SHREDDED_AT = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
DESCRIPTION = "Wethouder Zwanenburg liet het zwembad van Lent op kosten bouwen"
REPLY = "De bonnetjes van het zwembad liggen bij de griffie"
MESSAGE = "Wij vragen de aannemer Vrijdag-Oosterhout om uitleg"
NAME, EMAIL = "Hendrika Terpstra", "h.terpstra@example.org"
DISTINCTIVE = (b"Zwanenburg", b"zwembad", b"Terpstra", b"terpstra@", b"bonnetjes",
               b"Oosterhout")


async def stream_messages(settings: Settings) -> list[Any]:
    async with jetstream(settings) as js:
        last = (await js.stream_info(settings.stream)).state.last_seq
        return [await js.get_msg(settings.stream, seq) for seq in range(1, last + 1)]


def stored_states(application: Any) -> list[bytes]:
    """Every stored event of a service, opened with the store's own cipher key."""
    mapper = application.mapper
    return [mapper.compressor.decompress(mapper.cipher.decrypt(n.state))
            for n in application.recorder.select_notifications(1, 10_000)]


async def test_the_stream_carries_only_ciphertext_and_the_key_sealed(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    meldpunt, authority = token(settings, "meldpunt", "mia"), token(
        settings, "competent_authority")
    async with procedure(settings) as s:
        filed = await ok(s["intake"].client.post("/api/meldingen", json={
            **MELDING, "description": DESCRIPTION, "involved": ["Wethouder Zwanenburg"],
            "identity": {"name": NAME, "email": EMAIL}}), 201)
        melding_id = filed["id"]
        url = f"/api/meldingen/{melding_id}"
        triage = s["triage"].client

        async def arrived() -> bool:
            return (await triage.get(url, headers=meldpunt)).is_success

        await eventually(arrived)
        login = await ok(s["intake"].client.post("/api/mailbox/login",
                                                 json={"receipt": filed["receipt"]}))
        reporter = {"Authorization": f"Bearer {login['token']}"}
        await ok(s["intake"].client.post("/api/mailbox/messages", headers=reporter,
                                         json={"body": REPLY}), 201)
        await ok(triage.post(f"{url}/messages", headers=meldpunt, json={"body": MESSAGE}),
                 201)
        await ok(triage.post(f"{url}/notes", headers=meldpunt,
                             json={"body": "Zwanenburg belde zelf over het zwembad"}), 201)
        await ok(triage.post(f"{url}/assessment", headers=meldpunt,
                             json=assessment(advice="conversation")))
        await ok(triage.post(f"{url}/decision", headers=authority, json={
            "outcome": ["conversation"], "motivation": "Een gesprek met Zwanenburg."}))

        async def case_opened() -> bool:
            return (await s["investigation"].client.get(f"/api/cases/{melding_id}",
                                                        headers=authority)).is_success

        async def replied() -> bool:
            melding = (await triage.get(url, headers=meldpunt)).json()
            return any(m["body"] == REPLY for m in melding["messages"])

        async def in_mailbox() -> bool:
            mailbox = (await s["intake"].client.get("/api/mailbox", headers=reporter)).json()
            return any(m["body"] == MESSAGE for m in mailbox["messages"])

        for condition in (case_opened, replied, in_mailbox):
            await eventually(condition)
        cases = s["investigation"].client
        await ok(cases.post(f"/api/cases/{melding_id}/conversation", headers=authority,
                            json={"minutes": "Zwanenburg erkent het zwembad"}))
        await ok(cases.post(f"/api/cases/{melding_id}/measures", headers=authority, json={
            "measures": [{"target": "person", "kind": "written_reprimand",
                          "description": "Berisping voor Zwanenburg"}],
            "feedback": "Er is met Zwanenburg gesproken"}))

        async def closed() -> bool:
            return bool((await triage.get(url, headers=meldpunt)).json()["status"] == "closed")

        await eventually(closed)

        # The consumers show the plaintext through their APIs.
        melding = await ok(triage.get(url, headers=meldpunt))
        assert (melding["description"], melding["identity"]["name"]) == (DESCRIPTION, NAME)
        case = await ok(s["investigation"].client.get(f"/api/cases/{melding_id}",
                                                      headers=authority))
        assert case["description"] == DESCRIPTION

        # Each holder keeps its own wrapped copy of the same key.
        keys = {name: s[name].application.keyring.key(melding_id).secret
                for name in ("intake", "triage", "investigation")}
        assert len(set(keys.values())) == 1

        # The raw stream holds nothing of the content; the keys travel sealed.
        messages = await stream_messages(settings)
        for message in messages:
            for distinctive in DISTINCTIVE:
                assert distinctive not in message.data, (message.subject, distinctive)
        envelopes = [Envelope.decode(m.data) for m in messages]
        of_melding = [e for e in envelopes if e.data.get("melding_id") == melding_id]
        received = next(e for e in of_melding if e.type == "melding_received")
        assert set(received.data["keys"]) == {"triage"}
        assert received.data["keyed"].startswith("mk1:")
        assert "description" not in received.data
        assert received.data["theme"] == MELDING["theme"]  # readable for the figures
        decided = next(e for e in of_melding if e.type == "melding_decided")
        assert set(decided.data["keys"]) == {"investigation"}
        for kind in ("reporter_replied", "reporter_messaged", "case_closed"):
            envelope = next(e for e in of_melding if e.type == kind)
            assert not {"body", "feedback"} & set(envelope.data) and envelope.data["keyed"]
        assert {"reporter_replied", "reporter_messaged", "melding_assessed"} <= {
            e.type for e in of_melding}

        # The stores hold none of it either (intake's: the reply, the message).
        for name in ("intake", "triage", "investigation"):
            states = stored_states(s[name].application)
            for distinctive in DISTINCTIVE:
                assert not any(distinctive in state for state in states), (name, distinctive)

        # A redelivered first event keeps the first key, and opens as before.
        triage_app = s["triage"].application
        again = triage_app.incoming(received.event())
        assert again.description == DESCRIPTION
        assert triage_app.keyring.key(melding_id).secret == keys["triage"]
        triage_app.process_event(received.event(), Tracking("redelivered", 1))
        assert triage_app.keyring.key(melding_id).secret == keys["triage"]

        # Published again after a crash, the same event is the same message.
        intake_app = s["intake"].application
        event = intake_app.integration_event(_filed(intake_app, melding_id))
        assert (seal(event, intake_app.keyring, "intake:1", 1).model_dump()
                == seal(event, intake_app.keyring, "intake:1", 1).model_dump())


def _filed(application: Any, melding_id: str) -> Any:
    """The melding's first stored event, as the relay reads it."""
    [stored] = application.recorder.select_events(UUID(melding_id), limit=1)
    return application.mapper.to_domain_event(stored)


async def test_a_shredded_melding_answers_410_at_every_holder_and_stops_nothing(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    meldpunt, authority = token(settings, "meldpunt", "mia"), token(
        settings, "competent_authority")
    async with procedure(settings) as s:
        gone, kept = [(await ok(s["intake"].client.post("/api/meldingen", json={
            **MELDING, "description": DESCRIPTION}), 201))["id"] for _ in range(2)]
        for melding_id in (gone, kept):
            url = f"/api/meldingen/{melding_id}"

            async def arrived(url: str = url) -> bool:
                return (await s["triage"].client.get(url, headers=meldpunt)).is_success

            await eventually(arrived)
            await ok(s["triage"].client.post(f"{url}/assessment", headers=meldpunt,
                                             json=assessment(advice="conversation")))
            await ok(s["triage"].client.post(f"{url}/decision", headers=authority, json={
                "outcome": ["conversation"], "motivation": "Een gesprek."}))

            async def opened(melding_id: str = melding_id) -> bool:
                return (await s["investigation"].client.get(
                    f"/api/cases/{melding_id}", headers=authority)).is_success

            await eventually(opened)
        for name in ("triage", "investigation"):
            s[name].application.keyring.destroy(gone, SHREDDED_AT, "conversation")

    # Restarted, each holder reads its whole store (the views' sweep) and starts; the
    # shredded melding answers 410 with the day, the other one as before.
    async with procedure(settings) as s:
        answers = [await s["triage"].client.get(f"/api/meldingen/{gone}", headers=meldpunt),
                   await s["triage"].client.get(f"/api/meldingen/{gone}/notes",
                                                headers=meldpunt),
                   await s["investigation"].client.get(f"/api/cases/{gone}",
                                                       headers=authority)]
        for answer in answers:
            assert answer.status_code == 410, answer.text
            assert answer.json()["shredded_on"] == "2031-03-04"
            assert "Zwanenburg" not in answer.text
        assert (await ok(s["triage"].client.get(f"/api/meldingen/{kept}", headers=meldpunt))
                )["description"] == DESCRIPTION
        assert (await ok(s["investigation"].client.get(f"/api/cases/{kept}",
                                                       headers=authority))
                )["description"] == DESCRIPTION
        # The queue's stored rows still list both (only the key went here, not the
        # shredding's event, which marks a row), and hold none of the content.
        queue = await ok(s["triage"].client.get("/api/meldingen", headers=meldpunt))
        listed = {item["id"]: item for item in queue["items"]}
        assert set(listed) == {gone, kept}
        assert "Zwanenburg" not in str(queue)
