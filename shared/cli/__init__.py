"""The `meldingen` command: one CLI for running, tokens, the adviser and the audit."""

from __future__ import annotations

import importlib
import importlib.util
import os

import typer

from shared.cli import bench, nats, tokens
from shared.cli import run as run_commands
from shared.config import SERVICES, ConfigurationError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="meldingen: handling reports of suspected integrity violations.")
run_commands.register(app)
tokens.register(app)
bench.register(app)
nats.register(app)


def _register_service_commands() -> None:
    """A service's own commands live in `services/<name>/cli.py` (`register(app)`),
    found by name as `serve` finds each bootstrap, so shared/ imports no service."""
    for service in SERVICES:
        name = f"services.{service}.cli"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(app)


_register_service_commands()


# Whatever a command creates (SQLite files and their WAL, logs, the NATS store of the
# nats-server it starts, secrets) is the owner's alone: files 0600, folders 0700.
PRIVATE_UMASK = 0o077


def main() -> None:
    os.umask(PRIVATE_UMASK)
    try:
        app()
    except ConfigurationError as exc:
        # A configuration that cannot work: say what to set, without a traceback.
        typer.echo(f"meldingen: {exc}", err=True)
        raise SystemExit(2) from None
