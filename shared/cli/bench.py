"""`meldingen bench [scenario...]`: the benchmarks in bench/ (a checkout's tool, not
part of the installed services), run as `python -m bench` from the repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

REPO = Path(__file__).resolve().parents[2]


def register(app: typer.Typer) -> None:
    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def bench(
        ctx: typer.Context,
        scenarios: Annotated[list[str] | None, typer.Argument(
            help="intake, propagation, queue, mailbox, replay (default: all)")] = None,
    ) -> None:
        """Measure speed, latency and memory beside the raw limits; see docs/performance.md."""
        if not (REPO / "bench" / "__main__.py").exists():
            raise typer.BadParameter("bench/ is not in this installation; run from a checkout")
        args = [*(scenarios or []), *ctx.args]
        raise typer.Exit(subprocess.call([sys.executable, "-m", "bench", *args], cwd=REPO))
