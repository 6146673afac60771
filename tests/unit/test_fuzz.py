"""Fuzzing the parser: no input crashes validation, and counts are always conserved."""

from __future__ import annotations

import gzip
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taxlake.validation import ValidationConfig, validate_stream

from .conftest import AS_OF, GOOD_LODGEMENT, csv_bytes

CONFIG = ValidationConfig(as_of=AS_OF)
GOOD_FILE = csv_bytes("lodgement", [GOOD_LODGEMENT] * 20)
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes, name: str) -> None:
    report = validate_stream(io.BytesIO(data), name, config=CONFIG)
    assert report.records_read == report.records_valid + report.records_rejected
    assert report.records_valid >= 0
    assert report.status in {"accepted", "quarantined"}
    assert (report.status == "quarantined") == (report.quarantine_reason is not None)
    json.dumps(report.to_dict())


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from(["f.csv", "f.jsonl", "f.csv.gz", "f.parquet", "f"]))
def test_arbitrary_bytes_never_crash(data: bytes, suffix: str) -> None:
    check(data, f"incoming/lodgement/{suffix}")


@FUZZ
@given(st.binary(max_size=512))
def test_arbitrary_bytes_after_a_valid_header_never_crash(tail: bytes) -> None:
    check(GOOD_FILE.split(b"\n", 1)[0] + b"\n" + tail, "incoming/lodgement/f.csv")


@FUZZ
@given(st.data())
def test_mutated_valid_files_keep_counts(data: st.DataObject) -> None:
    buf = bytearray(GOOD_FILE)
    for _ in range(data.draw(st.integers(1, 8))):
        op = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        pos = data.draw(st.integers(0, max(len(buf) - 1, 0)))
        if op == "flip" and buf:
            buf[pos] = data.draw(st.integers(0, 255))
        elif op == "delete" and buf:
            del buf[pos : pos + data.draw(st.integers(1, 40))]
        elif op == "insert":
            buf[pos:pos] = data.draw(st.sampled_from([b",", b"\n", b'"', b"\r\n", b"\xff", b"\x00", b"\xe2\x82"]))
        else:
            del buf[pos:]
    check(bytes(buf), "incoming/lodgement/f.csv")
    check(gzip.compress(bytes(buf), mtime=0), "incoming/lodgement/f.csv.gz")


@FUZZ
@given(
    st.lists(
        st.one_of(
            st.dictionaries(
                st.text(max_size=8),
                st.one_of(st.none(), st.text(max_size=8), st.integers(), st.floats(allow_nan=False), st.booleans()),
                max_size=5,
            ),
            st.text(max_size=20),
        ),
        max_size=15,
    )
)
def test_random_json_lines_never_crash(items: list) -> None:
    lines = [json.dumps({**GOOD_LODGEMENT})] + [json.dumps(i) if not isinstance(i, str) else i for i in items]
    check(("\n".join(lines) + "\n").encode(), "incoming/lodgement/f.jsonl")
