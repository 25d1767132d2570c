"""`meldingen token`: a bearer token that the embedded run accepts (development only:
production has no key to sign one with, and refuses)."""

from __future__ import annotations

from typing import Annotated

import typer

from shared.auth import STAFF_ROLES, issue_token
from shared.config import get_settings


def register(app: typer.Typer) -> None:
    @app.command()
    def token(
        role: Annotated[str, typer.Option(help=f"one of: {', '.join(STAFF_ROLES)}")],
        sub: Annotated[str, typer.Option(help="who the token is for")],
        ttl: Annotated[int | None, typer.Option(help="lifetime in seconds")] = None,
    ) -> None:
        """Print a bearer token for a staff role."""
        if role not in STAFF_ROLES:
            raise typer.BadParameter(f"unknown role; one of: {', '.join(STAFF_ROLES)}")
        typer.echo(issue_token(get_settings(), sub=sub, role=role, ttl=ttl))
