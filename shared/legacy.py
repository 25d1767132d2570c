"""Meldingen filed before per-melding keys, brought under keys so that shredding ends
them too (docs/privacy.md, "Meldingen filed before keys"): `meldingen retention
migrate`.

Such a melding's stored events hold its content in the clear (under only the store's
cipher). A new event carrying a keyed copy would leave the old one readable, so each
such event is rewritten in place: the same event with its keyed fields under the
melding's key, as the mapper stores it once the key exists, so every reader (the
aggregate, the views, the relay) reads it as before and shredding ends it. Each
rewrite is signed and recorded beside the store (`shared.chain.rewrites`), so the
store chain still verifies. The melding gets one key, kept in the key table of each
service that holds events of it, as if it had come along the stream; a melding
already shredded somewhere gets a key nobody keeps: its content ends at once.

What else a service keeps in the clear is its application's `legacy_rewrite` (intake:
a receipt from before the receipt book).

Idempotent and resumable: an event already under a key is left alone, a key already
kept is reused, and each event's new bytes and its record are one transaction. Only
events the relay has chained are rewritten (their link is in the seals); run it with
the services stopped, as any migration.
"""

from __future__ import annotations

import bisect
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Notification

from shared.chain import GENESIS, sealed_links
from shared.chain.rewrites import (
    EventRewritten,
    rewrites_id,
    rewrites_of,
    rewrites_recorder,
    signed_bytes,
    state_sha256,
)
from shared.config import Settings
from shared.damage import DamageAwareMapper
from shared.datakeys import DataKey
from shared.errors import DamagedRecord
from shared.keyedfields import KEYED, KeyedApplication, KeyedFieldsMapper, melding_of
from shared.keystore import MissingKey
from shared.messaging.signing import EventSigner, signer_for
from shared.recorders import all_notifications, core_events

#: The services that keep a melding's content, in the order its key travels.
HOLDERS = ("intake", "triage", "investigation")


@dataclass
class Migrated:
    """What one run did, per service (counts and ids only: nothing of the content)."""

    meldingen: set[str] = field(default_factory=set)
    rewritten: dict[str, int] = field(default_factory=dict)
    unchained: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        said = [f"{service}: {count} events rewritten"
                for service, count in self.rewritten.items() if count]
        said += [f"{service}: {count} events not chained yet: run again once its relay "
                 "has published them" for service, count in self.unchained.items() if count]
        said.append(f"{len(self.meldingen)} meldingen from before keys migrated")
        return said


@dataclass
class Legacy:
    """One stored event from before keys, and whose melding it is (None: not a
    melding's content, as a receipt)."""

    notification: Notification
    event: DomainEventProtocol[Any]
    melding_id: str | None


def migrate(settings: Settings) -> Migrated:
    """Migrate every melding from before keys in every holder's store."""
    apps = {service: importlib.import_module(f"services.{service}.bootstrap")
            .build_application(settings) for service in HOLDERS}
    try:
        return migrate_stores(apps, {s: signer_for(settings, s) for s in HOLDERS})
    finally:
        for app in apps.values():
            app.close()


def migrate_stores(apps: dict[str, KeyedApplication], signers: dict[str, EventSigner]
                   ) -> Migrated:
    done = Migrated()
    found = {service: list(legacy_events(app)) for service, app in apps.items()}
    holders: dict[str, list[str]] = {}
    for service, events in found.items():
        for legacy in events:
            if legacy.melding_id is not None:
                holders.setdefault(legacy.melding_id, [])
                if service not in holders[legacy.melding_id]:
                    holders[legacy.melding_id].append(service)
    # Every holder keeps the key before any event is rewritten under it.
    keys = {melding_id: keep_key(apps, melding_id, services)
            for melding_id, services in sorted(holders.items())}
    for service, events in found.items():
        rewritten, unchained = rewrite(apps[service], signers[service], events, keys)
        done.rewritten[service], done.unchained[service] = rewritten, unchained
    done.meldingen = set(holders)
    return done


