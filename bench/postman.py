"""`python -m bench.postman [--mails N] [--db sqlite|postgresql]`: the console's postman
meeting a backlog of N reminder mails (a clock check after an outage), against a
real SMTP server in a process of its own (aiosmtpd's sink), beside the raw limit of
the same run: the same N mails handed to the same SMTP transport in a row, with no
store. Prints mails/s and this process's CPU per mail for both (the postman's
claims, its reads of each mail and its records of each sent one, on SQLite or a
scratch PostgreSQL database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from bench.databases import scratch_database
from services.console.application import NewStaffMember
from services.console.bootstrap import build_parts
from services.console.notifications.domain.notices import FeedbackTerm
from services.console.notifications.postman import BATCH
from shared.clock import MovableClock
from shared.config import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _smtp_sink(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c",
                               "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("the SMTP sink did not start")


async def _measure(mails: int, database_url: str | None, var_dir: Path, port: int
                   ) -> dict[str, tuple[float, float]]:
    settings = Settings(var_dir=var_dir, nats_url="nats://127.0.0.1:1",
                        database_url=database_url, console_url="http://console.test",
                        smtp_url=f"smtp://127.0.0.1:{port}",
                        smtp_from="meldingen@example.org", notify_claim_seconds=120.0)
    now = datetime.now(UTC)
    parts = build_parts(settings, MovableClock(now))
    try:
        parts.application.add_staff(NewStaffMember(
            sub="mia", name="Mia", email="mia@example.org", roles=["meldpunt"]),
            enrolment_digest="-", by="bench")
        parts.application.save(*[
            FeedbackTerm(melding_id=str(uuid4()), feedback_by=now - timedelta(days=30))
            for _ in range(mails)])
        parts.notifier.check()  # decides the backlog: not measured
        order = parts.notifier.board.next_mails(mails + 1)
        assert len(order) == mails, len(order)
        written = [parts.notifier.mail(m) for m in order]

        # The raw limit: the SMTP transport alone, the same mails in a row.
        cpu, wall = time.process_time(), time.perf_counter()
        for mail in written:
            await parts.postman.transport.send(mail)
        raw = (time.perf_counter() - wall, time.process_time() - cpu)

        cpu, wall = time.process_time(), time.perf_counter()
        run = asyncio.create_task(parts.postman.run())
        try:
            while parts.notifier.board.waiting():
                await asyncio.sleep(0.01)
            took = (time.perf_counter() - wall, time.process_time() - cpu)
        finally:
            parts.postman.stop()
            await run
    finally:
        parts.application.close()
    return {"raw limit: SMTP transport alone": raw, "postman": took}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.postman", description=__doc__)
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    port = _free_port()
    server = _smtp_sink(port)
    try:
        with tempfile.TemporaryDirectory() as scratch, scratch_database(args.db) as url:
            figures = asyncio.run(_measure(args.mails, url, Path(scratch) / "var", port))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"postman, {args.mails} mails, batch {BATCH}, "
          f"{args.db}, load {os.getloadavg()[0]:.2f}")
    for name, (wall, cpu) in figures.items():
        print(f"  {name:34} {args.mails / wall:8.1f} mails/s  "
              f"{1000 * cpu / args.mails:6.2f} ms CPU/mail")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
