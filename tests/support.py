"""Helpers for tests that run real parts: nats-server processes, databases, services."""

from __future__ import annotations

import asyncio
import datetime
import importlib
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI
from nats.js import JetStreamContext

from shared import natsserver
from shared.auth import issue_token
from shared.clock import Clock
from shared.config import Settings
from shared.contracts import MeldingReceived
from shared.directory import StaffEntry
from shared.messaging.credentials import development_authorization
from shared.messaging.envelope import Envelope
from shared.messaging.nats import open_stream, setup_stream
from shared.messaging.permissions import ADMIN
from shared.messaging.signing import HEADER, signer_for

T = TypeVar("T")
POSTGRES_URL = os.environ.get(
    "MELDINGEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose real part is missing here; under CI=true fail, as CI must run it."""
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@dataclass
class NatsServer:
    """A real nats-server from the venv, on a free port, storing in a temp dir, with
    the users and permissions of the embedded run (their seeds under `var_dir`, by
    default beside the store, where the `settings` fixture keeps its var dir), and
    the stream set up by `admin`."""

    store_dir: Path
    port: int = field(default_factory=natsserver.free_port)
    extra: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    var_dir: Path | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def settings(self) -> Settings:
        return Settings(var_dir=self.var_dir or self.store_dir.parent / "var", nats_url=self.url)

    def start(self) -> None:
        settings = self.settings
        self.process = natsserver.start(self.port, self.store_dir, extra=self.extra,
                                        log_file=self.store_dir / "nats.log",
                                        authorization=development_authorization(settings))
        in_thread(setup_stream(settings))

    def grant(self, var_dir: Path) -> None:
        """Give settings with another var dir this server's users' credentials."""
        secrets = var_dir / "secrets"
        secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
        for seed in (self.settings.var_dir / "secrets").glob("nats_*.nk"):
            (secrets / seed.name).write_text(seed.read_text())
            (secrets / seed.name).chmod(0o600)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def postgres_reachable() -> bool:
    address = urlsplit(POSTGRES_URL)
    try:
        with socket.create_connection((address.hostname or "127.0.0.1", address.port or 5432),
                                      timeout=0.5):
            pass
    except OSError:
        return False
    try:
        engine = sqlalchemy.create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
    except sqlalchemy.exc.SQLAlchemyError:
        return False
    return True


def create_postgres_database() -> str:
    """A fresh database for one test; returns its URL."""
    name = f"meldingen_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


#: The organisation's default competent authority in the tests: whom `token` signs
#: for unless told otherwise, so a competent authority's token acts on the meldingen
#: routing gives the default.
DEFAULT_AUTHORITY = "tester"


def make_settings(var_dir: Path, nats_url: str, database_url: str | None = None,
                  **overrides: Any) -> Settings:
    overrides.setdefault("default_competent_authority", DEFAULT_AUTHORITY)
    return Settings(var_dir=var_dir, nats_url=nats_url, database_url=database_url,
                    **overrides)


def token(settings: Settings, role: str, sub: str = DEFAULT_AUTHORITY) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, sub=sub, role=role)}"}


@dataclass
class RunningService:
    name: str
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def application(self) -> Any:
        return self.app.state.parts.application


def listed(service: RunningService, sub: str, *roles: str, name: str | None = None,
           function: str | None = None, reports_to: str | None = None) -> None:
    """Lists a staff member in a service's own view of the directory, as the console's
    `staff_member_added` would (for tests about something else than the console)."""
    if service.application.directory.find(sub) is not None:
        return
    service.application.save(StaffEntry(
        sub=sub, name=name or sub.title(), email=f"{sub}@example.org", roles=list(roles),
        function=function, reports_to=reports_to))


@asynccontextmanager
async def running(
    service: str, settings: Settings, clock: Clock | None = None, **wiring: Any
) -> AsyncIterator[RunningService]:
    """One service in this process: its HTTP API (through ASGI), relay and inbox.
    `wiring`: more of its `create_app`'s arguments (the console's `transports`)."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    app: FastAPI = bootstrap.create_app(settings, clock=clock, **wiring)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                               base_url=f"http://{service}.test")
    async with app.router.lifespan_context(app), client:
        yield RunningService(service, app, client)


async def eventually(
    check: Callable[[], Awaitable[bool]] | Callable[[], bool],
    timeout: float = 10.0,
    interval: float = 0.05,
) -> None:
    """Wait until `check` holds (retrying, never a fixed sleep); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def ok(response: httpx.Response | Awaitable[httpx.Response],
             status: int | None = None) -> Any:
    """The JSON of a successful answer (`status`, or any 2xx), awaiting it if need be."""
    if not isinstance(response, httpx.Response):
        response = await response
    succeeded = response.status_code == status if status else response.is_success
    assert succeeded, (response.status_code, response.text)
    return response.json()


