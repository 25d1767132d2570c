"""A stored event that can no longer be read (a flipped byte fails its cipher tag)
costs the aggregate it belongs to, not the service.

The application's mapper turns the failure into `DamagedRecord`, after noting the
event in the application's register: logged once (store, originator id, version),
and listed in `/readyz`. The register is kept in the service's store too
(`shared.damagestore`), with the position the background sweep has checked up to, so
that a restart names what was found before it and resumes the sweep. Readers of the
whole store (the views' feed, the outbox relay, the sweep at start) skip it; a request
for that aggregate answers the problem; an integration event for it changes nothing
else (see `ServiceApplication.apply_policy`). How an operator restores it:
docs/reliability.md.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent

from shared.errors import DamagedRecord

log = logging.getLogger("meldingen.damage")


@dataclass(frozen=True, order=True)
class Damaged:
    store: str
    originator_id: str
    version: int


@dataclass(frozen=True)
class SweepState:
    #: Every stored event up to this notification id has been checked.
    position: int
    #: When the last sweep of the whole store ended (epoch seconds); None while the
    #: first, or a new one, is under way.
    completed_at: float | None


class DamageLedger(Protocol):
    """Where the register is kept beyond the process (`shared.damagestore`)."""

    def found(self) -> list[tuple[str, int]]: ...
    def add(self, originator_id: str, version: int) -> None: ...
    def remove(self, originator_id: str, version: int) -> None: ...
    def state(self) -> SweepState: ...
    def checked(self, position: int, *, completed: bool = False) -> None: ...
    def begin_again(self) -> None: ...


class DamageRegister:
    """The damaged events one store met: since the process started, and with a
    `ledger`, those kept from before (`kept`, checked again by the sweep)."""

    def __init__(self, store: str) -> None:
        self.store = store
        self.ledger: DamageLedger | None = None
        self._found: set[Damaged] = set()
        self._lock = threading.Lock()

    def note(self, originator_id: Any, version: int) -> Damaged:
        damaged = Damaged(self.store, str(originator_id), version)
        with self._lock:
            new = damaged not in self._found
            self._found.add(damaged)
        if new:  # one error per event, however often it is read
            log.error("stored event damaged: it cannot be read; its aggregate is "
                      "unavailable until restored (docs/reliability.md)", extra=asdict(damaged))
            if self.ledger is not None:
                try:
                    self.ledger.add(damaged.originator_id, damaged.version)
                except Exception as exc:  # noqa: BLE001 - the store is away: in memory
                    log.warning("damaged record not kept in the store",
                                extra={"store": self.store, "error": type(exc).__name__})
        return damaged

    def kept(self) -> list[Damaged]:
        """What the ledger holds from before (an earlier process, or a replica)."""
        if self.ledger is None:
            return []
        return [Damaged(self.store, o, v) for o, v in self.ledger.found()]

    def restored(self, damaged: Damaged) -> None:
        """A kept one reads again (restored from a backup): forgotten."""
        with self._lock:
            self._found.discard(damaged)
        if self.ledger is not None:
            self.ledger.remove(damaged.originator_id, damaged.version)

    def listed(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(d) for d in sorted(self._found)]


class DamageAwareMapper(Mapper[UUID]):
    """eventsourcing's mapper, which notes an unreadable event before refusing it."""

    register: DamageRegister

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        try:
            return super().to_domain_event(stored_event)
        except MapperDeserialisationError:
            damaged = self.register.note(stored_event.originator_id,
                                         stored_event.originator_version)
            raise DamagedRecord(damaged.originator_id, damaged.version) from None

    def without_content(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID] | None:
        """The event with what it keeps under its melding's key left empty, for a view
        of a shredded melding; None where nothing is kept so (`shared.keyedfields`)."""
        return None
