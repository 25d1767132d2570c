"""A real SMTP server for the notification tests (aiosmtpd), which can be taken down
and brought back on the same port."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    to: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        payload = self.message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()


class Collector:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mails: list[Received] = []
        self.delay = 0.0  # seconds before a mail is taken: a slow server
        #: Mails answered before one is taken and never answered: its sender dies
        #: waiting (a crash with that mail in flight). Once; `stalled` is set then.
        self.stall_after: int | None = None
        self.stalled = threading.Event()
        self._never = asyncio.Event()


    # aiosmtpd calls its handlers by these names.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        with self.lock:
            self.mails.append(Received(list(envelope.rcpt_tos),
                                       message_from_bytes(envelope.original_content)))
            stall = self.stall_after is not None and len(self.mails) > self.stall_after
            if stall:
                self.stall_after = None
        if stall:
            self.stalled.set()
            await self._never.wait()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.collector = Collector()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def mails(self) -> list[Received]:
        with self.collector.lock:
            return list(self.collector.mails)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.mails if address in m.to]

    def start(self) -> None:
        self._controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
