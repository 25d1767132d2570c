"""RFC 9457 problem+json for every error a service answers, FastAPI's own included."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy.exc
from eventsourcing.persistence import OperationalError, PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import DomainError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("meldingen.problems")
MAX_LISTED_ERRORS = 50


#: The errors any operation may answer (see the common rules of the HTTP contract),
#: documented on every route so that clients and schemathesis know their shape.
ERROR_RESPONSES = {400: "Malformed JSON", 401: "No valid bearer token", 403: "Role not allowed",
                   404: "Not found", 409: "Not allowed in the current state", 413:
                   "Body too large", 422: "Invalid input", 429: "Rate limited",
                   500: "A stored record of this melding is damaged "
                   "(type urn:meldingen:problem:damaged-record); nothing was changed",
                   503: "Store or NATS unavailable; nothing was stored"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "status", "title", "detail"],
    "properties": {
        "type": {"type": "string"}, "status": {"type": "integer"},
        "title": {"type": "string"}, "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


def document_problems(app: FastAPI) -> None:
    """Describe the problem+json error responses on every operation of the app's OpenAPI
    document (replacing FastAPI's default 422 body, which is not what is answered)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    responses = operation.setdefault("responses", {})
                    for status, description in ERROR_RESPONSES.items():
                        documented = responses.setdefault(str(status),
                                                          {"description": description})
                        documented["content"] = {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def problem(status: int, title: str, detail: str, *, type: str = "about:blank",
            **extra: Any) -> JSONResponse:
    body = {"type": type, "status": status, "title": title, "detail": detail, **extra}
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    # ("body", "identity", "email") -> "identity.email"; drop the request part.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(400, "Malformed JSON", "The request body is not valid JSON.")
    # Never echo the submitted value back: it may be an identity or a receipt.
    listed = [
        {"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "")} for e in errors
    ]
    # A body of thousands of bad keys must not buy an answer many times its size.
    return problem(422, "Invalid input", "Some fields are missing or invalid.",
                   errors=listed[:MAX_LISTED_ERRORS])


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
             405: "Method not allowed", 413: "Payload too large",
             429: "Too many requests"}.get(exc.status_code, "Error")
    response = problem(exc.status_code, title, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem(exc.status, exc.title, exc.detail, type=exc.type, **exc.extra)


def _store_unavailable(_: Request, exc: Exception) -> JSONResponse:
    log.error("event store unavailable", extra={"error": type(exc).__name__})
    detail = "The event store is unavailable; nothing was stored."
    return problem(503, "Service unavailable", detail)


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # The message could contain request data: log the type only.
    log.error("unhandled error", extra={"error": type(exc).__name__})
    return problem(500, "Internal error", "An unexpected error occurred; nothing was stored.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(OperationalError, _store_unavailable)
    app.add_exception_handler(PersistenceError, _store_unavailable)
    # The same, raised by a store of the service's own beside the event store (the
    # per-melding key table, shared/keystore.py).
    app.add_exception_handler(sqlalchemy.exc.OperationalError, _store_unavailable)
    app.add_exception_handler(Exception, _unexpected)
