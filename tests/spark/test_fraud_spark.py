"""The fraud rules on Spark equal the pyarrow rules, and the payer-report join survives skew."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from taxlake.fraud.rules import FLAG_SCHEMA, RULES, FraudConfig, detect, payer_totals, sort_flags
from taxlake.generate import EVERY_RULE_PLANTED, GenerateSpec, Truth, write_payer_reports, write_sample
from taxlake.lake.curate import curate_chunks
from taxlake.records.readers import iter_chunks, open_source
from taxlake.records.schemas import get_schema
from taxlake.spark.curate import spark_schema
from taxlake.spark.fraud import detect_df, hits_df, payer_totals_df, salted_payer_join

AS_OF = dt.date(2026, 11, 1)
HOT_ROWS = 30_000  # payer reports for one TFN-year (one payer), against ~5,000 for all others


def curate(path: Path, kind: str) -> pa.Table:
    with open(path, "rb") as fh:
        source, _ = open_source(fh, path.name)
        return curate_chunks(iter_chunks(source, get_schema(kind).names), kind, source_file=path.name, as_of=AS_OF)


def sample(tmp: Path, spec: GenerateSpec) -> tuple[pa.Table, pa.Table, Truth]:
    truth = write_sample(tmp / "l.csv", spec)
    write_payer_reports(tmp / "p.csv", truth)
    return curate(tmp / "l.csv", "lodgement"), curate(tmp / "p.csv", "payer-report"), truth


def frame(spark: Any, table: pa.Table, path: Path) -> Any:
    pq.write_table(table, path)
    return spark.read.parquet(str(path))


def assertDataFrameEqual(got: Any, expected: Any) -> None:
    """Same columns and types, same rows in any order (pyspark.testing itself imports
    pandas-on-Spark, which fails on numpy 2)."""
    assert [(f.name, f.dataType) for f in got.schema] == [(f.name, f.dataType) for f in expected.schema]

    def rows(df: Any) -> list[tuple[Any, ...]]:
        return sorted((tuple(r) for r in df.collect()), key=repr)

    assert rows(got) == rows(expected)


@pytest.fixture(scope="module")
def planted(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("planted")
    spec = dataclasses.replace(EVERY_RULE_PLANTED, seed=11, as_of=AS_OF)
    lodgements, payers, truth = sample(tmp, spec)
    # a refund above withholding, so every rule has something to find
    lodgements = lodgements.set_column(
        lodgements.schema.get_field_index("refund_amount"),
        "refund_amount",
        pc.if_else(
            pc.equal(lodgements.column("lodgement_id"), lodgements.column("lodgement_id")[0]),
            pa.scalar(99_999, lodgements.schema.field("refund_amount").type),
            lodgements.column("refund_amount"),
        ),
    )
    return {
        "arrow": (lodgements, payers),
        "spark": (frame(spark, lodgements, tmp / "l.parquet"), frame(spark, payers, tmp / "p.parquet")),
        "truth": truth,
    }


@pytest.fixture
def conf(spark: Any) -> Iterator[Any]:
    """Set Spark SQL settings for one test, restoring them afterwards."""
    saved: dict[str, str | None] = {}

    def set_conf(**values: str) -> None:
        for key, value in values.items():
            name = key.replace("_", ".")
            saved.setdefault(name, spark.conf.get(name, None))
            spark.conf.set(name, value)

    yield set_conf
    for name, value in saved.items():
        if value is None:
            spark.conf.unset(name)
        else:
            spark.conf.set(name, value)


@pytest.fixture(scope="module")
def spark_flags(planted: dict[str, Any]) -> tuple[Any, pa.Table]:
    """detect_df over the planted sample, run once: (schema, rows as arrow)."""
    got = detect_df(planted["spark"][0], None, planted["spark"][1], salt_buckets=4, hot_key_rows=2)
    return got.schema, to_arrow(got)


def to_arrow(df: Any) -> pa.Table:
    assert [(f.name, f.dataType) for f in df.schema] == [(f.name, f.dataType) for f in spark_schema(FLAG_SCHEMA)]
    return sort_flags(pa.Table.from_pylist([r.asDict() for r in df.collect()], schema=FLAG_SCHEMA))


@pytest.mark.parametrize("rule", RULES)
def test_spark_flags_equal_the_pyarrow_flags(
    planted: dict[str, Any], spark_flags: tuple[Any, pa.Table], rule: str
) -> None:
    lodgements, payers = planted["arrow"]
    expected = detect(lodgements, "lodgement", payer_totals=payer_totals(payers))
    expected = expected.filter(pc.equal(expected.column("rule"), rule))
    assert expected.num_rows > 0  # each rule has planted cases to find
    _schema, got = spark_flags
    assert got.filter(pc.equal(got.column("rule"), rule)).equals(expected)


def test_spark_and_pyarrow_agree_on_clean_data_and_other_thresholds(spark: Any, tmp_path: Path) -> None:
    spec = GenerateSpec(rows=4_000, seed=21, invalid_share=0.01, as_of=AS_OF, third_party_share=1.0)
    lodgements, payers, _ = sample(tmp_path, spec)
    frames = frame(spark, lodgements, tmp_path / "l.parquet"), frame(spark, payers, tmp_path / "p.parquet")
    clean = detect(lodgements, "lodgement", payer_totals=payer_totals(payers))
    assert clean.num_rows == 0
    assert to_arrow(detect_df(frames[0], None, frames[1])).num_rows == 0
    # loose thresholds make every rule fire on the same data: still equal
    loose = FraudConfig(deductions_z=1.0, income_ratio=0.95, income_gap_floor=0, agent_max_daily=2, agent_z=0.5)
    expected = detect(lodgements, "lodgement", loose, payer_totals(payers))
    assert set(expected.column("rule").to_pylist()) >= {"DEDUCTIONS_OUTLIER", "INCOME_BELOW_THIRD_PARTY", "AGENT_BURST"}
    assert to_arrow(detect_df(frames[0], loose, frames[1])).equals(expected)


def plan(df: Any) -> str:
    return str(df._jdf.queryExecution().executedPlan().toString())


def test_dimension_tables_are_broadcast(planted: dict[str, Any]) -> None:
    found = hits_df(planted["spark"][0], FraudConfig())
    for rule in ("DEDUCTIONS_OUTLIER", "AGENT_BURST"):
        text = plan(found[rule])
        assert "BroadcastHashJoin" in text and "BroadcastExchange" in text, text
    assert "occupation_title" in plan(found["DEDUCTIONS_OUTLIER"])
    assert "state" in plan(found["AGENT_BURST"])


@pytest.fixture
def skewed(spark: Any, planted: dict[str, Any]) -> dict[str, Any]:
    """The planted payer reports plus HOT_ROWS small reports for one planted income-gap TFN, one payer."""
    from pyspark.sql import functions as F

    lodgements, payers = planted["arrow"]
    gap = lodgements.filter(pc.equal(lodgements.column("lodgement_id"), planted["truth"].income_gaps[0]))
    tfn, year = gap.column("tfn")[0].as_py(), gap.column("tax_year")[0].as_py()
    hot = (
        planted["spark"][1]
        .sparkSession.range(HOT_ROWS)
        .select(
            F.lit("53004085616").alias("payer_abn"),
            F.lit(tfn).alias("payee_tfn"),
            F.lit(year).cast("int").alias("tax_year"),
            F.lit("1.00").cast("decimal(15,2)").alias("gross_amount"),
            F.lit("0.20").cast("decimal(15,2)").alias("tax_withheld"),
            F.lit("CONTRACTOR").alias("report_type"),
            F.lit("skew.csv").alias("source_file"),
            (F.col("id") + 2).alias("source_line"),
        )
    )
    cold = planted["spark"][1].select(*hot.columns)
    hot_arrow = pa.table(
        {
            "payee_tfn": [tfn] * HOT_ROWS,
            "tax_year": pa.array([year] * HOT_ROWS, pa.int32()),
            "gross_amount": pa.array([Decimal("1.00")] * HOT_ROWS, pa.decimal128(15, 2)),
        }
    )
    cold_arrow = payers.select(["payee_tfn", "tax_year", "gross_amount"])
    arrow = pa.concat_tables([cold_arrow, hot_arrow.cast(cold_arrow.schema)])
    return {"spark": cold.unionByName(hot), "arrow": arrow, "key": (tfn, year)}


def test_salted_payer_join_equals_the_plain_join_on_skewed_data(
    spark: Any, planted: dict[str, Any], skewed: dict[str, Any], conf: Any
) -> None:
    # the shuffle join the salting is for: no broadcast of the key side, no AQE rewrites
    conf(
        spark_sql_autoBroadcastJoinThreshold="-1", spark_sql_adaptive_enabled="false", spark_sql_shuffle_partitions="8"
    )
    lodgements = planted["spark"][0]
    payers = skewed["spark"]
    assert payers.count() == HOT_ROWS + planted["arrow"][1].num_rows

    plain = payer_totals_df(lodgements, payers, salt_buckets=1)
    salted = payer_totals_df(lodgements, payers, salt_buckets=8, hot_key_rows=1_000)
    assertDataFrameEqual(salted, plain)
    hot_total = salted.filter(f"tfn = '{skewed['key'][0]}' and tax_year = {skewed['key'][1]}").collect()
    assert len(hot_total) == 1

    # the flags over the skewed reports agree with pyarrow's
    expected = detect(planted["arrow"][0], "lodgement", payer_totals=payer_totals(skewed["arrow"]))
    assert to_arrow(detect_df(lodgements, None, payers, salt_buckets=8, hot_key_rows=1_000)).equals(expected)

    # the plan: hot keys found and broadcast, key side exploded per salt, shuffle join on the salt
    text = plan(salted)
    assert "SortMergeJoin [tfn#" in text and "_salt#" in text.split("SortMergeJoin", 1)[1].split("\n", 1)[0], text
    assert "BroadcastHashJoin" in text and "Generate explode" in text
    assert "_salt" not in plan(plain)

    # and the point of it: the hot key's rows no longer land in one task
    def largest_share(df: Any) -> float:
        sizes = df.rdd.glom().map(len).collect()
        return max(sizes) / sum(sizes)

    plain_share = largest_share(salted_payer_join(lodgements, payers, salt_buckets=1))
    salted_share = largest_share(salted_payer_join(lodgements, payers, salt_buckets=8, hot_key_rows=1_000))
    print(f"largest join task: plain {plain_share:.0%}, salted {salted_share:.0%} of {payers.count()} payer rows")
    assert plain_share > 0.8 and salted_share < 0.4
