"""The optional third copy of the checkpoints: one JSON line each in a file that only
grows (`MELDINGEN_CHECKPOINT_LOG_FILE`; make it append-only with `chattr +a`, or put
it on a WORM mount), so neither store nor stream administrator holds every copy."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from services.reporting.domain.chains import Break
from services.reporting.domain.checkpoint import Checkpoint


class CheckpointLog:
    def __init__(self, path: Path | None) -> None:
        self.path = path

    def read(self, breaks: list[Break]) -> dict[int, Checkpoint]:
        """Per number, the logged checkpoints; a line that cannot be read is a break."""
        if self.path is None or not self.path.exists():
            return {}
        logged: dict[int, Checkpoint] = {}
        with self.path.open("rb") as lines:
            for line_number, line in enumerate(lines, start=1):
                try:
                    checkpoint = Checkpoint(**orjson.loads(line))
                except (ValueError, TypeError):
                    breaks.append(Break("checkpoint", line_number, f"line {line_number} "
                                        "of the checkpoint log cannot be read"))
                    continue
                logged.setdefault(checkpoint.number, checkpoint)
        return logged

    def catch_up(self, checkpoints: list[Checkpoint]) -> None:
        """Append those after the last logged one (a crash may have left one out)."""
        if self.path is None:
            return
        last = max(self.read([]), default=0)
        lines = b"".join(orjson.dumps(c.as_dict()) + b"\n"
                         for c in sorted(checkpoints, key=lambda c: c.number)
                         if c.number > last)
        if not lines:
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, lines)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
