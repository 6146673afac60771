"""Data quality of one curated batch: completeness and record reconciliation.

Pure functions over pyarrow tables; the pipeline step reads the batch's
files and writes the result. A batch fails (``DataQualityFailed``) when
what the lake holds cannot be reconciled with what validation accepted:
more curated rows than valid records, nothing curated from a file that had
valid records, or a required column with gaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

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


def completeness(table: pa.Table) -> dict[str, float]:
    """Share of non-null values per column (1.0 for an empty table: nothing is missing)."""
    n = table.num_rows
    return {name: (round(1 - table.column(name).null_count / n, 6) if n else 1.0) for name in table.column_names}


def assess(table: pa.Table, kind: str, records_valid: int) -> QualityResult:
    """Reconcile a curated batch against the count validation accepted."""
    result = QualityResult(kind, records_valid, table.num_rows, completeness(table))
    if table.num_rows > records_valid:
        result.problems.append(f"{table.num_rows} curated rows but only {records_valid} valid records")
    if records_valid > 0 and table.num_rows == 0:
        result.problems.append("no rows curated from a file with valid records")
    for name in get_schema(kind).required:
        if name in table.column_names and pc.sum(pc.is_null(table.column(name))).as_py():
            result.problems.append(f"required column {name} has gaps")
    return result
