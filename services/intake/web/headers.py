"""Security headers for the reporter's pages and their static files.

No inline scripts or styles, nothing from another origin, no framing, no referrer (a
reporter's visit must not leak to anyone). `nosniff` and `no-store` (the receipt page
shows a code that must not survive in a cache) come with every answer of every service
(`shared/middleware.py`).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# 'wasm-unsafe-eval' lets libsodium compile its WebAssembly; it allows no script text.
CSP = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class SecurityHeaders:
    """Adds the headers to responses under the given paths (the web pages, not the API)."""

    def __init__(self, app: ASGIApp, *, exact: tuple[str, ...], prefixes: tuple[str, ...]):
        self.app = app
        self.exact = exact
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else None
        if path is None or not (path in self.exact or path.startswith(self.prefixes)):
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
