"""Files an attacker or a broken upstream would send: each gets a verdict, records conserved.

Every case of issue 9 section 6 is built here from bytes (no committed blobs).
Limits are passed small so the inputs stay small; the few real-size cases run
the CLI in a child process that reports its own peak RSS.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from taxlake.records.ingest import IngestConfig
from taxlake.records.readers import CsvSource, FileFormat, Limits
from taxlake.records.validation import ValidationConfig, ValidationReport, mask_text, validate_stream

from .conftest import AS_OF, GOOD_LODGEMENT, csv_bytes, header

MiB = 1 << 20
RSS_BUDGET_KB = 256 * 1024
GOOD_LINE = json.dumps(GOOD_LODGEMENT).encode()
CSV_HEADER, CSV_ROW = csv_bytes("lodgement", [GOOD_LODGEMENT]).rstrip(b"\n").split(b"\n")


def run(data: bytes, name: str, limits: Limits | None = None, **config: Any) -> tuple[ValidationReport, list[dict]]:
    rejects: list[dict] = []
    config.setdefault("reject_threshold", 1.0)
    cfg = ValidationConfig(as_of=AS_OF, limits=limits or Limits(), **config)
    report = validate_stream(io.BytesIO(data), name, config=cfg, on_rejects=rejects.extend)
    assert report.records_read == report.records_valid + report.records_rejected
    assert len(rejects) == report.records_rejected
    json.dumps(report.to_dict())  # a lone surrogate here would fail the Lambda's put_json
    return report, rejects


def jsonl(*lines: bytes) -> bytes:
    return b"".join(line + b"\n" for line in lines)


# --- crashes that left no report ----------------------------------------------


def test_deeply_nested_json_line_is_an_invalid_json_reject_not_a_crash() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    report, _ = run(jsonl(GOOD_LINE, deep, GOOD_LINE), "incoming/lodgement/f.jsonl")
    assert (report.records_read, report.records_valid, report.reasons) == (3, 2, {"INVALID_JSON": 1})
    assert report.rejected_samples[0]["line"] == 2


@pytest.mark.parametrize("where", ["value", "key"])
def test_lone_surrogate_escape_is_an_invalid_encoding_reject(where: str) -> None:
    bad = GOOD_LINE.replace(b'"2000"', b'"\\ud800"') if where == "value" else b'{"\\udfff": "1"}'
    report, _ = run(jsonl(GOOD_LINE, bad, GOOD_LINE), "incoming/lodgement/f.jsonl")
    assert (report.records_read, report.reasons) == (3, {"INVALID_ENCODING": 1})


def test_a_surrogate_pair_is_a_character_not_an_error() -> None:
    line = GOOD_LINE.replace(b'"agent_id": ""', b'"agent_id": "\\ud83d\\ude00"')
    report, _ = run(jsonl(line), "incoming/lodgement/f.jsonl")
    assert report.reasons == {"INVALID_AGENT": 1}


def parquet_bytes(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, store_schema=False)  # no arrow schema copy: the footer names are the names
    return out.getvalue()


def lodgement_table(rows: int = 2) -> pa.Table:
    return pa.table({k: pa.array([v] * rows) for k, v in GOOD_LODGEMENT.items()})


def test_parquet_string_column_with_bytes_that_are_not_utf8_rejects_only_that_row() -> None:
    postcodes = pa.array([b"2000", b"\xff\xfe00"], pa.binary()).view(pa.string())  # parquet does not check
    data = parquet_bytes(lodgement_table().set_column(9, "postcode", postcodes))
    report, rejects = run(data, "incoming/lodgement/f.parquet")
    assert (report.records_read, report.reasons) == (2, {"INVALID_ENCODING": 1})
    assert rejects[0]["line"] == 2


def test_parquet_column_name_that_is_not_utf8_is_an_encoding_error() -> None:
    data = parquet_bytes(lodgement_table()).replace(b"postcode", b"postc\xffde")
    report, _ = run(data, "incoming/lodgement/f.parquet")
    assert (report.status, report.quarantine_reason, report.records_read) == ("quarantined", "ENCODING_ERROR", 0)


# --- records that were lost --------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        CSV_ROW.replace(b",", b";") + b"\n" + CSV_ROW.replace(b",", b";") + b"\n",  # wrong delimiter
        CSV_ROW + b",\n" + CSV_ROW + b",\n",  # a trailing comma on every row
        CSV_ROW[:30],  # upload cut inside its first row
    ],
    ids=["semicolons", "trailing-comma", "cut-first-row"],
)
def test_csv_with_no_well_shaped_row_reports_every_row_as_malformed(body: bytes) -> None:
    report, rejects = run(CSV_HEADER + b"\n" + body, "incoming/lodgement/f.csv")
    rows = max(body.count(b"\n"), 1)
    assert (report.records_read, report.reasons) == (rows, {"MALFORMED_ROW": rows})
    assert [r["line"] for r in rejects] == list(range(2, 2 + rows))
    assert all(r["raw"] for r in rejects)  # the rejects file can rebuild the row


def test_malformed_rows_after_the_last_good_one_are_kept() -> None:
    report, rejects = run(CSV_HEADER + b"\n" + CSV_ROW + b"\nx,y\n" + CSV_ROW + b",\n", "incoming/lodgement/f.csv")
    assert (report.records_read, report.records_valid) == (3, 1)
    assert sorted(r["line"] for r in rejects) == [3, 4]


def test_jsonl_with_1001_leading_blank_lines_is_read() -> None:
    report, _ = run(b"\n" * 1001 + jsonl(GOOD_LINE, GOOD_LINE.replace(b"2000", b"0100")), "incoming/lodgement/f.jsonl")
    assert (report.status, report.records_read, report.blank_lines) == ("accepted", 2, 1001)
    assert report.rejected_samples[0]["line"] == 1003


@pytest.mark.parametrize("first", [b"{}", b"not json", b"[1]"])
def test_jsonl_whose_first_line_names_no_fields_still_reads_the_records_after(first: bytes) -> None:
    report, rejects = run(jsonl(first, GOOD_LINE, GOOD_LINE), "incoming/lodgement/f.jsonl")
    assert (report.records_read, report.records_valid, report.records_rejected) == (3, 2, 1)
    assert rejects[0]["line"] == 1


def test_jsonl_of_nothing_but_garbage_is_rejected_row_by_row() -> None:
    report, _ = run(jsonl(*[b"garbage"] * 1500), "incoming/lodgement/f.jsonl", reject_threshold=0.01)
    assert (report.quarantine_reason, report.records_read, report.reasons) == (
        "REJECT_RATE_EXCEEDED",
        1500,
        {"INVALID_JSON": 1500},
    )


# --- wrong answers -------------------------------------------------------------


def test_utf8_bom_on_jsonl_is_not_part_of_the_first_record() -> None:
    report, _ = run(b"\xef\xbb\xbf" + jsonl(GOOD_LINE), "incoming/lodgement/f.jsonl")
    assert (report.status, report.records_valid) == ("accepted", 1)


def test_csv_line_numbers_count_line_breaks_inside_quoted_values() -> None:
    rows = [
        {**GOOD_LODGEMENT, "agent_id": "12\n34\r\n5678"},  # lines 2-4
        GOOD_LODGEMENT,  # line 5
        {**GOOD_LODGEMENT, "tfn": "123456789"},  # line 6
    ]
    data = csv_bytes("lodgement", rows) + b"x,y\n" + CSV_ROW.replace(b"123456782", b"1") + b"\n"
    _, rejects = run(data, "incoming/lodgement/f.csv")
    assert sorted((r["line"], r["errors"][0]["code"]) for r in rejects) == [
        (2, "INVALID_AGENT"),
        (6, "INVALID_TFN"),
        (7, "MALFORMED_ROW"),
        (8, "INVALID_TFN"),
    ]


def test_csv_blank_line_inside_a_quoted_value_is_kept_in_the_value() -> None:
    data = csv_bytes("lodgement", [{**GOOD_LODGEMENT, "agent_id": "a\n\n\nb"}, {**GOOD_LODGEMENT, "tfn": "1"}])
    report, rejects = run(data, "incoming/lodgement/f.csv")
    assert report.blank_lines == 0
    assert [(r["line"], r["record"]["agent_id"]) for r in rejects] == [(2, "a\n\n\nb"), (6, "")]


PLANTED = {"tfn": "123456782", "bsb": "062000", "account": "12345678"}


def test_values_under_shifted_names_are_masked_by_what_they_are() -> None:
    names = header().split(",")
    shifted = ",".join(names[1:] + names[:1])  # same columns, every value under its neighbour's name
    report, rejects = run((shifted + "\n" + CSV_ROW.decode() + "\n").encode(), "incoming/lodgement/f.csv")
    quoted = json.dumps(report.to_dict())
    for value in PLANTED.values():
        assert value not in quoted
    assert rejects[0]["record"]["agent_id"] == GOOD_LODGEMENT["bank_account"]  # the rejects file keeps values
    sample = report.rejected_samples[0]["record"]
    assert (sample["tax_year"], sample["bank_account"], sample["agent_id"]) == ("******782", "***000", "*****678")
    assert sample["taxable_income"] == "2025-08-01"  # dates and amounts are not secrets


def test_a_data_row_read_as_the_header_is_masked_in_columns_drift_and_detail() -> None:
    report, _ = run(CSV_ROW + b"\n" + CSV_ROW + b"\n", "incoming/lodgement/f.csv")
    assert report.quarantine_reason == "SCHEMA_DRIFT"
    quoted = json.dumps(report.to_dict())
    for value in PLANTED.values():
        assert value not in quoted
    assert "******782" in report.columns


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("123456782", "******782"),
        ("tfn 123 456 782.", "tfn *** *** 782."),
        ("062-000", "***-000"),
        ("acct:1234567890", "acct:*******890"),
        ("2025-08-01", "2025-08-01"),
        ("85000.00", "85000.00"),
        ("1234567.89", "1234567.89"),
        ("51824753556", "51824753556"),  # an ABN is public
        ("12345", "12345"),
    ],
)
def test_mask_text_masks_tfn_bsb_and_account_shapes_only(text: str, masked: str) -> None:
    assert mask_text(text) == masked


# --- limits ------------------------------------------------------------------

SMALL = Limits(max_decoded_bytes=4 * MiB, max_ratio=50, ratio_after_bytes=MiB, max_line_bytes=64 << 10, max_rows=100)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_gzip_of_blank_lines_hits_the_ratio_limit_fast(fmt: str) -> None:
    first = CSV_HEADER + b"\n" + CSV_ROW if fmt == "csv" else GOOD_LINE
    data = gzip.compress(first + b"\n" * (8 * MiB), mtime=0)
    started = time.perf_counter()
    report, _ = run(data, f"incoming/lodgement/f.{fmt}.gz", SMALL)
    assert time.perf_counter() - started < 5
    assert (report.status, report.quarantine_reason) == ("quarantined", "DECOMPRESSION_LIMIT")
    assert "ratio" in (report.detail or "")


def test_gzip_inflating_past_the_size_limit_is_quarantined_with_counts_so_far() -> None:
    rows = csv_bytes("lodgement", [GOOD_LODGEMENT] * 40_000)  # ~8 MB, compresses ~30x: under the ratio
    report, _ = run(gzip.compress(rows, mtime=0), "incoming/lodgement/f.csv.gz", Limits(max_decoded_bytes=2 * MiB))
    assert report.quarantine_reason == "DECOMPRESSION_LIMIT"
    assert "max_decoded_bytes" in (report.detail or "")
    assert report.records_read < 40_000


@pytest.mark.parametrize(("fmt", "gz"), [("csv", False), ("csv", True), ("jsonl", False), ("jsonl", True)])
def test_a_line_longer_than_the_limit_is_line_too_long(fmt: str, gz: bool) -> None:
    if fmt == "csv":
        data = CSV_HEADER + b"\n" + CSV_ROW + b"\n" + CSV_ROW.replace(b"2000", b"2" * (200 << 10)) + b"\n"
    else:
        data = jsonl(GOOD_LINE, b'{"tfn": "' + b"1" * (200 << 10) + b'"}', GOOD_LINE)
    name = f"incoming/lodgement/f.{fmt}" + (".gz" if gz else "")
    report, _ = run(gzip.compress(data, mtime=0) if gz else data, name, SMALL)
    assert (report.status, report.quarantine_reason) == ("quarantined", "LINE_TOO_LONG")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_more_rows_than_the_limit_is_row_limit_with_counts_conserved(fmt: str) -> None:
    rows = [GOOD_LODGEMENT] * 250
    if fmt == "csv":
        data = csv_bytes("lodgement", rows)
    elif fmt == "jsonl":
        data = jsonl(*[GOOD_LINE] * 250)
    else:
        data = parquet_bytes(lodgement_table(250))
    limits = Limits(max_rows=100)
    report, _ = run(data, f"incoming/lodgement/f.{fmt}", limits, threads=1)
    assert (report.status, report.quarantine_reason) == ("quarantined", "ROW_LIMIT")
    assert report.records_read <= 100


def test_limits_come_from_the_environment_like_the_reject_threshold() -> None:
    env = {"REJECT_THRESHOLD": "0.05", "MAX_ROWS": "10", "MAX_DECOMPRESSION_RATIO": "20.5", "MAX_LINE_BYTES": ""}
    config = IngestConfig.from_env(env)
    assert config.validation.limits == Limits(max_rows=10, max_ratio=20.5)
    with pytest.raises(ValueError, match="max_rows"):
        Limits(max_rows=0)


def test_cli_limit_flags_reach_the_validator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from taxlake.cli import main

    path = tmp_path / "lodgement.csv"
    path.write_bytes(csv_bytes("lodgement", [GOOD_LODGEMENT] * 20))
    assert main(["validate", str(path), "--max-rows", "5"]) == 1
    assert json.loads(capsys.readouterr().out)["quarantine_reason"] == "ROW_LIMIT"
    assert main(["validate", str(path), "--max-line-size", "0"]) == 2


def test_an_abandoned_csv_reader_reads_nothing_more() -> None:
    class Counting(io.RawIOBase):
        def __init__(self) -> None:
            self.reads = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            self.reads += 1
            data = (CSV_ROW + b"\n") * (len(buffer) // (len(CSV_ROW) + 1))
            buffer[: len(data)] = data
            return len(data)

    raw = Counting()
    source = CsvSource(io.BufferedReader(raw), FileFormat("csv", None), Limits())
    next(source.chunks(tuple(header().split(","))))
    source.close()
    reads = raw.reads
    time.sleep(0.2)  # pyarrow's read-ahead thread, if still running, would keep reading
    assert raw.reads == reads


# --- real limits, in a child process that reports its peak RSS -------------

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


def validate_in_child(tmp_path: Path, *paths: Path) -> tuple[int, list[dict], str, int, float]:
    """(rc, reports, stderr without the RSS line, peak RSS in KB, seconds) of ``taxlake validate``."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, "validate", *map(str, paths), "--rejects-dir", str(tmp_path / "rejects")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
    )
    elapsed = time.perf_counter() - started
    *errors, rss = proc.stderr.strip().splitlines() or ["0"]
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    return proc.returncode, reports, "\n".join(errors), int(rss), elapsed


