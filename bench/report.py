"""The tables a run prints (and docs/performance.md keeps), from its results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.loadgen import LATE_MS


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table, readable as plain text too."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                for i, (c, w) in enumerate(zip(row, widths, strict=True))) + " |"
              for row in cells]
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 100 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _lat(result: dict[str, Any]) -> list[Any]:
    latency = result["latency"]
    return [latency["p50_ms"], latency["p95_ms"], latency["p99_ms"]]


def _label(run: dict[str, Any]) -> str:
    """An intake run's name: its kind, and its rate if it ran open loop."""
    rate = run.get("rate")
    return f"{run['kind']} ({rate:,}/s open loop)" if rate else run["kind"]


def render(name: str, db: dict[str, Any]) -> str:
    parts = [f"### {name}"]
    raw = db.get("raw")
    if raw:
        rows = [
            ["store append alone (1 thread)", raw["store_append"]["rate_per_s"],
             *[raw["store_append"]["latency"][k] for k in ("p50_ms", "p95_ms", "p99_ms")],
             "-", "-"],
        ]
        for key, label in (("empty_endpoint", "empty FastAPI endpoint"),
                           ("bare_save", "bare FastAPI endpoint saving one aggregate")):
            r = raw[key]
            rows.append([f"{label} c{r['concurrency']}", r["throughput_per_s"], *_lat(r),
                         sum(r["errors"].values()), r.get("peak_rss_mib"),
                         r.get("others_cpu_cores")])
        rows[0].append(None)
        parts.append(table(["raw limit", "/s", "p50 ms", "p95 ms", "p99 ms", "errors",
                            "RSS MiB", "others' CPU (cores)"], rows))
    intake = db.get("intake")
    if intake:
        bare = (raw or {}).get("bare_save", {}).get("throughput_per_s")
        rows = [[_label(r), r["concurrency"],
                 r["ok"], r["throughput_per_s"], *_lat(r),
                 sum(r["errors"].values()), r["intake_peak_rss_mib"],
                 round(r["intake_cpu_s"] / max(r["ok"], 1) * 1000, 2),
                 round(r["throughput_per_s"] / bare * 100, 1) if bare and not r.get("rate")
                 else None,
                 r.get("others_cpu_cores")]
                for r in intake["runs"]]
        parts.append(table(["intake", "c", "ok", "/s", "p50 ms", "p95 ms", "p99 ms", "errors",
                            "peak RSS MiB", "CPU ms/req", "% of bare save",
                            "others' CPU (cores)"], rows))
        parts.append(f"meldingen created {intake['created']:,}, in triage's queue "
                     f"{intake['in_triage_queue']:,}, lost {intake['lost']:,}")
        rows = []
        for r in intake["runs"]:
            if "propagation" not in r:
                continue
            p, loop = r["propagation"], r["open_loop"]
            rows.append([_label(r), r["concurrency"], loop["achieved_per_s"],
                         f"{loop['late']:,} / {loop['unsent']:,}", p["n"], p["p50_ms"], p["p95_ms"],
                         p["p99_ms"], p["max_ms"], p["lost"]])
        if rows and raw:
            js = raw["jetstream"]
            rows.append([f"raw JetStream publish-to-consume at {js['rate_per_s']:.0f}/s", "-",
                         "-", "-", js["consumed"], js["latency"]["p50_ms"],
                         js["latency"].get("p95_ms"), js["latency"]["p99_ms"],
                         js["latency"].get("max_ms"), js["messages"] - js["consumed"]])
        if rows:
            parts.append(table(["propagation 201 -> triage recorded it", "c", "sent /s",
                                f"late > {LATE_MS:.0f} ms / unsent", "meldingen", "p50 ms",
                                "p95 ms", "p99 ms", "max ms", "not arrived"], rows))
    queue = db.get("queue")
    if queue:
        rows = [[name, r["ok"], *_lat(r), sum(r["errors"].values())]
                for name, r in queue["queries"].items()]
        m = queue["mixed_c16"]
        rows.append(["mixed, c16", m["ok"], *_lat(m), sum(m["errors"].values())])
        parts.append(table([f"queue GET at {queue['meldingen']:,} (c1)", "n", "p50 ms",
                            "p95 ms", "p99 ms", "errors"], rows))
        if "filled_s" in queue:
            took = (f"triage's queue table filled directly with {queue['meldingen']:,} "
                    f"meldingen in {queue['filled_s']} s; ")
        else:
            took = (f"triage took in {queue['meldingen']:,} meldingen "
                    f"({queue['not_taken_in']:,} still in the stream at the time bound) at "
                    f"{queue['triage_consume_per_s']:,.0f}/s through its consumer, "
                    f"{queue.get('triage_consume_cpu_us', '-')} us of its CPU each, load "
                    f"{queue.get('loadavg_consumed', '-')} (raw ordered read "
                    f"{queue.get('raw_read', {}).get('rate_per_s', '-')}/s); ")
        parts.append(took +
                     f"mixed c16 {m['throughput_per_s']}/s, triage CPU "
                     f"{m.get('triage_cpu_ms_per_page', '-')} ms a page; peak RSS "
                     f"{queue['triage_peak_rss_mib']} MiB; restarted, ready in "
                     f"{queue.get('triage_restart_ready_s', '-')} s at "
                     f"{queue.get('triage_restart_rss_mib', '-')} MiB")
        cross = queue.get("crosscheck")
        if cross:
            ours, theirs = cross["loadgen"], cross["wrk"]
            parts.append(
                f"cross-check, first page at c16 for 10 s: load generator "
                f"{ours['throughput_per_s']}/s p50/p99 {ours['latency']['p50_ms']}/"
                f"{ours['latency']['p99_ms']} ms; wrk {theirs.get('throughput_per_s')}/s "
                f"p50/p99 {theirs.get('p50_ms')}/{theirs.get('p99_ms')} ms"
                f"{' (' + theirs['error'] + ')' if 'error' in theirs else ''}")
    console = db.get("console")
    if console:
        rows = [[name, r["ok"], *_lat(r), sum(r["errors"].values())]
                for name, r in console["pages"].items()]
        m = console["mixed_c16"]
        rows.append(["mixed, c16", m["ok"], *_lat(m), sum(m["errors"].values())])
        parts.append(table([f"console /queue at {console['meldingen']:,} (c1)", "n",
                            "p50 ms", "p95 ms", "p99 ms", "errors"], rows))
        parts.append(f"mixed c16 {m['throughput_per_s']}/s; console peak RSS "
                     f"{console['console_peak_rss_mib']} MiB; load average "
                     f"{console.get('loadavg_start', '-')} to {console.get('loadavg_end', '-')}")
        if console.get("melding"):
            parts.append(_console_limits(console))
    mailbox = db.get("mailbox")
    if mailbox:
        rows = [[key, mailbox[key]["ok"], mailbox[key]["throughput_per_s"], *_lat(mailbox[key]),
                 sum(mailbox[key]["errors"].values())] for key in ("c1", "c16")]
        parts.append(table(["mailbox login", "n", "/s", "p50 ms", "p95 ms", "p99 ms",
                            "errors"], rows))
    files = db.get("attachments")
    if files:
        upload, raw_store = files["upload_latency"], files["raw_store"]
        parts.append(
            f"attachments: {files['clients']} clients each sending a {files['file_mib']} MiB "
            f"photo (cleaned, sealed, stored): {files['files_per_s']} files/s, upload p50 "
            f"{upload['p50_ms']} ms, p95 {upload['p95_ms']} ms; intake peak RSS "
            f"{files['intake_peak_rss_mib']} MiB. Raw limit, the same file sealed and "
            f"published to the files stream alone: {raw_store['files_per_s']} files/s "
            f"({raw_store['mib_per_s']} MiB/s)")
    replay = db.get("replay")
    if replay:
        parts.append(render_replay(replay))
    if db.get("start"):
        parts.append(render_start(db["start"]))
    checks = db.get("checks") or []
    if checks:
        parts.append(table(["target", "measured", "target", "met"],
                           [[c["figure"], c["value"], c["target"], c["met"]] for c in checks]))
    return "\n\n".join(parts)


