"""The profile of a curated batch (rows, nulls, key sums) and its reconciliation with
what validation accepted: ``DataQualityFailed`` when they disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from taxlake.records.schemas import get_schema

# The money columns whose per-file totals move with the business (and with a broken feed).
KEY_SUMS: dict[str, tuple[str, ...]] = {
    "lodgement": ("taxable_income", "refund_amount"),
    "bas": ("net_gst",),
    "payer-report": ("gross_amount",),
}


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
        return {**asdict(self), "duplicates_removed": self.duplicates_removed, "score": self.score}


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
    from taxlake.lake.curate import curated_schema

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