def legacy_events(app: KeyedApplication) -> Iterator[Legacy]:
    """The store's events from before keys: a keyed topic without its keyed field, or
    what the application rewrites itself."""
    mapper = app.mapper
    assert isinstance(mapper, KeyedFieldsMapper)
    for notification in all_notifications(app.recorder):
        keyed = notification.topic in mapper.fields
        if not keyed and notification.topic not in app.legacy_topics:
            continue
        try:
            event = DamageAwareMapper.to_domain_event(mapper, notification)
        except DamagedRecord:  # unreadable: the audit names it, nothing to migrate
            continue
        state = vars(event)
        if not keyed:
            yield Legacy(notification, event, None)
        elif KEYED not in state:
            yield Legacy(notification, event, melding_of(notification.originator_id, state))


def keep_key(apps: dict[str, KeyedApplication], melding_id: str,
             services: list[str]) -> DataKey:
    """The melding's one key, kept by every service that holds it: one a holder keeps
    already (an earlier run, cut off), else a new one. Shredded anywhere: a key nobody
    keeps, so what is rewritten under it reads as shredded."""
    rings = [app.keyring for app in apps.values() if app.keyring is not None]
    shredding = next((s for ring in rings if (s := ring.shredding(melding_id))), None)
    if shredding is not None:
        # Triage decided it, and every holder follows: each reads it as shredded now.
        for ring in rings:
            ring.destroy(melding_id, shredding.shredded_at, shredding.term)
        return DataKey.generate(melding_id)
    key: DataKey | None = None
    for ring in rings:
        try:
            key = ring.key(melding_id)
            break
        except MissingKey:
            continue
    key = key or DataKey.generate(melding_id)
    # Receivers first: whatever a holder sends under the key from now on, the holders
    # after it in the key's travel can open already.
    for service in sorted(services, key=HOLDERS.index, reverse=True):
        holder = apps[service].keyring
        assert holder is not None
        kept = holder.store.add(melding_id, holder.keys.wrap(key), holder.clock.now())
        if holder.keys.unwrap(melding_id, kept).secret != key.secret:
            raise RuntimeError(f"{service} keeps another key for melding {melding_id}")
    return key


def rewrite(app: KeyedApplication, signer: EventSigner, events: list[Legacy],
            keys: dict[str, DataKey]) -> tuple[int, int]:
    """Each chained event rewritten, with its signed record, one transaction each;
    returns how many were rewritten and how many are not chained yet."""
    mapper = app.mapper
    assert isinstance(mapper, KeyedFieldsMapper)
    links = sealed_links(app)
    chained = sorted(links)
    version = len(rewrites_of(app))
    recorder: Any = core_events(app.recorder)
    table = recorder.events_record_cls.__table__
    rewritten = unchained = 0
    sqlite = recorder.engine().dialect.name == "sqlite"
    for legacy in events:
        notification = legacy.notification
        link = links.get(notification.id)
        if link is None:
            unchained += 1
            continue
        if legacy.melding_id is None:
            replaced = app.legacy_rewrite(legacy.event)
            if replaced is None:
                continue
            stored = mapper.to_stored_event(replaced)
        else:
            stored = mapper.keyed_stored_event(legacy.event, keys[legacy.melding_id])
        at = bisect.bisect_left(chained, notification.id)
        prev = links[chained[at - 1]] if at else GENESIS
        erased, state = state_sha256(notification.state), state_sha256(stored.state)
        originator = str(notification.originator_id)
        signature = signer.sign(signed_bytes(
            app.name, notification.id, originator, notification.originator_version,
            notification.topic, prev, link, erased, state))
        version += 1
        record = EventRewritten(
            originator_id=rewrites_id(app.name), originator_version=version,
            timestamp=EventRewritten.create_timestamp(), notification_id=notification.id,
            event_originator_id=originator, event_version=notification.originator_version,
            event_topic=notification.topic, prev=prev, link=link, erased_sha256=erased,
            state_sha256=state, signature=signature)
        with recorder.transaction(commit=True) as session:
            if sqlite:  # the replaced bytes are zeroed in the file, not left in a page
                session.execute(sqlalchemy.text("PRAGMA secure_delete=ON"))
            session.execute(sqlalchemy.update(table).where(
                table.c.id == notification.id).values(state=stored.state))
            # Joins the transaction above: the library keeps one per context.
            rewrites_recorder(app).insert_events([mapper.to_stored_event(record)])
        rewritten += 1
    if rewritten and app.keyring is not None:
        app.keyring.store.flush_journal()  # and out of SQLite's write-ahead log
    return rewritten, unchained
