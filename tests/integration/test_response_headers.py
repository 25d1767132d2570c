"""Headers on every service's answers: `nosniff` on JSON and errors alike, `no-store`
on the answer that carries a receipt (and on every API answer), and `/docs` pages that
reference nothing but the service's own origin (Swagger UI from the packaged copy)."""

from __future__ import annotations

import re

import pytest

from shared.config import SERVICES, Settings
from tests.support import MELDING, running


@pytest.mark.parametrize("service", SERVICES)
async def test_docs_reference_only_the_services_own_origin(
    service: str, sqlite_settings: Settings
) -> None:
    async with running(service, sqlite_settings) as running_service:
        client = running_service.client
        page = await client.get("/docs")
        assert page.status_code == 200
        assert "default-src 'none'" in page.headers["content-security-policy"]
        references = re.findall(r'(?:src|href)="([^"]*)"', page.text)
        assert references and all(ref.startswith("/") and not ref.startswith("//")
                                  for ref in references), references
        for reference in references:
            assert (await client.get(reference)).status_code == 200, reference
        init = (await client.get("/docs/init.js")).text
        assert "http" not in init and "validatorUrl: null" in init
        assert (await client.get("/redoc")).status_code == 404


@pytest.mark.parametrize("service", SERVICES)
async def test_json_answers_are_nosniff_and_not_stored(
    service: str, sqlite_settings: Settings
) -> None:
    async with running(service, sqlite_settings) as running_service:
        for path in ("/healthz", "/openapi.json", "/api/nothing-here"):
            response = await running_service.client.get(path)
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert response.headers["cache-control"] == "no-store", path


async def test_the_answer_with_a_receipt_is_not_stored(sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings) as intake:
        response = await intake.client.post("/api/meldingen", json=MELDING)
        assert response.status_code == 201
        assert "receipt" in response.json()
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
