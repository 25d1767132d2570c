"""schemathesis against each service's own /openapi.json, called with a valid token of
every staff role and with none: no 5xx, and every answer is one the document lists,
with the documented content type, headers and body schema.

The services run in this process (ASGI) on a SQLite store, with a real nats-server.
Each operation's cases are drawn by hypothesis from schemathesis's strategy (its
pytest plugin does not run under this pytest); failures of all operations are
collected, so one run names every undocumented answer."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
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

from shared.auth import STAFF_ROLES, issue_token
from shared.config import SERVICES
from tests.support import NatsServer, make_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = 20

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = NatsServer(store_dir=tmp_path_factory.mktemp("fuzz-nats"))
    server.start()
    yield server.url
    server.stop()


def _fuzz(operation: schemathesis.APIOperation, callers: dict[str, dict[str, str]]) -> None:
    # Valid input and input that breaks the schema (negative), in one stream of cases.
    cases = st.one_of(operation.as_strategy(),
                      operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def every_caller(case: schemathesis.Case) -> None:
        for headers in callers.values():
            case.call_and_validate(headers=headers, checks=CHECKS)

    every_caller()


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_answers_as_documented_for_every_role(
    service: str, nats_url: str, tmp_path: Path
) -> None:
    config = make_settings(tmp_path / "var", nats_url)
    app = importlib.import_module(f"services.{service}.bootstrap").create_app(config)
    # "generated": no Authorization, or whatever schemathesis made up for it.
    callers = {"generated": {}} | {
        role: {"Authorization": f"Bearer {issue_token(config, sub=f'fuzz-{role}', role=role)}"}
        for role in STAFF_ROLES}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            try:
                _fuzz(operation, callers)
            except Exception as exc:  # noqa: BLE001 - collect, report all at the end
                failures.append(f"{operation.label}: {exc}")
    finally:
        app.state.application.close()
    assert not failures, "\n\n".join(failures)
