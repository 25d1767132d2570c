"""Intake's read models, as rows in its own database: the meeting requests waiting for
a meeting, and what staff registered and fetched (ids, dates and who: no content, so
the rows need no key and shredding needs nothing here).

A commit's events change their rows in one transaction (`shared.viewstore`: their
position is the stored views', so a start reads no row and only the events after
it, issue 23). Each event sets its rows to values of its own, so applying the events
after the stored position again leaves the rows as they were."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy import Column, Index, MetaData, String, Table, select

from services.intake.domain.reception import CHANNELS_OF_ROLE
from services.intake.domain.report import MeetingVia, Report
from shared.tableview import TableView
from shared.viewstore import Row

metadata = MetaData()
meeting_rows = Table(
    "intake_meeting_requests", metadata,
    Column("melding_id", String(36), primary_key=True),
    Column("via", String(16), nullable=False),
    Column("requested_at", String(32), nullable=False),
    Column("due_by", String(32), nullable=False),
    Index("intake_meeting_requests_due", "due_by", "melding_id"),
)
registration_rows = Table(
    "intake_registrations", metadata,
    Column("melding_id", String(36), primary_key=True),
    Column("received_by", String(255), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("received_how", String(32), nullable=False),
    Column("received_at", String(32), nullable=False),
    Column("registered_at", String(32), nullable=False),
    Index("intake_registrations_by", "received_by", "registered_at"),
)
# The reporter's latest reply and the adviser's latest reading, per melding.
conversation_rows = Table(
    "intake_conversations", metadata,
    Column("melding_id", String(36), primary_key=True),
    Column("replied_at", String(32)),
    Column("read_at", String(32)),
)
reveal_rows = Table(
    "intake_reveals", metadata,
    Column("key", String(48), primary_key=True),  # melding id and the event's version
    Column("melding_id", String(36), nullable=False),
    Column("by", String(255), nullable=False),
    Column("at", String(32), nullable=False),
    Index("intake_reveals_at", "at", "melding_id"),
)


def _at(moment: datetime) -> str:
    """A moment as a string that orders as the moments do (one zone, fixed width)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _moment(stored: str) -> datetime:
    return datetime.fromisoformat(stored)


def _replace(connection: sqlalchemy.Connection, table: Table, key: str,
             changes: Mapping[str, Row | None]) -> None:
    """Each changed key's row as given (None: removed)."""
    keys = list(changes)
    for start in range(0, len(keys), 500):
        connection.execute(table.delete().where(table.c[key].in_(keys[start:start + 500])))
    kept = [row for row in changes.values() if row is not None]
    if kept:
        connection.execute(table.insert(), kept)


class _TableView(TableView):
    events: tuple[type[Any], ...]

    def __init__(self, engine: sqlalchemy.Engine | None = None) -> None:
        super().__init__(metadata, engine)

    def takes(self, event: Any) -> bool:
        return isinstance(event, self.events)


@dataclass(frozen=True)
class MeetingRequest:
    melding_id: UUID
    via: MeetingVia
    requested_at: datetime
    due_by: datetime

    def overdue(self, now: datetime) -> bool:
        return now > self.due_by


class MeetingRequests(_TableView):
    name = "meeting_table"
    events = (Report.MeetingRequested, Report.MeetingRecorded, Report.Closed)

    def write(self, connection: sqlalchemy.Connection, events: list[Any]) -> None:
        changes: dict[str, Row | None] = {}
        for event in events:
            melding_id = str(event.originator_id)
            changes[melding_id] = {
                "melding_id": melding_id, "via": event.via, "requested_at": _at(event.at),
                "due_by": _at(event.due_by),
            } if isinstance(event, Report.MeetingRequested) else None
        _replace(connection, meeting_rows, "melding_id", changes)

    def waiting(self) -> list[MeetingRequest]:
        """The open requests, the one whose term ends first first."""
        with self._engine.connect() as connection:
            return [MeetingRequest(UUID(row.melding_id), row.via, _moment(row.requested_at),
                                   _moment(row.due_by))
                    for row in connection.execute(select(meeting_rows).order_by(
                        meeting_rows.c.due_by, meeting_rows.c.melding_id))]


