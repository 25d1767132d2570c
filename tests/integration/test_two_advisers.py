"""The integrity adviser (VPI) and the conduct adviser (VPOO) each have their own key
pair: an identity sealed to one does not open with the other's key, a box sealed to
the wrong adviser is refused, and each adviser rotates their own key."""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from shared.config import Settings
from shared.crypto import key_id_of
from tests.support import MELDING, ok, running, token

IDENTITY = {"name": "Noor Anoniem"}


def line(*keys: PrivateKey) -> str:
    return " ".join(base64.b64encode(bytes(k.public_key)).decode() for k in keys)


def opens(key: PrivateKey, sealed: dict[str, str]) -> dict[str, Any] | None:
    try:
        opened: dict[str, Any] = json.loads(SealedBox(key).decrypt(
            base64.b64decode(sealed["sealed"])))
    except CryptoError:
        return None
    return opened


async def test_each_adviser_opens_only_what_was_sealed_to_them(
    sqlite_settings: Settings,
) -> None:
    vpi, vpoo_old, vpoo = PrivateKey.generate(), PrivateKey.generate(), PrivateKey.generate()
    settings = sqlite_settings.model_copy(update={
        "adviser_public_key": line(vpi), "conduct_adviser_public_key": line(vpoo_old, vpoo)})
    anonymous = {**MELDING, "anonymous": True, "identity": IDENTITY}
    async with running("intake", settings) as intake:
        # Each adviser's current key, the conduct adviser's rotated one the last.
        keys = {adviser: await ok(intake.client.get("/api/adviser-key",
                                                    params={"adviser": adviser}))
                for adviser in ("integrity", "conduct")}
        assert keys["integrity"]["key_id"] == key_id_of(bytes(vpi.public_key))
        assert keys["conduct"]["key_id"] == key_id_of(bytes(vpoo.public_key))

        async def sealed_identity(body: dict[str, Any], **headers: str) -> dict[str, str]:
            filed = await ok(intake.client.post("/api/meldingen", json=body,
                                                headers=headers), 201)
            sealed: dict[str, str] = intake.application.get_report(
                UUID(filed["id"])).sealed_identity
            return sealed

        # Undesirable behaviour goes to VPOO; VPI's key does not open it.
        conduct = await sealed_identity({**anonymous, "kind": "undesirable_behaviour"})
        assert opens(vpoo, conduct) == IDENTITY and opens(vpi, conduct) is None
        # An integrity violation goes to VPI; neither VPOO key opens it.
        integrity = await sealed_identity(anonymous)
        assert opens(vpi, integrity) == IDENTITY
        assert opens(vpoo, integrity) is None and opens(vpoo_old, integrity) is None
        # The adviser who registers it keeps it, whatever the kind.
        adviser = token(settings, "confidential_adviser", "vpoo-olga")
        registered = await sealed_identity(
            {**anonymous, "channel": "confidential_adviser_conduct"}, **adviser)
        assert opens(vpoo, registered) == IDENTITY

        # A box sealed in the browser to the other adviser's key is refused; one sealed
        # to VPOO's key before the rotation is still taken.
        def browser_seal(key: PrivateKey) -> dict[str, Any]:
            box = SealedBox(PublicKey(bytes(key.public_key))).encrypt(
                json.dumps(IDENTITY).encode())
            return {**anonymous, "kind": "undesirable_behaviour", "identity": None,
                    "identity_sealed": base64.b64encode(box).decode(),
                    "key_id": key_id_of(bytes(key.public_key))}

        wrong = await intake.client.post("/api/meldingen", json=browser_seal(vpi))
        assert wrong.status_code == 422, wrong.text
        assert wrong.json()["errors"][0]["field"] == "key_id"
        before_rotation = await sealed_identity(browser_seal(vpoo_old))
        assert opens(vpoo_old, before_rotation) == IDENTITY
