"""The lean header parser reads every header block as nats-py's own parser does: the
replay's connection may not see other headers than any other consumer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from nats.aio.client import Client

from shared.messaging.headers import parse_header_lines

# Names and values with what nats-py's rule turns on: colons, spaces, tabs, the
# other whitespace `str.isspace` knows, non-ASCII and invalid UTF-8 bytes.
PIECES = st.sampled_from([b"Nats-Msg-Id", b"Meldingen-Signature", b":", b": ", b" ", b"\t",
                          b"\x1c", b"\x0b", b"\xc3\xa9", b"\xff", b"a", b"Z9", b"-", b"\r",
                          b"\n", b"\r\n"])
BLOCKS = st.lists(PIECES, max_size=40).map(b"".join)


@settings(max_examples=3000, deadline=None)
@given(BLOCKS)
def test_the_lean_parser_reads_each_block_as_nats_py(block: bytes) -> None:
    assert parse_header_lines(block) == Client._parse_header_lines(block)


def test_a_delivered_messages_headers_are_read() -> None:
    block = b"Nats-Msg-Id: intake:abc:1\r\nMeldingen-Signature: c2ln\r\n\r\n"
    assert parse_header_lines(block) == {"Nats-Msg-Id": "intake:abc:1",
                                         "Meldingen-Signature": "c2ln"}
