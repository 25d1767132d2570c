"""The bench's reading of wrk's report (bench/wrk.py): what the cross-check compares."""

from __future__ import annotations

from bench.wrk import parse

REPORT = """Running 10s test @ http://127.0.0.1:8001/api/meldingen
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    22.10ms    3.02ms  61.00ms   90.00%
  Latency Distribution
     50%   21.50ms
     75%   23.00ms
     90%   25.10ms
     99%    1.20s
  7200 requests in 10.00s, 9.10MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    719.85
Transfer/sec:      0.91MB
"""


def test_throughput_percentiles_and_errors_are_read_in_ms() -> None:
    assert parse(REPORT) == {"throughput_per_s": 719.85, "p50_ms": 21.5, "p90_ms": 25.1,
                             "p99_ms": 1200.0, "non_2xx": 3}


def test_microseconds_and_no_errors() -> None:
    report = REPORT.replace("21.50ms", "850.00us").replace("  Non-2xx or 3xx responses: 3\n",
                                                          "")
    parsed = parse(report)
    assert (parsed["p50_ms"], parsed["non_2xx"]) == (0.85, 0)
