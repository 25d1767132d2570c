"""Who reads a named reporter's identity (`shared.authz.may_read_identity`): the
meldpunt always, unless the melding excludes them; with the reporter's consent also the
melding's own competent authority and its case's investigators; nobody else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.triage.domain.report import Report
from shared.authz import MeldingParties, may_read_identity
from shared.errors import InvalidInput

PARTIES = MeldingParties(competent_authority="carla", excluded=("piet",),
                         investigators=("ivan",))


@pytest.mark.parametrize(("role", "sub", "consent", "allowed"), [
    ("meldpunt", "mia", None, True),
    ("meldpunt", "mia", False, True),
    ("meldpunt", "piet", True, False),  # concerned: not even with consent
    ("competent_authority", "carla", None, False),  # no answer counts as no
    ("competent_authority", "carla", False, False),
    ("competent_authority", "carla", True, True),
    ("competent_authority", "dirk", True, False),  # not this melding's
    ("investigator", "ivan", True, True),
    ("investigator", "ivan", None, False),
    ("investigator", "olga", True, False),  # not on its case
    ("auditor", "aart", True, False),
    ("manager", "mo", True, False),
])
def test_who_reads_the_identity(role: str, sub: str, consent: bool | None,
                                allowed: bool) -> None:
    assert may_read_identity(role, sub, PARTIES, consent=consent) is allowed


def test_the_latest_consent_stands_and_reads_are_logged() -> None:
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    fields: dict[str, Any] = dict(melding_id=uuid4(), kind="integrity_violation", theme="gifts",
                  channel="web", description="d", involved=[], occurred=None,
                  anonymous=False, identity={"name": "Jan Jansen"}, received_at=now,
                  acknowledged_at=now)
    report = Report(**fields)
    assert report.note_identity_consent(given=True, at=now + timedelta(hours=2))
    # A copy, and an older answer delivered late, change nothing.
    assert not report.note_identity_consent(given=True, at=now + timedelta(hours=2))
    assert not report.note_identity_consent(given=False, at=now + timedelta(hours=1))
    assert report.identity_consent is True
    report.record_identity_read(by="mia", at=now)
    assert report.identity_reads == [{"by": "mia", "at": now}]

    anonymous = Report(**{**fields, "melding_id": uuid4(), "anonymous": True,
                          "identity": None})
    assert not anonymous.note_identity_consent(given=True, at=now)
    with pytest.raises(InvalidInput):
        anonymous.record_identity_read(by="mia", at=now)
