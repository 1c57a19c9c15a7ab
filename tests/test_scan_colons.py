"""The fast cell scan's test for prefixed tags (':c', ':f') agrees with two plain
finds, with few colons and past the 64 it walks."""

from __future__ import annotations

import pytest

from tianbao.read.scan_fast import _colon_before

MANY = b'<row spans="1:13">' * 70  # 70 colons before anything else


@pytest.mark.parametrize(
    "buf",
    [
        b"",
        b'<c r="A1"><v>1</v></c>',
        b'<x:c r="A1"/>',
        b"<c><x:f>SUM(A1:B2)</x:f></c>",
        b"<f>SUM(A1:B2)</f><t>a:b</t>",
        b"<t>ends with:</t>:",
        MANY,
        MANY + b"<x:c/>",
        MANY + b"<x:f/>",
        b"<x:c/>" + MANY,
    ],
)
def test_colon_before_agrees_with_two_finds(buf: bytes) -> None:
    want = buf.find(b":c") >= 0 or buf.find(b":f") >= 0
    assert _colon_before(buf, 0, len(buf), b"cf") == want


def test_colon_before_keeps_to_the_span() -> None:
    buf = b"<x:c/><c/>"
    assert _colon_before(buf, 0, len(buf), b"cf")
    assert not _colon_before(buf, 3, len(buf), b"cf")
    assert not _colon_before(buf, 0, 2, b"cf")  # ':' is the span's last byte
