"""Which melding a receipt opens: one row per melding, the receipt's keyed hash and the
melding's id, in intake's database beside its key table but outside the event log
(docs/privacy.md, "Receipts and the mailbox").

Outside the log because shredding must end the link: the event store is hash-chained
and never rewritten, so a receipt kept there (an aggregate whose id is derived from
the hash) would tell, for as long as the store lives, which melding a receipt was
for. Here shredding deletes the row, with `secure_delete` and a WAL checkpoint as the
key table does, and afterwards the receipt finds what any wrong code finds: nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

import sqlalchemy
from sqlalchemy import Column, MetaData, String, Table

from shared.keyring import Keyring
from shared.keystore import KeyStore


class ReceiptBook:
    def __init__(self, keys: KeyStore) -> None:
        # The key table's engine: the same database, connections and pragmas.
        self.keys = keys
        self.table = Table(
            "intake_receipts", MetaData(schema=keys.table.schema),
            Column("digest", String(128), primary_key=True),
            Column("melding_id", String(64), nullable=False, index=True),
        )
        self.table.create(keys.engine, checkfirst=True)
        # Receipts of drafted meldingen, until the save that stores them has ended: a
        # batch whose rows could not be written is saved again, one by one, with them.
        self._expected: dict[str, str] = {}
        self._lock = threading.Lock()

    def expect(self, melding_id: str, digest: str) -> None:
        with self._lock:
            self._expected[melding_id] = digest

    def add_expected(self, melding_ids: Iterable[str]) -> None:
        """The rows of these meldingen's expected receipts (`add_many`)."""
        with self._lock:
            receipts = {self._expected[i]: i for i in melding_ids if i in self._expected}
        self.add_many(receipts)

    def settle(self, melding_ids: Iterable[str]) -> None:
        with self._lock:
            for melding_id in melding_ids:
                self._expected.pop(melding_id, None)

    def add_many(self, receipts: Mapping[str, str]) -> None:
        """`digest -> melding id` for a batch of filings, in one transaction that does
        not wait for the disk: the event store's commit of the same meldingen follows
        in the same database and flushes both (as `KeyStore.add_many`). Adding a row
        again (a batch retried one by one) keeps the first."""
        if not receipts:
            return
        with self.keys.engine.connect() as connection:
            self.keys.lazy(connection)
            connection.execute(self.keys.insert_ignoring(self.table), [
                {"digest": digest, "melding_id": melding_id}
                for digest, melding_id in receipts.items()])
            connection.commit()
            self.keys.eager(connection)

    def find(self, digest: str) -> str | None:
        with self.keys.engine.connect() as connection:
            found: str | None = connection.execute(sqlalchemy.select(
                self.table.c.melding_id).where(self.table.c.digest == digest)).scalar()
        return found

    def forget(self, melding_id: str) -> None:
        """Shredding: the melding's receipt opens nothing from now on (twice is
        harmless)."""
        with self.keys.engine.begin() as connection:
            connection.execute(self.table.delete().where(
                self.table.c.melding_id == melding_id))
        self.keys.flush_journal()


#: A retired receipt's place: what no receipt's hash is, and no melding's id.
RETIRED_DIGEST = ""
RETIRED_MELDING = UUID(int=0)


def retire_receipt(book: ReceiptBook, keyring: Keyring | None, issued: Any) -> Any:
    """A receipt kept in the event store before the receipt book (the `Receipt`
    aggregate's `Issued`): its row goes into the book (unless its melding is shredded:
    then it opens nothing any more), and the event is to be stored as a tombstone that
    names neither the receipt's hash nor the melding, so that after shredding nothing
    ties the receipt to it. None for one retired already."""
    state = vars(issued)
    if state.get("digest") == RETIRED_DIGEST:
        return None
    melding_id = str(state["report_id"])
    if keyring is None or keyring.shredding(melding_id) is None:
        book.add_many({state["digest"]: melding_id})
    tombstone = object.__new__(type(issued))
    object.__setattr__(tombstone, "__dict__", {
        **state, "digest": RETIRED_DIGEST, "report_id": RETIRED_MELDING})
    return tombstone
