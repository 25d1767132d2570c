"""Benchmarks: measured speed, latency and memory beside the raw limits beneath them.

Run with `make bench` or `meldingen bench [scenario...]`; see docs/performance.md.
Services run as real processes in their own var dir, the load comes from a separate
process (bench.loadgen), and every run is bounded in count and time.
"""
