"""What the notification tests share: staff, publishers of intake's and triage's
events on the real stream, and the check that no mail holds a melding's content."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from services.console.application import NewStaffMember
from services.console.bootstrap import build_application
from services.console.notifications.domain.notices import Notice
from shared.config import Settings
from shared.contracts import IntegrationEvent, MeldingAssessed, MeldingReceived
from shared.messaging.envelope import Envelope
from tests.consoleflows import ORIGIN
from tests.mailserver import SmtpServer
from tests.support import NatsServer, jetstream, make_settings, signed

DESCRIPTION = "Een leverancier gaf Karel Klaassen van inkoop een elektrische fiets."
SECRETS = ("leverancier", "Klaassen", "Karel", "fiets", "gifts", "geschenk",
           "Jan Jansen", "jan@example.org", "afdelingshoofd")
STAFF = [("mia", "meldpunt"), ("bert", "competent_authority"), ("ivan", "investigator"),
         ("ada", "administrator"), ("olga", "auditor")]
#: Beside STAFF: a second meldpunt officer and a second competent authority.
MORE_STAFF = [("nora", "meldpunt"), ("carl", "competent_authority")]


def notify_settings(tmp_path: Path, nats_server: NatsServer, smtp: SmtpServer,
                    database_url: str | None = None) -> Settings:
    """Settings that check the clock and retry quickly, mailing through `smtp`."""
    return make_settings(tmp_path / "var", nats_server.url, database_url, console_url=ORIGIN,
                         smtp_url=smtp.url, smtp_from="meldingen@example.org",
                         notify_check_seconds=0.05, notify_retry_max_seconds=0.5,
                         notify_claim_seconds=1.0)


def address(sub: str) -> str:
    return f"{sub}@example.org"


def add_staff(console: Any, people: list[tuple[str, str]] = STAFF) -> None:
    for sub, role in people:
        console.add_staff(NewStaffMember(sub=sub, name=sub.title(), email=address(sub),
                                         roles=[role]), enrolment_digest="-", by="test")


class Intake:
    """Publishes what intake would, signed with intake's key, in intake's order."""

    source = "intake"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.positions = itertools.count(1)

    async def publish(self, event: IntegrationEvent) -> None:
        envelope = Envelope.wrap(event, source=self.source, position=next(self.positions))
        async with jetstream(self.settings) as js:
            await js.publish(envelope.subject, envelope.encode(),
                             headers=signed(self.settings, envelope))

    async def melding(self, at: datetime | None = None) -> str:
        at = at or datetime.now(UTC)
        melding_id = str(uuid4())
        await self.publish(MeldingReceived(
            melding_id=melding_id, kind="integrity_violation", theme="gifts", channel="web",
            description=DESCRIPTION, involved=["Karel Klaassen", "afdelingshoofd inkoop"],
            occurred=None, anonymous=False,
            identity={"name": "Jan Jansen", "email": "jan@example.org"},  # type: ignore[arg-type]
            received_at=at, acknowledged_at=at))
        return melding_id


class Triage(Intake):
    """Publishes what triage would: the routing facts of a melding."""

    source = "triage"

    async def assessed(self, melding_id: str, competent_authority: str | None,
                       excluded: list[str]) -> None:
        await self.publish(MeldingAssessed(
            melding_id=melding_id, admissible=True, reasonable_grounds=True,
            code_violation=True, severity="high", theme="gifts", advice="investigation",
            assessed_by="mia", at=datetime.now(UTC),
            competent_authority=competent_authority, excluded=excluded))


def assert_no_content(texts: list[str]) -> None:
    """Not a word of the melding's description, theme, names or reporter in a mail."""
    for text in texts:
        assert not [word for word in SECRETS if word.casefold() in text.casefold()], text


def texts(smtp: SmtpServer) -> list[str]:
    return [f"{mail.subject}\n{mail.body}" for mail in smtp.mails]


async def quiet(seconds: float = 0.5) -> None:
    """Give a wrongly sent extra mail the time to arrive."""
    await asyncio.sleep(seconds)


def decided(settings: Settings) -> list[str]:
    """The notices decided in the console's store so far."""
    console = build_application(settings)
    try:
        notifications = console.recorder.select_notifications(None, 1000)
        events = [console.mapper.to_domain_event(n) for n in notifications]
        return [str(e.originator_id) for e in events if isinstance(e, Notice.Decided)]
    finally:
        console.close()
