"""schemathesis against each service's own /openapi.json, called with a valid token of
every staff role and with none: no 5xx, and every answer is one the document lists,
with the documented content type, headers and body schema.

The services run in this process (ASGI) on a SQLite store, with a real nats-server.
Each operation's cases are drawn by hypothesis from schemathesis's strategy (its
pytest plugin does not run under this pytest); failures of all operations are
collected, so one run names every undocumented answer.

Random ids only ever reach the 404 path, so each service is first given a few real
meldingen or cases (fed in as integration events, as its inbox would), and half of
the cases of an operation on one of them use a real id: assessments, decisions and
investigation steps in whatever order hypothesis picks, each answered as documented."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import schemathesis
from eventsourcing.persistence import Tracking
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.intake.domain.submission import Submission
from shared.auth import STAFF_ROLES, issue_token
from shared.config import SERVICES
from shared.contracts import MeldingDecided, MeldingReceived
from tests.support import NatsServer, make_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = 20

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    server = NatsServer(store_dir=tmp_path_factory.mktemp("fuzz-nats"))
    server.start()
    yield server
    server.stop()


def _seed(service: str, application: Any) -> dict[str, str]:
    """A few real resources, by path parameter: what the routes can find."""
    now = datetime.now(UTC)
    if service == "intake":
        filed = application.file_report(Submission(
            kind="wrongdoing", theme="gifts", description="fuzz", anonymous=True,
            identity={"name": "Fuzz"}))
        return {"melding_id": str(filed.id)}
    melding_id = str(uuid4())
    if service == "triage":
        event: Any = MeldingReceived(
            melding_id=melding_id, kind="wrongdoing", theme="gifts", channel="web",
            description="fuzz", involved=["afdeling"], occurred=None, anonymous=False,
            identity=None, received_at=now, acknowledged_at=now)
    elif service == "investigation":
        event = MeldingDecided(
            melding_id=melding_id, outcome=["investigation"], theme="gifts",
            involved=["afdeling"], assessed_by="fuzz-meldpunt",
            decided_by="fuzz-competent_authority", police_report_on=None, at=now)
    else:
        return {}
    application.process_event(event, Tracking(application.name + ".fuzz", 1))
    return {"melding_id": melding_id, "case_id": melding_id}


def _fuzz(operation: schemathesis.APIOperation, callers: dict[str, dict[str, str]],
          seeded: dict[str, str]) -> None:
    # Valid input and input that breaks the schema (negative), in one stream of cases.
    strategies = [operation.as_strategy(),
                  operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)]
    known = {param.name: seeded[param.name] for param in operation.path_parameters
             if param.name in seeded}
    if known:
        strategies += [operation.as_strategy(path_parameters=known)] * 2
    cases = st.one_of(strategies)

    @given(case=cases)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def every_caller(case: schemathesis.Case) -> None:
        for headers in callers.values():
            case.call_and_validate(headers=headers, checks=CHECKS)

    every_caller()


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_answers_as_documented_for_every_role(
    service: str, nats_server: NatsServer, tmp_path: Path
) -> None:
    nats_server.grant(tmp_path / "var")
    config = make_settings(tmp_path / "var", nats_server.url)
    app = importlib.import_module(f"services.{service}.bootstrap").create_app(config)
    # "generated": no Authorization, or whatever schemathesis made up for it.
    callers = {"generated": {}} | {
        role: {"Authorization": f"Bearer {issue_token(config, sub=f'fuzz-{role}', role=role)}"}
        for role in STAFF_ROLES}
    seeded = _seed(service, app.state.parts.application)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            try:
                _fuzz(operation, callers, seeded)
            except Exception as exc:  # noqa: BLE001 - collect, report all at the end
                failures.append(f"{operation.label}: {exc}")
    finally:
        app.state.parts.application.close()
    assert not failures, "\n\n".join(failures)