@dataclass(frozen=True)
class Registration:
    melding_id: UUID
    channel: str
    received_how: str
    received_at: datetime
    registered_at: datetime
    #: A reporter's reply the adviser who registered the melding has not opened (only
    #: an adviser reads the conversation of what they registered).
    reply_unread: bool = False


@dataclass(frozen=True)
class Reveal:
    melding_id: UUID
    by: str
    at: datetime


class StaffLog(_TableView):
    """The meldingen each staff member registered on a reporter's behalf, and every
    fetch of a sealed identity (the adviser's reveals)."""

    name = "staff_log_table"
    events = (Report.Filed, Report.ReporterWrote, Report.AdviserRead,
              Report.SealedIdentityRead)

    def write(self, connection: sqlalchemy.Connection, events: list[Any]) -> None:
        registrations: dict[str, Row | None] = {}
        reveals: dict[str, Row | None] = {}
        talks = [e for e in events if isinstance(e, Report.ReporterWrote | Report.AdviserRead)]
        ids = list({str(e.originator_id) for e in talks})
        conversations: dict[str, Row] = {
            row["melding_id"]: dict(row) for row in connection.execute(
                select(conversation_rows).where(conversation_rows.c.melding_id.in_(ids))
            ).mappings()} if ids else {}
        for event in events:
            melding_id = str(event.originator_id)
            if isinstance(event, Report.Filed):
                if getattr(event, "received_by", None):
                    registrations[melding_id] = {
                        "melding_id": melding_id, "received_by": event.received_by,
                        "channel": event.channel,
                        "received_how": getattr(event, "received_how", "written"),
                        "received_at": _at(event.received_at),
                        "registered_at": _at(getattr(event, "registered_at", None)
                                             or event.received_at)}
            elif isinstance(event, Report.SealedIdentityRead):
                key = f"{melding_id}/{event.originator_version}"
                reveals[key] = {"key": key, "melding_id": melding_id, "by": event.by,
                                "at": _at(event.at)}
            else:
                row = conversations.get(melding_id) or {
                    "melding_id": melding_id, "replied_at": None, "read_at": None}
                row["replied_at" if isinstance(event, Report.ReporterWrote)
                    else "read_at"] = _at(event.at)
                conversations[melding_id] = row
        _replace(connection, registration_rows, "melding_id", registrations)
        _replace(connection, conversation_rows, "melding_id", dict(conversations))
        _replace(connection, reveal_rows, "key", reveals)

    def registered_by(self, sub: str) -> list[Registration]:
        """What `sub` registered, the latest first."""
        r, c = registration_rows.c, conversation_rows.c
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(r.melding_id, r.channel, r.received_how, r.received_at,
                       r.registered_at, c.replied_at, c.read_at)
                .select_from(registration_rows.outerjoin(
                    conversation_rows, c.melding_id == r.melding_id))
                .where(r.received_by == sub)
                .order_by(r.registered_at.desc(), r.melding_id.desc())).all()
        return [Registration(
            UUID(row.melding_id), row.channel, row.received_how, _moment(row.received_at),
            _moment(row.registered_at),
            reply_unread=row.channel in CHANNELS_OF_ROLE["confidential_adviser"]
            and row.replied_at is not None
            and (row.read_at is None or row.replied_at > row.read_at))
            for row in rows]

    def reveals(self) -> list[Reveal]:
        """Every fetch of a sealed identity, the latest first."""
        with self._engine.connect() as connection:
            return [Reveal(UUID(row.melding_id), row.by, _moment(row.at))
                    for row in connection.execute(select(reveal_rows).order_by(
                        reveal_rows.c.at.desc(), reveal_rows.c.melding_id.desc()))]
