"""The files stream (docs/architecture.md, "Files"): beside the event stream, on the
same NATS servers, so a cluster replicates it as it does the log and no new component
runs. A file is kept as 256 KiB chunks, each its own message on its own subject
`meldingen_files.<service>.<melding>.<file>.<n>`, each sealed with the melding's key
(bound to the file and the chunk's number): what the stream holds reads as noise,
and once the melding's key is destroyed, for good. Shredding also purges the
melding's subjects, so the noise goes too.

A chunk is published with a message id of its subject, so a retry stores it once; a
chunk is read back by its subject (the last message on it), so no consumer is made."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.errors import NotFoundError

from shared.config import Settings
from shared.datakeys import DataKey
from shared.errors import Conflict, Unavailable
from shared.keyring import Keyring, MissingKey

CHUNK_BYTES = 256 * 1024
SUBJECT_ROOT = "meldingen_files"
FILE_SUBJECTS = f"{SUBJECT_ROOT}.>"


def files_stream_name(stream: str) -> str:
    return f"{stream}_FILES"


def files_stream(settings: Settings) -> str:
    return files_stream_name(settings.stream)


def chunks_of(size: int) -> int:
    return max(1, -(-size // CHUNK_BYTES))


def key_of(keyring: Keyring | None, melding_id: str) -> DataKey:
    """The melding's key, which its files are sealed with; a melding filed before keys
    existed has none, and takes no files (raises `Shredded` after shredding)."""
    try:
        if keyring is None:
            raise MissingKey(melding_id)
        return keyring.key(melding_id)
    except MissingKey:
        raise Conflict("This melding was filed before meldingen had keys of their own; "
                       "no file can be kept with it.") from None


class FileStore:
    """One service's reading and writing of files; `connection` is its runtime's NATS
    client once connected (None until then: 503)."""

    def __init__(self, settings: Settings, service: str,
                 connection: Callable[[], Client | None]) -> None:
        self.stream = files_stream(settings)
        self.service = service
        self._connection = connection

    def _client(self) -> Client:
        client = self._connection()
        if client is None or not client.is_connected:
            raise Unavailable("The file store is not reachable; nothing was stored.")
        return client

    def subject(self, writer: str, melding_id: str, file_id: str, index: int) -> str:
        return f"{SUBJECT_ROOT}.{writer}.{melding_id}.{file_id}.{index}"

    async def put(self, key: DataKey, file_id: str, path: Path) -> int:
        """Store the file at `path` under this service; the number of chunks."""
        js = self._client().jetstream()
        index = 0
        with path.open("rb") as file:
            while True:
                chunk = file.read(CHUNK_BYTES)
                if not chunk and index > 0:
                    return index
                subject = self.subject(self.service, key.melding_id, file_id, index)
                try:
                    await js.publish(subject, key.seal_blob(f"file:{file_id}:{index}", chunk),
                                     stream=self.stream, headers={"Nats-Msg-Id": subject})
                except NatsError:
                    # The server went away mid-file (the connection not yet seen as
                    # lost) or the stream is gone: a 503 like "not reachable", which
                    # the caller names as refused. Chunks already sent belong to no
                    # recorded file; shredding the melding purges them with the rest.
                    raise Unavailable("The file store did not take this file; nothing "
                                      "was stored.") from None
                index += 1
                if len(chunk) < CHUNK_BYTES:
                    return index

    async def download(self, keyring: Keyring | None, melding_id: str, file_id: str,
                       recorded: Callable[[], dict[str, Any]]
                       ) -> tuple[dict[str, Any], AsyncIterator[bytes]]:
        """A file as a service serves it: `recorded` (run in a thread) checks who asks
        and records the download, before a byte is read, and returns the file's
        description (its `chunks`, and `stored_by` where another service wrote it)."""
        described = await anyio.to_thread.run_sync(recorded)
        key = await anyio.to_thread.run_sync(key_of, keyring, melding_id)
        return described, self.read(key, described.get("stored_by", self.service), file_id,
                                    described["chunks"])

    async def read(self, key: DataKey, writer: str, file_id: str,
                   chunks: int) -> AsyncIterator[bytes]:
        """The file's plaintext, a chunk at a time (never whole in memory)."""
        js = self._client().jetstream()
        for index in range(chunks):
            subject = self.subject(writer, key.melding_id, file_id, index)
            try:
                message = await js.get_msg(self.stream, subject=subject)
            except NotFoundError:
                raise Unavailable("A part of this file is missing from the file store.") \
                    from None
            assert message.data is not None
            yield key.open_blob(f"file:{file_id}:{index}", message.data)

    async def purge(self, melding_id: str) -> None:
        """Every chunk of every file of the melding, whoever wrote it."""
        js = self._client().jetstream()
        await js.purge_stream(self.stream, subject=f"{SUBJECT_ROOT}.*.{melding_id}.>")

    def purge_from_thread(self, melding_id: str, loop: asyncio.AbstractEventLoop) -> None:
        """`purge`, from a worker thread (the retention check), on the service's loop."""
        asyncio.run_coroutine_threadsafe(self.purge(melding_id), loop).result(timeout=30)
