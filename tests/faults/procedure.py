"""The procedure beside the stream of meldingen: the meldpunt assesses every third
accepted melding and the competent authority decides on an investigation, so that
triage publishes and investigation opens cases while a fault strikes.

Each step is retried until it is answered: 404 while triage has not yet received
the melding, no answer while a process is down. A 409 after a lost answer means the
step was taken before; it counts as done.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx

from shared.auth import issue_token
from shared.config import Settings
from tests.faults.load import Load
from tests.support import assessment

ASSESSMENT = assessment()
DECISION: dict[str, object] = {"outcome": ["investigation"],
                               "motivation": "Onderzoek volgens het protocol."}


@dataclass
class Procedure:
    triage_url: str
    settings: Settings
    load: Load
    every: int = 3
    deadline_seconds: float = 240
    decided: list[str] = field(default_factory=list)
    retries: int = 0

    def __post_init__(self) -> None:
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, daemon=True)
        self._headers = {role: {"Authorization": "Bearer " + issue_token(
            self.settings, sub=f"fault-{role}", role=role)}
            for role in ("meldpunt", "competent_authority")}

    def start(self) -> Procedure:
        self._thread.start()
        return self

    def _work(self) -> None:
        try:
            self._walk()
        except BaseException as exc:  # noqa: BLE001 - raised again in finish()
            self.error = exc

    def _walk(self) -> None:
        deadline = time.monotonic() + self.deadline_seconds
        taken = 0
        with httpx.Client(base_url=self.triage_url, timeout=15) as client:
            while time.monotonic() < deadline:
                if taken >= len(self.load.accepted):
                    if self._stop.is_set():
                        return  # every melding accepted so far is handled
                    time.sleep(0.05)
                    continue
                melding_id = self.load.accepted[taken]
                taken += 1
                if taken % self.every:
                    continue
                for step, body, role in (("assessment", ASSESSMENT, "meldpunt"),
                                         ("decision", DECISION, "competent_authority")):
                    self._until_answered(client, f"/api/meldingen/{melding_id}/{step}",
                                         body, role, deadline)
                self.decided.append(melding_id)

    def _until_answered(self, client: httpx.Client, path: str, body: dict[str, object],
                        role: str, deadline: float) -> None:
        lost_answer = False
        while time.monotonic() < deadline:
            try:
                response = client.post(path, json=body, headers=self._headers[role])
            except httpx.HTTPError:
                lost_answer = True
                self.retries += 1
                time.sleep(0.1)
                continue
            if response.status_code == 200 or (response.status_code == 409 and lost_answer):
                return
            if response.status_code in (404, 503):
                self.retries += 1
                time.sleep(0.1)
                continue
            raise AssertionError(f"{path}: {response.status_code} {response.text}")
        raise AssertionError(f"{path}: not answered before the deadline")

    def finish(self) -> None:
        """Handle what is accepted by now, then stop."""
        self._stop.set()
        self._thread.join(self.deadline_seconds)
        assert not self._thread.is_alive(), "the procedure did not finish"
        if self.error is not None:
            raise self.error
