"""Transport keys by epoch (docs/privacy.md, "Transport keys by epoch"): a receiving
service's key pairs that senders seal a melding's data key to on the stream, one per
epoch, each private half wrapped under the service's key-encryption key in a table
beside its key table. Destroying an epoch's private half ends every stream copy
sealed to it, which the stream itself (never rewritten) cannot.

An epoch's life: made (the current one), superseded by the next (`superseded_at`),
marked once the grace has passed (`marked_at`: no longer offered to senders), then
destroyed (`destroyed_at`, its private half overwritten with nothing) once the
receiver has applied everything delivered before (`shared.messaging.epochs`).

And a sender's pins (`OutboxPins`): from which outbox position on it sealed to which
epochs, so that a copy published again after a crash seals as the first did.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy
from nacl.public import PrivateKey
from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, Table, Text

from shared.datakeys import ServiceKeys
from shared.keystore import KeyStore

#: The services that get data keys sealed to them on the stream (`key_recipients`).
RECEIVERS = ("triage", "investigation")


def transport_bucket(stream: str) -> str:
    """The JetStream KV bucket where receivers offer their epochs, beside `stream`."""
    return f"{stream}_transport_keys"


@dataclass(frozen=True)
class Epoch:
    number: int
    public_key: bytes
    created_at: datetime
    superseded_at: datetime | None = None
    marked_at: datetime | None = None


class EpochStore:
    """One receiving service's epochs, in the database of its key table."""

    def __init__(self, keys: ServiceKeys, beside: KeyStore, service: str) -> None:
        self.keys = keys
        self.key_store = beside
        self.engine = beside.engine
        self.table = Table(
            f"{service}_transport_keys", MetaData(schema=beside.table.schema),
            Column("epoch", Integer, primary_key=True, autoincrement=False),
            Column("public_key", LargeBinary, nullable=False),
            Column("wrapped", LargeBinary, nullable=True),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("superseded_at", DateTime(timezone=True), nullable=True),
            Column("marked_at", DateTime(timezone=True), nullable=True),
            Column("destroyed_at", DateTime(timezone=True), nullable=True),
        )
        self.table.create(self.engine, checkfirst=True)
        # Opened private halves, so a batch does not unwrap one per message. Filled
        # and emptied under the lock, with the read or the destruction it goes with.
        self._opened: dict[int, PrivateKey] = {}
        self._lock = threading.Lock()

    def offered(self) -> list[Epoch]:
        """The epochs senders may seal to (not marked), oldest first; the last is the
        current one."""
        with self.engine.connect() as connection:
            rows = connection.execute(self.table.select().where(
                self.table.c.marked_at.is_(None)).order_by(self.table.c.epoch)).all()
        return [_epoch(row) for row in rows]

    def marked(self) -> list[Epoch]:
        """Marked, not yet destroyed."""
        table = self.table
        with self.engine.connect() as connection:
            rows = connection.execute(table.select().where(
                table.c.marked_at.is_not(None), table.c.destroyed_at.is_(None))
                .order_by(table.c.epoch)).all()
        return [_epoch(row) for row in rows]

    def rotate(self, now: datetime, every: float, grace: float) -> bool:
        """Make a new epoch if there is none or the current one is `every` seconds old
        (superseding it), and mark the epochs superseded `grace` seconds ago. True if
        what is offered changed."""
        table, now = self.table, _utc(now)
        with self.engine.begin() as connection:
            current = connection.execute(table.select().where(
                table.c.superseded_at.is_(None)).order_by(table.c.epoch.desc())).first()
            changed = connection.execute(table.update().where(
                table.c.marked_at.is_(None), table.c.superseded_at.is_not(None),
                table.c.superseded_at <= now - timedelta(seconds=grace))
                .values(marked_at=now)).rowcount > 0
            if current is None or _utc(current.created_at) <= now - timedelta(seconds=every):
                last = connection.execute(sqlalchemy.select(
                    sqlalchemy.func.max(table.c.epoch))).scalar() or 0
                if current is not None:
                    connection.execute(table.update().where(
                        table.c.epoch == current.epoch).values(superseded_at=now))
                private = PrivateKey.generate()
                connection.execute(table.insert().values(
                    epoch=last + 1, public_key=bytes(private.public_key),
                    wrapped=self.keys.wrap_epoch(last + 1, private), created_at=now))
                changed = True
        return changed

    def private(self, epoch: int) -> PrivateKey | None:
        """The epoch's private half; None once destroyed (or never made)."""
        # The read and the caching under one lock with `destroy`: a read that saw the
        # row before a destruction committed would otherwise cache the private half
        # after `destroy` emptied the cache, and keep it in memory for good.
        with self._lock:
            opened = self._opened.get(epoch)
            if opened is not None:
                return opened
            with self.engine.connect() as connection:
                row = connection.execute(self.table.select().where(
                    self.table.c.epoch == epoch)).one_or_none()
            if row is None or row.wrapped is None:
                return None
            private = self.keys.unwrap_epoch(epoch, bytes(row.wrapped))
            self._opened[epoch] = private
            return private

    def destroy(self, epoch: int, now: datetime) -> None:
        with self._lock:
            self._opened.pop(epoch, None)
            with self.engine.begin() as connection:
                connection.execute(self.table.update().where(self.table.c.epoch == epoch)
                                   .values(wrapped=None, destroyed_at=_utc(now)))
        self.key_store.flush_journal()  # as a shredded key's: no old page in the log


@dataclass(frozen=True)
class Pin:
    """From outbox position `start` on, each receiver's (epoch, public key) sealed to;
    a receiver missing here was sealed to its fixed pair."""

    start: int
    epochs: dict[str, tuple[int, bytes]]


class OutboxPins:
    """A sender's pins, in its own database beside its key table."""

    def __init__(self, beside: KeyStore, service: str) -> None:
        self.engine = beside.engine
        self.table = Table(
            f"{service}_outbox_epochs", MetaData(schema=beside.table.schema),
            Column("start", Integer, primary_key=True, autoincrement=False),
            Column("epochs", Text, nullable=False),
        )
        self.table.create(self.engine, checkfirst=True)

    def load(self) -> list[Pin]:
        with self.engine.connect() as connection:
            rows = connection.execute(self.table.select().order_by(self.table.c.start)).all()
        return [Pin(row.start, {service: (epoch, bytes.fromhex(key)) for service, (epoch, key)
                                in orjson.loads(row.epochs).items()}) for row in rows]

    def put(self, pin: Pin) -> None:
        """Written before anything is sealed under it. A pin at the same start as the
        last replaces it: nothing was stored from its start on, so nothing was sealed
        under it."""
        epochs = orjson.dumps({service: [epoch, key.hex()]
                               for service, (epoch, key) in pin.epochs.items()}).decode()
        with self.engine.begin() as connection:
            if not connection.execute(self.table.update().where(
                    self.table.c.start == pin.start).values(epochs=epochs)).rowcount:
                connection.execute(self.table.insert().values(start=pin.start, epochs=epochs))


def _epoch(row: Any) -> Epoch:
    return Epoch(row.epoch, bytes(row.public_key), _utc(row.created_at),
                 _utc(row.superseded_at) if row.superseded_at else None,
                 _utc(row.marked_at) if row.marked_at else None)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
