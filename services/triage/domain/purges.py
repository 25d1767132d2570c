"""A shredded melding's files leaving the files stream, kept track of until they are
gone (docs/privacy.md, "Attachments"): shredding destroys the key first, so the files
are unreadable at once, but their noise must go too, and the stream can be away (NATS
down) when the retention check shreds. So the purge is recorded as due before the
melding is shredded, and as done once the stream has purged it; the retention check
retries every one still due, at each check and at start, until it is done
(`services.triage.adapters.purge_table` keeps which)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:meldingen:triage:files-purge")


class FilesPurge(Aggregate):
    """Not keyed: it names only the melding's id, and outlives the melding's key."""

    if TYPE_CHECKING:
        Due: ClassVar[type[Any]]
        Purged: ClassVar[type[Any]]

    @staticmethod
    def create_id(melding_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, str(melding_id))

    @event("Due")
    def __init__(self, melding_id: UUID, at: datetime) -> None:
        self.melding_id = melding_id
        self.purged_at: datetime | None = None

    @event("Purged")
    def purged(self, *, at: datetime) -> None:
        self.purged_at = at
