"""Signing checkpoints: every `MELDINGEN_CHECKPOINT_INTERVAL_SECONDS` reporting
verifies every chain and, if anything changed, signs their heads as they are.

A misfit does not stop checkpoints (one forged message would otherwise leave every
later event unanchored): the checkpoint names the misfits it was signed over, the
warning comes when they change, and verify keeps naming them, as every earlier
checkpoint still holds the chains.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext

from services.reporting.adapters.checkpoint_log import CheckpointLog
from services.reporting.adapters.signing import CheckpointSigner, CheckpointVerifier
from services.reporting.application import ReportingApplication
from services.reporting.domain.chains import ChainCheck, StoreCheck
from services.reporting.domain.checkpoint import Checkpoint
from services.reporting.verification import walk
from shared.config import Settings

log = logging.getLogger("meldingen.audit")


async def checkpoint(settings: Settings, js: JetStreamContext, signer: CheckpointSigner,
                     verifier: CheckpointVerifier, app: ReportingApplication
                     ) -> dict[str, Any]:
    """Verify, and sign the chains' heads as they are, unless nothing changed; the log
    file, if kept, catches up with every checkpoint."""
    found = await walk(settings, js, verifier)
    report = found.report()
    latest = await asyncio.to_thread(app.latest_checkpoint)
    heads = [_head(chain, latest) for chain in found.chains() if chain.count]
    misfits = report["misfits"]
    if latest is not None and _others(latest.heads) == _others(heads) \
            and latest.misfits == misfits:
        return {"recorded": False, "verification": report}
    if misfits and (latest is None or latest.misfits != misfits):
        log.warning("checkpoint signed over chains that do not fit",
                    extra={"first_bad": report["first_bad"], "misfits": len(misfits)})
    signed = await asyncio.to_thread(app.sign_checkpoint, heads, misfits,
                                     datetime.now(UTC).isoformat(), signer)
    await asyncio.to_thread(CheckpointLog(settings.checkpoint_log_file).catch_up,
                            [*found.checkpoints, signed])
    return {"recorded": True, "number": signed.number, "signed_at": signed.signed_at,
            "verification": report}


def _head(chain: ChainCheck, latest: Checkpoint | None) -> dict[str, Any]:
    head: dict[str, Any] = {"chain": chain.chain, "events": chain.count, "head": chain.head,
                            "position": chain.last_position}
    if isinstance(chain, StoreCheck):
        before = next((int(h["position"]) for h in (latest.heads if latest else [])
                       if h["chain"] == chain.chain), 0)
        head["ids"] = [list(r) for r in chain.ranges_after(before)]
    return head


def _others(heads: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The heads but reporting's own chains, which each checkpoint itself extends."""
    return [(h["chain"], h["events"], h["head"], h["position"]) for h in heads
            if not h["chain"].endswith(":reporting")]