def render_replay(replay: dict[str, Any]) -> str:
    rows, notes = [], []
    for r in replay["runs"]:
        endpoint = r["endpoint"]
        raw = max(r["raw_read"], r.get("raw_read_after") or r["raw_read"],
                  key=lambda read: read["rate_per_s"])
        every = r["every_signature"]
        rows.append([r["events"], "chain", r["replayed"], r["elapsed_s"], r["rate_per_s"],
                     raw["rate_per_s"], r["of_raw_read_pct"], r.get("cpu_us_per_event"),
                     raw.get("cpu_us_per_event"), r["peak_rss_mib"]])
        rows.append([r["events"], "every signature", every["replayed"], every["elapsed_s"],
                     every["rate_per_s"], raw["rate_per_s"], every["of_raw_read_pct"],
                     every.get("cpu_us_per_event"), raw.get("cpu_us_per_event"),
                     every["peak_rss_mib"]])
        notes.append(f"{r['events']:,}: reporting's live figures took in "
                     f"{endpoint.get('live_intake_per_s')}/s "
                     f"({endpoint.get('live_cpu_us_per_event')} µs of its CPU an event); "
                     f"POST /api/audit/replay "
                     f"replayed {endpoint.get('replayed')} (the live position) in "
                     f"{endpoint.get('elapsed_s')} s, matches live: "
                     f"{endpoint.get('matches_live')}; restarted from its figure tables, "
                     f"ready in {endpoint.get('restart_ready_s')} s at position "
                     f"{endpoint.get('restart_position')}")
    return "\n\n".join([table(["replay events", "signatures", "replayed", "s", "events/s",
                                "raw read /s (faster of two)",
                                "% of raw", "CPU µs/event", "raw read CPU µs/event",
                                "peak RSS MiB"], rows), *notes])


