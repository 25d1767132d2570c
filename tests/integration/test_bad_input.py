"""Bad input at intake: each gets problem+json with the right status (and, for 422, the
fields named), never echoes what was sent, and nothing is stored or published."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from shared.config import Settings
from shared.messaging.envelope import Envelope
from shared.messaging.nats import connect
from shared.messaging.permissions import ADMIN
from tests.support import MELDING, RunningService, eventually, running

PROBLEM_JSON = "application/problem+json"
SECRET = "Jan Jansen, afdeling inkoop"  # stands for anything a reporter typed


def with_(**changes: Any) -> dict[str, Any]:
    return {**MELDING, "description": SECRET, **changes}


def without(field: str) -> dict[str, Any]:
    return {k: v for k, v in with_().items() if k != field}


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


INVALID = {
    "unknown kind": (with_(kind="gossip"), {"kind"}),
    "unknown theme": (with_(theme="weather"), {"theme"}),
    "missing description": (without("description"), {"description"}),
    "blank description": (with_(description="   "), {"description"}),
    "missing anonymous": (without("anonymous"), {"anonymous"}),
    "wrong types": (with_(anonymous=[1], involved="inkoop", occurred=17), {
        "anonymous", "involved", "occurred"}),
    "unknown field": (with_(favourite_colour="blue"), {"favourite_colour"}),
    "bad email": (with_(identity={"email": "not an address " + SECRET}), {"identity.email"}),
    "unknown channel": (with_(channel="carrier_pigeon"), {"channel"}),
    "moderately nested value": (with_(identity=json.loads(nested(200))), {"identity.a"}),
}


@pytest.fixture
async def intake(settings: Settings) -> AsyncIterator[RunningService]:
    async with running("intake", settings) as service:
        yield service


@pytest.fixture
def settings(sqlite_settings: Settings) -> Settings:
    """Input is refused before the store is touched: one store suffices here."""
    return sqlite_settings


async def assert_nothing_stored_or_published(intake: RunningService, settings: Settings) -> None:
    assert intake.application.recorder.max_notification_id() is None
    # A valid melding after the refused ones: once the relay has published it, it has
    # passed over everything stored before it, so the stream holds that one alone.
    response = await intake.client.post("/api/meldingen", json=MELDING)
    assert response.status_code == 201, response.text
    nc = await connect(settings, name="test", user=ADMIN)
    try:
        js = nc.jetstream()

        async def published() -> bool:
            try:
                return (await js.stream_info(settings.stream)).state.messages > 0
            except Exception:  # noqa: BLE001 - the stream is not made yet
                return False

        await eventually(published)
        message = await js.get_msg(settings.stream, 1)
        assert Envelope.decode(message.data).data["melding_id"] == response.json()["id"]
        assert (await js.stream_info(settings.stream)).state.messages == 1
    finally:
        await nc.close()


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert SECRET not in response.text and "not an address" not in response.text
    return body


@pytest.mark.parametrize("case", list(INVALID))
async def test_invalid_melding_gets_422_naming_the_fields(
    intake: RunningService, settings: Settings, case: str
) -> None:
    body, fields = INVALID[case]
    response = await intake.client.post("/api/meldingen", json=body)
    problem = assert_problem(response, 422)
    assert {error["field"] for error in problem["errors"]} >= fields
    await assert_nothing_stored_or_published(intake, settings)


async def test_body_that_is_not_an_object_gets_422(
    intake: RunningService, settings: Settings
) -> None:
    for body in ([MELDING], "melding", 42, None):
        problem = assert_problem(await intake.client.post("/api/meldingen", json=body), 422)
        assert [error["field"] for error in problem["errors"]] == ["body"]
    await assert_nothing_stored_or_published(intake, settings)


@pytest.mark.parametrize("payload", [
    '{"kind": "wrongdoing", "description": ',  # cut off
    "{'kind': 'wrongdoing'}",  # not JSON's quotes
    nested(5000),  # nested deeper than any parser should follow
], ids=["truncated", "single quotes", "deeply nested"])
async def test_malformed_json_gets_400(
    intake: RunningService, settings: Settings, payload: str
) -> None:
    response = await intake.client.post(
        "/api/meldingen", content=payload, headers={"content-type": "application/json"})
    assert_problem(response, 400)
    await assert_nothing_stored_or_published(intake, settings)


async def test_oversized_body_gets_413_declared_or_streamed(
    intake: RunningService, settings: Settings
) -> None:
    oversized = json.dumps(with_(description="x" * (settings.max_body_bytes + 1)))
    # With a Content-Length, refused before a byte of the body is read.
    declared = await intake.client.post(
        "/api/meldingen", content=oversized, headers={"content-type": "application/json"})
    assert_problem(declared, 413)

    # Streamed without a length (chunked), refused once the limit is passed.
    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(oversized), 4096):
            yield oversized[start:start + 4096].encode()

    streamed = await intake.client.post(
        "/api/meldingen", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in streamed.request.headers
    assert_problem(streamed, 413)
    await assert_nothing_stored_or_published(intake, settings)


async def test_a_streamed_body_under_the_limit_is_accepted(intake: RunningService) -> None:
    # The limit reads the body ahead of the app: a chunked one arrives whole.
    body = json.dumps({**MELDING, "description": "y" * 20_000}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    response = await intake.client.post(
        "/api/meldingen", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text
