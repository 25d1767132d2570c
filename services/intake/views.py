"""Intake's read models, in memory, rebuilt from the event store at start and kept
current from each commit, so the lists read no events: the meeting requests waiting
for a meeting, and what staff registered and fetched (ids, dates and who: no
content)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.intake.domain.reception import CHANNELS_OF_ROLE
from services.intake.domain.report import MeetingVia, Report


@dataclass(frozen=True)
class MeetingRequest:
    melding_id: UUID
    via: MeetingVia
    requested_at: datetime
    due_by: datetime

    def overdue(self, now: datetime) -> bool:
        return now > self.due_by


class MeetingRequests:
    def __init__(self) -> None:
        self._open: dict[UUID, MeetingRequest] = {}
        self._lock = threading.Lock()

    def apply(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, Report.MeetingRequested):
                self._open[event.originator_id] = MeetingRequest(
                    melding_id=event.originator_id, via=event.via,
                    requested_at=event.at, due_by=event.due_by)
            elif isinstance(event, Report.MeetingRecorded | Report.Closed):
                self._open.pop(event.originator_id, None)

    def waiting(self) -> list[MeetingRequest]:
        """The open requests, the one whose term ends first first."""
        with self._lock:
            return sorted(self._open.values(), key=lambda r: (r.due_by, r.melding_id))


@dataclass(frozen=True)
class Registration:
    melding_id: UUID
    channel: str
    received_how: str
    received_at: datetime
    registered_at: datetime


@dataclass(frozen=True)
class Reveal:
    melding_id: UUID
    by: str
    at: datetime


class StaffLog:
    """The meldingen each staff member registered on a reporter's behalf, and every
    fetch of a sealed identity (the adviser's reveals)."""

    def __init__(self) -> None:
        # Keyed, so that an event applied twice (the start's sweep meeting the first
        # commits) is counted once.
        self._registered: dict[str, dict[UUID, Registration]] = {}
        self._reveals: dict[tuple[UUID, int], Reveal] = {}
        # The reporter's latest reply and the adviser's latest reading, per melding.
        self._replied: dict[UUID, datetime] = {}
        self._read: dict[UUID, datetime] = {}
        self._lock = threading.Lock()

    def apply(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, Report.Filed) and getattr(event, "received_by", None):
                self._registered.setdefault(event.received_by, {})[
                    event.originator_id] = Registration(
                    melding_id=event.originator_id, channel=event.channel,
                    received_how=getattr(event, "received_how", "written"),
                    received_at=event.received_at,
                    registered_at=getattr(event, "registered_at", None) or event.received_at)
            elif isinstance(event, Report.ReporterWrote):
                self._replied[event.originator_id] = event.at
            elif isinstance(event, Report.AdviserRead):
                self._read[event.originator_id] = event.at
            elif isinstance(event, Report.SealedIdentityRead):
                self._reveals[event.originator_id, event.originator_version] = Reveal(
                    event.originator_id, event.by, event.at)

    def registered_by(self, sub: str) -> list[Registration]:
        """What `sub` registered, the latest first."""
        with self._lock:
            return sorted(self._registered.get(sub, {}).values(),
                          key=lambda r: (r.registered_at, r.melding_id), reverse=True)

    def reply_unread(self, registration: Registration) -> bool:
        """A reporter's reply the adviser who registered the melding has not opened
        (only an adviser reads the conversation of what they registered)."""
        if registration.channel not in CHANNELS_OF_ROLE["confidential_adviser"]:
            return False
        with self._lock:
            replied = self._replied.get(registration.melding_id)
            read = self._read.get(registration.melding_id)
        return replied is not None and (read is None or replied > read)

    def reveals(self) -> list[Reveal]:
        """Every fetch of a sealed identity, the latest first."""
        with self._lock:
            return sorted(self._reveals.values(), key=lambda r: (r.at, r.melding_id), reverse=True)
