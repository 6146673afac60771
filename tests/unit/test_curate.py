"""Curation: typed rows, derived columns, dedup, deterministic files, and the catalog contract."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from taxlake.generate import GenerateSpec, write_sample
from taxlake.lake.curate import (
    canonical,
    curate_chunk,
    curate_chunks,
    curate_stream,
    curated_schema,
    deduplicate,
    glue_tables,
    parquet_bytes,
    partition_key,
    source_id,
    write_partitions,
)
from taxlake.records.readers import iter_chunks, open_source
from taxlake.records.schemas import KINDS, get_schema
from taxlake.records.validation import ValidationConfig, validate_stream

from .conftest import AS_OF, GOOD_LODGEMENT, csv_bytes

ROOT = Path(__file__).resolve().parents[2]


def curate_bytes(data: bytes, kind: str, name: str = "f.csv") -> pa.Table:
    source, _ = open_source(io.BytesIO(data), name)
    return curate_chunks(list(iter_chunks(source, get_schema(kind).names)), kind, source_file="s3://b/k", as_of=AS_OF)


def test_only_valid_records_are_curated_with_types_and_lines() -> None:
    bad = {**GOOD_LODGEMENT, "lodgement_id": "4f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "tfn": "123456789"}
    other = {**GOOD_LODGEMENT, "lodgement_id": "5f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}
    table = curate_bytes(csv_bytes("lodgement", [GOOD_LODGEMENT, bad, other]), "lodgement")
    assert table.schema == curated_schema("lodgement")
    rows = table.to_pylist()
    assert [r["source_line"] for r in rows] == [2, 4]
    first = rows[0]
    assert first["tax_year"] == 2025 and first["lodgement_date"] == dt.date(2025, 8, 1)
    assert first["taxable_income"] == Decimal("85000.00")
    assert first["tax_payable"] == Decimal("21350.25")  # withheld 21000.00 minus a refund of -350.25
    assert first["effective_tax_rate"] == round(21350.25 / 85000, 6)
    assert first["deductions_ratio"] == round(1200.50 / 86200.50, 6)
    assert first["lodgement_month"] == "2025-08"


def test_the_latest_lodgement_of_an_id_wins_within_a_file() -> None:
    early = {**GOOD_LODGEMENT, "lodgement_date": "2025-08-01", "taxable_income": "1.00"}
    late = {**GOOD_LODGEMENT, "lodgement_date": "2025-09-01", "taxable_income": "2.00"}
    table = curate_bytes(csv_bytes("lodgement", [late, early]), "lodgement")
    assert [r["taxable_income"] for r in table.to_pylist()] == [Decimal("2.00")]


def test_same_day_duplicates_keep_the_later_line() -> None:
    rows = [{**GOOD_LODGEMENT, "taxable_income": f"{i}.00"} for i in (1, 2, 3)]
    table = curate_bytes(csv_bytes("lodgement", rows), "lodgement")
    assert [(r["source_line"], r["taxable_income"]) for r in table.to_pylist()] == [(4, Decimal("3.00"))]


def test_deduplicate_is_order_independent() -> None:
    table = curate_bytes(
        csv_bytes("lodgement", [{**GOOD_LODGEMENT, "taxable_income": f"{i}.00"} for i in range(5)]), "lodgement"
    )
    doubled = pa.concat_tables([table, table.slice(0, 0)])
    assert deduplicate(doubled.take([0]), "lodgement").equals(deduplicate(doubled, "lodgement"))


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_curates_every_valid_record(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.csv"
    truth = write_sample(path, GenerateSpec(kind=kind, rows=800, seed=9, invalid_share=0.05, as_of=AS_OF))
    table = curate_bytes(path.read_bytes(), kind)
    keys = {"lodgement": ["lodgement_id"], "bas": ["abn", "period_start", "period_end"],
            "payer-report": ["payer_abn", "payee_tfn", "tax_year", "report_type"]}[kind]  # fmt: skip
    distinct_valid = len({tuple(str(r[k]) for k in keys) for r in table.to_pylist()})
    assert table.num_rows == distinct_valid <= truth.records - truth.invalid


def test_partition_files_are_deterministic_and_named_by_source(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    write_sample(path, GenerateSpec(rows=500, seed=4, as_of=AS_OF))
    table = curate_bytes(path.read_bytes(), "lodgement")
    written: dict[str, bytes] = {}
    sid = source_id("validated/lodgement/l.csv", "v1")
    out = write_partitions(table, "lodgement", prefix="curated", source=sid, put=written.__setitem__)
    again: dict[str, bytes] = {}
    write_partitions(canonical(table.take(list(reversed(range(table.num_rows)))), "lodgement"), "lodgement",
                     prefix="curated", source=sid, put=again.__setitem__)  # fmt: skip
    assert written == again
    assert sum(w["rows"] for w in out) == table.num_rows
    key = next(iter(written))
    assert key.startswith("curated/lodgement/tax_year=") and key.endswith(f"/{sid}.parquet")
    assert pq.read_table(io.BytesIO(written[key])).num_rows > 0


@pytest.mark.parametrize("kind", KINDS)
def test_the_streamed_curation_writes_the_same_files_as_the_whole_file_one(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.csv"
    write_sample(path, GenerateSpec(kind=kind, rows=40_000, seed=5, invalid_share=0.01, as_of=AS_OF))
    header, *lines = path.read_bytes().splitlines()
    names = header.decode().split(",")
    # the first 300 records again at the end, many chunks later; a lodgement's copy is dated
    # a month on, so it wins and moves to another partition
    again = [line.decode().split(",") for line in lines[:300]]
    if "lodgement_date" in names and kind == "lodgement":
        at = names.index("lodgement_date")
        for row in again:
            day = dt.date.fromisoformat(row[at])
            row[at] = (day + dt.timedelta(days=31)).isoformat() if day < AS_OF - dt.timedelta(days=40) else row[at]
    data = b"\n".join([header, *lines, *(",".join(r).encode() for r in again)]) + b"\n"

    def chunks() -> list:
        source, _ = open_source(io.BytesIO(data), path.name)
        return list(iter_chunks(source, get_schema(kind).names))

    assert len(chunks()) > 2  # the duplicates are chunks apart
    whole: dict[str, bytes] = {}
    expected = write_partitions(
        curate_chunks(chunks(), kind, source_file="s3://b/k", as_of=AS_OF), kind, prefix="curated", source="s",
        put=whole.__setitem__,
    )  # fmt: skip
    streamed: dict[str, bytes] = {}
    written = curate_stream(
        iter(chunks()),
        kind,
        source_file="s3://b/k",
        prefix="curated",
        source="s",
        put=streamed.__setitem__,
        as_of=AS_OF,
    )
    assert written == expected and streamed == whole
    curated = sum(int(str(w["rows"])) for w in written)
    assert 0 < curated <= 40_000  # each appended copy replaced its original, none was added
    # the validator's verdicts instead of the rules: the same files
    rejected: list[int] = []
    validate_stream(io.BytesIO(data), path.name, kind=kind, config=ValidationConfig(as_of=AS_OF),
                    on_rejects=lambda rows: rejected.extend(r["line"] for r in rows))  # fmt: skip
    assert rejected  # there were verdicts to apply
    judged: dict[str, bytes] = {}
    curate_stream(iter(chunks()), kind, source_file="s3://b/k", prefix="curated", source="s", put=judged.__setitem__,
                  rejected=np.sort(np.array(rejected, dtype=np.int64)))  # fmt: skip
    assert judged == whole


def test_the_validators_verdict_decides_and_the_rules_are_not_checked_again() -> None:
    good = {**GOOD_LODGEMENT, "lodgement_id": "00000002-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}
    data = csv_bytes("lodgement", [GOOD_LODGEMENT, good])

    def curated(rejected: list[int] | None) -> list[str]:
        source, _ = open_source(io.BytesIO(data), "l.csv")
        table = curate_chunks(iter_chunks(source, get_schema("lodgement").names), "lodgement", source_file="l.csv",
                              as_of=AS_OF) if rejected is None else pa.concat_tables(
            curate_chunk(c, "lodgement", source_file="l.csv", rejected=np.array(rejected, dtype=np.int64))
            for c in iter_chunks(source, get_schema("lodgement").names))  # fmt: skip
        return sorted(table.column("lodgement_id").to_pylist())

    both = sorted([GOOD_LODGEMENT["lodgement_id"], good["lodgement_id"]])
    assert curated(None) == curated([]) == both
    # line 3 (the second record) was rejected by the validator: dropped, though it passes the rules
    assert curated([3]) == [GOOD_LODGEMENT["lodgement_id"]]


def test_partition_key_layout() -> None:
    assert (
        partition_key("curated/", "bas", ("2025", "2025-10"), "abc")
        == "curated/bas/tax_year=2025/lodgement_month=2025-10/abc.parquet"
    )


def test_parquet_bytes_are_reproducible() -> None:
    table = curate_bytes(csv_bytes("lodgement", [GOOD_LODGEMENT]), "lodgement")
    assert parquet_bytes(table) == parquet_bytes(table)


def test_the_catalog_file_matches_what_the_jobs_write() -> None:
    committed = json.loads((ROOT / "modules" / "data-lake" / "curated_tables.json").read_text())
    assert committed == glue_tables(), (
        "regenerate modules/data-lake/curated_tables.json (see taxlake.lake.curate.glue_tables)"
    )
