"""The Spark quality functions equal the pyarrow ones: whole DataFrames compared."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from taxlake.curate import curated_schema, glue_tables
from taxlake.quality import (
    DRIFT_SCHEMA,
    HISTORY_SCHEMA,
    QUALITY_METRICS_SCHEMA,
    SCORED_SCHEMA,
    AnomalyConfig,
    analytics_glue_tables,
    rolling_scores,
    schema_drift,
)
from taxlake.spark import spark_schema
from taxlake.spark_quality import drift_frame, rolling_robust_z, schema_drift_spark

T0 = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def assert_frames_equal(actual, expected, rel: float = 1e-9) -> None:
    """Whole DataFrames: the same columns and types, the same rows (in any order), floats
    to ``rel``. (pyspark.testing imports pandas-on-Spark, which numpy 2 breaks.)"""
    assert [(f.name, f.dataType) for f in actual.schema] == [(f.name, f.dataType) for f in expected.schema]

    def rows(df) -> list[tuple]:
        return sorted((tuple(r) for r in df.collect()), key=repr)

    got, want = rows(actual), rows(expected)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        same = [a == pytest.approx(b, rel=rel) if isinstance(b, float) else a == b for a, b in zip(g, w, strict=True)]
        assert all(same), (g, w)


def registered(spec: dict) -> dict[str, str]:
    return {c["name"]: c["type"] for c in spec["columns"] + spec["partition_keys"]}


def drifted(schema: pa.Schema) -> pa.Schema:
    """A column gone, one new, one retyped (int -> bigint or decimal -> double)."""
    schema = schema.remove(0).append(pa.field("surprise", pa.string()))
    for i, f in enumerate(schema):
        if pa.types.is_decimal(f.type) or pa.types.is_int32(f.type):
            return schema.set(i, pa.field(f.name, pa.float64() if pa.types.is_decimal(f.type) else pa.int64()))
    return schema


CASES = [
    *[(kind, curated_schema(kind), registered(spec)) for kind, spec in glue_tables().items()],
    ("quality_metrics", QUALITY_METRICS_SCHEMA, registered(analytics_glue_tables()["quality_metrics"])),
]


@pytest.mark.parametrize(("name", "schema", "catalog"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("drift", [False, True], ids=["as-registered", "drifted"])
def test_spark_drift_equals_arrow_drift(spark, name: str, schema: pa.Schema, catalog: dict, drift: bool) -> None:
    arrow_schema = drifted(schema) if drift else schema
    df = spark.createDataFrame([], spark_schema(arrow_schema))
    expected_drift = schema_drift(arrow_schema, catalog)
    assert schema_drift_spark(df.schema, catalog) == expected_drift
    assert bool(expected_drift) is drift
    expected = spark.createDataFrame(expected_drift.to_table().to_pylist(), spark_schema(DRIFT_SCHEMA))
    assert_frames_equal(drift_frame(spark, df, catalog), expected)


def history_rows() -> list[dict]:
    """Two kinds, two metrics each, 45 files: noise, a spike, a drop, a stretch of equal
    values (MAD 0), a constant run, and a late start (short history)."""
    rng = random.Random(7)
    rows = []
    for kind, metrics in {
        "lodgement": ("record_count", "sum_taxable_income"),
        "bas": ("record_count", "sum_net_gst"),
    }.items():
        for metric in metrics:
            for i in range(45):
                value = round(rng.gauss(1000, 25), 2)
                if i in (20, 33):
                    value *= 5 if i == 20 else 0.1
                if 24 <= i < 31:
                    value = 1000.0  # a run of equal values: MAD 0 for the files after it
                if metric == "sum_net_gst" and i >= 36:
                    value = 500.0  # constant: MAD and mean AD 0, then one change
                if metric == "sum_net_gst" and i == 44:
                    value = 501.0
                at = T0 + dt.timedelta(hours=i, minutes=rng.randrange(60))
                rows.append({"kind": kind, "metric": metric, "source_id": f"{kind}-{i:03d}", "processed_at": at,
                             "value": value})  # fmt: skip
    rng.shuffle(rows)
    return rows


@pytest.mark.parametrize(
    "config",
    [AnomalyConfig(), AnomalyConfig(history_size=8, min_history=3, threshold=3.0)],
    ids=["defaults", "short-window"],
)
def test_spark_rolling_robust_z_equals_pyarrow(spark, config: AnomalyConfig) -> None:
    rows = history_rows()
    history = spark.createDataFrame(rows, spark_schema(HISTORY_SCHEMA))
    actual = rolling_robust_z(history, config)
    scored = rolling_scores(pa.Table.from_pylist(rows, schema=HISTORY_SCHEMA), config)
    expected = spark.createDataFrame(scored.to_pylist(), spark_schema(SCORED_SCHEMA))
    assert_frames_equal(actual, expected)
    flagged = scored.filter(pa.compute.field("anomaly")).to_pylist()
    assert {r["source_id"] for r in flagged} >= {"lodgement-020", "bas-020"}
    if config.history_size == 8:  # the short window sees the equal and constant runs alone
        assert any(r["history_mad"] == 0 and r["z_score"] is not None for r in scored.to_pylist())
        assert any(r["z_score"] is None and r["history_size"] >= config.min_history for r in flagged)
