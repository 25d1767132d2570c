"""The JSON API and the web form accept exactly the same meldingen: the rules that are
not the schema's (a named melding has a name; what happened did not happen after
today, on the organisation's calendar) are the domain's, and both refuse what they
refuse with the same field named."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.clock import MovableClock
from shared.config import Settings
from tests.support import RunningService, running

# 23:30 UTC on 10 March is already 11 March in Nijmegen: "today" is the 11th.
NOW = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
TODAY = date(2026, 3, 11)
BASE = {"kind": "wrongdoing", "theme": "resources", "description": "Geld verdwijnt uit de kas."}

#: case -> (the melding as the API takes it, the form field refused, or None)
CASES: dict[str, tuple[dict[str, Any], str | None]] = {
    "named with a name": (
        {"anonymous": False, "identity": {"name": "Jan Jansen"}}, None),
    "named without any identity": ({"anonymous": False}, "name"),
    "named with an e-mail address only": (
        {"anonymous": False, "identity": {"email": "jan@example.org"}}, "name"),
    "anonymous without identity": ({"anonymous": True}, None),
    "happened today in Nijmegen": ({"anonymous": True, "occurred": TODAY.isoformat()}, None),
    "happened tomorrow": ({"anonymous": True, "occurred": "2026-03-12"}, "occurred"),
}
#: the API's name for a form field
API_FIELD = {"name": "identity.name", "occurred": "occurred"}


def form_fields(melding: dict[str, Any]) -> dict[str, str]:
    fields = {"lang": "en", **BASE, "anonymous": "true" if melding["anonymous"] else "false",
              "occurred": melding.get("occurred", "")}
    fields.update(melding.get("identity", {}))
    return fields


async def post_form(intake: RunningService, fields: dict[str, str]) -> tuple[int, set[str]]:
    page = await intake.client.get("/")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = await intake.client.post("/", data={**fields, "form_token": token.group(1)},
                                      headers={"Sec-Fetch-Site": "same-origin"})
    return answer.status_code, set(re.findall(r'id="([a-z_]+)-error"', answer.text))


@pytest.mark.parametrize("case", list(CASES))
async def test_the_api_and_the_form_accept_the_same_meldingen(
    sqlite_settings: Settings, case: str
) -> None:
    melding, refused = CASES[case]
    async with running("intake", sqlite_settings, clock=MovableClock(NOW)) as intake:
        api = await intake.client.post("/api/meldingen", json={**BASE, **melding})
        status, form_errors = await post_form(intake, form_fields(melding))
        if refused is None:
            assert api.status_code == 201, api.text
            assert status == 200 and form_errors == set()
        else:
            assert api.status_code == 422, api.text
            assert [e["field"] for e in api.json()["errors"]] == [API_FIELD[refused]]
            assert status == 422 and form_errors == {refused}


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None])
async def test_anonymous_is_a_json_boolean_only(sqlite_settings: Settings,
                                                value: object) -> None:
    async with running("intake", sqlite_settings) as intake:
        answer = await intake.client.post("/api/meldingen", json={**BASE, "anonymous": value})
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == ["anonymous"]
        assert intake.application.recorder.max_notification_id() is None
