"""Where mails go: an SMTP server (aiosmtplib; `smtps://` is TLS from the start,
`smtp://` upgrades with STARTTLS when the server offers it), or, in the embedded run
without SMTP settings, a file under var/ that the console shows."""

from __future__ import annotations

import asyncio
import json
import os
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiosmtplib

from services.console.notifications.domain.mails import Mail
from shared.config import ConfigurationError, Settings

SMTP_TIMEOUT = 30.0


class Transport(Protocol):
    async def send(self, mail: Mail) -> None:
        """Hand `mail` over, or raise."""


class SmtpTransport:
    def __init__(self, url: str, sender: str, *, user: str | None = None,
                 password: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigurationError(
                "MELDINGEN_SMTP_URL must be smtp://host:port or smtps://host:port")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.sender = sender
        self.user = user
        self.password = password

    async def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = mail.message_id
        message["Date"] = formatdate(localtime=False)
        message.set_content(mail.body)
        await aiosmtplib.send(
            message, hostname=self.host, port=self.port, use_tls=self.tls,
            start_tls=False if self.tls else None, username=self.user,
            password=self.password, timeout=SMTP_TIMEOUT)


class FileTransport:
    """One JSON line per mail, appended: the development run's outgoing mail."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, mail: Mail) -> None:
        await asyncio.to_thread(self._append, mail)

    def _append(self, mail: Mail) -> None:
        # The owner's alone, like everything else under var/: it names who is told what.
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = json.dumps({"to": mail.to, "subject": mail.subject, "body": mail.body,
                           "message_id": mail.message_id})
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as file:
            file.write(line + "\n")

    def read(self, to: str) -> list[dict[str, Any]]:
        """The mails sent to `to`, newest first."""
        if not self.path.exists():
            return []
        mails = [json.loads(line) for line in self.path.read_text("utf-8").splitlines()
                 if line.strip()]
        return [m for m in reversed(mails) if m["to"].casefold() == to.casefold()]


def transport_for(settings: Settings) -> SmtpTransport | FileTransport:
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url, settings.smtp_from,
                             user=settings.smtp_user, password=settings.smtp_password_value)
    if settings.env == "production":
        raise ConfigurationError("production needs MELDINGEN_SMTP_URL")
    return FileTransport(settings.var_dir / "mail" / "sent.jsonl")