def _console_limits(console: dict[str, Any]) -> str:
    """Each console figure beside its raw limits from the same run."""
    raw, rows = console["raw"], []
    for key in ("c1", "c16"):
        queue = console["mixed_c16"] if key == "c16" else None
        for name, run in ((f"console /queue, six pages mixed, {key}", queue),
                          (f"triage /api/meldingen, same pages, {key}",
                           raw[f"triage_queue_{key}"]),
                          (f"console /meldingen/{{id}}, 16 meldingen, {key}",
                           console["melding"][key]),
                          (f"triage /api/meldingen/{{id}}, same, {key}",
                           raw[f"triage_melding_{key}"]),
                          (f"console bare /account, {key}", raw[f"bare_{key}"])):
            if run:
                rows.append([name, run["ok"], run["throughput_per_s"], *_lat(run),
                             sum(run["errors"].values())])
    cpu = "; ".join(f"{key} " + ", ".join(f"{name} {ms}" for name, ms in
                                          console["melding"][key].get("cpu_ms_per_page",
                                                                      {}).items())
                    for key in ("c1", "c16"))
    return table(["page and its raw limits", "n", "/s", "p50 ms", "p95 ms", "p99 ms",
                  "errors"], rows) + f"\n\nCPU ms per melding page: {cpu}"


def render_start(start: dict[str, Any]) -> str:
    """Each service's start on each history size, and what the seeding took."""
    rows, notes = [], []
    for size, run in start.items():
        for service in run.get("services", ()):
            r = run[service]
            rows.append([f"{int(size):,}", service, r["ready_s"], r["cpu_start_s"],
                         r["rss_ready_mib"], r["peak_rss_start_mib"], r["peak_rss_mib"],
                         r["cpu_settle_s"]])
        seeding = run["seeding"]
        stream = (f"{seeding['stream_events']:,} events on the stream in "
                  f"{seeding['stream_s']} s" if "stream_events" in seeding
                  else "the stores only, no stream")
        notes.append(f"{int(size):,}: seeded in {seeding['total_s']} s "
                     f"({stream}), {seeding['disk_mib']} MiB on disk; load "
                     f"average {run['loadavg_start']} to {run['loadavg_end']}")
    return "\n\n".join([table(["history", "service", "ready s", "CPU to ready s",
                                "RSS at ready MiB", "peak RSS to ready MiB",
                                "peak RSS with settle MiB", "CPU in settle s"], rows),
                         *notes])
