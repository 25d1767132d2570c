"""The raw limit beneath intake: a bare FastAPI app on the same uvicorn setup as
`meldingen serve`, with an empty endpoint and one that only saves one aggregate
through the same event store configuration as intake (cipher, compressor, pragmas).

    BENCH_PORT=... MELDINGEN_VAR_DIR=... python -m bench.bare_app
"""

from __future__ import annotations

import os
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from fastapi import FastAPI

from shared.config import get_settings
from shared.eventstore import store_environment


class Probe(Aggregate):
    """As much as a melding carries, without any of its rules."""

    @event("Made")
    def __init__(self, *, body: dict[str, Any]) -> None:
        self.body = body


class ProbeStore(Application[Any]):
    name = "intake"  # the same table names and store settings as intake's


def create_app() -> FastAPI:
    store = ProbeStore(store_environment(get_settings(), "intake"))
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/empty")
    async def empty() -> dict[str, str]:
        return {}

    @app.post("/save", status_code=201)
    def save(body: dict[str, Any]) -> dict[str, str]:
        # a sync route, as intake's: it runs in the threadpool like intake's does
        probe = Probe(body=body)
        store.save(probe)
        return {"id": str(probe.id)}

    return app


def main() -> None:
    import uvicorn

    uvicorn.run("bench.bare_app:create_app", factory=True, host="127.0.0.1",
                port=int(os.environ["BENCH_PORT"]), log_config=None, access_log=False,
                timeout_graceful_shutdown=10)


if __name__ == "__main__":
    main()
