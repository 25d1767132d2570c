"""Helpers for driving the console over HTTP as a browser would: form tokens, the
Origin header, enrolment and the two sign-in steps, codes computed with pyotp."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pyotp

from services.console.adapters.links import new_link
from services.console.application import ConsoleApplication, NewStaffMember
from services.console.domain.staff import StaffMember
from shared.clock import MovableClock
from tests.support import RunningService

PASSWORD = "paard batterij nietje correct"
ORIGIN = "http://console.test"


class BehindWallClock(MovableClock):
    """Behind the wall clock by `behind` and moving on with it, besides what it is told
    to advance. The services check a token's expiry by the wall clock, and the
    console dates the tokens it signs for triage and investigation by this clock: one
    that stands still would make them expire after a few minutes of the test's own
    time, which a busy machine reaches (a download refused halfway through a test)."""

    def __init__(self, behind: timedelta) -> None:
        super().__init__(datetime.now(UTC).replace(microsecond=0) - behind)
        self._since = time.monotonic()

    def now(self) -> datetime:
        return super().now() + timedelta(seconds=time.monotonic() - self._since)

    def set(self, moment: datetime) -> None:
        super().set(moment)
        self._since = time.monotonic()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no form token on the page"
    return found.group(1)


def secret_of(html: str) -> str:
    found = re.search(r'id="totp-secret">([^<]+)<', html)
    assert found, "no authenticator secret on the page"
    return found.group(1).replace(" ", "")


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def add(console: ConsoleApplication, sub: str, *roles: str, function: str | None = None,
        reports_to: str | None = None) -> str:
    """Adds a staff member; returns the path of their enrolment link."""
    link = new_link(StaffMember.create_id(sub))
    console.add_staff(NewStaffMember(sub=sub, name=sub.title(), email=f"{sub}@example.org",
                                     roles=list(roles), function=function,
                                     reports_to=reports_to),
                      enrolment_digest=link.digest, by="test")
    return f"/enrol/{link.token}"


async def post(client: httpx.AsyncClient, path: str, page: str, **fields: str
               ) -> httpx.Response:
    """A form post from `page` (its form token), from our own origin."""
    return await client.post(path, data={"csrf": csrf_of(page), **fields},
                             headers={"origin": ORIGIN})


async def enrol(client: httpx.AsyncClient, path: str, clock: MovableClock,
                password: str = PASSWORD) -> str:
    """Enrols through the page; returns the authenticator secret."""
    page = (await client.get(path)).text
    secret = secret_of(page)
    answer = await post(client, path, page, password=password,
                        code=code_at(secret, clock.now()))
    assert answer.status_code == 200, answer.text
    clock.advance(timedelta(seconds=30))  # the enrolment's code is used up
    return secret


async def sign_in(client: httpx.AsyncClient, sub: str, secret: str, clock: MovableClock,
                  password: str = PASSWORD) -> httpx.Response:
    page = (await client.get("/signin")).text
    first = await post(client, "/signin", page, login=sub, password=password)
    assert first.status_code == 303, first.text
    page = (await client.get("/signin/code")).text
    answer = await post(client, "/signin/code", page, code=code_at(secret, clock.now()))
    clock.advance(timedelta(seconds=30))
    return answer


@asynccontextmanager
async def second_browser(console: RunningService) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser on the same console: its own cookies."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=console.app),
                                 base_url=ORIGIN) as client:
        yield client
