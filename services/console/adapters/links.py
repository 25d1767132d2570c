"""One-time enrolment links: `/enrol/<member id>.<secret>`. Only the secret's SHA-256
is stored; the link itself is printed once (by `meldingen staff add`) and not kept."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from uuid import UUID

from shared.config import Settings


@dataclass(frozen=True)
class EnrolmentLink:
    member_id: UUID
    secret: str

    @property
    def token(self) -> str:
        return f"{self.member_id.hex}.{self.secret}"

    @property
    def digest(self) -> str:
        return digest_of(self.secret)

    def url(self, base: str) -> str:
        return f"{base.rstrip('/')}/enrol/{self.token}"


def new_link(member_id: UUID) -> EnrolmentLink:
    return EnrolmentLink(member_id, secrets.token_urlsafe(32))


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(token: str) -> EnrolmentLink | None:
    member, _, secret = token.partition(".")
    try:
        return EnrolmentLink(UUID(hex=member), secret) if secret else None
    except ValueError:
        return None


def base_url(settings: Settings) -> str:
    """Where staff reach the console (MELDINGEN_CONSOLE_URL; the embedded run's
    address by default)."""
    return (settings.console_url or f"http://{settings.host}:{settings.console_port}").rstrip("/")
