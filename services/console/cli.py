"""`meldingen staff add|list|disable|roles|link`: the staff directory from the command
line, written straight into the console's store (the running console publishes the
changes). Each change is recorded as made by `cli:<the operating-system user>`."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from services.console.adapters.links import base_url, new_link
from services.console.application import ConsoleApplication, NewStaffMember
from services.console.domain.staff import StaffMember
from shared.config import get_settings
from shared.errors import DomainError
from shared.eventstore import store_environment
from shared.roles import KNOWN_FUNCTIONS, STAFF_ROLES


def register(app: typer.Typer) -> None:
    staff = typer.Typer(no_args_is_help=True, help="The staff directory (the console's).")
    staff.command()(add)
    staff.command("list")(list_staff)
    staff.command()(disable)
    staff.command()(roles)
    staff.command()(link)
    app.add_typer(staff, name="staff")


def _by() -> str:
    return f"cli:{getpass.getuser()}"


def _console() -> ConsoleApplication:
    # Not the console's bootstrap: every `meldingen` command (each service's `serve`
    # too) loads this module, and the web application's libraries are not needed here.
    return ConsoleApplication(store_environment(get_settings(), "console"))


def _refused(exc: DomainError) -> typer.Exit:
    typer.echo(f"meldingen staff: {exc.detail}", err=True)
    return typer.Exit(1)


def add(
    sub: Annotated[str, typer.Option(help="the login name")],
    name: Annotated[str, typer.Option(help="the display name")],
    email: Annotated[str, typer.Option(help="the e-mail address")],
    role: Annotated[list[str], typer.Option(help=f"repeat for more: {', '.join(STAFF_ROLES)}")],
    function: Annotated[str | None, typer.Option(
        help=f"{', '.join(KNOWN_FUNCTIONS)}, or free text")] = None,
    reports_to: Annotated[str | None, typer.Option(help="the manager's login name")] = None,
) -> None:
    """Add a staff member; the last line printed is their one-time enrolment link."""
    console = _console()
    enrolment = new_link(StaffMember.create_id(sub))
    try:
        member = console.add_staff(
            NewStaffMember(sub=sub, name=name, email=email, roles=role, function=function,
                           reports_to=reports_to),
            enrolment_digest=enrolment.digest, by=_by())
    except DomainError as exc:
        raise _refused(exc) from None
    typer.echo(f"added {member.sub} ({', '.join(member.roles)}); enrolment link, valid "
               "72 hours, once:")
    typer.echo(enrolment.url(base_url(get_settings())))


def list_staff() -> None:
    """Every staff member: login name, roles, function, manager, state."""
    for m in _console().staff():
        state = "disabled" if m.disabled else ("enrolled" if m.enrolled else "not enrolled")
        typer.echo("\t".join([m.sub, m.name, m.email, ",".join(m.roles), m.function or "-",
                              m.reports_to or "-", state]))


def disable(sub: Annotated[str, typer.Argument(help="the login name")]) -> None:
    """Disable an account: it can no longer sign in, and its sessions end."""
    try:
        _console().disable(sub, by=_by())
    except DomainError as exc:
        raise _refused(exc) from None
    typer.echo(f"disabled {sub}")


def roles(
    sub: Annotated[str, typer.Argument(help="the login name")],
    role: Annotated[list[str], typer.Argument(help=", ".join(STAFF_ROLES))],
) -> None:
    """Set a staff member's roles (all of them: the list replaces the old one)."""
    try:
        member = _console().change_roles(sub, role, by=_by())
    except DomainError as exc:
        raise _refused(exc) from None
    typer.echo(f"{member.sub}: {', '.join(member.roles)}")


def link(sub: Annotated[str, typer.Argument(help="the login name")]) -> None:
    """A new enrolment link (the old one stops working); the person enrols anew."""
    enrolment = new_link(StaffMember.create_id(sub))
    try:
        _console().reissue_enrolment(sub, enrolment_digest=enrolment.digest, by=_by())
    except DomainError as exc:
        raise _refused(exc) from None
    typer.echo(enrolment.url(base_url(get_settings())))
