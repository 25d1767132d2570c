"""`meldingen retention run`: shred now every melding whose retention term has passed
and that no legal hold keeps, as triage's own check does every hour. Registered by the
`meldingen` command (`shared.cli`). `meldingen retention migrate` brings meldingen
filed before per-melding keys under keys (`shared.legacy`).

It asks the running triage service (`POST /api/retention/run`) rather than writing to
the stores itself: triage alone decides (it knows the closing and, from investigation,
a case's path and measures), there is one writer of its store, and what it records
leaves through its outbox to the other services as any event does. Without the service
nothing is shredded, and the command says so.

Both then take a shredded melding's keys sealed to a fixed pair off the stream
(`shared.fixedpair_stream`) as the NATS administrator, as the migration takes content
in the clear off: that needs each sealing source's signing key and the right to delete
a message, which no service has. `meldingen retention stream --every S` does only that,
for the meldingen triage's hourly check shredded (`meldingen run` keeps one running)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Annotated

import httpx
import typer

from shared import legacy
from shared.auth import issue_token
from shared.config import Settings, get_settings
from shared.fixedpair_stream import take_off_fixed_boxes
from shared.legacy_stream import migrate_stream
from shared.messaging.signing import signer_for, verifier_for


def register(app: typer.Typer) -> None:
    retention = typer.Typer(no_args_is_help=True, help="Shred what is past its term.")
    app.add_typer(retention, name="retention")

    @retention.command()
    def run(
        url: Annotated[str | None, typer.Option(help="the triage service")] = None,
        token: Annotated[str | None, typer.Option(help="a meldpunt bearer token")] = None,
    ) -> None:
        """Shred every melding due today and not held; print each (id, term, day)."""
        settings = get_settings()
        url = url or f"http://{settings.host}:{settings.triage_port}"
        token = token or issue_token(settings, sub="meldingen-retention", role="meldpunt")
        try:
            response = httpx.post(f"{url}/api/retention/run", timeout=300,
                                  headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            typer.echo(f"triage not reachable ({type(exc).__name__}): nothing shredded",
                       err=True)
            raise typer.Exit(1) from None
        if response.status_code != 200:
            typer.echo(f"triage answered {response.status_code}: nothing shredded", err=True)
            raise typer.Exit(1)
        shredded = response.json()["shredded"]
        for item in shredded:
            typer.echo(f"{item['melding_id']}  {item['term']}  {item['shredded_on']}")
        typer.echo(f"{len(shredded)} shredded")
        _fixed_boxes(settings, [item["melding_id"] for item in shredded])

    @retention.command()
    def migrate() -> None:
        """Bring meldingen filed before per-melding keys under keys, so that shredding
        ends them too (docs/privacy.md); run with the services stopped. Twice changes
        nothing the second time."""
        settings = get_settings()
        for line in legacy.migrate(settings).lines():
            typer.echo(line)
        signers = {service: signer_for(settings, service) for service in legacy.HOLDERS}
        for line in asyncio.run(migrate_stream(settings, signers)).lines():
            typer.echo(line)
        _fixed_boxes(settings)


    @retention.command()
    def stream(
        every: Annotated[float | None, typer.Option(
            help="seconds between runs, for ever (`meldingen run` keeps one so); "
                 "without it, once")] = None,
    ) -> None:
        """Take shredded meldingen's keys sealed to a fixed pair off the stream, as
        `run` does after shredding: for the meldingen triage's own check shredded."""
        settings = get_settings()
        if every is None:
            _fixed_boxes(settings)
            return
        while True:
            with contextlib.suppress(typer.Exit):  # NATS away: said, and the next run
                _fixed_boxes(settings)
            time.sleep(every)


def _fixed_boxes(settings: Settings, just_shredded: list[str] | None = None) -> None:
    """Shredded meldingen's keys sealed to a fixed pair off the stream; one whose
    `melding_shredded` triage's relay has not published within seconds goes at the
    next run."""
    signers = {service: signer_for(settings, service) for service in legacy.HOLDERS}
    try:
        done = asyncio.run(take_off_fixed_boxes(settings, signers, verifier_for(settings),
                                                awaiting=just_shredded or ()))
    except Exception as exc:  # noqa: BLE001 - NATS away: the shredding itself stands
        typer.echo(f"stream: not reachable ({type(exc).__name__}): keys sealed to a "
                   "fixed pair left for the next run", err=True)
        raise typer.Exit(1) from None
    for line in done.lines():
        typer.echo(line)
