"""The load generator: a separate process, one keep-alive connection per client
(bench.rawhttp, so that the generator takes little of the CPU it measures).

    python -m bench.loadgen SPEC.json    (prints the result as JSON on stdout)

SPEC names the target (`base_url`, `method`, `paths`), the body (`body`: "named" or
"anonymous" for meldingen, or `bodies`: a list to rotate through), the `concurrency`
and the bounds (`count` requests at most, `duration` seconds at most, after `warmup`
requests that are not measured).

Without `rate` the load is a closed loop: each client sends its next request as soon
as the last one is answered, and latency is from sending to reading the whole answer.
With `rate` (requests per second) it is an open loop: request i is due at
start + i / rate, whether or not earlier ones have been answered, and is sent at that
time by a free client (at most `concurrency` in flight, one per connection). Latency
is then from the request's *due* time, so a backlog shows in the figures instead of
slowing the load down (no coordinated omission); the result says how many requests
started more than `LATE_MS` after they were due and how many were never sent (the
backlog still waiting `duration` seconds after the last was due).

With `record_created`, the result lists every measured answer as [its JSON `id`,
the wall-clock time (time.time()) at which it was read].
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import resource
import sys
import time
from collections import Counter
from typing import Any

from bench.payloads import melding
from bench.rawhttp import Connection, HTTPError
from bench.stats import summary

#: An open-loop request that starts later than this after its due time is late.
LATE_MS = 10.0


class Load:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.concurrency = int(spec["concurrency"])
        self.expect = int(spec.get("expect", 200))
        self.paths: list[str] = spec["paths"]
        self.rate = float(spec["rate"]) if spec.get("rate") else None
        self.record_created = bool(spec.get("record_created"))
        self.latencies: list[float] = []
        self.sent_latencies: list[float] = []  # open loop: from sending, as without rate
        self.start_lags: list[float] = []  # open loop: how late each request started
        self.errors: Counter[str] = Counter()
        self.collected: list[Any] = []
        self.created: list[tuple[str, float]] = []
        self.unsent = 0
        self.last_start = 0.0
        self._numbers = itertools.count(int(spec.get("first", 0)))
        self._warm_ok = 0

    def request(self, n: int) -> tuple[str, str, bytes | None]:
        body: Any = None
        if self.spec.get("body"):
            body = melding(self.spec["body"], n)
        elif self.spec.get("bodies"):
            body = self.spec["bodies"][n % len(self.spec["bodies"])]
        return (self.spec.get("method", "GET"), self.paths[n % len(self.paths)],
                None if body is None else json.dumps(body).encode())

    async def run(self) -> dict[str, Any]:
        connections = [Connection(self.spec["base_url"], self.spec.get("headers"))
                       for _ in range(self.concurrency)]
        await self._phase(connections, int(self.spec.get("warmup", 0)), 60.0, measure=False)
        started = time.perf_counter()
        issued = await self._phase(connections, int(self.spec["count"]),
                                   float(self.spec["duration"]), measure=True)
        elapsed = time.perf_counter() - started
        for connection in connections:
            await connection.close()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        ok = len(self.latencies)
        result: dict[str, Any] = {
            "concurrency": self.concurrency,
            "requests": ok + sum(self.errors.values()),
            "ok": ok,
            "warmup_ok": self._warm_ok,
            "errors": dict(self.errors),
            "elapsed_s": round(elapsed, 3),
            "throughput_per_s": round(ok / elapsed, 1) if elapsed > 0 else None,
            "latency": summary(self.latencies),
            "loadgen_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        }
        if self.rate:
            span = self.last_start - started
            lags = sorted(self.start_lags)
            result["open_loop"] = {
                "rate_per_s": self.rate,
                # requests started per second, from the first due time to the last start
                "achieved_per_s": round((issued - 1) / span, 1) if issued > 1 and span > 0
                else None,
                "late": sum(1 for lag in lags if lag > LATE_MS),
                "late_threshold_ms": LATE_MS,
                "max_start_lag_ms": round(lags[-1], 2) if lags else None,
                "unsent": self.unsent,
                "latency_from_sending": summary(self.sent_latencies),
            }
        if self.record_created:
            result["created"] = self.created
        if self.spec.get("collect"):
            result["collected"] = self.collected
        return result

    async def _phase(self, connections: list[Connection], count: int, duration: float, *,
                     measure: bool) -> int:
        """Send up to `count` requests within `duration` seconds; how many were sent."""
        issued = 0
        started = time.perf_counter()
        deadline = started + duration
        rate = self.rate or 0.0
        due_in_time = min(count, math.ceil(duration * rate))
        give_up = deadline + duration  # a backlog may drain for another `duration`

        async def closed(connection: Connection) -> None:
            nonlocal issued
            while issued < count and time.perf_counter() < deadline:
                issued += 1
                await self._one(connection, next(self._numbers), measure, None)

        async def opened(connection: Connection) -> None:
            nonlocal issued
            while issued < due_in_time and time.perf_counter() < give_up:
                due = started + issued / rate
                issued += 1
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._one(connection, next(self._numbers), measure, due)

        worker = opened if rate else closed
        await asyncio.gather(*(worker(connection) for connection in connections))
        if rate and measure:
            self.unsent = due_in_time - issued
        return issued

    async def _one(self, connection: Connection, n: int, measure: bool,
                   due: float | None) -> None:
        started = time.perf_counter()
        if measure and due is not None:
            self.start_lags.append((started - due) * 1000)
            self.last_start = started
        try:
            status, answer = await asyncio.wait_for(connection.request(*self.request(n)), 30.0)
        except (HTTPError, TimeoutError) as exc:
            await connection.close()
            status, answer = 0, type(exc).__name__.encode()
        done = time.perf_counter()
        wall = time.time()
        if status != self.expect:
            if measure:
                self.errors[str(status or answer.decode())] += 1
            return
        if not measure:
            self._warm_ok += 1
            return
        self.latencies.append((done - (started if due is None else due)) * 1000)
        if due is not None:
            self.sent_latencies.append((done - started) * 1000)
        if self.record_created:
            self.created.append((json.loads(answer)["id"], wall))
        if self.spec.get("collect"):
            self.collected.append(json.loads(answer)[self.spec["collect"]])


def main() -> None:
    with open(sys.argv[1]) as file:
        spec = json.load(file)
    try:
        import uvloop

        result = uvloop.run(Load(spec).run())
    except ImportError:
        result = asyncio.run(Load(spec).run())
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
