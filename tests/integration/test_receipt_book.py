"""Intake's receipt book on both databases: a receipt finds its melding until the
melding is shredded, then nothing, as a wrong code; a batch written twice (a failed
batch saved again) keeps one row; a row's delete leaves no other melding's behind;
an intake restarted keeps them."""

from __future__ import annotations

from services.intake.adapters.receipt_book import ReceiptBook
from shared.config import Settings
from shared.keystore import KeyStore
from tests.support import MELDING, ok, running


def test_a_receipt_finds_its_melding_until_it_is_forgotten(settings: Settings) -> None:
    keys = KeyStore.for_service(settings, "intake")
    try:
        book = ReceiptBook(keys)
        book.expect("melding-1", "a" * 128)
        book.expect("melding-2", "b" * 128)
        book.add_expected(["melding-1", "melding-2"])
        book.add_expected(["melding-1", "melding-2"])  # saved again after a failed batch
        book.settle(["melding-1", "melding-2"])
        book.add_expected(["melding-1"])  # settled: nothing more to write
        assert (book.find("a" * 128), book.find("b" * 128)) == ("melding-1", "melding-2")
        assert book.find("c" * 128) is None

        book.forget("melding-1")
        book.forget("melding-1")  # a redelivered melding_shredded
        assert (book.find("a" * 128), book.find("b" * 128)) == (None, "melding-2")
        # A book opened again (a restart) reads the same table.
        assert ReceiptBook(keys).find("b" * 128) == "melding-2"
    finally:
        keys.dispose()


async def test_a_receipt_still_opens_its_mailbox_after_intake_restarts(
        sqlite_settings: Settings) -> None:
    async with running("intake", sqlite_settings) as intake:
        filed = await ok(intake.client.post("/api/meldingen", json=MELDING), 201)
    async with running("intake", sqlite_settings) as intake:
        login = await ok(intake.client.post("/api/mailbox/login",
                                            json={"receipt": filed["receipt"]}))
        mailbox = await ok(intake.client.get(
            "/api/mailbox", headers={"Authorization": f"Bearer {login['token']}"}))
        assert mailbox["id"] == filed["id"]
        wrong = await intake.client.post("/api/mailbox/login",
                                         json={"receipt": "0000 0000 0000 0000"})
        assert wrong.status_code == 401
