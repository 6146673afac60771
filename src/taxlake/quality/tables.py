"""The analytics tables the quality step writes, and how the Glue catalog declares them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Protocol

import pyarrow as pa

from taxlake.fraud.rules import FLAG_SCHEMA
from taxlake.quality.anomaly import Score
from taxlake.quality.drift import SchemaDrift, glue_type
from taxlake.quality.profile import QualityResult


class MetricSink(Protocol):
    """Publishes metrics sharing one set of dimensions: (name, value, unit) each."""

    def publish(self, dimensions: Mapping[str, str], metrics: Sequence[tuple[str, float, str]]) -> None: ...


# One row per (file, metric): metrics differ by kind, so a long table serves every kind.
QUALITY_METRICS_SCHEMA = pa.schema(
    [
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_key", pa.string(), nullable=False),
        pa.field("engine", pa.string()),
        pa.field("processed_at", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("quality_score", pa.float64(), nullable=False),
        pa.field("records_valid", pa.int64(), nullable=False),
        pa.field("records_curated", pa.int64(), nullable=False),
        pa.field("schema_drift", pa.bool_()),
        pa.field("metric", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
        pa.field("history_size", pa.int32(), nullable=False),
        pa.field("history_median", pa.float64()),
        pa.field("history_mad", pa.float64()),
        pa.field("z_score", pa.float64()),
        pa.field("anomaly", pa.bool_(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
    ]
)
ANALYTICS_PARTITIONS: dict[str, tuple[str, ...]] = {"quality_metrics": ("kind",), "fraud_flags": ("kind",)}


def analytics_glue_tables() -> dict[str, dict[str, list[dict[str, str]]]]:
    """Columns and partition keys of the analytics tables, as the Glue catalog declares them.

    modules/data-lake/analytics_tables.json holds this output (a test keeps the two equal).
    fraud_flags files are FLAG_SCHEMA with the kind in their path only.
    """
    schemas = {"fraud_flags": FLAG_SCHEMA, "quality_metrics": QUALITY_METRICS_SCHEMA}
    out = {}
    for name, schema in schemas.items():
        parts = ANALYTICS_PARTITIONS[name]
        out[name] = {
            "columns": [{"name": f.name, "type": glue_type(f.type)} for f in schema if f.name not in parts],
            "partition_keys": [{"name": p, "type": "string"} for p in parts],
        }
    return out


def metrics_table(
    scores: Mapping[str, tuple[float, Score]],
    *,
    kind: str,
    source_id: str,
    source_key: str,
    engine: str | None,
    processed_at: dt.datetime,
    result: QualityResult,
    drift: SchemaDrift | None,
) -> pa.Table:
    """The file's rows of ``quality_metrics``: one per metric, with its score."""
    rows = [
        {
            "source_id": source_id,
            "source_key": source_key,
            "engine": engine,
            "processed_at": processed_at,
            "quality_score": result.score,
            "records_valid": result.records_valid,
            "records_curated": result.records_curated,
            "schema_drift": None if drift is None else bool(drift),
            "metric": metric,
            "value": value,
            "history_size": s.history_size,
            "history_median": s.median,
            "history_mad": s.mad,
            "z_score": s.z,
            "anomaly": s.anomaly,
            "kind": kind,
        }
        for metric, (value, s) in sorted(scores.items())
    ]
    return pa.Table.from_pylist(rows, schema=QUALITY_METRICS_SCHEMA)
