"""Every service has one shape: the same skeleton, one typed container on its app."""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from shared.config import SERVICES, Settings
from shared.service import parts_of
from tests.support import make_settings

ROOT = Path(__file__).resolve().parents[2]
SKELETON = ("domain/__init__.py", "application.py", "adapters/__init__.py",
            "api/routes.py", "api/schemas.py", "api/deps.py", "bootstrap.py")
#: What a service may have beside the skeleton (docs/architecture.md, "One shape").
OPTIONAL = frozenset({"__init__.py", "__pycache__", "views.py", "web", "cli.py"})
#: A service's own sub-context, of the same layered shape inside (docs/architecture.md).
SUBCONTEXTS = {"console": frozenset({"notifications"}),
               "triage": frozenset({"desk", "protection", "files"}),
               "intake": frozenset({"files"}),
               "investigation": frozenset({"files"})}


@pytest.fixture
def offline_settings(tmp_path: Path) -> Settings:
    # Building an app connects to nothing: that happens in its lifespan.
    return make_settings(tmp_path, "nats://127.0.0.1:1")


def build(service: str, settings: Settings) -> FastAPI:
    app: FastAPI = importlib.import_module(f"services.{service}.bootstrap").create_app(settings)
    return app


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_skeleton(service: str) -> None:
    missing = [part for part in SKELETON if not (ROOT / "services" / service / part).exists()]
    assert missing == []


@pytest.mark.parametrize("service", SERVICES)
def test_nothing_sits_beside_the_skeleton(service: str) -> None:
    allowed = ({part.split("/")[0] for part in SKELETON} | OPTIONAL
               | SUBCONTEXTS.get(service, frozenset()))
    beside = sorted(path.name for path in (ROOT / "services" / service).iterdir()
                    if path.name not in allowed)
    assert beside == []


@pytest.mark.parametrize("service, context", [
    (service, context) for service, contexts in SUBCONTEXTS.items() for context in contexts])
def test_a_subcontext_is_layered_like_a_service(service: str, context: str) -> None:
    root = ROOT / "services" / service / context
    assert (root / "domain").is_dir() and (root / "application.py").is_file()
    assert (root / "adapters").is_dir()


@pytest.mark.parametrize("service", SERVICES)
def test_the_app_holds_one_typed_container_from_its_deps(
    service: str, offline_settings: Settings
) -> None:
    app = build(service, offline_settings)
    try:
        kind: type[Any] = type(app.state.parts)
        assert kind.__module__ == f"services.{service}.api.deps"
        parts = parts_of(app, kind)
        assert parts.application.name == service
        assert parts.runtime.app is parts.application
        with pytest.raises(dataclasses.FrozenInstanceError):
            parts.application = None
        assert dataclasses.is_dataclass(parts)
    finally:
        app.state.parts.application.close()


def test_a_container_of_another_kind_is_refused(offline_settings: Settings) -> None:
    from services.intake.api.deps import IntakeParts

    app = build("triage", offline_settings)
    try:
        with pytest.raises(TypeError, match="TriageParts, not IntakeParts"):
            parts_of(app, IntakeParts)
    finally:
        app.state.parts.application.close()


def test_nothing_in_shared_imports_a_service() -> None:
    importers: list[str] = []
    for path in sorted((ROOT / "shared").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(name == "services" or name.startswith("services.") for name in names):
                importers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert importers == []
