"""TLS to NATS, as deploy/ runs it: a server that requires TLS, a client that checks
the server's certificate against the configured CA (MELDINGEN_NATS_CA_FILE)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from shared import natsserver
from shared.config import Settings
from shared.messaging.credentials import development_authorization
from shared.messaging.nats import connect
from shared.messaging.permissions import ADMIN
from tests.support import make_certificates


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Settings, Path]]:
    make_certificates(tmp_path, ["localhost"])
    settings = Settings(var_dir=tmp_path / "var")
    port = natsserver.free_port()
    tls = (f'tls {{ cert_file: "{tmp_path}/localhost.crt", '
           f'key_file: "{tmp_path}/localhost.key", timeout: 2 }}\n')
    process = natsserver.start(port, tmp_path / "nats",
                               authorization=development_authorization(settings) + tls)
    try:
        yield settings.model_copy(update={"nats_url": f"tls://localhost:{port}",
                                          "nats_ca_file": tmp_path / "ca.crt"}), tmp_path
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_service_connects_over_tls_checking_the_servers_certificate(
    tls_server: tuple[Settings, Path],
) -> None:
    settings, _ = tls_server
    nc = await asyncio.wait_for(connect(settings, "test", user=ADMIN), timeout=10)
    try:
        assert nc.is_connected
        assert nc.connected_url is not None and nc.connected_url.scheme == "tls"
    finally:
        await nc.close()


async def test_a_client_without_tls_or_trusting_another_ca_is_refused(
    tls_server: tuple[Settings, Path], tmp_path: Path,
) -> None:
    settings, _ = tls_server
    seed = settings.nats_seed_of(ADMIN)
    plain = settings.nats_url.replace("tls://", "nats://")
    with pytest.raises(Exception):  # noqa: B017 - nats-py says it in several ways
        await nats.connect(plain, nkeys_seed_str=seed, allow_reconnect=False,
                           connect_timeout=2)
    other = tmp_path / "other"
    other.mkdir()
    make_certificates(other, [])
    stranger = settings.model_copy(update={"nats_ca_file": other / "ca.crt"})
    with pytest.raises(TimeoutError):  # connect retries; the handshake never succeeds
        await asyncio.wait_for(connect(stranger, "test", user=ADMIN), timeout=3)
