"""A minimal HTTP/1.1 keep-alive client for the load generator.

httpx costs about 1.4 ms of CPU per request, which on a 2-core machine takes most
of a core from the services it measures. This client does only what the load needs
(one request at a time per connection, Content-Length bodies, no redirects, no
chunked encoding) in a few tens of microseconds, the way wrk does.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit


class HTTPError(Exception):
    """The connection broke or the answer was not HTTP/1.1 with a Content-Length."""


class Connection:
    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        url = urlsplit(base_url)
        if url.scheme != "http" or url.hostname is None:
            raise ValueError(f"only http:// URLs: {base_url}")
        self._host = url.hostname
        self._port = url.port or 80
        fixed = {"Host": f"{self._host}:{self._port}", **(headers or {})}
        self._fixed = "".join(f"{name}: {value}\r\n" for name, value in fixed.items()).encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None = None,
                      content_type: str = "application/json") -> tuple[int, bytes]:
        """(status, body). Opens the connection on first use and after a failure."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        assert self._reader is not None
        head = f"{method} {path} HTTP/1.1\r\n".encode() + self._fixed
        if body is not None:
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n".encode()
        try:
            self._writer.write(head + b"\r\n" + (body or b""))
            status, length, closes = _parse_head(await self._reader.readuntil(b"\r\n\r\n"))
            answer = await self._reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            await self.close()
            raise HTTPError(type(exc).__name__) from exc
        if closes:
            await self.close()
        return status, answer

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        raise HTTPError(f"not an HTTP status line: {lines[0][:80]!r}") from None
    length, closes = None, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            closes = value.strip().lower() == "close"
        elif name == "transfer-encoding":
            raise HTTPError("chunked answers are not supported")
    if length is None:
        raise HTTPError("no Content-Length in the answer")
    return status, length, closes
