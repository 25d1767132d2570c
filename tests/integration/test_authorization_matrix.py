"""The authorization matrix: every staff route of every service, called by every role
and without a token, answers as the table in `shared.authz` says. Allowed roles
succeed or meet a state or input refusal (409/422); all others get 403; no token 401.

Routes are found in the running applications, and each route's action is read from
the dependency it declares it with (`shared.deps.authorized` or `permitted`), so a
route added later is walked as well. The finer checks inside routes (who sees a named
reporter, who sees every case) follow the table too, and no action of the table is
left unused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.auth import STAFF_ROLES
from shared.authz import PERMISSIONS, is_allowed
from shared.config import Settings
from shared.deps import Declared
from tests.support import (
    DEFAULT_AUTHORITY,
    MELDING,
    RunningService,
    assessment,
    eventually,
    listed,
    running,
    token,
)

SERVICES = ("intake", "triage", "investigation", "reporting")
OWN = ("triage", "investigation")  # the services whose every API route must be guarded
#: ivan is assigned to the case below; the melding's competent authority is the default
SUBS = {"investigator": "ivan", "competent_authority": DEFAULT_AUTHORITY}
#: A part of a case the walk's case need not hold when its route is walked (it is
#: closed by then: a measure to lift, a request to answer, found only if made before;
#: a file, which the walk's melding and case have none of).
PARTS = {"measure_id", "request_id", "complaint_id", "attachment_id", "file_id"}

#: Valid bodies, so that allowed roles really get through (others send {} and meet 422).
BODIES: dict[str, dict[str, Any]] = {
    # on a reporter's behalf (the web channel needs no token); the channel follows from
    # the role, so a confidential adviser, who must name theirs, meets 422 here
    "/api/meldingen": {**MELDING, "received_how": "oral"},
    "/api/meldingen/{melding_id}/assessment": assessment(),
    "/api/meldingen/{melding_id}/decision": {"outcome": ["investigation"], "motivation": "m"},
    "/api/meldingen/{melding_id}/messages": {"body": "Een bericht."},
    "/api/meldingen/{melding_id}/record": {"text": "Verslag van het gesprek."},
    "/api/meldingen/{melding_id}/adviser-messages": {"body": "Een bericht."},
    "/api/meldingen/{melding_id}/meetings": {"held_at": "2026-01-05T10:00:00Z"},
    "/api/cases/{case_id}/investigators": {"investigators": ["ivan"]},
    "/api/meldingen/{melding_id}/competent-authority": {
        "competent_authority": DEFAULT_AUTHORITY, "motivation": "Zo."},
    "/api/meldingen/{melding_id}/recusal": {"reason": "Mijn zwager."},
    "/api/cases/{case_id}/conversation": {"minutes": "m"},
    "/api/cases/{case_id}/plan": {"text": "t"},
    "/api/cases/{case_id}/interviews": {"interviewee": "x", "minutes": "m"},
    "/api/cases/{case_id}/interviews/{interview_id}/comments": {"text": "t"},
    "/api/cases/{case_id}/evidence": {"description": "d", "sha256": "f" * 64},
    "/api/cases/{case_id}/draft-report": {"text": "t"},
    "/api/cases/{case_id}/response": {"text": "t"},
    "/api/cases/{case_id}/final-report": {"text": "t", "conclusion": "unfounded"},
    "/api/cases/{case_id}/measures": {"measures": [
        {"target": "person", "kind": "none", "description": "-"}]},
    # each creates what the route after it acts on (a measure to lift, a request)
    "/api/cases/{case_id}/interim-measures": {"kind": "suspension", "motivation": "m"},
    "/api/cases/{case_id}/interim-measures/{measure_id}/lifting": {"motivation": "m"},
    "/api/cases/{case_id}/person-concerned/informed": {"informed_on": "2026-01-05"},
    "/api/cases/{case_id}/person-concerned/file-requests": {"requested_on": "2026-01-05"},
    "/api/cases/{case_id}/person-concerned/file-requests/{request_id}/answer": {
        "granted": True, "answer": "Ja."},
    # a person to protect, then a complaint naming them, then its handling
    "/api/meldingen/{melding_id}/protected-persons": {"name": "Getuige", "role": "witness"},
    "/api/meldingen/{melding_id}/reprisal-complaints": {
        "person_id": "1", "description": "Overgeplaatst.", "received_on": "2026-01-05"},
    "/api/meldingen/{melding_id}/reprisal-complaints/{complaint_id}/handling": {
        "outcome": "unfounded", "motivation": "Geen verband."},
    "/api/meldingen/{melding_id}/protection-check-ins": {"disadvantage": False,
                                                         "notes": "Gesproken."},
}


def action_of(route: APIRoute) -> str | None:
    """The action the route declares through its dependencies, if any."""

    def search(dependant: Dependant) -> str | None:
        for dependency in dependant.dependencies:
            call: Callable[..., Any] | None = dependency.call
            if isinstance(call, Declared):
                return call.action
            found = search(dependency)
            if found is not None:
                return found
        return None

    return search(route.dependant)


@asynccontextmanager
async def everything(settings: Settings) -> AsyncIterator[tuple[dict[str, RunningService],
                                                                 str]]:
    """All four services, and one melding decided for an investigation with ivan on it."""
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings))
             for name in SERVICES}
        melding_id = (await s["intake"].client.post("/api/meldingen", json=MELDING)).json()["id"]
        meldpunt = token(settings, "meldpunt", "mia")
        authority = token(settings, "competent_authority")
        listed(s["investigation"], "ivan", "investigator")

        async def in_triage() -> bool:
            return (await s["triage"].client.get(f"/api/meldingen/{melding_id}",
                                                 headers=meldpunt)).is_success

        await eventually(in_triage)
        for path, headers in (("assessment", meldpunt), ("decision", authority)):
            response = await s["triage"].client.post(
                f"/api/meldingen/{melding_id}/{path}", headers=headers,
                json=BODIES[f"/api/meldingen/{{melding_id}}/{path}"])
            assert response.is_success, response.text

        async def case_opened() -> bool:
            return (await s["investigation"].client.get(f"/api/cases/{melding_id}",
                                                        headers=authority)).is_success

        await eventually(case_opened)
        response = await s["investigation"].client.post(
            f"/api/cases/{melding_id}/investigators", headers=authority,
            json={"investigators": ["ivan"]})
        assert response.is_success, response.text
        yield s, melding_id


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (which newer FastAPI keeps nested)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


def guarded_routes(service: RunningService) -> list[tuple[APIRoute, str]]:
    routes = []
    for route in api_routes(service.app.routes):
        if not route.path.startswith("/api"):
            continue
        action = action_of(route)
        if action is None:
            assert service.name not in OWN, f"{route.path} has no authorization"
            continue
        routes.append((route, action))
    return routes


@pytest.mark.parametrize("service_name", SERVICES)
async def test_every_route_answers_every_role_as_the_table_says(
    sqlite_settings: Settings, service_name: str
) -> None:
    settings = sqlite_settings
    async with everything(settings) as (s, melding_id):
        service = s[service_name]
        walked: set[tuple[str, str]] = set()
        wrong = []
        for route, action in guarded_routes(service):
            path = route.path.format(melding_id=melding_id, case_id=melding_id, id=melding_id,
                                     interview_id="1", sub="ivan", part="activities",
                                     measure_id="1", request_id="1", complaint_id="1",
                                     attachment_id="1", file_id="1")
            body = BODIES.get(route.path, {})
            for method in sorted(route.methods or ()):
                calls: list[tuple[str, dict[str, str]]] = [
                    (role, token(settings, role, SUBS.get(role, f"a-{role}")))
                    for role in STAFF_ROLES]
                calls.append(("no token", {}))
                for who, headers in calls:
                    response = await service.client.request(
                        method, path, headers=headers,
                        json=body if method in ("POST", "PUT", "PATCH") else None)
                    if who == "no token":
                        expected: tuple[int, ...] = (401,)
                    elif who in PERMISSIONS[action]:
                        # state or input refusals are fine; so is an id another
                        # service's test data does not know
                        expected = (200, 201, 204, 409, 422)
                        if service_name not in OWN or PARTS & set(route.param_convertors):
                            expected += (404,)
                    else:
                        expected = (403,)
                    if response.status_code not in expected:
                        wrong.append((method, route.path, who, response.status_code))
                    elif response.status_code in (401, 403):
                        assert response.headers["content-type"] == "application/problem+json"
                walked.add((method.lower(), route.path))
        assert wrong == []
        if service_name in OWN:
            # nothing missed: every operation the service documents was walked
            document = (await service.client.get("/openapi.json")).json()
            assert walked == {(method, path) for path, operations in document["paths"].items()
                              if path.startswith("/api") for method in operations}


#: the actions checked inside routes and applications rather than declared by a route
#: ("staff.manage": the console's pages, walked for every role in test_console.py)
FINER = {"melding.read_identity", "melding.read_identity_with_consent", "melding.read_all",
         "case.read_all", "staff.manage", "record.handle_any",
         "melding.mark_replies_read"}


async def test_the_finer_checks_follow_the_table_and_every_action_is_used(
    sqlite_settings: Settings,
) -> None:
    settings = sqlite_settings
    async with everything(settings) as (s, melding_id):
        # A named reporter's identity (MELDING's) shows for exactly the roles allowed it.
        for role in sorted(PERMISSIONS["melding.read"]):
            melding = (await s["triage"].client.get(f"/api/meldingen/{melding_id}",
                                                    headers=token(settings, role))).json()
            shown = melding["identity"] is not None
            assert shown == is_allowed(role, "melding.read_identity"), role
        # Every case for the roles allowed all; an investigator only the assigned ones,
        # a competent authority only the meldingen assigned to them.
        for role in sorted(PERMISSIONS["case.read"]):
            for sub in ("ivan", DEFAULT_AUTHORITY, "stranger"):
                cases = (await s["investigation"].client.get(
                    "/api/cases", headers=token(settings, role, sub))).json()
                seen = [item["id"] for item in cases["items"]] == [melding_id]
                expected = is_allowed(role, "case.read_all") or (
                    sub == "ivan" and is_allowed(role, "case.investigate")) or (
                    sub == DEFAULT_AUTHORITY and is_allowed(role, "melding.decide"))
                assert seen == expected, (role, sub)
                # What the case holds beyond its steps, for the roles allowed it.
                case = await s["investigation"].client.get(
                    f"/api/cases/{melding_id}", headers=token(settings, role, sub))
                if expected:
                    withheld = not is_allowed(role, "case.read_content")
                    assert case.json()["content_withheld"] == withheld, (role, sub)
        declared = {action for service in s.values()
                    for _, action in guarded_routes(service)}
    assert declared.isdisjoint(FINER)
    assert declared | FINER == set(PERMISSIONS)


async def test_per_melding_rules_answer_404_to_whoever_is_not_a_party(
    sqlite_settings: Settings,
) -> None:
    """On top of the table: a competent authority who is not the melding's, an
    investigator not on its case, and anyone who recused themselves get 404 for it
    in triage and investigation, as for a melding that does not exist, and an empty
    list; whoever is its party keeps seeing it."""
    settings = sqlite_settings
    async with everything(settings) as (s, melding_id):
        triage, cases = s["triage"].client, s["investigation"].client

        async def visible(headers: dict[str, str]) -> tuple[int, int, int, int]:
            return ((await triage.get(f"/api/meldingen/{melding_id}", headers=headers))
                    .status_code,
                    (await cases.get(f"/api/cases/{melding_id}", headers=headers)).status_code,
                    len((await triage.get("/api/meldingen", headers=headers)).json().get(
                        "items", [])),
                    len((await cases.get("/api/cases", headers=headers)).json()["items"]))

        other_authority = token(settings, "competent_authority", "carla")
        assert await visible(other_authority) == (404, 404, 0, 0)
        decided = await triage.post(f"/api/meldingen/{melding_id}/decision",
                                    headers=other_authority,
                                    json={"outcome": ["no_action"], "motivation": "Niets."})
        assert decided.status_code == 404
        stranger = token(settings, "investigator", "olga")
        assert (await cases.get(f"/api/cases/{melding_id}", headers=stranger)).status_code == 404
        assert (await cases.post(f"/api/cases/{melding_id}/plan", headers=stranger,
                                 json={"text": "t"})).status_code == 404

        # The parties see it: the meldpunt (every melding), its competent authority.
        assert (await visible(token(settings, "meldpunt", "mia")))[:2] == (200, 200)
        authority = token(settings, "competent_authority")
        assert await visible(authority) == (200, 200, 1, 1)

        # The competent authority recuses: gone for them in both services, at once in
        # triage and as soon as investigation hears of it.
        recused = await triage.post(f"/api/meldingen/{melding_id}/recusal", headers=authority,
                                    json={"reason": "Familie van de betrokkene."})
        assert recused.status_code == 204, recused.text

        async def gone() -> bool:
            return await visible(authority) == (404, 404, 0, 0)

        await eventually(gone)
        # A second recusal, like any request about it, answers as for no melding.
        again = await triage.post(f"/api/meldingen/{melding_id}/recusal", headers=authority,
                                  json={"reason": "Nogmaals."})
        assert again.status_code == 404
