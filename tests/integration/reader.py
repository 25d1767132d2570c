"""What an intruder with the whole machine reads: every event of every SQLite store
under `var/` and every message of the stream, decrypted with every key there is
(the store cipher, every key table's wrapped keys opened with every keyring secret,
and, for the stream, every sealed key that a keyring's fixed transport key or any
transport epoch's private half left in an epoch table opens)."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment
from nacl.public import PrivateKey
from nats.js.errors import KeyNotFoundError, NotFoundError

from shared.config import SERVICES, Settings
from shared.crypto import unb64
from shared.datakeys import DataKey, KeyringError, ServiceKeys, is_encrypted, open_sealed
from shared.messaging.nats import connect
from shared.messaging.permissions import ADMIN
from shared.transportkeys import transport_bucket


def keyrings(settings: Settings) -> list[ServiceKeys]:
    return [ServiceKeys(settings.keyring_secret_of(service)) for service in SERVICES
            if service in ("intake", "triage", "investigation")]


def databases(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.var_dir.rglob("*") if p.is_file()
                  and p.read_bytes()[:16] == b"SQLite format 3\x00")


def wrapped_rows(settings: Settings, tables: str, columns: str
                 ) -> Iterator[tuple[Any, bytes]]:
    """Every (id, wrapped) row still holding a wrapped key in any table named like
    `tables`, in every SQLite store under `var/`."""
    for path in databases(settings):
        with sqlite3.connect(path) as db:
            names = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE ?", (tables,))]
            for table in names:
                for row_id, wrapped in db.execute(
                        f"SELECT {columns} FROM {table} WHERE wrapped IS NOT NULL"):
                    yield row_id, bytes(wrapped)


def kept_keys(settings: Settings) -> list[DataKey]:
    """Every data key any key table still holds, opened with every keyring secret."""
    keys: list[DataKey] = []
    for melding_id, wrapped in wrapped_rows(settings, "%_melding_keys", "melding_id, wrapped"):
        for ring in keyrings(settings):
            try:
                keys.append(ring.unwrap(melding_id, wrapped))
            except KeyringError:
                continue
    return keys


def _strings(value: Any, name: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, name)
    elif isinstance(value, str):
        yield name, value


def opened(document: Any, topic: str, keys: list[DataKey]) -> str:
    """The document as text, with every ciphertext in it that a key opens opened."""
    texts = [orjson.dumps(document).decode()]
    for name, text in _strings(document):
        if not is_encrypted(text):
            continue
        for key in keys:
            for field in (topic, name):
                try:
                    texts.append(key.decrypt_bytes(field, text).decode())
                except KeyringError:
                    continue
    return "\n".join(texts)


def store_text(settings: Settings, keys: list[DataKey]) -> str:
    """Every stored event of every store, decrypted as far as the keys go."""
    cipher = AESCipher(Environment(env={"CIPHER_KEY": settings.cipher_key_b64}))
    texts: list[str] = []
    for path in databases(settings):
        with sqlite3.connect(path) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master "
                                               "WHERE type = 'table'")]
            for table in tables:
                columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
                if "state" not in columns or "topic" not in columns:
                    continue
                for topic, state in db.execute(f"SELECT topic, state FROM {table}"):
                    document = orjson.loads(zlib.decompress(cipher.decrypt(bytes(state))))
                    texts.append(opened(document, topic, keys))
    return "\n".join(texts)


def epoch_keys(settings: Settings) -> dict[int, list[PrivateKey]]:
    """Every transport epoch's private half any epoch table still holds, opened with
    every keyring secret, by epoch number."""
    epochs: dict[int, list[PrivateKey]] = {}
    for epoch, wrapped in wrapped_rows(settings, "%_transport_keys", "epoch, wrapped"):
        for ring in keyrings(settings):
            try:
                epochs.setdefault(epoch, []).append(ring.unwrap_epoch(epoch, wrapped))
            except KeyringError:
                continue
    return epochs


def sealed_keys(messages: list[Any], settings: Settings) -> list[DataKey]:
    """The data keys that the stream's sealed copies give to a keyring's fixed
    transport key, or (a box `e<N>:...`) to any epoch N's private half left."""
    keys: list[DataKey] = []
    epochs = epoch_keys(settings)
    for message in messages:
        melding_ids = {v for n, v in _strings(message) if n == "melding_id"}
        for sealed in (v for n, v in _strings(message) if n in SERVICES):
            epoch, _, box = sealed.rpartition(":")
            openers = ([partial(open_sealed, private) for private in epochs.get(
                int(epoch[1:]), [])] if epoch else
                [ring.open_sealed for ring in keyrings(settings)])
            for opener in openers:
                for melding_id in melding_ids:
                    try:
                        keys.append(opener(melding_id, unb64(box)))
                    except (KeyringError, ValueError):
                        continue
    return keys


async def offered_epochs(settings: Settings, service: str) -> list[int]:
    """The epochs `service` offers in the transport keys' bucket (unverified)."""
    nc = await connect(settings, name="reader", user=ADMIN)
    try:
        kv = await nc.jetstream().key_value(transport_bucket(settings.stream))
        try:
            entry = orjson.loads((await kv.get(service)).value or b"null")
        except KeyNotFoundError:
            return []
        return [number for number, _ in orjson.loads(entry["entry"])["epochs"]]
    finally:
        await nc.close()


async def stream_messages(settings: Settings) -> list[Any]:
    """Every message of the stream, raw, as `admin` reads it (one taken off by the
    migration, `shared.legacy_stream`, is gone)."""
    nc = await connect(settings, name="reader", user=ADMIN)
    try:
        js = nc.jetstream()
        state = (await js.stream_info(settings.stream)).state
        messages = []
        for seq in range(max(state.first_seq, 1), state.last_seq + 1):
            try:
                message = await js.get_msg(settings.stream, seq)
            except NotFoundError:  # taken off (`shared.legacy_stream`): erased
                continue
            messages.append(orjson.loads(message.data or b"null"))
        return messages
    finally:
        await nc.close()


def stream_text(messages: list[Any], keys: list[DataKey]) -> str:
    return "\n".join(opened(m, str(_type_of(m)), keys) for m in messages)


def _type_of(message: Any) -> str:
    for name, value in _strings(message):
        if name == "type":
            return value
    return ""