def write_gzip(path: Path, first: bytes, filler: bytes, repeat: int, last: bytes = b"") -> Path:
    with gzip.open(path, "wb", compresslevel=6) as fh:
        fh.write(first)
        for _ in range(repeat):
            fh.write(filler)
        fh.write(last)
    return path


def test_real_size_hostile_files_are_quick_verdicts_within_the_memory_budget(tmp_path: Path) -> None:
    head = CSV_HEADER + b"\n" + CSV_ROW + b"\n"
    files = {
        # a 100 KB gzip holding 100 M blank lines
        "blank.csv.gz": (
            write_gzip(tmp_path / "lodgement-blank.csv.gz", head, b"\n" * MiB, 100),
            "DECOMPRESSION_LIMIT",
        ),
        "blank.jsonl.gz": (
            write_gzip(tmp_path / "lodgement-blank.jsonl.gz", GOOD_LINE + b"\n", b"\n" * MiB, 100),
            "DECOMPRESSION_LIMIT",
        ),
        # one 256 MiB line (compresses to ~260 KB)
        "longline.jsonl.gz": (
            write_gzip(tmp_path / "lodgement-long.jsonl.gz", b'{"tfn": "', b"1" * MiB, 256, b'"}\n'),
            "LINE_TOO_LONG",
        ),
        # a 16 MiB row with no line break in the middle of a gzip stream, more rows after it
        "midrow.csv.gz": (
            write_gzip(tmp_path / "lodgement-mid.csv.gz", head * 9, b"x" * MiB, 16, b"\n" + (CSV_ROW + b"\n") * 9),
            "LINE_TOO_LONG",
        ),
    }
    rc, reports, stderr, rss, elapsed = validate_in_child(tmp_path, *(p for p, _ in files.values()))
    assert rc == 1
    assert "Fatal Python error" not in stderr and "Traceback" not in stderr
    assert [r["quarantine_reason"] for r in reports] == [reason for _, reason in files.values()]
    assert all(r["records_read"] == r["records_valid"] + r["records_rejected"] for r in reports)
    assert rss < RSS_BUDGET_KB, f"peak RSS {rss} KB"
    assert elapsed < 20


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_record_then_200_mib_of_blank_lines_is_counted_in_seconds(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"lodgement.{fmt}"
    with path.open("wb") as fh:
        fh.write(CSV_HEADER + b"\n" + CSV_ROW + b"\n" if fmt == "csv" else GOOD_LINE + b"\n")
        for _ in range(200):
            fh.write(b"\n" * MiB)
    rc, (report,), stderr, rss, elapsed = validate_in_child(tmp_path, path)
    path.unlink()
    assert (rc, report["status"], report["records_read"], report["blank_lines"]) == (0, "accepted", 1, 200 * MiB)
    assert stderr == ""
    assert rss < RSS_BUDGET_KB, f"peak RSS {rss} KB"
    assert elapsed < 15
