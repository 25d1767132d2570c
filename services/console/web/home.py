"""The signed-in pages: home (a section per role, and what waits for the person), the
account, and for an administrator the staff directory."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import EmailStr, TypeAdapter, ValidationError

from services.console.adapters.links import base_url, new_link
from services.console.api.deps import parts
from services.console.application import NewStaffMember
from services.console.domain.staff import StaffMember
from services.console.notifications.web import home_summary
from services.console.web import browser
from services.console.web.access import SignedIn, console, signed_in
from services.console.web.home_waiting import waiting_for
from services.console.web.rendering import first, page_offset, posted_fields, render
from shared.errors import Conflict, DomainError, InvalidInput
from shared.roles import STAFF_ROLES

router = APIRouter(include_in_schema=False)
STAFF_PAGE = 50
_email = TypeAdapter(EmailStr)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    person = signed_in(request)
    if isinstance(person, Response):
        return person
    return render(request, person.session, "home.html", switch="/", member=person.member,
                  notifications=home_summary(request, person.member, person.session.lang),
                  waiting=await waiting_for(request, person))


@router.get("/account", response_class=HTMLResponse)
def account(request: Request) -> Response:
    person = signed_in(request)
    if isinstance(person, Response):
        return person
    return render(request, person.session, "account.html", switch="/account",
                  member=person.member)


def _admin(request: Request) -> SignedIn | Response:
    person = signed_in(request)
    if isinstance(person, Response):
        return person
    if not person.may("staff.manage"):
        return render(request, person.session, "message.html", status_code=403,
                      message="forbidden", member=person.member)
    return person


def _staff_page(request: Request, person: SignedIn, *, status_code: int = 200,
                **context: object) -> Response:
    everyone = console(request).staff()
    offset = page_offset(request, STAFF_PAGE)
    if offset is None:
        status_code, offset = 422, 0
        context["page_error"] = True
    return render(request, person.session, "staff.html", status_code=status_code,
                  switch=f"/staff?page={offset // STAFF_PAGE + 1}", member=person.member,
                  staff=everyone[offset:offset + STAFF_PAGE], total=len(everyone),
                  offset=offset, limit=STAFF_PAGE, all_roles=STAFF_ROLES, **context)


@router.get("/staff", response_class=HTMLResponse)
def staff(request: Request) -> Response:
    person = _admin(request)
    if isinstance(person, Response):
        return person
    return _staff_page(request, person)


@router.post("/staff", response_class=HTMLResponse)
async def add_staff(request: Request) -> Response:
    posted = await posted_fields(request)
    person = _admin(request)
    if isinstance(person, Response):
        return person
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return _staff_page(request, person, status_code=403, failure="form_expired")
    values = {name: first(posted, name).strip()
              for name in ("sub", "name", "email", "function", "reports_to")}
    roles = [r for r in posted.get("roles", []) if r]
    errors = _check(values, roles)
    if errors:
        return _staff_page(request, person, status_code=422, errors=errors, values=values,
                           chosen=roles)
    enrolment = new_link(StaffMember.create_id(values["sub"]))
    try:
        added = console(request).add_staff(
            NewStaffMember(sub=values["sub"], name=values["name"], email=values["email"],
                           roles=roles, function=values["function"] or None,
                           reports_to=values["reports_to"] or None),
            enrolment_digest=enrolment.digest, by=person.member.sub)
    except (InvalidInput, Conflict) as refused:
        field = str(refused.extra.get("field") or _field_of(refused))
        key = "sub_taken" if isinstance(refused, Conflict) else field
        return _staff_page(request, person, status_code=422, errors={field: key},
                           values=values, chosen=roles)
    return _staff_page(request, person, status_code=201, added=added,
                       link=enrolment.url(base_url(parts(request).settings)))


def _field_of(refused: DomainError) -> str:
    errors = refused.extra.get("errors")
    return str(errors[0]["field"]) if isinstance(errors, list) and errors else "sub"


def _check(values: dict[str, str], roles: list[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values["sub"]:
        errors["sub"] = "sub"
    if not values["name"]:
        errors["name"] = "name"
    try:
        _email.validate_python(values["email"])
    except ValidationError:
        errors["email"] = "email"
    if not roles or any(r not in STAFF_ROLES for r in roles):
        errors["roles"] = "roles"
    return errors


@router.post("/staff/{sub}/disable", response_class=HTMLResponse)
async def disable_staff(request: Request, sub: str) -> Response:
    posted = await posted_fields(request)
    person = _admin(request)
    if isinstance(person, Response):
        return person
    if not browser.post_is_ours(request, person.session, first(posted, "csrf")):
        return _staff_page(request, person, status_code=403, failure="form_expired")
    try:
        disabled = console(request).disable(sub, by=person.member.sub)
    except DomainError:
        return _staff_page(request, person, status_code=404)
    browser.sessions(request).end_all_of(disabled.sub)
    return RedirectResponse(f"/staff?disabled={disabled.sub}", 303)
