"""Reporting's part of the messaging runtime: the rebuild before the inbox resumes, the
periodic signed checkpoints (every `MELDINGEN_CHECKPOINT_INTERVAL_SECONDS`, if
anything changed), and the audit calls, all on the runtime's NATS connection.

At start the live figures are read from their tables, which are at the sequence the
inbox tracked (written in its transactions); tables of another layout, or none, are
rebuilt from the stream up to that sequence. Only then does the inbox resume after
it, so every event counts once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext

from services.reporting.adapters import replay as audit
from services.reporting.adapters.checkpoint_log import CheckpointLog
from services.reporting.adapters.scratch_figures import TableCount
from services.reporting.adapters.signing import CheckpointSigner, CheckpointVerifier
from services.reporting.adapters.verification import verify, walk
from services.reporting.application import ReportingApplication
from services.reporting.domain.verification import head_of, others
from shared.config import ConfigurationError, Settings
from shared.errors import Unavailable
from shared.messaging.signing import EventVerifier
from shared.parking import parked_sequences
from shared.runtime import MessagingRuntime

log = logging.getLogger("meldingen.reporting")
audit_log = logging.getLogger("meldingen.audit")


class ReportingCompanion:
    def __init__(self, app: ReportingApplication, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.signer = CheckpointSigner(settings)
        self.runtime: MessagingRuntime | None = None
        if settings.checkpoint_public_key not in (None, self.signer.public_key):
            # Its own checkpoints would then fail its own verify.
            raise ConfigurationError("MELDINGEN_CHECKPOINT_PUBLIC_KEY is not the public key "
                                     "of MELDINGEN_CHECKPOINT_KEY")
        self.verifier = CheckpointVerifier.of(settings)
        self._stopping = asyncio.Event()

    async def prepare(self, runtime: MessagingRuntime) -> None:
        self.runtime = runtime
        stream = self.settings.stream
        tracked = await asyncio.to_thread(self.app.tracked_position, stream)
        counts = await asyncio.to_thread(self.app.live.tables.load, tracked)
        if counts is not None:
            self.app.live.started(counts)
            log.info("figures read", extra={"position": tracked})
            return
        parked = await asyncio.to_thread(self._parked)
        while True:
            try:
                # Counted into the live tables themselves, emptied first, as the
                # auditor's replay counts into its scratch ones.
                tables = await asyncio.to_thread(TableCount, self.app.live)
                counted, _ = await audit.count(self._js(), stream, self._events(), tables,
                                               upto=tracked, parked=parked)
                break
            except Exception as exc:  # noqa: BLE001 - NATS away: try again
                log.warning("rebuild failed, retrying", extra={"error": type(exc).__name__})
                await asyncio.sleep(1.0)
        await asyncio.to_thread(tables.finish, tracked)
        log.info("figures rebuilt", extra={"events": counted, "position": tracked})

    async def run(self) -> None:
        """A signed checkpoint every interval, until stopped."""
        interval = self.settings.checkpoint_interval_seconds
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=interval)
                return
            try:
                await self.checkpoint()
            except Exception as exc:  # noqa: BLE001 - try again at the next interval
                log.warning("checkpoint failed", extra={"error": type(exc).__name__})

    def stop(self) -> None:
        self._stopping.set()

    def _js(self) -> JetStreamContext:
        nc = self.runtime.nc if self.runtime is not None else None
        if nc is None or not nc.is_connected:
            raise Unavailable("The event stream is not reachable.")
        return nc.jetstream()

    async def replay(self) -> dict[str, Any]:
        # Up to the live position, the inbox judged every message: its verdicts hold.
        parked = await asyncio.to_thread(self._parked)
        return await audit.replay(self._js(), self.settings.stream, self._events(),
                                  self.app.live, parked=parked, scratch=self.settings.var_dir)

    def _events(self) -> EventVerifier:
        """The inbox's verifier: the rebuild counts what the inbox applies."""
        if self.runtime is None:
            raise Unavailable("The event stream is not reachable.")
        return self.runtime.verifier

    def _parked(self) -> frozenset[int]:
        return parked_sequences(self.app.recorder, self.app.mapper, self.settings.stream)

    async def verify(self) -> dict[str, Any]:
        return await verify(self.settings, self._js(), self.verifier)

    async def checkpoint(self) -> dict[str, Any]:
        """Verify, and sign the chains' heads as they are, unless nothing changed; the log
        file, if kept, catches up with every checkpoint.

        A misfit does not stop checkpoints (one forged message would otherwise leave
        every later event unanchored): the checkpoint names the misfits it was signed
        over, the warning comes when they change, and verify keeps naming them, as
        every earlier checkpoint still holds the chains."""
        found = await walk(self.settings, self._js(), self.verifier)
        report = found.report()
        latest = await asyncio.to_thread(self.app.latest_checkpoint)
        heads = [head_of(chain, latest) for chain in found.chains() if chain.count]
        misfits = report["misfits"]
        if latest is not None and others(latest.heads) == others(heads) \
                and latest.misfits == misfits:
            return {"recorded": False, "verification": report}
        if misfits and (latest is None or latest.misfits != misfits):
            audit_log.warning("checkpoint signed over chains that do not fit",
                        extra={"first_bad": report["first_bad"], "misfits": len(misfits)})
        signed = await asyncio.to_thread(self.app.sign_checkpoint, heads, misfits,
                                         datetime.now(UTC).isoformat(), self.signer)
        await asyncio.to_thread(CheckpointLog(self.settings.checkpoint_log_file).catch_up,
                                [*found.checkpoints, signed])
        return {"recorded": True, "number": signed.number, "signed_at": signed.signed_at,
                "verification": report}

    async def ready(self) -> bool:
        return self.app.live.ready.is_set()
