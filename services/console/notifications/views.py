"""The notifier's read model, as tables in the console's own database: which mails wait
to be sent (in the order they were decided), which digest notices wait for the day's
digest, which feedback terms are open and on which day each has a reminder due, and
whom the console reminded or told of a lapsed response term. Every question is a
query, so a start reads no row and only the events after the stored views' position,
and the clock check asks for the terms due by day instead of walking all of them
(issue 23). A row holds no content: ids, login names, days and states.

A commit's events change their rows in one transaction (`shared.viewstore`: its
position is the stored views'). Applying an event again changes nothing: a mail's row
is made once and only moves on (waiting to sent), a term's row takes an event only
above the version it holds. Replicas share the tables: the order a mail was decided
in is taken from a counter row in the same database, first in the transaction (so
two processes never hand out the same place), and a row another process made
meanwhile is left as it is instead of failing the commit's other rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from services.console.notifications.domain.notices import Digest, FeedbackTerm, Notice
from services.console.notifications.domain.rules import REMIND_BEFORE
from shared.tableview import TableView
from shared.terms import local_date
from shared.viewstore import Row

TERM_EVENTS = (FeedbackTerm.Opened, FeedbackTerm.Reminded, FeedbackTerm.Ended,
               FeedbackTerm.Restarted)
MAIL_EVENTS = (Notice.Decided, Digest.Gathered, Notice.Mailed, Digest.Mailed,
               Notice.Gathered)

metadata = MetaData()
#: state: "waiting" (to be sent), "gather" (a digest notice not yet in a digest),
#: "gathered", "sent". `seq`: the order they were decided in.
mails = Table(
    "console_mails", metadata,
    Column("mail_id", String(36), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("sub", String(255)),
    Column("state", String(8), nullable=False),
    Index("console_mails_state", "state", "seq"),
)
#: `remind_on`: the first day (the organisation's calendar) a reminder not yet decided
#: is due, None when none is left or the term ended (so its index alone narrows).
terms = Table(
    "console_terms", metadata,
    Column("term_id", String(36), primary_key=True),
    Column("melding_id", String(64)),
    Column("version", Integer, nullable=False),
    Column("feedback_by", String(40), nullable=False),
    Column("last_day", String(10), nullable=False),
    Column("reminded", String(64), nullable=False),  # the occasions, comma-separated
    Column("open", Boolean, nullable=False),
    Column("remind_on", String(10)),
    Index("console_terms_due", "remind_on"),
    Index("console_terms_melding", "melding_id"),
)
reminded = Table(
    "console_reminded", metadata,
    Column("sub", String(255), primary_key=True),
    Column("melding_id", String(64), primary_key=True),
    Column("due", String(10), nullable=False),
)
lapsed = Table(
    "console_lapsed", metadata,
    Column("sub", String(255), primary_key=True),
    Column("melding_id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
)
#: The last `seq` handed out, to mails and lapses alike (one row, "seq").
counter = Table(
    "console_counter", metadata,
    Column("name", String(16), primary_key=True),
    Column("value", Integer, nullable=False),
)


def insert_new(connection: sqlalchemy.Connection, table: Table, **values: Any) -> bool:
    """Insert the row unless one with its key is there (another replica's, made since
    this transaction looked): whether it was inserted."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing()
    return bool(connection.execute(statement).rowcount)


def reserve(connection: sqlalchemy.Connection, count: int) -> Iterator[int]:
    """`count` places in the order of decisions, unique across processes: the counter
    row is written first, so the transaction holds it (PostgreSQL's row lock,
    SQLite's writer) until it commits."""
    connection.execute(counter.update().where(counter.c.name == "seq")
                       .values(value=counter.c.value + count))
    top = int(connection.execute(select(counter.c.value).where(
        counter.c.name == "seq")).scalar_one())
    return iter(range(top - count + 1, top + 1))


@dataclass
class OpenTerm:
    feedback_by: datetime
    reminded: list[str] = field(default_factory=list)
    ended: bool = False


def remind_on(feedback_by: datetime, occasions: list[str]) -> str | None:
    """The day to ask about the term again (`rules.reminders_due` decides)."""
    if "feedback_due_today" in occasions:
        return None
    last_day = local_date(feedback_by)
    if "feedback_due_soon" in occasions:
        return last_day.isoformat()
    return (last_day - REMIND_BEFORE).isoformat()


