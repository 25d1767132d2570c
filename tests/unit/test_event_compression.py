"""The event store's compressor: its small window must stay a stream any zlib reads,
and the records stored at zlib's default before it must still read."""

from __future__ import annotations

import os
import zlib

from shared.eventstore import QuickZlib


def test_what_it_compresses_any_zlib_reads_and_it_reads_the_default() -> None:
    state = b'{"description": "Een leverancier gaf een fiets."}' * 200 + os.urandom(4000)
    compressor = QuickZlib()
    stored = compressor.compress(state)
    assert zlib.decompress(stored) == state
    assert len(stored) < len(state) / 2  # the text still compresses
    assert compressor.decompress(zlib.compress(state)) == state
