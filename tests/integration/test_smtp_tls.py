"""The console's SMTP transport against real SMTP servers (aiosmtpd) that speak TLS:
`smtp://` is upgraded with STARTTLS when the server offers it and then logs in with
the user and password from the settings; `smtps://` is TLS from the first byte; a
server whose certificate the machine does not trust gets no mail."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from services.console.notifications.adapters.transports import transport_for
from services.console.notifications.domain.mails import Mail
from shared.config import Settings
from tests.mailserver import free_port

MAIL = Mail(to="mia@example.org", subject="Nieuwe melding ABCD1234",
            body="Zie de console.", message_id="<abcd1234@meldingen>")
LOGIN = LoginPassword(b"meldingen", b"een-lang-smtp-wachtwoord")


class Handler:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], bool, str]] = []

    # aiosmtpd calls its handlers by these names.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), bool(session.authenticated),
                           envelope.original_content.decode()))
        return "250 OK"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
    return AuthResult(success=auth_data == LOGIN, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (certificate, key)."""
    base = tmp_path_factory.mktemp("tls")
    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def starttls(certificate: tuple[Path, Path]) -> Iterator[tuple[int, Handler]]:
    """A server that takes no mail before STARTTLS and a login."""
    handler, port = Handler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            tls_context=server_context(certificate), require_starttls=True,
                            auth_required=True, authenticator=authenticate)
    controller.start()
    yield port, handler
    controller.stop()


@pytest.fixture
def smtps(certificate: tuple[Path, Path]) -> Iterator[tuple[int, Handler]]:
    """A server that speaks TLS from the first byte."""
    handler, port = Handler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            ssl_context=server_context(certificate))
    controller.start()
    yield port, handler
    controller.stop()


def settings(tmp_path: Path, url: str, **changes: Any) -> Settings:
    return Settings(var_dir=tmp_path, smtp_url=url, smtp_from="meldingen@example.org",
                    **changes)


async def test_starttls_then_the_login_from_the_settings(
        tmp_path: Path, starttls: tuple[int, Handler], certificate: tuple[Path, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    port, handler = starttls
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the machine trusts it
    transport = transport_for(settings(
        tmp_path, f"smtp://127.0.0.1:{port}", smtp_user=LOGIN.login.decode(),
        smtp_password=LOGIN.password.decode()))
    await transport.send(MAIL)
    [(to, logged_in, text)] = handler.mails
    assert to == [MAIL.to] and logged_in
    assert "Message-ID: <abcd1234@meldingen>" in text
    # A wrong password is refused, and nothing is taken.
    wrong = transport_for(settings(tmp_path, f"smtp://127.0.0.1:{port}",
                                   smtp_user="meldingen", smtp_password="fout"))
    with pytest.raises(Exception, match="535"):
        await wrong.send(MAIL)
    assert len(handler.mails) == 1


async def test_smtps_is_tls_from_the_start(
        tmp_path: Path, smtps: tuple[int, Handler], certificate: tuple[Path, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    port, handler = smtps
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    await transport_for(settings(tmp_path, f"smtps://127.0.0.1:{port}")).send(MAIL)
    assert [to for to, _, _ in handler.mails] == [[MAIL.to]]


async def test_an_untrusted_certificate_gets_no_mail(
        tmp_path: Path, starttls: tuple[int, Handler], smtps: tuple[int, Handler]) -> None:
    for url, (_, handler) in ((f"smtp://127.0.0.1:{starttls[0]}", starttls),
                              (f"smtps://127.0.0.1:{smtps[0]}", smtps)):
        transport = transport_for(settings(tmp_path, url, smtp_user="meldingen",
                                           smtp_password=LOGIN.password.decode()))
        with pytest.raises(Exception, match=r"(?i)certificate"):
            await transport.send(MAIL)
        assert handler.mails == []
