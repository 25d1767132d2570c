"""`/docs` shows Swagger UI from the service's own packaged copy: the page contacts no
other origin and keeps to its Content-Security-Policy (the fixture checks both); there is
no `/redoc`, which would load its script and fonts from elsewhere."""

from __future__ import annotations

from typing import Any

import httpx

from tests.browser.conftest import LiveIntake


def test_the_api_documentation_loads_from_the_service_alone(
    page: Any, intake: LiveIntake
) -> None:
    page.goto("/docs")
    page.wait_for_selector(".opblock-summary-path")
    assert "meldingen intake" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock-summary-path").count() > 3  # the operations are listed
    assert httpx.get(f"{intake.url}/redoc").status_code == 404
