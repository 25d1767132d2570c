"""A stored file as a download: always an attachment under its cleaned name, never
sniffed or rendered by the browser as a page (nosniff, a CSP that sandboxes it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from fastapi.responses import StreamingResponse


def download(chunks: AsyncIterator[bytes], *, name: str, content_type: str,
             size: int) -> StreamingResponse:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return StreamingResponse(chunks, media_type=content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(name)}",
        "Content-Length": str(size),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "no-store",
    })
