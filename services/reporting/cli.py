"""`meldingen audit verify` and `meldingen audit replay`: the auditor's own checks,
run from the stream and the stores directly, independent of the reporting service.
Registered by the `meldingen` command (`shared.cli`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import httpx
import typer

from shared.auth import issue_token
from shared.config import Settings, get_settings


def register(app: typer.Typer) -> None:
    audit = typer.Typer(no_args_is_help=True, help="Verify the event log, replay the figures.")
    app.add_typer(audit, name="audit")

    @audit.command()
    def verify() -> None:
        """Check every hash chain against the others and every signed checkpoint."""
        report = _run(_verify(get_settings()))
        typer.echo(json.dumps(report, indent=2))
        raise typer.Exit(0 if report["ok"] else 1)

    @audit.command()
    def replay(
        url: Annotated[str | None, typer.Option(help="the reporting service")] = None,
        token: Annotated[str | None, typer.Option(help="an auditor's bearer token")] = None,
        every_signature: Annotated[bool, typer.Option(
            help="check each message's own signature (exact, several times slower) "
                 "rather than one per run of a source's chained messages")] = False,
    ) -> None:
        """Rebuild every figure from the stream's first message; compare with the live
        figures of the reporting service when it answers."""
        settings = get_settings()
        live = _live(settings, url or f"http://{settings.host}:{settings.reporting_port}",
                     token or issue_token(settings, sub="meldingen-audit", role="auditor"))
        result = _run(_replay(settings, live, every_signature=every_signature))
        typer.echo(json.dumps(result, indent=2))
        raise typer.Exit(1 if result["matches_live"] is False else 0)


def _run(coroutine: Any) -> Any:
    import uvloop  # the faster loop, as uvicorn uses for the service

    return uvloop.run(coroutine)


async def _verify(settings: Settings) -> dict[str, Any]:
    from services.reporting.adapters.signing import CheckpointVerifier
    from services.reporting.adapters.verification import verify
    from shared.messaging.nats import connect
    from shared.messaging.permissions import AUDITOR

    nc = await connect(settings, name="meldingen-audit", user=AUDITOR)
    try:
        return await verify(settings, nc.jetstream(), CheckpointVerifier.of(settings))
    finally:
        await nc.close()


async def _replay(settings: Settings, live: dict[str, Any] | None, *,
                  every_signature: bool = False) -> dict[str, Any]:
    from services.reporting.adapters.replay import on_scratch
    from shared.messaging.nats import connect
    from shared.messaging.permissions import AUDITOR
    from shared.messaging.signing import verifier_for

    nc = await connect(settings, name="meldingen-audit", user=AUDITOR)
    try:
        digest, counted, last = await on_scratch(
            nc.jetstream(), settings.stream, verifier_for(settings),
            upto=live["position"] if live else None, every_signature=every_signature,
            scratch=settings.var_dir)
    finally:
        await nc.close()
    return {"events_replayed": counted, "digest": digest, "position": last,
            "matches_live": digest == live["digest"] if live else None}


def _live(settings: Settings, url: str, token: str) -> dict[str, Any] | None:
    """Where the service's live figures are, or None if it does not answer."""
    try:
        response = httpx.get(f"{url}/api/audit/live", timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError:
        typer.echo("reporting service not reachable: replay only", err=True)
        return None
    if response.status_code != 200:
        typer.echo(f"reporting service answered {response.status_code}: replay only", err=True)
        return None
    return response.json()  # type: ignore[no-any-return]
