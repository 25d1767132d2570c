"""Calling the four services' APIs as the signed-in person: a fresh short-lived token
of the console's for each call, and each refusal turned into a `Refusal` that keeps
what the service said (status, its reason, the fields it named). The console decides
nothing here: whatever the service refuses is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from services.console.adapters.signing import TokenSigner

M = TypeVar("M", bound=BaseModel)

#: A service that has not answered by then counts as unreachable.
TIMEOUT = httpx.Timeout(10.0, connect=3.0)
#: Connections kept open to each service. httpcore looks at every idle one (a poll of
#: its socket) for each call and again at each answer's end: 64 kept open cost a
#: quarter of the console's CPU on a melding page, and 8 cost less than 16 at c16
#: (console CPU a melding page 8.1 / 6.3 ms against 9.9 / 8.0 in two paired runs);
#: more are opened when a burst needs them.
LIMITS = httpx.Limits(max_connections=128, max_keepalive_connections=8)


@dataclass(frozen=True)
class Acting:
    """Who a call is made for: the signed-in person in the one role the call needs."""

    sub: str
    role: str


@dataclass
class Refusal(Exception):
    """A service said no (or could not be reached: status 503)."""

    status: int
    detail: str = ""
    #: field name -> the service's message, for invalid input.
    fields: dict[str, str] = field(default_factory=dict)
    #: The melding's or case's state named in a 409.
    state: str | None = None
    #: The day a 410's melding was shredded (its retention term ended).
    shredded_on: str | None = None
    #: The setting a refused file broke (`MELDINGEN_ATTACHMENT_MAX_BYTES`, ...).
    limit: str | None = None

    @classmethod
    def of(cls, response: httpx.Response) -> Refusal:
        try:
            body: Any = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        fields = {str(e.get("field", "")): str(e.get("message", ""))
                  for e in body.get("errors") or [] if isinstance(e, dict)}
        state, shredded, limit = body.get("state"), body.get("shredded_on"), body.get("limit")
        return cls(status=response.status_code, detail=str(body.get("detail", "")),
                   fields=fields, state=str(state) if state else None,
                   shredded_on=str(shredded) if shredded else None,
                   limit=str(limit) if limit else None)


def segment(value: str) -> str:
    """An id from the browser as one path segment: it cannot reach another route."""
    return quote(value, safe="")


class ServiceCaller:
    """One service's API, reached at `base_url` (or through `transport`, in tests)."""

    def __init__(self, service: str, base_url: str, signer: TokenSigner,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.service = service
        self._signer = signer
        self._client = httpx.AsyncClient(base_url=base_url, transport=transport,
                                         timeout=TIMEOUT, limits=LIMITS)

    async def call(self, acting: Acting, method: str, path: str, *,
                   params: dict[str, Any] | None = None, json: Any = None,
                   files: Any = None, data: Any = None,
                   accept: str = "application/json") -> httpx.Response:
        token = self._signer.token(sub=acting.sub, role=acting.role)
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        try:
            response = await self._client.request(method, path, params=params, json=json,
                                                  files=files, data=data, headers=headers)
        except httpx.TransportError:
            raise Refusal(503, f"{self.service} is not reachable") from None
        if response.is_error:
            raise Refusal.of(response)
        return response

    async def stream(self, acting: Acting, path: str) -> httpx.Response:
        """A GET whose body is read as it comes (a file: never whole in memory); the
        caller reads it with `aiter_bytes` and closes it with `aclose`. A refusal is
        read whole (it is small) and raised as with `call`."""
        token = self._signer.token(sub=acting.sub, role=acting.role)
        request = self._client.build_request(
            "GET", path, headers={"Authorization": f"Bearer {token}", "Accept": "*/*"})
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TransportError:
            raise Refusal(503, f"{self.service} is not reachable") from None
        if response.is_error:
            try:
                await response.aread()
            finally:
                await response.aclose()
            raise Refusal.of(response)
        return response

    async def get(self, acting: Acting, path: str, model: type[M], **params: Any) -> M:
        wanted = {name: value for name, value in params.items() if value is not None}
        return self._read(await self.call(acting, "GET", path, params=wanted), model)

    async def post(self, acting: Acting, path: str, body: Any, model: type[M]) -> M:
        return self._read(await self.call(acting, "POST", path, json=body), model)

    def _read(self, response: httpx.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            # Not the answer the contract promises (a redirect, another version).
            raise Refusal(502, f"{self.service} answered unexpectedly") from None
