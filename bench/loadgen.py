"""The load generator: a separate process with an async httpx client.

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

import httpx

from bench.payloads import melding
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
        self._prober = None if not probe else httpx.AsyncClient(
            base_url=probe["base_url"], headers=probe["headers"], timeout=10.0,
            limits=httpx.Limits(max_connections=8))

    def request(self, n: int) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"method": self.spec.get("method", "GET"),
                                  "url": self.paths[n % len(self.paths)]}
        if self.spec.get("body"):
            kwargs["json"] = melding(self.spec["body"], n)
        elif self.spec.get("bodies"):
            kwargs["json"] = self.spec["bodies"][n % len(self.spec["bodies"])]
        return kwargs

    async def run(self) -> dict[str, Any]:
        limits = httpx.Limits(max_connections=self.concurrency,
                              max_keepalive_connections=self.concurrency)
        headers = self.spec.get("headers") or {}
        async with httpx.AsyncClient(base_url=self.spec["base_url"], limits=limits,
                                     headers=headers, timeout=30.0) as client:
            await self._phase(client, int(self.spec.get("warmup", 0)), 60.0, measure=False)
            started = time.perf_counter()
            await self._phase(client, int(self.spec["count"]), float(self.spec["duration"]),
                              measure=True)
            elapsed = time.perf_counter() - started
            if self._probes:
                await asyncio.gather(*self._probes)
            if self._prober is not None:
                await self._prober.aclose()
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

    async def _phase(self, client: httpx.AsyncClient, count: int, duration: float, *,
                     measure: bool) -> None:
        issued = 0
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal issued
            while issued < count and time.perf_counter() < deadline:
                issued += 1
                await self._one(client, next(self._numbers), measure)

        await asyncio.gather(*(worker() for _ in range(self.concurrency)))

    async def _one(self, client: httpx.AsyncClient, n: int, measure: bool) -> None:
        started = time.perf_counter()
        try:
            response = await client.request(**self.request(n))
            status = str(response.status_code)
        except httpx.HTTPError as exc:
            response, status = None, type(exc).__name__
        done = time.perf_counter()
        if response is None or response.status_code != self.expect:
            if measure:
                self.errors[status] += 1
            return
        if not measure:
            self._warm_ok += 1
            return
        self.latencies.append((done - started) * 1000)
        if self.spec.get("collect"):
            self.collected.append(response.json()[self.spec["collect"]])
        probe = self.spec.get("probe")
        if probe and n % int(probe["every"]) == 0:
            self._probes.append(asyncio.create_task(self._probe(response.json()["id"], done)))

    async def _probe(self, melding_id: str, created: float) -> None:
        probe = self.spec["probe"]
        deadline = created + float(probe["timeout"])
        assert self._prober is not None
        while time.perf_counter() < deadline:
            try:
                response = await self._prober.get(probe["path"].format(id=melding_id))
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code == 200:
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
