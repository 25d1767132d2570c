"""Triage's queue pages kept as sent (`services.triage.api.page_cache`): asked again,
a page is the same bytes; a write makes the next read fresh; the time alone passing a
term does too; and two staff whose need-to-know differs never share a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.triage.api.deps import TriageParts
from shared.clock import MovableClock
from shared.config import Settings
from tests.support import MELDING, assessment, eventually, listed, ok, running, token

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


async def test_a_kept_page_is_fresh_after_a_write_a_term_and_per_reader(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings
    clock = MovableClock(NOW)
    mia, max_ = token(settings, "meldpunt", "mia"), token(settings, "meldpunt", "max")
    async with running("intake", settings, clock) as intake, \
            running("triage", settings, clock) as triage:
        parts = triage.app.state.parts
        assert isinstance(parts, TriageParts)
        listed(triage, "mia", "meldpunt")
        listed(triage, "max", "meldpunt")
        bike = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)

        async def page(headers: dict[str, str], **query: Any) -> Any:
            return await ok(triage.client.get("/api/meldingen", headers=headers,
                                              params=query))

        async def arrived() -> bool:
            return bool((await page(mia))["total"] == 1)

        await eventually(arrived)
        # Asked again with nothing changed: the kept bytes, one page kept per reader.
        first = await triage.client.get("/api/meldingen", headers=mia)
        again = await triage.client.get("/api/meldingen", headers=mia)
        assert again.content == first.content
        kept = len(parts.pages)
        await page(mia)
        assert len(parts.pages) == kept  # the same page, not another

        # mia is concerned in the melding: the assessment's write makes her next read,
        # kept a moment ago, fresh (she no longer sees it); max still does, as assessed.
        assert [i["status"] for i in (await page(max_))["items"]] == ["received"]
        await ok(triage.client.post(f"/api/meldingen/{bike['id']}/assessment",
                                    headers=max_, json=assessment(concerned_staff=["mia"])))
        assert (await page(mia))["items"] == []
        assert [i["status"] for i in (await page(max_))["items"]] == ["assessed"]
        assert (await page(mia))["total"] == 0  # and stays so when kept

        # The time alone: past the feedback term (no write), the overdue filter and
        # the item's flag change, though the page was kept before.
        assert (await page(max_, overdue="true"))["total"] == 0
        assert (await page(max_))["items"][0]["overdue"] is False
        clock.advance(timedelta(days=120))
        assert (await page(max_, overdue="true"))["total"] == 1
        assert (await page(max_))["items"][0]["overdue"] is True
