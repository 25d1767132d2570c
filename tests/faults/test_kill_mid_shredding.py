"""kill -9 in the middle of shredding (docs/privacy.md, "Retention and crypto-shredding"):
no melding stays half shredded. Triage dies after destroying its key and before
recording the shredding; intake and investigation are down when it is published;
triage dies again right after `meldingen retention run` is answered, its event
perhaps not yet relayed.
After the restarts every service has shredded both meldingen, once."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from shared.auth import issue_token
from shared.keystore import KeyStore
from shared.terms import local_date
from tests.faults.harness import Deployment, nats_single, run, stream_counts
from tests.support import MELDING, assessment

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

HOLD = {"motivation": "Rechtszaak C/09/123456 loopt bij de rechtbank"}
LIFT = {"motivation": "De rechtszaak is afgelopen, vonnis onherroepelijk"}


def until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.2)


def answers(client: httpx.Client, method: str, path: str, **kwargs: object) -> int:
    try:
        return client.request(method, path, **kwargs).status_code  # type: ignore[arg-type]
    except httpx.HTTPError:
        return 0


def retention_run(deployment: Deployment) -> subprocess.CompletedProcess[str]:
    """The operator's command, as a process of its own, with the deployment's settings."""
    return subprocess.run([sys.executable, "-m", "shared.cli", "retention", "run"],
                          env=deployment["triage"].env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_kill_9_mid_shredding_finishes_on_restart(tmp_path: Path) -> None:
    deployment = Deployment(tmp_path, nats_single(tmp_path))
    for service in deployment.services.values():
        service.env["MELDINGEN_RETENTION_DAYS"] = "0"
    settings = deployment.settings
    headers = {role: {"Authorization": "Bearer " + issue_token(
        settings, sub=f"fault-{role}", role=role)} for role in ("meldpunt",
                                                                "competent_authority")}
    meldpunt = headers["meldpunt"]
    try:
        deployment.start()
        intake = httpx.Client(base_url=deployment["intake"].url, timeout=15)
        triage = httpx.Client(base_url=deployment["triage"].url, timeout=15)
        filed = [intake.post("/api/meldingen", json=MELDING).json() for _ in range(2)]
        (first, second), receipts = [f["id"] for f in filed], [f["receipt"] for f in filed]
        for melding_id in (first, second):
            until(lambda m=melding_id: answers(triage, "GET", f"/api/meldingen/{m}",
                                               headers=meldpunt) == 200, "in triage")
        assert triage.post(f"/api/meldingen/{second}/legal-hold", headers=meldpunt,
                           json=HOLD).status_code == 201
        for melding_id in (first, second):
            triage.post(f"/api/meldingen/{melding_id}/assessment", headers=meldpunt,
                        json=assessment(advice="no_action")).raise_for_status()
            closed = triage.post(f"/api/meldingen/{melding_id}/decision",
                                 headers=headers["competent_authority"],
                                 json={"outcome": ["no_action"],
                                       "motivation": "Geen aanwijzingen gevonden."})
            assert closed.json()["status"] == "closed", closed.text

        # Triage dies between its two steps: its key is destroyed, nothing recorded.
        deployment["triage"].kill()
        keys = KeyStore.for_service(settings, "triage")
        keys.destroy(first, datetime.now(UTC), "no_follow_up")
        keys.dispose()
        deployment["intake"].kill()
        deployment["investigation"].kill()
        deployment.restart("triage")  # its check at start finishes the first
        until(lambda: answers(triage, "GET", f"/api/meldingen/{first}",
                              headers=meldpunt) == 410, "first shredded in triage")
        assert answers(triage, "GET", f"/api/meldingen/{second}", headers=meldpunt) == 200

        # The hold lifted, `meldingen retention run` shreds the second; triage dies as
        # it answers.
        triage.post(f"/api/meldingen/{second}/legal-hold/lifting", headers=meldpunt,
                    json=LIFT).raise_for_status()
        printed = retention_run(deployment)
        deployment["triage"].kill()
        assert printed.returncode == 0, printed.stderr
        lines = printed.stdout.splitlines()
        assert "1 shredded" in lines  # then what it took off the stream
        assert lines[0].split() == [second, "no_follow_up",
                                    local_date(datetime.now(UTC)).isoformat()]
        for name in ("triage", "intake", "investigation"):
            deployment.restart(name)

        for receipt in receipts:
            until(lambda r=receipt: answers(intake, "POST", "/api/mailbox/login",
                                            json={"receipt": r}) == 401, "receipt dead")
        for name in ("intake", "triage", "investigation"):
            store = KeyStore.for_service(settings, name)
            try:
                until(lambda s=store: all(s.shredding(m) is not None
                                          for m in (first, second)), f"{name}'s keys")
            finally:
                store.dispose()
        assert answers(triage, "GET", f"/api/meldingen/{second}", headers=meldpunt) == 410
        published, _ = run(stream_counts(settings, settings.stream,
                                         "meldingen.triage.melding_shredded"))
        assert published == 2
        deployment["triage"].kill()
        away = retention_run(deployment)
        assert away.returncode == 1 and "nothing shredded" in away.stderr
    finally:
        deployment.stop()
