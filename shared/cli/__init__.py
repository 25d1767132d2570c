"""The `meldingen` command: one CLI for running, tokens, the adviser and the audit."""

from __future__ import annotations

import typer

from shared.cli import adviser, audit, bench, nats, tokens
from shared.cli import run as run_commands
from shared.config import ConfigurationError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="meldingen: handling reports of suspected integrity violations.")
run_commands.register(app)
tokens.register(app)
adviser.register(app)
bench.register(app)
audit.register(app)
nats.register(app)


def main() -> None:
    try:
        app()
    except ConfigurationError as exc:
        # A configuration that cannot work: say what to set, without a traceback.
        typer.echo(f"meldingen: {exc}", err=True)
        raise SystemExit(2) from None
