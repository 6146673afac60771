"""Schema drift: a file's columns against the table registered in the Glue catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa

from taxlake.lake.curate import curated_glue_type

DRIFT_DETAIL_TYPE = "SchemaDriftDetected"
QUALITY_SOURCE = "taxlake.quality"
VALIDATOR_SOURCE = "taxlake.validator"


class EventPublisher(Protocol):
    """Puts one event on an event bus (``taxlake.adapters.events`` on AWS)."""

    def put(self, source: str, detail_type: str, detail: Mapping[str, Any]) -> str: ...


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
