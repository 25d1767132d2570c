"""Sealed identities at intake: sealed by the server or in the browser, handed out as
ciphertext to the confidential adviser only, every fetch on record, never on NATS."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from nacl.public import PrivateKey, PublicKey, SealedBox

from shared.config import Settings
from shared.crypto import key_id_of
from shared.keyring import Keyring
from shared.messaging.envelope import Envelope
from shared.messaging.keyed import open_event
from shared.messaging.nats import connect
from shared.messaging.permissions import ADMIN
from tests.support import MELDING, eventually, running, token

IDENTITY = {"name": "Sanne Verzegeld", "email": "sanne.verzegeld@example.org"}
ANONYMOUS = {**MELDING, "anonymous": True, "identity": IDENTITY}


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def with_adviser_keys(settings: Settings, *keys: PrivateKey) -> Settings:
    """Intake configured with these public keys (the last is the current one)."""
    line = " ".join(base64.b64encode(bytes(k.public_key)).decode() for k in keys)
    return settings.model_copy(update={"adviser_public_key": line})


def browser_seal(identity: dict[str, Any], public_key_b64: str) -> str:
    """What the web form's script does with libsodium's crypto_box_seal."""
    box = SealedBox(PublicKey(base64.b64decode(public_key_b64)))
    return base64.b64encode(box.encrypt(json.dumps(identity).encode())).decode()


def open_box(private: PrivateKey, sealed_b64: str) -> dict[str, Any]:
    return json.loads(SealedBox(private).decrypt(base64.b64decode(sealed_b64)))  # type: ignore[no-any-return]


async def stream_events(settings: Settings, source: str) -> list[Envelope]:
    """Every integration event one service published, read back from the stream."""
    nc = await connect(settings, "test", user=ADMIN)
    try:
        js = nc.jetstream()
        last = (await js.stream_info(settings.stream)).state.last_seq
        messages = [await js.get_msg(settings.stream, seq) for seq in range(1, last + 1)]
    finally:
        await nc.close()
    return [Envelope.decode(m.data) for m in messages
            if m.subject and m.subject.startswith(f"meldingen.{source}.")]


async def test_browser_sealed_identity_is_stored_as_given_and_opens(settings: Settings) -> None:
    adviser = PrivateKey.generate()
    settings = with_adviser_keys(settings, adviser)
    async with running("intake", settings) as intake:
        # The browser fetches the adviser's public key and seals the identity itself.
        key = (await intake.client.get("/api/adviser-key")).json()
        assert key["key_id"] == key_id_of(bytes(adviser.public_key))
        sealed = browser_seal(IDENTITY, key["public_key"])
        melding = {**MELDING, "anonymous": True, "identity": None,
                   "identity_sealed": sealed, "key_id": key["key_id"]}
        filed = (await intake.client.post("/api/meldingen", json=melding)).json()

        # The confidential adviser gets back exactly what the browser sent.
        response = await intake.client.get(f"/api/meldingen/{filed['id']}/sealed-identity",
                                           headers=token(settings, "confidential_adviser"))
        assert response.status_code == 200, response.text
        assert response.json() == {"key_id": key["key_id"], "sealed": sealed}
        assert open_box(adviser, response.json()["sealed"]) == IDENTITY


async def test_sealed_box_for_an_unknown_key_is_refused(sqlite_settings: Settings) -> None:
    known, stranger = PrivateKey.generate(), PrivateKey.generate()
    settings = with_adviser_keys(sqlite_settings, known)
    stranger_b64 = base64.b64encode(bytes(stranger.public_key)).decode()
    sealed = browser_seal(IDENTITY, stranger_b64)
    async with running("intake", settings) as intake:
        recorder = intake.application.recorder
        before = recorder.max_notification_id()
        cases = [
            ({"identity_sealed": sealed, "key_id": key_id_of(bytes(stranger.public_key))},
             "key_id"),
            ({"identity_sealed": sealed}, "key_id"),
            ({"identity_sealed": base64.b64encode(b"too short").decode(),
              "key_id": key_id_of(bytes(known.public_key))}, "identity_sealed"),
            ({"identity_sealed": "not base64 at all!",
              "key_id": key_id_of(bytes(known.public_key))}, "identity_sealed"),
        ]
        for extra, field in cases:
            melding = {**MELDING, "anonymous": True, "identity": None, **extra}
            response = await intake.client.post("/api/meldingen", json=melding)
            assert response.status_code == 422, response.text
            assert [e["field"] for e in response.json()["errors"]] == [field]
            assert sealed not in response.text  # never echoed
        # A rejected request changes nothing.
        assert recorder.max_notification_id() == before


async def test_only_the_confidential_adviser_gets_the_sealed_identity(
    sqlite_settings: Settings,
) -> None:
    async with running("intake", sqlite_settings) as intake:
        filed = (await intake.client.post("/api/meldingen", json=ANONYMOUS)).json()
        path = f"/api/meldingen/{filed['id']}/sealed-identity"

        for role in ("meldpunt", "competent_authority", "investigator", "auditor", "manager"):
            refused = await intake.client.get(path, headers=token(sqlite_settings, role))
            assert refused.status_code == 403
            assert IDENTITY["name"] not in refused.text
        assert (await intake.client.get(path)).status_code == 401

        # A named reporter has no sealed identity; an unknown id is not found.
        adviser = token(sqlite_settings, "confidential_adviser", "vpi-karin")
        named = (await intake.client.post("/api/meldingen", json=MELDING)).json()
        for other in (named["id"], "7d4f8a1e-0000-4000-8000-000000000000", "nonsense"):
            missing = await intake.client.get(f"/api/meldingen/{other}/sealed-identity",
                                              headers=adviser)
            assert missing.status_code == 404


async def test_every_fetch_of_a_sealed_identity_is_on_record(sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings) as intake:
        filed = (await intake.client.post("/api/meldingen", json=ANONYMOUS)).json()
        path = f"/api/meldingen/{filed['id']}/sealed-identity"
        for adviser in ("vpi-karin", "vpoo-ahmed"):
            headers = token(sqlite_settings, "confidential_adviser", adviser)
            assert (await intake.client.get(path, headers=headers)).status_code == 200

        # The event log shows who fetched it, and when.
        report = intake.application.get_report(UUID(filed["id"]))
        reads = [e for e in intake.application.repository.event_store.get(report.id)
                 if type(e).__name__ == "SealedIdentityRead"]
        assert [e.by for e in reads] == ["vpi-karin", "vpoo-ahmed"]
        assert all(isinstance(e.at, datetime) for e in reads)


async def test_rotated_keys_keep_old_meldingen_openable(sqlite_settings: Settings) -> None:
    old, new = PrivateKey.generate(), PrivateKey.generate()
    settings = with_adviser_keys(sqlite_settings, old, new)
    adviser = token(settings, "confidential_adviser")
    async with running("intake", settings) as intake:
        # The browser is served the new key; the server seals to it too.
        key = (await intake.client.get("/api/adviser-key")).json()
        assert key["key_id"] == key_id_of(bytes(new.public_key))
        server_sealed = (await intake.client.post("/api/meldingen", json=ANONYMOUS)).json()

        # A form loaded before the rotation still sealed to the old key: accepted.
        old_b64 = base64.b64encode(bytes(old.public_key)).decode()
        melding = {**MELDING, "anonymous": True, "identity": None,
                   "identity_sealed": browser_seal(IDENTITY, old_b64),
                   "key_id": key_id_of(bytes(old.public_key))}
        browser_sealed = (await intake.client.post("/api/meldingen", json=melding)).json()

        # Each keeps the key it was sealed to, and opens with that key.
        for filed, private in ((server_sealed, new), (browser_sealed, old)):
            sealed = (await intake.client.get(f"/api/meldingen/{filed['id']}/sealed-identity",
                                              headers=adviser)).json()
            assert sealed["key_id"] == key_id_of(bytes(private.public_key))
            assert open_box(private, sealed["sealed"]) == IDENTITY


async def test_integration_events_carry_no_anonymous_identity(sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings) as intake:
        filed = (await intake.client.post("/api/meldingen", json=ANONYMOUS)).json()
        adviser = token(sqlite_settings, "confidential_adviser")
        moment = await intake.client.post("/api/contact-moments", headers=adviser, json={
            "adviser": "conduct", "theme": "conduct", "date": today()})
        assert moment.status_code == 201, moment.text

        async def published() -> bool:
            events = await stream_events(sqlite_settings, "intake")
            return {e.type for e in events} == {"melding_received", "contact_moment_recorded"}

        await eventually(published)
        events = {e.type: e for e in await stream_events(sqlite_settings, "intake")}
        received = events["melding_received"].data
        assert received["melding_id"] == filed["id"] and "identity" not in received
        assert "sealed" not in json.dumps(received)
        # Opened by the meldpunt's service, it carries no identity either.
        triage = Keyring.for_service(sqlite_settings, "triage")
        assert open_event(events["melding_received"].event(), triage).identity is None
        assert events["contact_moment_recorded"].data == {
            "adviser": "conduct", "theme": "conduct", "date": today()}


async def test_contact_moments_are_for_the_confidential_adviser(
    sqlite_settings: Settings,
) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    moment = {"adviser": "integrity", "theme": "gifts", "date": tomorrow}
    async with running("intake", sqlite_settings) as intake:
        refused = await intake.client.post("/api/contact-moments", json=moment,
                                           headers=token(sqlite_settings, "meldpunt"))
        assert refused.status_code == 403
        future = await intake.client.post("/api/contact-moments", json=moment,
                                          headers=token(sqlite_settings, "confidential_adviser"))
        assert future.status_code == 422
        assert [e["field"] for e in future.json()["errors"]] == ["date"]
