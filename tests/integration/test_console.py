"""The console over HTTP (ASGI, a real nats-server, SQLite): enrolment, the two-step
sign-in and its refusals, sessions and their ends, form tokens, the staff tokens and
their keys, the directory's events on the stream, and `meldingen staff` as a process."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.authz import is_allowed
from shared.clock import MovableClock
from shared.config import Settings
from shared.roles import STAFF_ROLES
from tests.consoleflows import (
    ORIGIN,
    PASSWORD,
    add,
    code_at,
    csrf_of,
    enrol,
    post,
    second_browser,
    sign_in,
)
from tests.support import NatsServer, RunningService, make_settings, running


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, console_url=ORIGIN,
                         console_failure_delay_seconds=0.05)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def console(settings: Settings, clock: MovableClock) -> AsyncIterator[RunningService]:
    async with running("console", settings, clock) as service:
        service.client.base_url = ORIGIN
        yield service


async def enrolled(console: RunningService, clock: MovableClock, sub: str, *roles: str) -> str:
    return await enrol(console.client, add(console.application, sub, *roles), clock)


async def test_enrolment_then_sign_in_with_password_and_code(
    console: RunningService, clock: MovableClock
) -> None:
    secret = await enrolled(console, clock, "mia", "meldpunt")
    answer = await sign_in(console.client, "mia", secret, clock)
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    home = await console.client.get("/")
    assert home.status_code == 200 and 'id="role-meldpunt"' in home.text
    # The cookie: HttpOnly, SameSite=Strict, the session's id only.
    cookie = answer.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()


async def test_the_enrolment_link_works_once_and_says_so_afterwards(
    console: RunningService, clock: MovableClock
) -> None:
    path = add(console.application, "tom", "investigator")
    await enrol(console.client, path, clock)
    again = await console.client.get(path)
    assert again.status_code == 410 and "al gebruikt" in again.text
    assert (await console.client.get(path + "x")).status_code == 404


async def test_an_expired_enrolment_link_says_so(
    console: RunningService, clock: MovableClock
) -> None:
    path = add(console.application, "eva", "auditor")
    clock.advance(timedelta(hours=72, seconds=1))
    answer = await console.client.get(path)
    assert answer.status_code == 410 and "verlopen" in answer.text


async def test_enrolment_refuses_a_short_or_weak_password_and_a_wrong_code_naming_each(
    console: RunningService, clock: MovableClock
) -> None:
    path = add(console.application, "bas", "manager")
    page = (await console.client.get(path + "?lang=en")).text
    short = await post(console.client, path, page, password="kort", code="123456")
    assert short.status_code == 422
    assert 'id="password-error"' in short.text and "at least 12 characters" in short.text
    assert 'id="code-error"' in short.text
    weak = await post(console.client, path, page, password="password1234", code="000000")
    assert weak.status_code == 422 and "too easy to guess" in weak.text
    assert not console.application.get_staff("bas").enrolled


async def test_unknown_login_wrong_password_and_wrong_code_answer_alike(
    console: RunningService, clock: MovableClock
) -> None:
    secret = await enrolled(console, clock, "ada", "meldpunt")
    client = console.client
    answers, durations = [], []
    for login, password in (("nobody", PASSWORD), ("ada", "not the password at all")):
        page = (await client.get("/signin")).text
        started = time.monotonic()
        answers.append(await post(client, "/signin", page, login=login, password=password))
        durations.append(time.monotonic() - started)
    page = (await client.get("/signin")).text
    await post(client, "/signin", page, login="ada", password=PASSWORD)
    page = (await client.get("/signin/code")).text
    wrong = str((int(code_at(secret, clock.now())) + 1) % 1_000_000).zfill(6)
    started = time.monotonic()
    answers.append(await post(client, "/signin/code", page, code=wrong))
    durations.append(time.monotonic() - started)
    assert [a.status_code for a in answers] == [401, 401, 401]
    message = "Inloggen is niet gelukt. Controleer uw gebruikersnaam, wachtwoord en code."
    assert all(message in a.text for a in answers)
    assert all(d >= 0.05 for d in durations)  # the delay, for each kind of failure


async def test_a_used_code_is_refused_the_second_time(
    console: RunningService, clock: MovableClock
) -> None:
    secret = await enrolled(console, clock, "kim", "auditor")
    code = code_at(secret, clock.now())
    for expected in (303, 401):
        page = (await console.client.get("/signin")).text
        await post(console.client, "/signin", page, login="kim", password=PASSWORD)
        page = (await console.client.get("/signin/code")).text
        answer = await post(console.client, "/signin/code", page, code=code)
        assert answer.status_code == expected
        if expected == 303:
            signout_page = (await console.client.get("/")).text
            await post(console.client, "/signout", signout_page)


async def test_failed_attempts_lock_the_account_and_are_recorded(
    console: RunningService, clock: MovableClock
) -> None:
    secret = await enrolled(console, clock, "lot", "meldpunt")
    for _ in range(5):
        page = (await console.client.get("/signin")).text
        await post(console.client, "/signin", page, login="lot", password="wrong wrong wrong")
    member = console.application.get_staff("lot")
    assert member.locked_until is not None
    stored = console.application.repository.event_store.get(member.id)
    assert [type(e).__name__ for e in stored].count("SignInFailed") == 5
    # Locked: even the right password and code do not get in.
    page = (await console.client.get("/signin")).text
    locked = await post(console.client, "/signin", page, login="lot", password=PASSWORD)
    assert locked.status_code == 401 and "geblokkeerd" in locked.text
    # An unknown name is locked alike after as many failures: nothing tells them apart.
    for _ in range(6):
        page = (await console.client.get("/signin")).text
        unknown = await post(console.client, "/signin", page, login="ghost", password="x" * 12)
    assert "geblokkeerd" in unknown.text
    # Fifteen minutes on, the right password and code get in again.
    clock.advance(timedelta(minutes=15))
    assert (await sign_in(console.client, "lot", secret, clock)).status_code == 303
    replayed = console.application.get_staff("lot")
    assert replayed.failures == 0 and replayed.locked_until is None


async def test_sessions_end_when_idle_and_after_ten_hours(
    console: RunningService, clock: MovableClock
) -> None:
    secret = await enrolled(console, clock, "ivo", "investigator")
    await sign_in(console.client, "ivo", secret, clock)
    clock.advance(timedelta(minutes=29))
    assert (await console.client.get("/")).status_code == 200
    clock.advance(timedelta(minutes=30))
    ended = await console.client.get("/")
    assert ended.status_code == 303 and ended.headers["location"].startswith("/signin")

    await sign_in(console.client, "ivo", secret, clock)
    signed_in_at = clock.now()
    while (await console.client.get("/")).status_code == 200:  # busy, never idle for long
        clock.advance(timedelta(minutes=25))
    assert timedelta(hours=10) <= clock.now() - signed_in_at < timedelta(hours=10, minutes=26)


async def test_a_post_without_the_form_token_or_from_another_origin_is_refused(
    console: RunningService, clock: MovableClock
) -> None:
    secret = await enrolled(console, clock, "rik", "meldpunt")
    await sign_in(console.client, "rik", secret, clock)
    page = (await console.client.get("/")).text
    no_token = await console.client.post("/signout", headers={"origin": ORIGIN})
    other_origin = await console.client.post("/signout", data={"csrf": csrf_of(page)},
                                             headers={"origin": "https://evil.example"})
    no_origin = await console.client.post("/signout", data={"csrf": csrf_of(page)})
    assert [r.status_code for r in (no_token, other_origin, no_origin)] == [403, 403, 403]
    assert (await console.client.get("/")).status_code == 200  # still signed in


async def test_sign_out_ends_every_session_of_the_person(
    console: RunningService, clock: MovableClock
) -> None:
    secret = await enrolled(console, clock, "noa", "auditor")
    await sign_in(console.client, "noa", secret, clock)
    laptop = dict(console.client.cookies)
    console.client.cookies.clear()
    await sign_in(console.client, "noa", secret, clock)
    page = (await console.client.get("/")).text
    assert (await post(console.client, "/signout", page)).status_code == 303
    console.client.cookies.clear()
    console.client.cookies.update(laptop)
    assert (await console.client.get("/")).status_code == 303


async def test_an_administrator_adds_and_disables_staff_and_the_disabled_are_signed_out(
    console: RunningService, clock: MovableClock
) -> None:
    app, client = console.application, console.client
    admin_secret = await enrolled(console, clock, "beheer", "administrator")
    other = await enrolled(console, clock, "piet", "meldpunt")
    # piet signs in first (his own client), then the administrator disables him.
    async with second_browser(console) as piet:
        await sign_in(piet, "piet", other, clock)
        assert (await piet.get("/")).status_code == 200
        await sign_in(client, "beheer", admin_secret, clock)
        page = (await client.get("/staff")).text
        invalid = await post(client, "/staff", page, sub="", name="", email="geen",
                             function="", reports_to="")
        assert invalid.status_code == 422
        for field in ("sub", "name", "email", "roles"):
            assert f'id="{field}-error"' in invalid.text
        added = await post(client, "/staff", page, sub="sam", name="Sam Smit",
                           email="sam@example.org", roles="investigator", function="",
                           reports_to="piet")
        assert added.status_code == 201 and "/enrol/" in added.text
        assert app.get_staff("sam").history[0]["by"] == "beheer"
        disabled = await post(client, "/staff/piet/disable", page)
        assert disabled.status_code == 303
        assert app.get_staff("piet").disabled
        assert (await piet.get("/")).status_code == 303
    # A non-administrator may not see the staff page.
    async with second_browser(console) as sam:
        link = re.search(r'id="enrolment-link">[^<]*(/enrol/[^<]+)<', added.text)
        assert link is not None
        sam_secret = await enrol(sam, link.group(1), clock)
        await sign_in(sam, "sam", sam_secret, clock)
        assert (await sam.get("/staff")).status_code == 403


async def test_only_the_roles_the_table_allows_manage_staff(
    console: RunningService, clock: MovableClock
) -> None:
    for role in STAFF_ROLES:
        async with second_browser(console) as browser:
            secret = await enrol(browser, add(console.application, f"who-{role}", role), clock)
            await sign_in(browser, f"who-{role}", secret, clock)
            page = await browser.get("/staff")
            assert page.status_code == (200 if is_allowed(role, "staff.manage") else 403), role


async def test_the_staff_directory_pages(console: RunningService, clock: MovableClock) -> None:
    secret = await enrolled(console, clock, "admin", "administrator")
    await sign_in(console.client, "admin", secret, clock)
    for n in range(55):
        add(console.application, f"staff{n:02d}", "investigator")
    first = (await console.client.get("/staff")).text
    assert first.count('<tr class="utrecht-table__row" id="staff-') == 50
    assert "Pagina 1 van 2" in first and 'href="/staff?page=2"' in first
    second = (await console.client.get("/staff", params={"page": "2"})).text
    assert second.count('<tr class="utrecht-table__row" id="staff-') == 6
    wrong = await console.client.get("/staff", params={"page": "nul"})
    assert wrong.status_code == 422 and 'id="page-error"' in wrong.text


async def test_a_change_made_by_another_process_counts_from_the_next_request(
    console: RunningService, clock: MovableClock, settings: Settings
) -> None:
    # The page keeps the person's record with the session; the CLI changes the
    # directory from its own process, on the same store, which this one must see.
    from services.console.bootstrap import build_application

    secret = await enrolled(console, clock, "ruud", "meldpunt", "auditor")
    await sign_in(console.client, "ruud", secret, clock)
    assert (await console.client.get("/queue")).status_code != 303
    cli = build_application(settings, clock)
    cli.change_roles("ruud", ["auditor"], by="beheer")
    # The queue is the meldpunt's page: no longer his on the very next request.
    assert (await console.client.get("/queue")).status_code == 403
    assert (await console.client.get("/account")).status_code == 200
    cli.disable("ruud", by="beheer")
    assert (await console.client.get("/account")).status_code == 303
    assert (await console.client.get("/account")).status_code == 303
