"""The console's pages after per-melding routing, over HTTP (ASGI) with real intake
and triage: the assessment names who is concerned, chosen from the directory; the
melding page shows the competent authority and its rule, offers the meldpunt a
reassignment and everyone a recusal; each competent authority sees only theirs; and
someone who is both meldpunt and competent authority acts in the role a step needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.consoleflows import ORIGIN, add, csrf_of, enrol, second_browser, sign_in
from tests.integration.test_console_queue import (  # noqa: F401 (the fixtures)
    Procedure,
    file,
    procedure,
    rows,
    settings,
    signed_in,
)
from tests.support import eventually


async def enrolled(p: Procedure, client: httpx.AsyncClient, sub: str, link: str) -> None:
    """Signs in someone added to the directory earlier (by their enrolment link)."""
    answer = await sign_in(client, sub, await enrol(client, link, p.clock), p.clock)
    assert answer.status_code == 303, answer.text


async def submit(client: httpx.AsyncClient, path: str, page: str,
                 fields: dict[str, str | list[str]]) -> httpx.Response:
    return await client.post(path, data={"csrf": csrf_of(page), **fields},
                             headers={"origin": ORIGIN})


ASSESSMENT: dict[str, str | list[str]] = {
    "admissible": "true", "reasonable_grounds": "true", "code_violation": "true",
    "severity": "medium", "theme": "gifts", "advice": "investigation",
    "motivation": "Voldoende aanwijzingen.", "concerns": "employee",
    "concerned_staff": ["nora"]}


async def test_routing_on_the_melding_page(procedure: Procedure) -> None:  # noqa: F811
    p = procedure
    links = {sub: add(p.console.application, sub, *roles)
             for sub, roles in (("nora", ("meldpunt",)),
                                ("cora", ("competent_authority", "meldpunt")),
                                ("bert", ("competent_authority",)))}
    meldpunt = p.console.client
    await signed_in(p, meldpunt, "mia", "meldpunt")
    melding_id = await file(p)
    path = f"/meldingen/{melding_id}"
    await eventually(lambda: p.triage.application.directory.find("nora") is not None)

    async def arrived() -> bool:
        return rows((await meldpunt.get("/queue")).text) == [melding_id]

    await eventually(arrived)
    page = (await meldpunt.get(path)).text
    # The directory's staff to choose the concerned from, and the reporter's concerns.
    assert 'id="concerned_staff-nora"' in page and 'id="concerns"' in page
    unknown = await submit(meldpunt, f"{path}/assessment", page,
                           {**ASSESSMENT, "concerned_staff": ["nobody"]})
    assert unknown.status_code == 422 and 'id="concerned_staff-error"' in unknown.text
    done = await submit(meldpunt, f"{path}/assessment", page, ASSESSMENT)
    assert done.status_code == 303, done.text
    page = (await meldpunt.get(path)).text
    routed = page.split('id="routed">', 1)[1].split("</dd>", 1)[0]
    assert routed.startswith("bert") and "employee" in routed  # the rule that chose bert
    assert "nora" in page.split('id="concerns">', 1)[1].split("</dd>", 1)[0]
    assert 'id="reassign-form"' in page and 'id="recusal-form"' in page

    async with second_browser(p.console) as concerned:
        await enrolled(p, concerned, "nora", links["nora"])
        assert (await concerned.get(path)).status_code == 404
        assert rows((await concerned.get("/queue")).text) == []

    # Both meldpunt and competent authority, not this melding's: reads it as meldpunt.
    async with second_browser(p.console) as both:
        await enrolled(p, both, "cora", links["cora"])
        seen = await both.get(path)
        assert seen.status_code == 200 and 'id="decision-form"' not in seen.text
        assert rows((await both.get("/queue")).text) == [melding_id]

        # A reassignment needs a motivation; then cora decides, in that role.
        page = (await meldpunt.get(path)).text
        bare = await submit(meldpunt, f"{path}/competent-authority", page,
                            {"competent_authority": "cora", "reassignment_motivation": ""})
        assert bare.status_code == 422
        assert 'id="reassignment_motivation-error"' in bare.text
        handed = await submit(meldpunt, f"{path}/competent-authority", page,
                              {"competent_authority": "cora",
                               "reassignment_motivation": "Bert is afwezig."})
        assert handed.headers["location"] == f"{path}?done=competent-authority"
        page = (await both.get(path)).text
        # Decision and reassignment on one page: no two fields share an id.
        assert 'id="decision-form"' in page and 'id="reassign-form"' in page
        assert page.count('id="motivation"') == 1
        assert page.split('id="routed">', 1)[1].startswith("cora")

    # Each sign-in moved the clock on past its codes; tokens must not be from the future.
    p.clock.set(datetime.now(UTC) - timedelta(minutes=1))
    async with second_browser(p.console) as others:
        await enrolled(p, others, "bert", links["bert"])
        assert (await others.get(path)).status_code == 404
        assert rows((await others.get("/queue")).text) == []

    # A recusal needs its reason; then the melding is gone for whoever declared it.
    page = (await meldpunt.get(path)).text
    empty = await submit(meldpunt, f"{path}/recusal", page, {"reason": ""})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.text
    assert (await meldpunt.get(path)).status_code == 200
    recused = await submit(meldpunt, f"{path}/recusal", page,
                           {"reason": "Karel is mijn zwager."})
    assert recused.headers["location"] == "/queue?done=recusal"
    queue = (await meldpunt.get(recused.headers["location"])).text
    assert "belangenconflict is vastgelegd" in queue and rows(queue) == []
    assert (await meldpunt.get(path)).status_code == 404