class NoticeBoard(TableView):
    name = "notice_board"  # its position in `shared.viewstore`

    def __init__(self, engine: sqlalchemy.Engine | None = None) -> None:
        super().__init__(metadata, engine)
        with self._engine.begin() as connection:  # once: from the rows made before it
            start = max(connection.execute(select(func.max(mails.c.seq))).scalar() or 0,
                        connection.execute(select(func.max(lapsed.c.seq))).scalar() or 0)
            insert_new(connection, counter, name="seq", value=start)
        self._seqs: Iterator[int] = iter(())
        self.on_waiting: Callable[[], None] = lambda: None

    def takes(self, event: Any) -> bool:
        return isinstance(event, MAIL_EVENTS + TERM_EVENTS)

    def apply_all(self, events: Iterable[Any]) -> None:
        """As `TableView`'s, and a mail that now waits wakes the postman once the
        transaction is in."""
        events = [e for e in events if self.takes(e)]
        if not events:
            return
        woken = False
        # The places a decision may take (its mail's row, a lapse's); a mail sent or
        # gathered mostly has its row already, and takes one only if not (`_next`), so
        # that the postman's record of each sent mail leaves the counter alone.
        places = sum(2 if isinstance(e, Notice.Decided) else 1
                     for e in events if isinstance(e, Notice.Decided | Digest.Gathered))
        with self._lock, self._engine.begin() as connection:
            self._seqs = reserve(connection, places) if places else iter(())
            for event in events:
                if isinstance(event, TERM_EVENTS):
                    self._term(connection, event)
                else:
                    woken = self._mail(connection, event) or woken
        if woken:
            self.on_waiting()

    def _next(self, connection: sqlalchemy.Connection) -> int:
        seq = next(self._seqs, None)
        return seq if seq is not None else next(reserve(connection, 1))

    def _mail(self, connection: sqlalchemy.Connection, event: Any) -> bool:
        """Change the mail's rows; whether a mail now waits to be sent."""
        mail_id = str(event.originator_id)
        state = connection.execute(select(mails.c.state).where(
            mails.c.mail_id == mail_id)).scalar()
        if isinstance(event, Notice.Mailed | Digest.Mailed | Notice.Gathered):
            done = "gathered" if isinstance(event, Notice.Gathered) else "sent"
            if state is None:
                insert_new(connection, mails, mail_id=mail_id, seq=self._next(connection),
                           state=done)
            elif state != done:
                connection.execute(mails.update().where(mails.c.mail_id == mail_id)
                                   .values(state=done))
            return False
        if isinstance(event, Notice.Decided):
            self._decided(connection, event)
            waits = event.delivery == "immediate"
        else:  # a digest
            waits = True
        if state is not None:  # handed again, or sent or gathered since
            return False
        made = insert_new(connection, mails, mail_id=mail_id, seq=self._next(connection),
                          sub=event.sub, state="waiting" if waits else "gather")
        return made and bool(waits)

    def _decided(self, connection: sqlalchemy.Connection, event: Any) -> None:
        key = {"sub": event.sub, "melding_id": event.melding_id}
        where = [reminded.c.sub == event.sub, reminded.c.melding_id == event.melding_id]
        if event.occasion.startswith("feedback_due") and event.due is not None:
            connection.execute(reminded.delete().where(*where))
            connection.execute(reminded.insert().values(**key, due=str(event.due)))
        if event.occasion == "response_term_lapsed" and connection.execute(
                select(lapsed.c.seq).where(lapsed.c.sub == event.sub,
                                           lapsed.c.melding_id == event.melding_id)
        ).first() is None:
            insert_new(connection, lapsed, **key, seq=self._next(connection))

    def _term(self, connection: sqlalchemy.Connection, event: Any) -> None:
        term_id = str(event.originator_id)
        row = connection.execute(select(terms).where(terms.c.term_id == term_id)).first()
        version: int = event.originator_version
        if row is not None and version <= row.version:
            return  # handed again: a term's later events (a restart) stand
        if isinstance(event, FeedbackTerm.Opened | FeedbackTerm.Restarted):
            values: Row = {"feedback_by": event.feedback_by.isoformat(),
                           "last_day": local_date(event.feedback_by).isoformat(),
                           "reminded": "", "open": True,
                           "remind_on": remind_on(event.feedback_by, [])}
            if isinstance(event, FeedbackTerm.Opened):
                values["melding_id"] = event.melding_id
        elif row is None:
            return  # a term's later event without its opening: nothing to change
        elif isinstance(event, FeedbackTerm.Ended):
            values = {"open": False, "remind_on": None}
        else:  # reminded
            occasions = [o for o in row.reminded.split(",") if o]
            if row.open and event.occasion not in occasions:
                occasions.append(event.occasion)
            values = {"reminded": ",".join(occasions), "remind_on": remind_on(
                datetime.fromisoformat(row.feedback_by), occasions) if row.open else None}
        values["version"] = version
        if row is None:
            connection.execute(terms.insert().values(term_id=term_id, **values))
        else:
            connection.execute(terms.update().where(terms.c.term_id == term_id)
                               .values(**values))

    def next_mail(self) -> UUID | None:
        """The mail decided first of those not yet sent."""
        first = self.next_mails(1)
        return first[0] if first else None

    def next_mails(self, limit: int) -> list[UUID]:
        """The `limit` mails decided first of those not yet sent, in that order."""
        with self._engine.connect() as connection:
            return [UUID(m) for m in connection.execute(
                select(mails.c.mail_id).where(mails.c.state == "waiting")
                .order_by(mails.c.seq, mails.c.mail_id).limit(limit)).scalars()]

    def sent(self, mail_id: UUID) -> None:
        """Another postman sent it (this board hears only this process's commits)."""
        with self._lock, self._engine.begin() as connection:
            connection.execute(mails.update().where(mails.c.mail_id == str(mail_id))
                               .values(state="sent"))

    def waiting(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(mails).where(
                mails.c.state == "waiting")).scalar() or 0)

    def to_gather(self) -> dict[str, list[UUID]]:
        """Per person, the digest notices not yet in a digest, oldest first."""
        gather: dict[str, list[UUID]] = {}
        with self._engine.connect() as connection:
            for sub, mail_id in connection.execute(
                    select(mails.c.sub, mails.c.mail_id).where(mails.c.state == "gather")
                    .order_by(mails.c.seq, mails.c.mail_id)):
                gather.setdefault(sub, []).append(UUID(mail_id))
        return gather

    def reminders_for(self, sub: str) -> list[tuple[str, str]]:
        """(melding, last day) of the open feedback terms `sub` was reminded of,
        soonest first."""
        # Only a term still open, and its present round: a reopened melding's first
        # round named a last day that no longer holds.
        with self._engine.connect() as connection:
            return [(melding, day) for melding, day in connection.execute(
                select(reminded.c.melding_id, reminded.c.due).join(
                    terms, (terms.c.melding_id == reminded.c.melding_id)
                    & (terms.c.last_day == reminded.c.due) & terms.c.open)
                .where(reminded.c.sub == sub)
                .order_by(reminded.c.due, reminded.c.melding_id))]

    def lapses_for(self, sub: str) -> list[str]:
        """The meldingen whose case's response term lapsed that `sub` was told of, in
        the order they were; whether the case still waits is investigation's to say."""
        with self._engine.connect() as connection:
            return list(connection.execute(select(lapsed.c.melding_id).where(
                lapsed.c.sub == sub).order_by(lapsed.c.seq)).scalars())

    def open_terms(self, due_by: date | None = None) -> dict[UUID, OpenTerm]:
        """The open feedback terms, as far as their reminders go; `due_by`: only those
        with a reminder due on or before that day (a day's margin is the caller's)."""
        query = select(terms.c.term_id, terms.c.feedback_by, terms.c.reminded).where(
            terms.c.open)
        if due_by is not None:
            query = query.where(terms.c.remind_on <= due_by.isoformat())
        with self._engine.connect() as connection:
            return {UUID(term_id): OpenTerm(datetime.fromisoformat(by),
                                            [o for o in occasions.split(",") if o])
                    for term_id, by, occasions in connection.execute(query)}


def due_by(now: datetime) -> date:
    """The day to ask the terms for: tomorrow, a margin should the calendar's zone
    change; `rules.reminders_due` checks each term again."""
    return local_date(now) + timedelta(days=1)
