"""Data quality of one curated batch: completeness, reconciliation, drift, anomalies.

Pure functions over pyarrow tables, or over a ``Profile`` (row count, nulls
per column, exact key sums): what every check here needs, built from a
parquet file's footer statistics and a streamed read of the few key-sum
columns (``profile_parquet``), so the pipeline step's memory does not grow
with the file. The step reads the batch's files that way and writes the
result. A batch fails (``DataQualityFailed``) when what the lake holds
cannot be reconciled with what validation accepted: more curated rows than
valid records, nothing curated from a file that had valid records, or a
required column with gaps.

Schema drift (the files' columns against the table registered in the Glue
catalog: new, missing, retyped) and anomalies (record count and key sums
against the recent files of the same kind, robust z-score) are *reported*,
never fatal: an event, metrics and rows in the ``quality_metrics`` table
tell people; the reconciliation above decides whether the batch fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from taxlake.curate import curated_glue_type
from taxlake.fraud import FLAG_SCHEMA
from taxlake.schemas import get_schema


class DataQualityFailed(Exception):
    """The curated batch does not reconcile with its validation report."""


@dataclass
class QualityResult:
    kind: str
    records_valid: int
    records_curated: int
    completeness: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def duplicates_removed(self) -> int:
        return self.records_valid - self.records_curated

    @property
    def score(self) -> float:
        """Mean completeness over every column: 1.0 is a perfectly filled batch."""
        return round(sum(self.completeness.values()) / len(self.completeness), 6) if self.completeness else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "records_valid": self.records_valid,
            "records_curated": self.records_curated,
            "duplicates_removed": self.duplicates_removed,
            "completeness": self.completeness,
            "score": self.score,
            "problems": self.problems,
        }


@dataclass(frozen=True)
class Profile:
    """What the quality checks need of a batch: rows, nulls per column and key sums
    (exact: the money columns are decimals, so the order of addition can't matter)."""

    rows: int
    nulls: Mapping[str, int]
    sums: Mapping[str, Decimal]

    def __add__(self, other: Profile) -> Profile:
        return Profile(
            self.rows + other.rows,
            {n: self.nulls.get(n, 0) + other.nulls.get(n, 0) for n in {**self.nulls, **other.nulls}},
            {n: self.sums.get(n, Decimal(0)) + other.sums.get(n, Decimal(0)) for n in {**self.sums, **other.sums}},
        )


def _sum(column: pa.Array | pa.ChunkedArray) -> Decimal:
    total = pc.sum(column).as_py() if len(column) else None
    return Decimal(str(total)) if total is not None else Decimal(0)


def profile_table(table: pa.Table, kind: str) -> Profile:
    """The profile of a table already in the curated schema."""
    return Profile(
        table.num_rows,
        {name: table.column(name).null_count for name in table.column_names},
        {name: _sum(table.column(name)) for name in KEY_SUMS[kind] if name in table.column_names},
    )


def _footer_nulls(pf: pq.ParquetFile, name: str) -> int | None:
    """Null count of a column from every row group's statistics; None if any lacks them."""
    meta = pf.metadata
    index = next((i for i in range(meta.num_columns) if meta.schema.column(i).path == name), None)
    if index is None:
        return None
    total = 0
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is None or not stats.has_null_count:
            return None
        total += stats.null_count
    return total


def profile_parquet(source: Any, kind: str, batch_rows: int = 65_536) -> Profile:
    """The profile of one curated parquet file *as the curated schema reads it*: a missing
    column, or one that won't cast to its curated type, counts as all nulls (as
    ``taxlake.pipeline``'s conforming read does). Null counts come from the footer where
    the file's type is the curated one; key sums stream ``batch_rows`` rows at a time.
    Only a drifted column (other type) or one without statistics is read whole."""
    from taxlake.curate import curated_schema

    pf = source if isinstance(source, pq.ParquetFile) else pq.ParquetFile(source)
    found, rows = pf.schema_arrow, pf.metadata.num_rows
    nulls: dict[str, int] = {}
    sums = {name: Decimal(0) for name in KEY_SUMS[kind]}
    stream = []
    for f in curated_schema(kind):
        if f.name not in found.names:
            nulls[f.name] = rows
            continue
        counted = _footer_nulls(pf, f.name) if found.field(f.name).type == f.type else None
        if counted is not None:
            nulls[f.name] = counted
            if f.name in sums:
                stream.append(f.name)
            continue
        column = pf.read(columns=[f.name]).column(0)
        try:
            conformed = pc.cast(column, f.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            conformed = pa.chunked_array([pa.nulls(rows, f.type)])
        nulls[f.name] = conformed.null_count
        if f.name in sums:
            sums[f.name] = _sum(conformed)
    if stream:
        for batch in pf.iter_batches(batch_size=batch_rows, columns=stream):
            for name in stream:
                sums[name] += _sum(batch.column(name))
    return Profile(rows, nulls, sums)


def assess_profile(profile: Profile, kind: str, records_valid: int) -> QualityResult:
    """Reconcile a curated batch against the count validation accepted."""
    n = profile.rows
    filled = {name: (round(1 - nulls / n, 6) if n else 1.0) for name, nulls in profile.nulls.items()}
    result = QualityResult(kind, records_valid, n, filled)
    if n > records_valid:
        result.problems.append(f"{n} curated rows but only {records_valid} valid records")
    if records_valid > 0 and n == 0:
        result.problems.append("no rows curated from a file with valid records")
    for name in get_schema(kind).required:
        if profile.nulls.get(name, 0):
            result.problems.append(f"required column {name} has gaps")
    return result


# --- schema drift against the registered (Glue) schema ---------------------------------

DRIFT_DETAIL_TYPE = "SchemaDriftDetected"
QUALITY_SOURCE = "taxlake.quality"
VALIDATOR_SOURCE = "taxlake.validator"


class EventPublisher(Protocol):
    """Puts one event on an event bus (``taxlake.adapters.events`` on AWS)."""

    def put(self, source: str, detail_type: str, detail: Mapping[str, Any]) -> str: ...


class MetricSink(Protocol):
    """Publishes metrics sharing one set of dimensions: (name, value, unit) each."""

    def publish(self, dimensions: Mapping[str, str], metrics: Sequence[tuple[str, float, str]]) -> None: ...


def glue_type(t: pa.DataType) -> str:
    """The Hive/Glue type of an Arrow type: the curated tables' mapping, widened to every
    type a written file could carry, so an unexpected type reads as retyped, never as an error."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_boolean(t):
        return "boolean"
    simple = {pa.int8(): "tinyint", pa.int16(): "smallint", pa.float32(): "float", pa.binary(): "binary"}
    if t in simple:
        return simple[t]
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"array<{glue_type(t.value_type)}>"
    if pa.types.is_map(t):
        return f"map<{glue_type(t.key_type)},{glue_type(t.item_type)}>"
    if pa.types.is_struct(t):
        return "struct<" + ",".join(f"{f.name}:{glue_type(f.type)}" for f in t) + ">"
    try:
        return curated_glue_type(t)  # string, int, bigint, double, date, decimal(p,s): as glue_tables() says
    except TypeError:
        return str(t)


def _normal_type(hive: str) -> str:
    return hive.replace(" ", "").lower()


@dataclass(frozen=True)
class SchemaDrift:
    """Columns a file has that the catalog lacks (new), the reverse (missing), and columns
    in both whose types differ (retyped: name, registered type, found type)."""

    new: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    retyped: list[dict[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.missing or self.retyped)

    def to_dict(self) -> dict[str, Any]:
        return {"new": self.new, "missing": self.missing, "retyped": self.retyped}

    def to_table(self) -> pa.Table:
        """One row per drifted column (column, change, registered_type, found_type), sorted."""
        rows = [{"column": c, "change": "new", "registered_type": None, "found_type": None} for c in self.new]
        rows += [{"column": c, "change": "missing", "registered_type": None, "found_type": None} for c in self.missing]
        rows += [
            {"column": r["name"], "change": "retyped", "registered_type": r["registered"], "found_type": r["found"]}
            for r in self.retyped
        ]
        rows.sort(key=lambda r: (str(r["column"]), str(r["change"])))
        return pa.Table.from_pylist(rows, schema=DRIFT_SCHEMA)


DRIFT_SCHEMA = pa.schema(
    [
        pa.field("column", pa.string(), nullable=False),
        pa.field("change", pa.string(), nullable=False),
        pa.field("registered_type", pa.string()),
        pa.field("found_type", pa.string()),
    ]
)


def registered_columns(table: Mapping[str, Any]) -> dict[str, str]:
    """Name -> type of a Glue ``GetTable`` answer's table, partition keys included (the
    curated files keep their partition columns)."""
    columns = list(table.get("StorageDescriptor", {}).get("Columns", [])) + list(table.get("PartitionKeys", []))
    return {c["Name"]: c["Type"] for c in columns}


def compare_columns(found: Mapping[str, str | None], registered: Mapping[str, str]) -> SchemaDrift:
    """The engine-neutral core: ``found`` maps each column to its Hive type (None when only
    names are known, e.g. a text header), ``registered`` is the catalog's name -> type."""
    retyped = [
        {"name": name, "registered": registered[name], "found": str(kind)}
        for name, kind in found.items()
        if name in registered and kind is not None and _normal_type(kind) != _normal_type(registered[name])
    ]
    return SchemaDrift(
        new=sorted(set(found) - set(registered)),
        missing=sorted(set(registered) - set(found)),
        retyped=sorted(retyped, key=lambda r: r["name"]),
    )


def schema_drift(found: pa.Schema | Sequence[str], registered: Mapping[str, str]) -> SchemaDrift:
    """Drift of a file (its Arrow schema, or just its column names) from the registered table."""
    if isinstance(found, pa.Schema):
        return compare_columns({f.name: glue_type(f.type) for f in found}, registered)
    return compare_columns(dict.fromkeys(found), registered)


def drift_detail(drift: SchemaDrift, *, kind: str, table: str | None, source_key: str, against: str) -> dict[str, Any]:
    """The ``SchemaDriftDetected`` event's detail: what drifted, where, against what."""
    return {"kind": kind, "table": table, "source_key": source_key, "against": against, **drift.to_dict()}


# --- anomalies in record counts and key sums -------------------------------------------

# The money columns whose per-file totals move with the business (and with a broken feed).
KEY_SUMS: dict[str, tuple[str, ...]] = {
    "lodgement": ("taxable_income", "refund_amount"),
    "bas": ("net_gst",),
    "payer-report": ("gross_amount",),
}
MAD_SCALE = 0.6745  # Phi^-1(0.75): makes MAD comparable with a standard deviation
MEAN_AD_SCALE = 1.253314  # sqrt(pi/2): the same for the mean absolute deviation


@dataclass(frozen=True)
class AnomalyConfig:
    history_size: int = 30  # the most recent files of the same kind compared against
    min_history: int = 5  # fewer previous files than this never flag
    threshold: float = 3.5  # |robust z| above this is an anomaly (Iglewicz and Hoaglin)


@dataclass(frozen=True)
class Score:
    history_size: int
    median: float | None
    mad: float | None
    z: float | None
    anomaly: bool


def profile_metrics(profile: Profile, kind: str) -> dict[str, float]:
    """Record count and key sums of one curated file (sums of a column of nulls are 0)."""
    out = {"record_count": float(profile.rows)}
    for name in KEY_SUMS[kind]:
        out[f"sum_{name}"] = round(float(profile.sums.get(name, Decimal(0))), 2)
    return out


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def robust_z(value: float, history: Sequence[float], config: AnomalyConfig | None = None) -> Score:
    """Robust z-score of ``value`` against ``history``: 0.6745 (x - median) / MAD.

    - Fewer than ``min_history`` values: no score, never an anomaly.
    - MAD == 0 (over half the history is one value): the mean absolute deviation stands in,
      (x - median) / (1.2533 * MeanAD), IBM's modified z-score, so a feed with a usual
      fixed size still scores its odd files by how odd they are.
    - Both zero (a constant history): z is undefined (None); the value is an anomaly exactly
      when it differs from that constant.
    """
    config = config or AnomalyConfig()
    n = len(history)
    if n < config.min_history:
        return Score(n, None, None, None, False)
    median = _median(history)
    deviations = sorted(abs(h - median) for h in history)
    mad = _median(deviations)
    if mad > 0:
        z: float | None = MAD_SCALE * (value - median) / mad
    else:
        mean_ad = sum(deviations) / n
        z = (value - median) / (MEAN_AD_SCALE * mean_ad) if mean_ad > 0 else None
    anomaly = abs(z) > config.threshold if z is not None else value != median
    return Score(n, median, mad, z, anomaly)


# --- the analytics tables --------------------------------------------------------------

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
