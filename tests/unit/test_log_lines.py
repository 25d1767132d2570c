"""What the services' logging leaves out (shared/logging.py): a call to another
service is not logged with its address, whose query holds what was asked for."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shared.logging import configure_logging


async def listing(request: Request) -> PlainTextResponse:
    return PlainTextResponse("[]")


async def test_a_call_to_another_service_is_not_logged_with_its_query(
        capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO")
    try:
        triage = Starlette(routes=[Route("/api/meldingen", listing)])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=triage),
                                     base_url="http://triage") as client:
            answer = await client.get("/api/meldingen", params={"theme": "gifts"})
        assert answer.status_code == 200
        logging.getLogger("meldingen.test").info("after the call")
    finally:
        root.handlers[:], root.level = handlers, level
        logging.getLogger("httpx").setLevel(logging.NOTSET)
    written = capsys.readouterr().err
    assert "after the call" in written  # the log was written, without the call's line
    assert "gifts" not in written and "/api/meldingen" not in written
