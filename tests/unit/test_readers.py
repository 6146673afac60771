"""Format detection and the small stream helpers."""

from __future__ import annotations

import io
from typing import Any

import pytest

from taxlake.records.readers import FileFormat, FileRejected, Utf8Repair, detect_format
from taxlake.records.schemas import get_schema, kind_from_header, kind_from_path


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a/b.csv", b"lodg", FileFormat("csv", None)),
        ("a/b.CSV.GZ", b"\x1f\x8b\x08\x00", FileFormat("csv", "gzip")),
        ("a/b.jsonl.gz", b"\x1f\x8b\x08\x00", FileFormat("jsonl", "gzip")),
        ("a/b.ndjson", b'{"a"', FileFormat("jsonl", None)),
        ("a/b.parquet", b"PAR1", FileFormat("parquet", None)),
        ("a/b.csv", b"\x1f\x8b\x08\x00", FileFormat("csv", "gzip")),
        ("a/noext", b"PAR1", FileFormat("parquet", None)),
        ("a/noext", b' {"a', FileFormat("jsonl", None)),
        ("a/noext", b"abn,", FileFormat("csv", None)),
    ],
)
def test_detect_format(name: str, head: bytes, expected: FileFormat) -> None:
    assert detect_format(name, head) == expected


@pytest.mark.parametrize(
    ("name", "head", "reason"),
    [
        ("b.csv.gz", b"abn,", "DECOMPRESSION_ERROR"),
        ("b.xlsx", b"PK", "UNSUPPORTED_FORMAT"),
        ("b.parquet.gz", b"\x1f\x8b", "UNSUPPORTED_FORMAT"),
    ],
)
def test_detect_format_refuses(name: str, head: bytes, reason: str) -> None:
    with pytest.raises(FileRejected) as err:
        detect_format(name, head)
    assert err.value.reason == reason


@pytest.mark.parametrize(
    ("path", "kind"),
    [("incoming/lodgement/2025/07/a.csv", "lodgement"), ("incoming/payer_report/a.csv", "payer-report"),
     ("incoming/bas-2025.csv", "bas"), ("incoming/payer-report.jsonl", "payer-report"),
     ("incoming/misc/a.csv", None), ("incoming/basket/a.csv", None)],
)  # fmt: skip
def test_kind_from_path(path: str, kind: str | None) -> None:
    assert kind_from_path(path) == kind


def test_kind_from_header_needs_a_clear_winner() -> None:
    assert kind_from_header(list(get_schema("bas").names)) == "bas"
    assert kind_from_header(["tfn", "tax_year"]) is None


def test_utf8_repair_replaces_only_bad_bytes_even_across_reads() -> None:
    data = "héllo".encode() + b"\xff" + "wörld".encode()
    out = Utf8Repair(io.BytesIO(data))
    chunks = []
    buf = bytearray(3)  # tiny reads split multi-byte characters
    while n := out.readinto(buf):
        chunks.append(bytes(buf[:n]))
    assert b"".join(chunks).decode() == "héllo\ufffdwörld"


def _drain(stream: io.RawIOBase, size: int) -> bytes:
    out = []
    while data := stream.read(size):
        out.append(data)
    return b"".join(out)


@pytest.mark.parametrize("size", [1, 3, 1 << 20])
def test_blank_lines_are_dropped_outside_quotes_and_their_places_kept(size: int) -> None:
    from taxlake.records.readers import BlankLines

    text = b'h\n\n\na,"x\n\ny"\r\n\r\nb\n\n'
    # reads of 1 byte split every run and every CRLF across reads
    src = BlankLines(io.BytesIO(text)) if size > 3 else BlankLines(_Trickle(text, size))
    assert _drain(src, 1 << 20) == b'h\na,"x\n\ny"\r\nb\n'
    assert src.dropped == 4
    # after line 1 two lines dropped; after line 4 (a's row ends it) one; after line 5 one
    assert sum(n for at, n in src.gaps if at < 2) == 2
    assert [at for at, _ in src.gaps][-1] == 5


class _Trickle(io.RawIOBase):
    def __init__(self, data: bytes, size: int) -> None:
        self._data, self._size = data, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(self._size, len(buffer), len(self._data))
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n
