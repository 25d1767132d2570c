"""Triage's queue pages kept as sent (`services.triage.api.page_cache`): asked again,
a page is the same bytes; a write makes the next read fresh; the time alone passing a
term does too; two staff whose need-to-know differs never share a page; and after a
shredding no page kept from before it is held, served or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.triage.api.deps import TriageParts
from shared.clock import MovableClock
from shared.config import Settings
from shared.terms import local_date
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


async def test_no_page_kept_from_before_a_shredding_holds_the_melding(
        sqlite_settings: Settings) -> None:
    settings = sqlite_settings.model_copy(update={"retention_days": 0})
    mia, authority = token(settings, "meldpunt", "mia"), token(settings, "competent_authority")
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        parts = triage.app.state.parts
        assert isinstance(parts, TriageParts)
        listed(triage, "mia", "meldpunt")
        shred = (await ok(intake.client.post("/api/meldingen", json=MELDING), 201))["id"]
        kept = (await ok(intake.client.post("/api/meldingen", json=MELDING), 201))["id"]

        async def page(headers: dict[str, str], **query: Any) -> Any:
            return await ok(triage.client.get("/api/meldingen", headers=headers,
                                              params=query))

        async def arrived() -> bool:
            return bool((await page(mia))["total"] == 2)

        await eventually(arrived)
        # The one to shred closed (a 0-day term), the other left open.
        await ok(triage.client.post(f"/api/meldingen/{shred}/assessment", headers=mia,
                                    json=assessment(advice="no_action")))
        await ok(triage.client.post(
            f"/api/meldingen/{shred}/decision", headers=authority,
            json={"outcome": ["no_action"], "motivation": "Geen aanwijzingen gevonden."}))
        # Pages holding it kept for two readers and three sets of filters, and one
        # more kept at an older version (the decision's write moved the view on).
        await page(mia, status="assessed")
        for headers, query in ((mia, {}), (mia, {"status": "closed"}), (authority, {})):
            assert shred in [i["id"] for i in (await page(headers, **query))["items"]]
        assert len(parts.pages) == 4

        run = await ok(triage.client.post("/api/retention/run", headers=mia))
        assert [s["melding_id"] for s in run["shredded"]] == [shred]

        # No page kept anywhere names it; the next page asked holds only the
        # shredded row, read afresh, beside the other melding as it was.
        held = [body for _, _, body in parts.pages._pages.values()]  # served or not
        assert not any(shred.encode() in body for body in held)
        today = local_date(parts.application.clock.now()).isoformat()
        items = {i["id"]: i["shredded_on"] for i in (await page(mia))["items"]}
        assert items == {shred: today, kept: None}
