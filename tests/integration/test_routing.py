"""Who handles a melding, over HTTP with the real console, intake, triage and
investigation and a real nats-server: the reporter says whom it concerns, the meldpunt
names the concerned staff at assessment, the routing table picks the competent
authority past them, they alone see and decide it, and the meldpunt reassigns or
assigns a flagged melding with a motivation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Tracking

from shared.config import Settings
from shared.contracts import MeldingAssessed, MeldingReceived
from shared.recorders import all_notifications
from tests.consoleflows import add
from tests.support import (
    MELDING,
    NatsServer,
    RunningService,
    assessment,
    eventually,
    make_settings,
    ok,
    running,
    token,
)

Services = dict[str, RunningService]


@pytest.fixture
def settings(tmp_path: Path, nats_server: NatsServer) -> Settings:
    return make_settings(tmp_path / "var", nats_server.url, default_competent_authority="dirk")


@asynccontextmanager
async def organisation(settings: Settings) -> AsyncIterator[Services]:
    """The services, and a directory: dirk the default competent authority, who reports
    to sara the secretary; mara the mayor; two meldpunt officers."""
    async with AsyncExitStack() as stack:
        s = {name: await stack.enter_async_context(running(name, settings))
             for name in ("console", "intake", "triage", "investigation")}
        console = s["console"].application
        add(console, "sara", "competent_authority", function="secretary")
        add(console, "dirk", "competent_authority", "manager", reports_to="sara")
        add(console, "mara", "competent_authority", function="mayor")
        add(console, "mia", "meldpunt")
        add(console, "max", "meldpunt")
        add(console, "ivan", "investigator")
        await eventually(lambda: all(
            s[name].application.directory.find("ivan") is not None
            for name in ("triage", "investigation")))
        yield s


async def test_a_melding_about_the_default_authority_goes_past_them(settings: Settings) -> None:
    async with organisation(settings) as s:
        triage, cases = s["triage"].client, s["investigation"].client
        mia = token(settings, "meldpunt", "mia")
        dirk, sara = (token(settings, "competent_authority", sub) for sub in ("dirk", "sara"))
        # The reporter says it is about an employee; that is dirk, the default.
        melding_id = await filed_as(s, settings, concerns="employee")
        url = f"/api/meldingen/{melding_id}"
        assert (await ok(triage.get(url, headers=mia)))["concerns"] == "employee"

        # An unknown sub is refused, naming it, and changes nothing.
        refused = await triage.post(f"{url}/assessment", headers=mia,
                                    json=assessment(concerned_staff=["nobody"]))
        assert refused.status_code == 422 and "nobody" in refused.text
        assert (await ok(triage.get(url, headers=mia)))["status"] == "received"

        melding = await ok(triage.post(f"{url}/assessment", headers=mia,
                                       json=assessment(concerned_staff=["Dirk"])))
        assert melding["concerned_staff"] == ["dirk"]
        assert melding["competent_authority"] == {
            "sub": "sara", "rule": "employee: default, one step up",
            "source": "the organisation's default competent authority", "flagged": None}

        # What leaves triage names the parties, for whoever tells sara it waits for her.
        app = s["triage"].application
        sent = [app.integration_event(app.mapper.to_domain_event(n))
                for n in all_notifications(app.recorder)]
        [assessed] = [e for e in sent if isinstance(e, MeldingAssessed)]
        assert (assessed.competent_authority, assessed.excluded) == ("sara", ["dirk"])

        # dirk sees it nowhere: 404 as for a melding that does not exist, an empty queue.
        assert (await triage.get(url, headers=dirk)).status_code == 404
        assert (await ok(triage.get("/api/meldingen", headers=dirk)))["total"] == 0
        assert (await triage.post(f"{url}/decision", headers=dirk, json={
            "outcome": ["no_action"], "motivation": "Niets aan de hand."})).status_code == 404
        # sara has it in her queue and decides.
        assert [i["id"] for i in (await ok(triage.get("/api/meldingen", headers=sara)))[
            "items"]] == [melding_id]
        await ok(triage.post(f"{url}/decision", headers=sara,
                             json={"outcome": ["investigation"], "motivation": "Onderzoek."}))

        # In investigation too: sara acts on the case, dirk does not see it.
        async def opened() -> bool:
            return (await cases.get(f"/api/cases/{melding_id}", headers=sara)).is_success

        await eventually(opened)
        assert (await cases.get(f"/api/cases/{melding_id}", headers=dirk)).status_code == 404
        assert (await ok(cases.get("/api/cases", headers=dirk)))["total"] == 0
        # Investigators come from the directory: a typo is refused, naming it.
        typo = await cases.post(f"/api/cases/{melding_id}/investigators", headers=sara,
                                json={"investigators": ["ivna"]})
        assert typo.status_code == 422 and "ivna" in typo.text
        # ... and so is someone without the role.
        refused = await cases.post(f"/api/cases/{melding_id}/investigators", headers=sara,
                                   json={"investigators": ["dirk"]})
        assert refused.status_code == 422, refused.text
        # Login names are compared normalised: this is ivan, as the directory spells him.
        case = await ok(cases.post(f"/api/cases/{melding_id}/investigators", headers=sara,
                                   json={"investigators": ["IVAN\u200b"]}))
        assert case["investigators"] == ["ivan"]


async def filed_as(s: Services, settings: Settings, **changes: Any) -> str:
    melding = await ok(s["intake"].client.post("/api/meldingen", json={**MELDING, **changes}),
                       201)
    mia = token(settings, "meldpunt", "mia")

    async def arrived() -> bool:
        return (await s["triage"].client.get(f"/api/meldingen/{melding['id']}",
                                             headers=mia)).is_success

    await eventually(arrived)
    return str(melding["id"])


async def test_a_concerned_meldpunt_officer_leaves_the_assessment_to_another(
    settings: Settings,
) -> None:
    async with organisation(settings) as s:
        triage = s["triage"].client
        mia, max_ = (token(settings, "meldpunt", sub) for sub in ("mia", "max"))
        melding_id = await filed_as(s, settings, concerns="meldpunt")
        url = f"/api/meldingen/{melding_id}"
        # max cannot name himself and assess it anyway.
        refused = await triage.post(f"{url}/assessment", headers=max_,
                                    json=assessment(concerned_staff=["max"]))
        assert refused.status_code == 409, refused.text
        # mia assesses, naming max: from now on it is not his to see.
        await ok(triage.post(f"{url}/assessment", headers=mia,
                             json=assessment(concerned_staff=["max"])))
        assert (await triage.get(url, headers=max_)).status_code == 404
        assert melding_id not in [i["id"] for i in (await ok(triage.get(
            "/api/meldingen", headers=max_)))["items"]]
        assert (await triage.post(f"{url}/messages", headers=max_,
                                  json={"body": "Hallo."})).status_code == 404


async def test_the_meldpunt_assigns_a_flagged_melding_and_reassigns_with_a_motivation(
    settings: Settings,
) -> None:
    async with organisation(settings) as s:
        triage = s["triage"].client
        mia = token(settings, "meldpunt", "mia")
        mara, sara = (token(settings, "competent_authority", sub) for sub in ("mara", "sara"))
        # About the mayor: outside the organisation, so flagged for the meldpunt.
        melding_id = await filed_as(s, settings)
        url = f"/api/meldingen/{melding_id}"
        melding = await ok(triage.post(f"{url}/assessment", headers=mia, json=assessment(
            concerns="mayor", concerned_staff=["mara"])))
        authority = melding["competent_authority"]
        assert authority["sub"] is None and "Commissaris van de Koning" in authority["flagged"]
        assert (await triage.get(url, headers=mara)).status_code == 404

        # Not to the person concerned, nor to an unknown one; to sara, motivated.
        for sub in ("mara", "nobody"):
            refused = await triage.post(f"{url}/competent-authority", headers=mia, json={
                "competent_authority": sub, "motivation": "Waarnemend."})
            assert refused.status_code == 422, refused.text
        melding = await ok(triage.post(f"{url}/competent-authority", headers=mia, json={
            "competent_authority": "sara", "motivation": "Afgesproken met de CdK."}))
        assert melding["competent_authority"]["sub"] == "sara"
        assert melding["history"][-1] == {
            "what": "competent authority reassigned to sara", "who": "mia",
            "at": melding["history"][-1]["at"], "motivation": "Afgesproken met de CdK."}
        assert (await triage.get(url, headers=sara)).is_success


async def test_a_melding_assessed_before_routing_has_the_default_authority(
    tmp_path: Path, nats_server: NatsServer,
) -> None:
    settings = make_settings(tmp_path / "var", nats_server.url,
                             default_competent_authority="dora")
    async with running("triage", settings) as triage:
        app = triage.application
        now = datetime.now(UTC)
        received = MeldingReceived(
            melding_id=str(uuid4()), kind="wrongdoing", theme="gifts", channel="web",
            description="Van voor de routering.", involved=[], occurred=None, anonymous=True,
            identity=None, received_at=now, acknowledged_at=now)
        app.process_event(received, Tracking("test", 1))
        # The assessment as it was stored before routing existed: no routing event.
        report = app.repository.get(UUID(received.melding_id))
        report._assessed(admissible=True, reasonable_grounds=True, code_violation=True,
                         severity="low", theme="gifts", advice="no_action", motivation="m",
                         by="mia", at=now, feedback="", official_crime=False)
        app.save(report)

        dora = token(settings, "competent_authority", "dora")
        melding = await ok(triage.client.get(f"/api/meldingen/{received.melding_id}",
                                             headers=dora))
        assert melding["concerns"] == "unknown"
        assert melding["competent_authority"]["sub"] == "dora"
        assert melding["competent_authority"]["rule"] == "assessed before routing: default"
        queue = await ok(triage.client.get("/api/meldingen", headers=dora))
        assert [i["id"] for i in queue["items"]] == [received.melding_id]
        await ok(triage.client.post(f"/api/meldingen/{received.melding_id}/decision",
                                    headers=dora,
                                    json={"outcome": ["no_action"], "motivation": "Niets."}))
