"""Validation of whole files: reasons, quarantine decisions and conservation of counts."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from taxlake.generate import FORMATS
from taxlake.records.schemas import KINDS, get_schema
from taxlake.records.validation import ValidationConfig, ValidationReport, validate_path, validate_stream

from .conftest import AS_OF, GOOD, GOOD_LODGEMENT, csv_bytes, header


def run(data: bytes, name: str = "incoming/lodgement/f.csv", **kwargs) -> ValidationReport:
    cfg = kwargs.pop("config", ValidationConfig(as_of=AS_OF, reject_threshold=1.0))
    report = validate_stream(io.BytesIO(data), name, config=cfg, **kwargs)
    assert report.records_read == report.records_valid + report.records_rejected
    return report


def with_field(kind: str, **changes: str) -> dict[str, str]:
    return {**GOOD[kind], **changes}


@pytest.mark.parametrize("kind", KINDS)
def test_good_records_are_accepted(kind: str) -> None:
    report = run(csv_bytes(kind, [GOOD[kind]] * 3), name=f"incoming/{kind}/f.csv")
    assert (report.status, report.kind, report.records_valid, report.records_rejected) == (
        "accepted",
        kind,
        3,
        0,
    )
    assert report.reasons == {}


BAD_FIELDS = [
    ("lodgement", {"tfn": "123456789"}, "INVALID_TFN"),
    ("lodgement", {"tfn": "12345678"}, "INVALID_TFN"),
    ("lodgement", {"lodgement_id": "not-a-uuid"}, "INVALID_UUID"),
    ("lodgement", {"amends_lodgement_id": "xyz"}, "INVALID_UUID"),
    ("lodgement", {"lodgement_date": "2025-02-30"}, "INVALID_DATE"),
    ("lodgement", {"lodgement_date": "01/08/2025"}, "INVALID_DATE"),
    ("lodgement", {"lodgement_date": "2027-01-01"}, "DATE_OUT_OF_RANGE"),
    ("lodgement", {"lodgement_date": "2024-06-30"}, "LODGED_BEFORE_YEAR_START"),
    ("lodgement", {"tax_year": "1999"}, "INVALID_TAX_YEAR"),
    ("lodgement", {"tax_year": "2028"}, "INVALID_TAX_YEAR"),
    ("lodgement", {"taxable_income": "85,000.00"}, "INVALID_AMOUNT"),
    ("lodgement", {"refund_amount": "12.345"}, "INVALID_AMOUNT"),
    ("lodgement", {"total_deductions": "-5.00"}, "NEGATIVE_AMOUNT"),
    ("lodgement", {"occupation_code": "961313"}, "INVALID_OCCUPATION"),
    ("lodgement", {"postcode": "0100"}, "INVALID_POSTCODE"),
    ("lodgement", {"bank_bsb": "06200"}, "INVALID_BSB"),
    ("lodgement", {"bank_account": "12345"}, "INVALID_ACCOUNT"),
    ("lodgement", {"agent_id": "A123"}, "INVALID_AGENT"),
    ("lodgement", {"bank_account": ""}, "MISSING_REQUIRED"),
    ("bas", {"abn": "51824753557"}, "INVALID_ABN"),
    ("bas", {"period_start": "2025-02-29"}, "INVALID_DATE"),
    ("bas", {"period_start": "2025-10-01"}, "INVALID_PERIOD"),
    ("bas", {"period_start": "2023-07-01"}, "INVALID_PERIOD"),
    ("bas", {"lodgement_date": "2025-09-01"}, "LODGED_BEFORE_PERIOD_END"),
    ("bas", {"gst_paid": "-1.00"}, "NEGATIVE_AMOUNT"),
    ("payer-report", {"payer_abn": "1234"}, "INVALID_ABN"),
    ("payer-report", {"payee_tfn": "876543211"}, "INVALID_TFN"),
    ("payer-report", {"report_type": "SALARY"}, "INVALID_REPORT_TYPE"),
    ("payer-report", {"gross_amount": "abc"}, "INVALID_AMOUNT"),
]


@pytest.mark.parametrize(("kind", "change", "reason"), BAD_FIELDS)
def test_each_bad_field_is_rejected_with_its_reason(kind: str, change: dict[str, str], reason: str) -> None:
    report = run(csv_bytes(kind, [GOOD[kind], with_field(kind, **change), GOOD[kind]]), name=f"x/{kind}/f.csv")
    assert report.records_rejected == 1
    assert report.reasons == {reason: 1}
    (sample,) = report.rejected_samples
    assert sample["line"] == 3
    assert [e["code"] for e in sample["errors"]] == [reason]


def test_a_record_with_several_defects_counts_once_but_lists_every_reason() -> None:
    bad = with_field("lodgement", tfn="123456789", postcode="0100", lodgement_date="2025-02-30")
    report = run(csv_bytes("lodgement", [bad]))
    assert report.records_rejected == 1
    assert report.reasons == {"INVALID_DATE": 1, "INVALID_POSTCODE": 1, "INVALID_TFN": 1}


def test_whitespace_around_values_is_tolerated() -> None:
    padded = {k: f" {v} " if v else v for k, v in GOOD_LODGEMENT.items()}
    assert run(csv_bytes("lodgement", [padded])).records_valid == 1


def test_sensitive_values_are_masked_in_samples() -> None:
    report = run(csv_bytes("lodgement", [with_field("lodgement", tfn="123456789")]))
    record = report.rejected_samples[0]["record"]
    assert record["tfn"] == "******789"
    assert record["bank_account"] == "*****678"
    assert record["postcode"] == "2000"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_generated_defects_are_found_exactly(sample, kind: str, fmt: str) -> None:
    path, truth = sample(kind, fmt, rows=1500, seed=11, invalid_share=0.06)
    report = validate_path(path, config=ValidationConfig(as_of=AS_OF, reject_threshold=0.2))
    assert report.kind == kind
    assert report.records_read == truth.records
    assert report.records_rejected == truth.invalid
    assert report.reasons == dict(truth.reasons)
    assert report.status == "accepted"


def test_reject_rate_above_threshold_quarantines(sample) -> None:
    path, truth = sample("lodgement", "csv", rows=1000, seed=5, invalid_share=0.05)
    strict = validate_path(path, config=ValidationConfig(as_of=AS_OF, reject_threshold=0.01))
    lenient = validate_path(path, config=ValidationConfig(as_of=AS_OF, reject_threshold=0.2))
    assert strict.status == "quarantined"
    assert strict.quarantine_reason == "REJECT_RATE_EXCEEDED"
    assert lenient.status == "accepted"
    assert strict.records_rejected == lenient.records_rejected == truth.invalid


def test_reject_rate_equal_to_threshold_is_accepted() -> None:
    rows = [GOOD_LODGEMENT] * 99 + [with_field("lodgement", tfn="123456789")]
    report = run(csv_bytes("lodgement", rows), config=ValidationConfig(as_of=AS_OF, reject_threshold=0.01))
    assert report.reject_rate == 0.01
    assert report.status == "accepted"


def test_malformed_rows_are_rejected_with_true_line_numbers() -> None:
    good = csv_bytes("lodgement", [GOOD_LODGEMENT] * 2).decode()
    text = (
        good
        + "a,b,c\n"
        + ",".join(GOOD_LODGEMENT.values())
        + "\n"
        + "x\n"
        + ",".join(with_field("lodgement", tfn="111").values())
        + "\n"
    )
    report = run(text.encode(), config=ValidationConfig(as_of=AS_OF, reject_threshold=1.0, sample_limit=10))
    assert report.records_read == 6
    assert report.reasons == {"MALFORMED_ROW": 2, "INVALID_TFN": 1}
    assert [(s["line"], s["errors"][0]["code"]) for s in report.rejected_samples] == [
        (4, "MALFORMED_ROW"),
        (6, "MALFORMED_ROW"),
        (7, "INVALID_TFN"),
    ]


def test_blank_csv_lines_are_counted_not_read_and_later_lines_keep_their_numbers() -> None:
    rows = csv_bytes("lodgement", [GOOD_LODGEMENT, with_field("lodgement", tfn="123456789")]).split(b"\n")
    data = b"\n".join([rows[0], rows[1], b"", b"\r", rows[2], b""])
    report = run(data)
    assert (report.records_read, report.blank_lines, report.reasons) == (2, 2, {"INVALID_TFN": 1})
    assert report.rejected_samples[0]["line"] == 5


@pytest.mark.parametrize("row", [b"," * 13, b" ," + b"," * 12, b'""' + b"," * 13])
def test_a_row_of_empty_fields_is_an_empty_row_reject(row: bytes) -> None:
    report = run(csv_bytes("lodgement", [GOOD_LODGEMENT]) + row + b"\n")
    assert (report.records_read, report.reasons, report.blank_lines) == (2, {"EMPTY_ROW": 1}, 0)


def test_invalid_utf8_rejects_only_the_rows_holding_it() -> None:
    rows = csv_bytes("lodgement", [GOOD_LODGEMENT] * 3).split(b"\n")
    rows[2] = rows[2].replace(b"2000", b"\xff\xfe00")
    report = run(b"\n".join(rows))
    assert report.reasons == {"INVALID_ENCODING": 1}
    assert report.records_valid == 2


def test_latin1_file_is_quarantined_by_its_undecodable_rows() -> None:
    rows = [with_field("lodgement", agent_id="José") for _ in range(5)] + [GOOD_LODGEMENT] * 5
    report = run(csv_bytes("lodgement", rows).decode().encode("latin-1"), config=ValidationConfig(as_of=AS_OF))
    assert report.reasons == {"INVALID_ENCODING": 5}
    assert (report.status, report.quarantine_reason) == ("quarantined", "REJECT_RATE_EXCEEDED")
    assert report.records_valid == 5


def test_wrong_encoding_utf16_file_is_quarantined() -> None:
    report = run(csv_bytes("lodgement", [GOOD_LODGEMENT]).decode().encode("utf-16"))
    assert report.status == "quarantined"
    assert report.quarantine_reason in {"ENCODING_ERROR", "SCHEMA_DRIFT", "UNKNOWN_KIND"}
    assert report.records_read == 0


def test_utf8_bom_is_ignored() -> None:
    assert run(b"\xef\xbb\xbf" + csv_bytes("lodgement", [GOOD_LODGEMENT])).records_valid == 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "EMPTY_FILE"), (b"\n\n", "EMPTY_FILE"), ((header() + "\n").encode(), "EMPTY_FILE")],
)
def test_empty_files_are_quarantined(data: bytes, reason: str) -> None:
    report = run(data)
    assert (report.status, report.quarantine_reason, report.records_read) == ("quarantined", reason, 0)


def test_truncated_csv_keeps_counts_and_rejects_the_cut_row() -> None:
    data = csv_bytes("lodgement", [GOOD_LODGEMENT] * 50)
    report = run(data[: len(data) - 40])
    assert report.records_read == 50
    assert report.records_rejected == 1
    assert report.reasons == {"MALFORMED_ROW": 1}


def test_truncated_gzip_is_quarantined_with_partial_counts(sample) -> None:
    path, _ = sample("lodgement", "csv.gz", rows=20_000)
    data = path.read_bytes()
    report = run(data[: len(data) // 2], name="incoming/lodgement/f.csv.gz")
    assert report.status == "quarantined"
    assert report.quarantine_reason == "DECOMPRESSION_ERROR"
    # the streaming reader may hit the break before its first batch: what was
    # read is reported, and the whole file is kept in quarantine either way
    assert report.records_read < 20_000
    assert report.bytes_read == len(data) // 2


def test_bytes_read_are_stored_bytes_and_bytes_decoded_the_inflated_ones(sample) -> None:
    path, _ = sample("lodgement", "csv.gz", rows=2_000)
    data = path.read_bytes()
    report = run(data, name="incoming/lodgement/f.csv.gz")
    assert report.bytes_read == len(data)
    assert report.bytes_decoded == len(gzip.decompress(data))
    plain = run(gzip.decompress(data), name="incoming/lodgement/f.csv")
    assert plain.bytes_read == plain.bytes_decoded == len(gzip.decompress(data))


def test_gzip_corrupted_in_the_middle_is_quarantined(sample) -> None:
    path, _ = sample("lodgement", "csv.gz", rows=5_000)
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\x00" * 64
    report = run(bytes(data), name="incoming/lodgement/f.csv.gz")
    assert report.status == "quarantined"
    assert report.quarantine_reason == "DECOMPRESSION_ERROR"


def test_name_says_gzip_but_content_is_not() -> None:
    report = run(csv_bytes("lodgement", [GOOD_LODGEMENT]), name="incoming/lodgement/f.csv.gz")
    assert (report.status, report.quarantine_reason) == ("quarantined", "DECOMPRESSION_ERROR")


def test_gzip_content_without_gz_suffix_is_read() -> None:
    data = gzip.compress(csv_bytes("lodgement", [GOOD_LODGEMENT] * 2), mtime=0)
    assert run(data, name="incoming/lodgement/f.csv").records_valid == 2


@pytest.mark.parametrize(
    ("first_line", "detail"),
    [
        (header().replace("postcode,", ""), "missing: postcode"),
        (header() + ",favourite_colour", "unexpected: favourite_colour"),
        (header().replace("postcode", "post_code"), "missing: postcode; unexpected: post_code"),
        (header() + ",tfn", "duplicated: tfn"),
    ],
)
def test_header_drift_quarantines_and_says_which_columns(first_line: str, detail: str) -> None:
    report = run((first_line + "\n" + ",".join(GOOD_LODGEMENT.values()) + "\n").encode())
    assert (report.status, report.quarantine_reason) == ("quarantined", "SCHEMA_DRIFT")
    assert report.detail == detail


def test_optional_columns_may_be_absent_from_the_header() -> None:
    names = [n for n in get_schema("lodgement").names if n not in ("agent_id", "amends_lodgement_id")]
    data = (",".join(names) + "\n" + ",".join(GOOD_LODGEMENT[n] for n in names) + "\n").encode()
    assert run(data).records_valid == 1


def test_kind_comes_from_the_header_when_the_path_says_nothing() -> None:
    report = run(csv_bytes("bas", [GOOD["bas"]]), name="drop/file.csv")
    assert (report.kind, report.records_valid) == ("bas", 1)


def test_unrecognisable_file_is_quarantined_as_unknown_kind() -> None:
    report = run(b"a,b,c\n1,2,3\n", name="drop/file.csv")
    assert (report.status, report.quarantine_reason) == ("quarantined", "UNKNOWN_KIND")


def test_explicit_kind_wins_and_mismatch_is_drift() -> None:
    report = run(csv_bytes("bas", [GOOD["bas"]]), name="drop/file.csv", kind="lodgement")
    assert report.quarantine_reason == "SCHEMA_DRIFT"


@pytest.mark.parametrize("name", ["incoming/lodgement/f.xlsx", "incoming/lodgement/f.pdf"])
def test_unsupported_extensions_are_quarantined(name: str) -> None:
    report = run(b"PK\x03\x04 whatever", name=name)
    assert report.quarantine_reason == "UNSUPPORTED_FORMAT"


def jsonl(rows: list[object]) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in rows)


def test_jsonl_line_level_problems_are_rejects_with_line_numbers() -> None:
    data = jsonl(
        [
            GOOD_LODGEMENT,
            b"{not json",
            [1, 2],
            {**GOOD_LODGEMENT, "taxable_income": 85000.5},  # numbers are fine: exact text is kept
            {**GOOD_LODGEMENT, "tfn": {"nested": 1}},
            {**GOOD_LODGEMENT, "extra": "x"},
            b"",
            {**GOOD_LODGEMENT, "tfn": "123456789"},
            {**GOOD_LODGEMENT, "tfn": "12345\xff"},
        ]
    ).replace(b"12345\\u00ff", b"12345\xff")
    report = run(
        data,
        name="incoming/lodgement/f.jsonl",
        config=ValidationConfig(as_of=AS_OF, reject_threshold=1, sample_limit=10),
    )
    assert report.records_read == 8
    assert report.records_valid == 2
    assert report.reasons == {
        "INVALID_ENCODING": 1,
        "INVALID_JSON": 2,
        "INVALID_TFN": 1,
        "INVALID_TYPE": 1,
        "UNEXPECTED_FIELD": 1,
    }
    assert [s["line"] for s in report.rejected_samples] == [2, 3, 5, 6, 8, 9]


def test_jsonl_keeps_exact_decimal_text() -> None:
    data = jsonl([{**GOOD_LODGEMENT, "taxable_income": 85000.505}])
    assert run(data, name="incoming/lodgement/f.jsonl").reasons == {"INVALID_AMOUNT": 1}


def test_parquet_with_floats_for_money_is_caught(tmp_path: Path) -> None:
    table = pa.table({k: pa.array([v]) for k, v in GOOD_LODGEMENT.items()})
    table = table.set_column(4, "taxable_income", pa.array([0.1 + 0.2]))
    pq.write_table(table, tmp_path / "f.parquet")
    report = validate_path(
        tmp_path / "f.parquet", kind="lodgement", config=ValidationConfig(as_of=AS_OF, reject_threshold=1)
    )
    assert report.reasons == {"INVALID_AMOUNT": 1}
    assert report.structured


def test_corrupt_parquet_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "lodgement.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 100)
    report = validate_path(path)
    assert (report.status, report.quarantine_reason) == ("quarantined", "PARSE_ERROR")


def test_report_is_json_serialisable_and_has_the_documented_shape(sample) -> None:
    path, _ = sample("lodgement", "csv", rows=100, invalid_share=0.1)
    doc = json.loads(json.dumps(validate_path(path).to_dict()))
    for key in (
        "file",
        "kind",
        "status",
        "records_read",
        "records_valid",
        "records_rejected",
        "reasons",
        "rejected_samples",
    ):
        assert key in doc
    assert all({"line", "errors", "record"} <= set(s) for s in doc["rejected_samples"])


def test_rejects_sink_receives_every_rejected_row_unmasked(sample) -> None:
    path, truth = sample("lodgement", "csv", rows=3000, invalid_share=0.05)
    rows: list[dict] = []
    report = validate_path(path, config=ValidationConfig(as_of=AS_OF, reject_threshold=1), on_rejects=rows.extend)
    assert len(rows) == report.records_rejected == truth.invalid
    assert len({r["line"] for r in rows}) == len(rows)
    assert all(r["record"]["tfn"] is None or "*" not in r["record"]["tfn"] for r in rows)


def test_the_validator_allocates_from_the_pool_it_asks_for() -> None:
    """jemalloc where the build has it (its peak RSS is what the bench bounds); unknown keeps the default."""
    import pyarrow as pa

    from taxlake.records.validation import use_arrow_pool

    before = pa.default_memory_pool()
    try:
        assert use_arrow_pool("system") == "system"
        assert use_arrow_pool("no-such-pool") == "system"
        assert use_arrow_pool() in {"jemalloc", "system"}
    finally:
        pa.set_memory_pool(before)
