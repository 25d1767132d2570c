"""`meldingen bench [scenario...] [--db ...] [--quick]`: the benchmarks in bench/ (a
checkout's tool, not part of the installed services), run as `python -m bench` from
the repository; every argument is passed on as given."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

REPO = Path(__file__).resolve().parents[2]


def register(app: typer.Typer) -> None:
    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
                 add_help_option=False)
    def bench(ctx: typer.Context) -> None:
        """Measure speed, latency and memory beside the raw limits (`meldingen bench
        --help` for the scenarios and options; see docs/performance.md)."""
        if not (REPO / "bench" / "__main__.py").exists():
            raise typer.BadParameter("bench/ is not in this installation; run from a checkout")
        raise typer.Exit(subprocess.call([sys.executable, "-m", "bench", *ctx.args], cwd=REPO))
