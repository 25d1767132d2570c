"""The rules of a registration on a reporter's behalf, in the domain: the channel is
the registering role's, and the moment of receipt is checked against the registration."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import get_args

import pytest

from services.intake.domain.reception import (
    CHANNELS_OF_ROLE,
    Reception,
    adviser_for,
    reception_refusals,
    registration_channel,
)
from shared.authz import PERMISSIONS
from shared.contracts import Channel
from shared.errors import Forbidden, InvalidInput

NOW = datetime(2026, 3, 10, 9, tzinfo=UTC)


def test_every_role_that_registers_has_its_channels_and_every_channel_a_role() -> None:
    assert set(CHANNELS_OF_ROLE) == PERMISSIONS["melding.register_for_reporter"]
    claimed = [channel for channels in CHANNELS_OF_ROLE.values() for channel in channels]
    assert sorted([*claimed, "web"]) == sorted(get_args(Channel))


@pytest.mark.parametrize(("role", "claimed", "channel"), [
    (None, None, "web"), (None, "web", "web"), ("manager", None, "manager"),
    ("meldpunt", "meldpunt", "meldpunt"),
    ("confidential_adviser", "confidential_adviser_integrity",
     "confidential_adviser_integrity"),
])
def test_the_channel_follows_from_the_role(role: str | None, claimed: str | None,
                                           channel: str) -> None:
    assert registration_channel(role, claimed) == channel


@pytest.mark.parametrize(("role", "claimed", "error"), [
    ("manager", "confidential_adviser_conduct", Forbidden),
    ("meldpunt", "web", Forbidden),
    ("auditor", None, Forbidden),
    ("confidential_adviser", None, InvalidInput),
    (None, "manager", InvalidInput),
])
def test_no_role_claims_another_channel(role: str | None, claimed: str | None,
                                        error: type[Exception]) -> None:
    with pytest.raises(error):
        registration_channel(role, claimed)


def fields(reception: Reception, occurred: date | None = None) -> list[str]:
    return [e.field for e in reception_refusals(reception, registered_at=NOW, occurred=occurred)]


def test_three_days_back_needs_no_reason_a_minute_more_does() -> None:
    assert fields(Reception(by="mark", at=NOW - timedelta(days=3), how="oral")) == []
    late = NOW - timedelta(days=3, minutes=1)
    assert fields(Reception(by="mark", at=late, how="oral")) == ["received_reason"]
    assert fields(Reception(by="mark", at=late, how="oral", reason="Ziek geweest.")) == []
    assert fields(Reception(by="mark", at=NOW + timedelta(seconds=1), how="written")) == [
        "received_at"]
    assert fields(Reception(by="mark", at=NOW, how="in_person"), date(2026, 3, 11)) == [
        "occurred"]


@pytest.mark.parametrize(("kind", "channel", "adviser"), [
    ("undesirable_behaviour", "web", "conduct"),
    ("integrity_violation", "web", "integrity"),
    ("wrongdoing", "manager", "integrity"),
    # the adviser who registers it keeps it, whatever the kind
    ("integrity_violation", "confidential_adviser_conduct", "conduct"),
    ("undesirable_behaviour", "confidential_adviser_integrity", "integrity"),
])
def test_an_identity_goes_to_the_adviser_of_its_kind_or_its_registrar(
        kind: str, channel: str, adviser: str) -> None:
    assert adviser_for(kind, channel) == adviser