def assessment(**changes: Any) -> dict[str, Any]:
    """The meldpunt's assessment request: admissible, advising an investigation."""
    return {"admissible": True, "reasonable_grounds": True, "code_violation": True,
            "severity": "medium", "theme": "gifts", "advice": "investigation",
            "motivation": "Voldoende aanwijzingen voor een onderzoek.", **changes}


MELDING: dict[str, Any] = {
    "kind": "integrity_violation",
    "theme": "gifts",
    "description": "Een leverancier gaf de afdelingshoofd een fiets.",
    "anonymous": False,
    "identity": {"name": "Jan Jansen", "email": "jan@example.org"},
    "involved": ["afdelingshoofd inkoop"],
}


@dataclass
class FiledInTriage:
    """One melding filed at intake and arrived in triage, and the staff around it."""
    intake: RunningService
    triage: RunningService
    filed: dict[str, Any]  # intake's answer: the id and the receipt
    path: str  # the melding in triage's API
    meldpunt: dict[str, str]  # mia
    authority: dict[str, str]  # the competent authority routing gives it
    other: dict[str, str]  # carla, another competent authority


@asynccontextmanager
async def filed_in_triage(settings: Settings) -> AsyncIterator[FiledInTriage]:
    """Intake and triage running, `MELDING` filed, and triage's answering it."""
    meldpunt = token(settings, "meldpunt", "mia")
    async with running("intake", settings) as intake, running("triage", settings) as triage:
        filed = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
        path = f"/api/meldingen/{filed['id']}"

        async def arrived() -> bool:
            return (await triage.client.get(path, headers=meldpunt)).status_code == 200

        await eventually(arrived)
        yield FiledInTriage(intake, triage, filed, path, meldpunt,
                            token(settings, "competent_authority", DEFAULT_AUTHORITY),
                            token(settings, "competent_authority", "carla"))


def in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from sync code, even under a running event loop."""
    result: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


@asynccontextmanager
async def jetstream(settings: Settings, user: str = ADMIN) -> AsyncIterator[JetStreamContext]:
    """A JetStream context on the settings' NATS as `user` (the operator by default),
    once the stream is there."""
    nc, js = await open_stream(settings, "test", user=user)
    try:
        yield js
    finally:
        await nc.close()


def signed(settings: Settings, envelope: Envelope,
           message_id: str | None = None) -> dict[str, str]:
    """The headers its source's relay would publish `envelope` with."""
    payload = envelope.encode()
    return {"Nats-Msg-Id": message_id or envelope.message_id,
            HEADER: signer_for(settings, envelope.source).sign(payload)}


def make_certificates(directory: Path, hosts: Sequence[str], ca_name: str = "ca") -> None:
    """A CA (`<ca_name>.crt`) and a certificate and key per host (`<host>.crt`,
    `<host>.key`, the host as DNS name), as an organisation's PKI would hand them out."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "meldingen test CA")])

    def certificate(subject: str, key: ec.EllipticCurvePrivateKey, ca: bool) -> bytes:
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(issuer).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
        return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)

    (directory / f"{ca_name}.crt").write_bytes(certificate("meldingen test CA", ca_key, True))
    for host in hosts:
        key = ec.generate_private_key(ec.SECP256R1())
        (directory / f"{host}.crt").write_bytes(certificate(host, key, False))
        (directory / f"{host}.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))


def fresh_melding() -> MeldingReceived:
    """An anonymous melding received now, with an id of its own."""
    now = datetime.datetime.now(datetime.UTC)
    return MeldingReceived(
        melding_id=str(uuid.uuid4()), kind="wrongdoing", theme="resources", channel="web",
        description="Dienstauto's worden privé gebruikt.", involved=[], occurred=None,
        anonymous=True, identity=None, received_at=now, acknowledged_at=now)


@dataclass(frozen=True)
class Replayed:
    """An auditor's replay, read before its scratch tables went: every year's figures."""

    digest: str
    counted: int
    last: int
    events: int
    years: dict[int, dict[str, Any]]


async def replayed(js: JetStreamContext, settings: Settings, *, upto: int | None = None,
                   every_signature: bool = False, years: Sequence[int] = ()) -> Replayed:
    """The stream replayed as `meldingen audit replay` does (scratch tables, the
    signatures proved with `settings`' keys); the figures of `years`, or of every
    year counted."""
    from services.reporting.adapters.replay import count
    from services.reporting.adapters.scratch_figures import ScratchFigures
    from shared.messaging.signing import verifier_for

    with ScratchFigures(settings.var_dir) as scratch:
        counted, last = await count(js, settings.stream, verifier_for(settings), scratch,
                                    upto, every_signature=every_signature)
        counts = scratch.finish(0)
        read = years or sorted({year for year, _, _ in counts.cells})
        return Replayed(scratch.figures.snapshot()[2], counted, last, counts.events,
                        {year: scratch.figures.figures(year) for year in read})
