"""Fuzzing the parser: no input crashes validation, and counts are always conserved."""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from taxlake.records.readers import Limits
from taxlake.records.validation import ValidationConfig, validate_stream

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


# --- hostile files: a grammar of the shapes attackers and broken exporters send ---

PLANTED = ("123456782", "062000", "12345678")  # TFN, BSB, account: never in a report unmasked
NAMES = tuple(GOOD_LODGEMENT)
SMALL_LIMITS = Limits(max_line_bytes=4096, max_rows=400, ratio_after_bytes=1 << 16, max_ratio=50)


def _record(draw: st.DrawFn) -> dict[str, str]:
    """A lodgement whose planted values may sit under any column (a shifted export)."""
    record = dict(GOOD_LODGEMENT)
    for value in PLANTED:
        if draw(st.booleans()):
            record[draw(st.sampled_from(NAMES))] = value
    return record


def _csv_line(record: dict[str, str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(record.values())
    return out.getvalue().encode()


@st.composite
def hostile_files(draw: st.DrawFn) -> tuple[bytes, str]:
    fmt = draw(st.sampled_from(["csv", "jsonl", "parquet"]))
    pieces = draw(
        st.lists(
            st.sampled_from(
                ["good", "planted", "blank", "deep", "surrogate", "badbytes", "long", "quoted", "short", "empty"]
            ),
            max_size=12,
        )
    )
    if fmt == "parquet":
        rows = [_record(draw) for _ in pieces] or [dict(GOOD_LODGEMENT)]
        columns = {n: pa.array([r[n].encode() for r in rows], pa.binary()) for n in NAMES}
        if "badbytes" in pieces:
            columns["postcode"] = pa.array([b"\xff" + r["postcode"].encode() for r in rows], pa.binary())
        out = io.BytesIO()
        pq.write_table(pa.table(columns), out)
        return out.getvalue(), "incoming/lodgement/f.parquet"
    line = _csv_line if fmt == "csv" else (lambda r: json.dumps(r).encode() + b"\n")
    body = [b"\xef\xbb\xbf"] if draw(st.booleans()) else []
    if fmt == "csv":
        body.append((",".join(NAMES) + "\n").encode())
    for piece in pieces:
        record = _record(draw) if piece == "planted" else dict(GOOD_LODGEMENT)
        if piece == "blank":
            body.append(b"\n" * draw(st.integers(1, 3000)))
        elif piece == "deep":
            body.append(b"[" * 5000 + b"]" * 5000 + b"\n")
        elif piece == "surrogate":
            body.append(line(record).replace(b"2000", b"\\ud800" if fmt == "jsonl" else b"\xed\xa0\x80"))
        elif piece == "badbytes":
            body.append(line(record).replace(b"2000", b"\xff\xfe"))
        elif piece == "long":
            body.append(line({**record, "agent_id": "9" * 5000}))
        elif piece == "quoted":
            body.append(line({**record, "agent_id": "a\nb\r\n\nc"}))
        elif piece == "short":
            body.append(b",".join(v.encode() for v in record.values()).rsplit(b",", 3)[0] + b"\n")
        elif piece == "empty":
            body.append(b"{}\n" if fmt == "jsonl" else b"," * 13 + b"\n")
        else:
            body.append(line(record))
    data = b"".join(body)
    if draw(st.booleans()):  # an upload cut short
        data = data[: draw(st.integers(0, len(data)))]
    name = f"incoming/lodgement/f.{fmt}"
    if draw(st.booleans()):
        data, name = gzip.compress(data, mtime=0), name + ".gz"
    return data, name


@FUZZ
@given(hostile_files())
def test_hostile_files_get_one_verdict_with_counts_conserved_and_nothing_sensitive_quoted(
    file: tuple[bytes, str],
) -> None:
    data, name = file
    rejects: list[dict] = []
    started = time.perf_counter()
    config = ValidationConfig(as_of=AS_OF, limits=SMALL_LIMITS, threads=2)
    report = validate_stream(io.BytesIO(data), name, config=config, on_rejects=rejects.extend)
    assert time.perf_counter() - started < 5
    assert report.records_read == report.records_valid + report.records_rejected
    assert len(rejects) == report.records_rejected
    assert (report.status == "quarantined") == (report.quarantine_reason is not None)
    quoted = json.dumps(report.to_dict())
    for value in PLANTED:
        assert value not in quoted


# Peak RSS of the child's own address space (VmHWM). Not ru_maxrss: Linux carries the
# forking parent's high-water mark (pytest's, often > 256 MB) across exec into it.
CHILD = """
import sys
from taxlake.cli import main
rc = main(sys.argv[1:])
status = open("/proc/self/status").read()
print(status.split("VmHWM:")[1].split()[0], file=sys.stderr)
sys.exit(rc)
"""


def test_a_corpus_of_hostile_files_through_the_cli(tmp_path: Path) -> None:
    """The CLI as the Lambda runs it: one report per file, exit 0/1, no traceback, nothing unmasked."""
    corpus = find(hostile_files(), lambda f: len(f[0]) > 5000)  # derandomized (ci profile): same file each run
    files = []
    for i, (data, name) in enumerate([corpus, *_more_files()]):
        path = tmp_path / f"lodgement-{i}{name[name.index('.') :]}"
        path.write_bytes(data)
        files.append(path)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, "validate", *map(str, files), "--rejects-dir", str(tmp_path / "rej"),
         "--max-line-size", "4096", "--max-rows", "400"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    *errors, rss = proc.stderr.strip().splitlines()
    assert proc.returncode in (0, 1)
    assert errors == []
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["file"] for r in reports] == [str(p) for p in files]
    for report, path in zip(reports, files, strict=True):
        assert report["records_read"] == report["records_valid"] + report["records_rejected"]
        rejects = tmp_path / "rej" / f"{path.name}.rejects.jsonl.gz"
        with gzip.open(rejects, "rt") as fh:
            assert sum(1 for _ in fh) == report["records_rejected"]
    for value in PLANTED:
        assert value not in proc.stdout and value not in proc.stderr
    assert int(rss) < 256 * 1024


def _more_files() -> list[tuple[bytes, str]]:
    """One of each hostile shape, so the corpus holds them all whatever the draw."""
    shifted = ",".join(NAMES[1:] + NAMES[:1]) + "\n" + ",".join(GOOD_LODGEMENT.values()) + "\n"
    planted_line = json.dumps({**GOOD_LODGEMENT, "postcode": PLANTED[0], "agent_id": PLANTED[2]}).encode()
    return [
        (shifted.encode(), "a.csv"),
        (b"\n" * 5000 + planted_line + b"\n" + b"[" * 100_000 + b"\n", "b.jsonl"),
        (gzip.compress(GOOD_FILE + b"\n" * (4 << 20), mtime=0), "c.csv.gz"),
        (gzip.compress(planted_line + b"\n" + b"x" * (1 << 20), mtime=0), "d.jsonl.gz"),
        (GOOD_FILE.split(b"\n", 1)[0] + b"\n" + GOOD_FILE.split(b"\n")[1].replace(b",", b";"), "e.csv"),
        (b"\xef\xbb\xbf{}\n" + planted_line.replace(b"2000", b"\\udc00") + b"\n", "f.jsonl"),
        (b"PAR1" + bytes(range(256)) * 4, "g.parquet"),
    ]
