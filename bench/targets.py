"""The figures to reach (issues 4, 6, 7 and 23) and how a run's results meet them."""

from __future__ import annotations

from typing import Any

Check = dict[str, Any]


def _check(figure: str, value: float | None, target: str, ok: bool | None) -> Check:
    return {"figure": figure, "value": value, "target": target,
            "met": None if value is None else ok}


def checks(db: dict[str, Any]) -> list[Check]:
    """Each target beside the value measured on one store (None: not measured)."""
    found: list[Check] = []
    intake = db.get("intake")
    if intake:
        bare = db["raw"]["bare_save"]["throughput_per_s"]
        for run in intake["runs"]:
            if run["concurrency"] != 16:
                continue
            kind, rate, p99 = run["kind"], run["throughput_per_s"], run["latency"]["p99_ms"]
            if run.get("rate"):
                if "propagation" in run:
                    found.extend(_propagation(run))
                continue
            found.append(_check(f"intake {kind} c16 /s", rate, ">= 400", rate >= 400))
            found.append(_check(f"intake {kind} c16 p99 ms", p99, "<= 100", p99 <= 100))
            ratio = round(rate / bare * 100, 1) if bare else None
            found.append(_check(f"intake {kind} / bare save %", ratio, ">= 45",
                                ratio is not None and ratio >= 45))
        peak = max(run["intake_peak_rss_mib"] for run in intake["runs"])
        found.append(_check("intake peak RSS MiB", peak, "< 300", peak < 300))
        errors = sum(sum(run["errors"].values()) for run in intake["runs"])
        found.append(_check("intake errors", errors, "0", errors == 0))
        found.append(_check("meldingen lost", intake["lost"], "0", intake["lost"] == 0))
    queue = db.get("queue")
    if queue:
        worst = max(q["latency"]["p99_ms"] or 0 for q in queue["queries"].values())
        found.append(_check(f"queue p99 ms at {queue['meldingen']:,}", worst, "<= 50",
                            worst <= 50))
        mixed = queue["mixed_c16"]["latency"]["p99_ms"]
        found.append(_check(f"queue mixed c16 p99 ms at {queue['meldingen']:,}", mixed,
                            "<= 20", mixed is not None and mixed <= 20))
        left = queue.get("not_taken_in", 0)  # none when the table was filled directly
        found.append(_check("queue: meldingen not taken in within the bound",
                            left, "0", left == 0))
    console = db.get("console")
    if console:
        worst = max(q["latency"]["p99_ms"] or 0 for q in console["pages"].values())
        found.append(_check(f"console queue page c1 p99 ms at {console['meldingen']:,}",
                            worst, "<= 100", worst <= 100))
        # Issue 23's target: both pages at 16 clients.
        for figure, run in (("queue page", console["mixed_c16"]),
                            ("melding page", (console.get("melding") or {}).get("c16"))):
            p99 = run["latency"]["p99_ms"] if run else None
            found.append(_check(f"console {figure} c16 p99 ms at {console['meldingen']:,}",
                                p99, "<= 100", p99 is not None and p99 <= 100))
    mailbox = db.get("mailbox")
    if mailbox:
        p99 = mailbox["c16"]["latency"]["p99_ms"]
        found.append(_check("mailbox login p99 ms (c16)", p99, "<= 50",
                            p99 is not None and p99 <= 50))
    for replay in (db.get("replay") or {}).get("runs", []):
        rate = replay.get("rate_per_s")
        found.append(_check(f"replay {replay['events']:,} events/s", rate, ">= 30,000",
                            rate is not None and rate >= 30_000))
        share = replay.get("of_raw_read_pct")
        found.append(_check(f"replay {replay['events']:,} events, % of the raw read", share,
                            ">= 80", share is not None and share >= 80))
        live = (replay.get("endpoint") or {}).get("live_intake_per_s")
        found.append(_check(f"live figures' intake of {replay['events']:,} events/s", live,
                            ">= 10,000", live is not None and live >= 10_000))
    return found


def _propagation(run: dict[str, Any]) -> list[Check]:
    """Propagation under the target's load, and whether the open loop held that load
    (a run that fell behind sent fewer meldingen than it was meant to)."""
    kind, prop, loop = run["kind"], run["propagation"]["p99_ms"], run["open_loop"]
    behind = round((loop["late"] + loop["unsent"]) / max(run["requests"] + loop["unsent"], 1)
                   * 100, 2)
    return [
        _check(f"propagation p99 ms ({kind}, {run['rate']:,}/s)", prop, "<= 200",
               prop is not None and prop <= 200),
        _check(f"propagation run {kind}: requests late > {loop['late_threshold_ms']:.0f} ms "
               "or unsent, %", behind, "<= 1", behind <= 1),
    ]
