"""`meldingen nats`: the bus's secrets for a deployment, and the stream's setup."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from shared.config import get_settings


def register(app: typer.Typer) -> None:
    nats = typer.Typer(no_args_is_help=True, help="NATS: users, keys and the stream.")
    app.add_typer(nats, name="nats")

    @nats.command()
    def secrets(directory: Annotated[Path, typer.Argument(help="e.g. deploy/secrets")]) -> None:
        """Make the NATS users' seeds, the servers' authorization block, the
        event-signing keys and the store key that are missing under DIRECTORY."""
        from shared.messaging.deploysecrets import write

        for path in write(directory, get_settings().stream):
            typer.echo(str(path))

    @nats.command()
    def setup() -> None:
        """As the `admin` NATS user: create the stream, or bring it to its shape."""
        from shared.messaging.nats import setup_stream

        settings = get_settings()
        asyncio.run(setup_stream(settings))
        typer.echo(f"stream {settings.stream} ready")
