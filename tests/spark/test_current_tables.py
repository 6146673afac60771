"""The current tables: Spark applies amendments exactly as the pure merge does; the Delta
commit (delta-rs) and the parquet writer replace only the touched years, idempotently."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from taxlake.generate import GenerateSpec, generate_rows
from taxlake.lake.amend import merge_current
from taxlake.lake.curate import canonical, curate_batch, curated_schema
from taxlake.lake.current import DeltaRsCurrent, merge_current_df, spark_upsert
from taxlake.spark.curate import spark_schema

AS_OF = dt.date(2026, 11, 1)


def batches(kind: str = "lodgement", seed: int = 7) -> tuple[pa.Table, pa.Table]:
    """Two overlapping batches: the second re-lodges, amends and adds returns."""
    rows = list(generate_rows(GenerateSpec(kind=kind, rows=4000, seed=seed, as_of=AS_OF)))
    first = curate_batch(pa.Table.from_pylist(rows[:2500]), kind, source_file="s3://l/1", as_of=AS_OF)
    second = curate_batch(pa.Table.from_pylist(rows[2000:]), kind, source_file="s3://l/2", as_of=AS_OF)
    return first, second


def to_df(spark, table: pa.Table, kind: str):
    return spark.createDataFrame(table.to_pandas(), schema=spark_schema(curated_schema(kind)))


def to_arrow(df, kind: str) -> pa.Table:
    schema = curated_schema(kind)
    return canonical(pa.Table.from_pandas(df.toPandas(), schema=schema, preserve_index=False), kind)


@pytest.mark.parametrize("kind", ["lodgement", "bas", "payer-report"])
def test_spark_merges_exactly_as_the_pure_merge(spark, kind: str) -> None:
    first, second = batches(kind)
    if kind == "lodgement":  # the generator plants amendments: make sure some cross the batches
        assert set(second.column("amends_lodgement_id").to_pylist()) & set(first.column("lodgement_id").to_pylist())
    empty = curated_schema(kind).empty_table()
    expected = merge_current(merge_current(empty, first, kind), second, kind)
    current = merge_current_df(to_df(spark, empty, kind), to_df(spark, first, kind), kind)
    got = to_arrow(merge_current_df(current, to_df(spark, second, kind), kind), kind)
    assert got.equals(expected)
    assert expected.num_rows < first.num_rows + second.num_rows  # something was replaced


def test_spark_parquet_upsert_replaces_touched_years_and_is_idempotent(spark, tmp_path: Path) -> None:
    first, second = batches()
    path = str(tmp_path / "current")
    spark_upsert(spark, to_df(spark, first, "lodgement"), "lodgement", path, fmt="parquet")
    spark_upsert(spark, to_df(spark, second, "lodgement"), "lodgement", path, fmt="parquet")
    once = to_arrow(spark.read.parquet(path), "lodgement")
    spark_upsert(spark, to_df(spark, second, "lodgement"), "lodgement", path, fmt="parquet")
    twice = to_arrow(spark.read.parquet(path), "lodgement")
    empty = curated_schema("lodgement").empty_table()
    assert once.equals(merge_current(merge_current(empty, first, "lodgement"), second, "lodgement"))
    assert twice.equals(once)


def test_delta_commit_applies_amendments_once(tmp_path: Path) -> None:
    first, second = batches()
    table = DeltaRsCurrent(str(tmp_path / "lodgement_current"), "lodgement")
    a = table.upsert(first, "source-1")
    b = table.upsert(second, "source-2")
    again = table.upsert(second, "source-2")
    assert (a["version"], b["version"], again) == (0, 1, {**again, "applied": False, "version": 1})
    empty = curated_schema("lodgement").empty_table()
    expected = merge_current(merge_current(empty, first, "lodgement"), second, "lodgement")
    assert canonical(table.read(), "lodgement").equals(expected)
    # one Delta commit per applied file, each naming its source
    from deltalake import DeltaTable

    history = DeltaTable(table.uri).history()
    assert sorted(h["taxlake.source_id"] for h in history) == ["source-1", "source-2"]
    # time travel: version 0 is the first file alone
    v0 = pa.table(DeltaTable(table.uri, version=0).to_pyarrow_table())
    assert canonical(v0.select(expected.schema.names).cast(expected.schema), "lodgement").equals(
        merge_current(empty, first, "lodgement")
    )


def test_delta_rewrites_only_the_years_a_file_touches(tmp_path: Path) -> None:
    first, second = batches()
    only_year = second.filter(ds.field("tax_year") == max(second.column("tax_year").to_pylist()))
    table = DeltaRsCurrent(str(tmp_path / "current"), "lodgement")
    table.upsert(first, "source-1")
    before = {y: table.read([y]) for y in sorted(set(first.column("tax_year").to_pylist()))}
    out = table.upsert(only_year, "source-3")
    (year,) = out["years"]
    for other, rows in before.items():
        if other != year:
            assert table.read([other]).equals(rows)
