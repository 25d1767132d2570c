"""What the console's routes and pages read: the container `bootstrap.py` builds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

from services.console.adapters.oidc import OidcClient
from services.console.adapters.services import Services
from services.console.adapters.sessions import SessionStore
from services.console.adapters.signing import TokenSigner
from services.console.application import ConsoleApplication, Enrolment, SignIn
from services.console.notifications.adapters.transports import FileTransport
from services.console.notifications.application import Notifier
from services.console.notifications.postman import Postman
from shared.config import Settings
from shared.runtime import MessagingRuntime
from shared.service import parts_of
from shared.viewstore import Flusher

if TYPE_CHECKING:  # the pages' module reads this container in turn
    from services.console.web.browser import CookiePolicy


@dataclass(frozen=True)
class ConsoleParts:
    application: ConsoleApplication
    runtime: MessagingRuntime
    settings: Settings
    signer: TokenSigner
    sessions: SessionStore
    signin: SignIn
    enrolment: Enrolment
    oidc: OidcClient | None
    cookie_policy: CookiePolicy
    services: Services
    notifier: Notifier
    postman: Postman
    #: The development run's mail file (no SMTP settings), which the console shows.
    mail_file: FileTransport | None
    flusher: Flusher


def parts(request: Request) -> ConsoleParts:
    """The console's pages read their parts per request, beside the session cookie."""
    return parts_of(request.app, ConsoleParts)
