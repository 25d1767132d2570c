"""The staff directory beyond the pages: `meldingen staff` as a process (its last line
the enrolment link), the directory's changes on the stream as integration events,
and the console's staff tokens with the keys it publishes."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.clock import MovableClock
from shared.config import Settings
from shared.messaging.envelope import Envelope
from tests.consoleflows import ORIGIN, add, enrol, sign_in
from tests.support import NatsServer, eventually, jetstream, make_settings, running


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         console_failure_delay_seconds=0.05)


@dataclass
class Result:
    code: int
    out: str
    err: str


async def meldingen(settings: Settings, *args: str) -> Result:
    """The CLI in its own process, configured only through the environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MELDINGEN_")}
    environment.update(MELDINGEN_VAR_DIR=str(settings.var_dir),
                       MELDINGEN_CONSOLE_URL=ORIGIN)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli", *args, env=environment,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Result(process.returncode, out.decode(), err.decode())


async def test_staff_cli_adds_lists_changes_and_disables_and_the_link_enrols(
    settings: Settings,
) -> None:
    added = await meldingen(settings, "staff", "add", "--sub", "bert", "--name",
                            "Bert de Boer", "--email", "bert@example.org", "--role",
                            "competent_authority", "--role", "manager", "--function",
                            "secretary")
    assert added.code == 0, added.err
    link = added.out.strip().splitlines()[-1]
    assert link.startswith(f"{ORIGIN}/enrol/")
    refused = await meldingen(settings, "staff", "add", "--sub", "sanne", "--name", "Sanne",
                              "--email", "sanne@example.org", "--role", "boss")
    assert refused.code == 1 and "Unknown role 'boss'" in refused.err
    no_manager = await meldingen(settings, "staff", "add", "--sub", "sanne", "--name",
                                 "Sanne", "--email", "sanne@example.org", "--role", "meldpunt",
                                 "--reports-to", "nobody")
    assert no_manager.code == 1 and "manager" in no_manager.err
    roles = await meldingen(settings, "staff", "roles", "bert", "competent_authority")
    assert roles.code == 0 and roles.out.strip() == "bert: competent_authority"

    clock = MovableClock(datetime.now(UTC).replace(microsecond=0))
    async with running("console", settings, clock) as console:
        console.client.base_url = ORIGIN
        await enrol(console.client, link.removeprefix(ORIGIN), clock)
        bert = console.application.get_staff("bert")
        assert bert.enrolled and bert.function == "secretary"
        assert [h["change"] for h in bert.history] == ["added", "roles", "enrolled"]
        assert bert.history[0]["by"].startswith("cli:")

    listed = await meldingen(settings, "staff", "list")
    assert listed.out.split("\t")[:4] == ["bert", "Bert de Boer", "bert@example.org",
                                          "competent_authority"]
    assert listed.out.strip().endswith("enrolled")
    disabled = await meldingen(settings, "staff", "disable", "bert")
    assert disabled.code == 0
    assert (await meldingen(settings, "staff", "list")).out.strip().endswith("disabled")


async def test_directory_changes_leave_as_integration_events(settings: Settings) -> None:
    clock = MovableClock(datetime.now(UTC))
    async with running("console", settings, clock) as console, jetstream(settings) as js:
        app = console.application
        add(app, "mia", "meldpunt")
        add(app, "bert", "competent_authority", function="mayor")
        add(app, "ivan", "investigator", reports_to="mia")
        app.change_roles("ivan", ["investigator", "manager"], by="beheer")
        app.disable("mia", by="beheer")
        received: list[Envelope] = []
        subscription = await js.subscribe("meldingen.console.>", ordered_consumer=True)

        async def all_five() -> bool:
            try:
                while True:
                    message = await subscription.next_msg(timeout=0.2)
                    received.append(Envelope.decode(message.data))
            except TimeoutError:
                pass
            return len(received) >= 5

        await eventually(all_five, timeout=15)
    # What travels: staff events carry no melding content, so no `keyed` and no `keys`.
    events = [(e.type, {k: v for k, v in e.data.items() if k != "at"}) for e in received]
    assert events[0] == ("staff_member_added", {
        "sub": "mia", "name": "Mia", "email": "mia@example.org", "roles": ["meldpunt"],
        "function": None, "reports_to": None, "by": "test"})
    assert events[1][1]["function"] == "mayor"
    assert events[2][1]["reports_to"] == "mia"
    assert events[3] == ("staff_roles_changed", {
        "sub": "ivan", "roles": ["investigator", "manager"], "by": "beheer"})
    assert events[4] == ("staff_member_disabled", {"sub": "mia", "by": "beheer"})
    # Nothing of enrolment or sign-in (no hash, no secret) leaves the console.
    assert all(e.type.startswith("staff_") for e in received)


async def test_the_console_signs_short_lived_tokens_that_its_key_set_verifies(
    settings: Settings,
) -> None:
    clock = MovableClock(datetime.now(UTC).replace(microsecond=0))
    async with running("console", settings, clock) as console:
        console.client.base_url = ORIGIN
        secret = await enrol(console.client, add(console.application, "mia", "meldpunt",
                                                 "auditor"), clock)
        assert (await console.client.get("/api/token?role=meldpunt")).status_code == 401
        await sign_in(console.client, "mia", secret, clock)
        clock.set(datetime.now(UTC))  # tokens are checked against the real time below
        answer = await console.client.get("/api/token?role=meldpunt")
        assert answer.status_code == 200
        token = answer.json()["token"]
        assert (await console.client.get("/api/token?role=investigator")).status_code == 403
        keys = (await console.client.get("/.well-known/jwks.json")).json()
        clock.advance(-timedelta(seconds=settings.console_token_ttl_seconds + 1))
        expired = (await console.client.get("/api/token?role=meldpunt")).json()["token"]

    [key] = keys["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"] == key["kid"]
    public = jwt.PyJWK(key).key
    claims = jwt.decode(token, public, algorithms=["EdDSA"], audience=settings.jwt_audience,
                        issuer=settings.jwt_issuer)
    assert (claims["sub"], claims["role"]) == ("mia", "meldpunt")
    assert claims["exp"] - claims["iat"] == settings.console_token_ttl_seconds <= 600
    # One signed a lifetime ago has expired; one signed by any other key is refused.
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(expired, public, algorithms=["EdDSA"], audience=settings.jwt_audience,
                   issuer=settings.jwt_issuer)
    forged = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA",
                        headers={"kid": key["kid"]})
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, public, algorithms=["EdDSA"], audience=settings.jwt_audience,
                   issuer=settings.jwt_issuer)
