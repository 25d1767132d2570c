"""The checkpoints as an aggregate in reporting's real store: saved with `save()`,
numbered, snapshotted every 100, and read back whole after a restart."""

from __future__ import annotations

from services.reporting.adapters.signing import CheckpointSigner
from services.reporting.bootstrap import build_application
from services.reporting.domain.checkpoint import CHECKPOINTS_ID
from shared.config import Settings


def test_checkpoints_survive_snapshots_and_a_restart(sqlite_settings: Settings) -> None:
    signer = CheckpointSigner(sqlite_settings)
    app = build_application(sqlite_settings)
    try:
        for number in range(1, 206):
            heads = [{"chain": "store:intake", "events": number, "head": "ab" * 32,
                      "position": number, "ids": [[number, number]]}]
            signed = app.sign_checkpoint(heads, [], f"2026-01-01T00:00:{number % 60:02}Z",
                                         signer)
            assert signed.number == number
    finally:
        app.close()

    again = build_application(sqlite_settings)
    try:
        latest = again.latest_checkpoint()
        assert latest is not None and latest.number == 205
        assert latest.heads[0]["ids"] == [[205, 205]]
        assert again.sign_checkpoint([], [], "2026-01-01T00:05:00Z", signer).number == 206
        # The one aggregate's snapshot, not 206 events, is what a restart reads.
        assert again.snapshots is not None
        assert [s.originator_version for s in again.snapshots.get(CHECKPOINTS_ID)] == [
            100, 200]
    finally:
        again.close()
