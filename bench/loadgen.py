"""The load generator: a separate process, one keep-alive connection per client
(bench.rawhttp, so that the generator takes little of the CPU it measures).

    python -m bench.loadgen SPEC.json    (prints the result as JSON on stdout)

SPEC names the target (`base_url`, `method`, `paths`), the body (`body`: "named" or
"anonymous" for meldingen, or `bodies`: a list to rotate through), the `concurrency`
and the bounds (`count` requests at most, `duration` seconds at most, after `warmup`
requests that are not measured). With `probe`, every `every`-th created melding is
then polled at `probe.path` (with `{id}`) every `interval` seconds (or a tenth of
the time waited so far, if longer) until it answers 200: the time from the 201 to
that answer is its propagation latency.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import resource
import sys
import time
from collections import Counter
from typing import Any

from bench.payloads import melding
from bench.rawhttp import Connection, HTTPError
from bench.stats import summary


class Load:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.concurrency = int(spec["concurrency"])
        self.expect = int(spec.get("expect", 200))
        self.paths: list[str] = spec["paths"]
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.collected: list[Any] = []
        self.propagation: list[float] = []
        self.probes_lost = 0
        self._probes: list[asyncio.Task[None]] = []
        self._numbers = itertools.count(int(spec.get("first", 0)))
        self._warm_ok = 0
        probe = spec.get("probe")
        # Probes share a few connections of their own, handed out through a queue.
        self._probe_connections: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(8 if probe else 0):
            self._probe_connections.put_nowait(Connection(probe["base_url"], probe["headers"]))

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
        await self._phase(connections, int(self.spec["count"]), float(self.spec["duration"]),
                          measure=True)
        elapsed = time.perf_counter() - started
        if self._probes:
            await asyncio.gather(*self._probes)
        for connection in connections:
            await connection.close()
        while not self._probe_connections.empty():
            await self._probe_connections.get_nowait().close()
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
        if self.spec.get("probe"):
            result["propagation"] = {**summary(self.propagation), "lost": self.probes_lost,
                                     "poll_interval_ms": self.spec["probe"]["interval"] * 1000}
        if self.spec.get("collect"):
            result["collected"] = self.collected
        return result

    async def _phase(self, connections: list[Connection], count: int, duration: float, *,
                     measure: bool) -> None:
        issued = 0
        deadline = time.perf_counter() + duration

        async def worker(connection: Connection) -> None:
            nonlocal issued
            while issued < count and time.perf_counter() < deadline:
                issued += 1
                await self._one(connection, next(self._numbers), measure)

        await asyncio.gather(*(worker(connection) for connection in connections))

    async def _one(self, connection: Connection, n: int, measure: bool) -> None:
        started = time.perf_counter()
        try:
            status, answer = await asyncio.wait_for(connection.request(*self.request(n)), 30.0)
        except (HTTPError, TimeoutError) as exc:
            await connection.close()
            status, answer = 0, type(exc).__name__.encode()
        done = time.perf_counter()
        if status != self.expect:
            if measure:
                self.errors[str(status or answer.decode())] += 1
            return
        if not measure:
            self._warm_ok += 1
            return
        self.latencies.append((done - started) * 1000)
        if self.spec.get("collect"):
            self.collected.append(json.loads(answer)[self.spec["collect"]])
        probe = self.spec.get("probe")
        if probe and n % int(probe["every"]) == 0:
            self._probes.append(asyncio.create_task(self._probe(json.loads(answer)["id"], done)))

    async def _probe(self, melding_id: str, created: float) -> None:
        probe = self.spec["probe"]
        deadline = created + float(probe["timeout"])
        path = probe["path"].format(id=melding_id)
        while time.perf_counter() < deadline:
            connection = await self._probe_connections.get()
            try:
                status, _ = await asyncio.wait_for(connection.request("GET", path), 10.0)
            except (HTTPError, TimeoutError):
                await connection.close()
                status = 0
            finally:
                self._probe_connections.put_nowait(connection)
            if status == 200:
                self.propagation.append((time.perf_counter() - created) * 1000)
                return
            # Poll often at first and less as the wait grows: the figure stays within
            # 10 % (or one interval) of the truth without flooding a lagging triage.
            waited = time.perf_counter() - created
            await asyncio.sleep(max(float(probe["interval"]), waited / 10))
        self.probes_lost += 1


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
