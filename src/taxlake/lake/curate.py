"""Validated text records -> typed, derived, deduplicated curated rows.

One implementation of the row logic, in pyarrow, serves every engine: the
Lambda path calls ``curate_batch`` on each chunk it streams, and the Spark
jobs (Glue, EMR Serverless) call the same function through
``DataFrame.mapInArrow``. Only the cross-batch step (keeping one row per
key) is written twice, as ``deduplicate`` here and as a window in
``taxlake.spark.curate``; tests hold the two to the same output.

A record is curated only if it passes validation: an accepted file may
still hold up to the reject threshold of bad rows, and those stay in the
quarantine rejects file, never in the lake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from taxlake.records.checks import parse_iso_dates
from taxlake.records.pool import map_in_order
from taxlake.records.readers import Chunk
from taxlake.records.schemas import Rule, Schema, get_schema
from taxlake.records.validation import CheckedChunk, ValidationConfig, checked_chunk, normalise

MONEY = pa.decimal128(15, 2)
LINEAGE = [pa.field("source_file", pa.string(), nullable=False), pa.field("source_line", pa.int64(), nullable=False)]
# one row per key survives; the later lodgement (then the later line) wins
KEYS: dict[str, tuple[str, ...]] = {
    "lodgement": ("lodgement_id",),
    "bas": ("abn", "period_start", "period_end"),
    "payer-report": ("payer_abn", "payee_tfn", "tax_year", "report_type"),
}
ORDER: dict[str, tuple[str, ...]] = {
    "lodgement": ("lodgement_date",),
    "bas": ("lodgement_date",),
    "payer-report": (),
}
PARTITIONS: dict[str, tuple[str, ...]] = {
    "lodgement": ("tax_year", "lodgement_month"),
    "bas": ("tax_year", "lodgement_month"),
    "payer-report": ("tax_year",),
}


def arrow_type(rule: Rule) -> pa.DataType:
    """The curated Arrow type of a column checked by ``rule``."""
    if rule is Rule.TAX_YEAR:
        return pa.int32()
    if rule is Rule.DATE:
        return pa.date32()
    if rule in (Rule.AMOUNT, Rule.AMOUNT_NON_NEGATIVE):
        return MONEY
    return pa.string()


def _derived_fields(kind: str) -> list[pa.Field]:
    if kind == "lodgement":
        return [
            pa.field("tax_payable", MONEY),
            pa.field("effective_tax_rate", pa.float64()),
            pa.field("deductions_ratio", pa.float64()),
            pa.field("lodgement_month", pa.string(), nullable=False),
        ]
    if kind == "bas":
        return [
            pa.field("net_gst", MONEY),
            pa.field("tax_year", pa.int32(), nullable=False),
            pa.field("lodgement_month", pa.string(), nullable=False),
        ]
    return [pa.field("withholding_rate", pa.float64())]


def curated_schema(kind: str) -> pa.Schema:
    """The curated table's columns for ``kind``: typed inputs, derived columns, lineage."""
    schema = get_schema(kind)
    fields = [pa.field(c.name, arrow_type(c.rule), nullable=not c.required) for c in schema.columns]
    return pa.schema(fields + _derived_fields(kind) + LINEAGE)


def _ratio(numerator: pa.Array, denominator: pa.Array) -> pa.Array:
    num, den = pc.cast(numerator, pa.float64()), pc.cast(denominator, pa.float64())
    # a zero denominator gives null, not inf: "no income" has no rate
    return pc.round(pc.if_else(pc.equal(den, 0.0), None, pc.divide(num, den)), 6)


def _income_year(dates: pa.Array) -> pa.Array:
    """1 July starts the next income year: 2025-07-01 is in 2026."""
    year = pc.year(dates)
    return pc.cast(pc.add(year, pc.if_else(pc.greater_equal(pc.month(dates), 7), 1, 0)), pa.int32())


def _derive(kind: str, cols: dict[str, pa.Array]) -> dict[str, pa.Array]:
    # the ISO text's first seven characters: the same as strftime("%Y-%m"), several times faster
    dates = cols.get("lodgement_date")
    month = None if dates is None else pc.utf8_slice_codeunits(pc.cast(dates, pa.string()), 0, 7)
    if kind == "lodgement":
        payable = pc.cast(pc.subtract(cols["tax_withheld"], cols["refund_amount"]), MONEY)
        gross = pc.add(cols["taxable_income"], cols["total_deductions"])
        return {
            "tax_payable": payable,
            "effective_tax_rate": _ratio(payable, cols["taxable_income"]),
            "deductions_ratio": _ratio(cols["total_deductions"], gross),
            "lodgement_month": month,
        }
    if kind == "bas":
        return {
            "net_gst": pc.cast(pc.subtract(cols["gst_collected"], cols["gst_paid"]), MONEY),
            "tax_year": _income_year(cols["period_end"]),
            "lodgement_month": month,
        }
    return {"withholding_rate": _ratio(cols["tax_withheld"], cols["gross_amount"])}


def curate_chunk(
    chunk: Chunk, kind: str, *, source_file: str, as_of: dt.date | None = None, rejected: np.ndarray | None = None
) -> pa.Table:
    """Curate the valid rows of one reader chunk; ``source_line`` is each row's physical line.

    ``rejected`` (sorted line numbers) are the validator's verdicts on the file: those rows
    are dropped and the others kept without checking the rules again; without it every
    rule is checked here, on ``as_of``.
    """
    schema: Schema = get_schema(kind)
    if rejected is None:
        config = ValidationConfig(as_of=as_of or dt.date.today(), threads=1)
        checked = checked_chunk(chunk, schema, config)  # its normalised text and parsed dates are reused
    else:
        checked = _judged_chunk(chunk, schema, rejected)
    keep = pc.invert(checked.failed)
    cols: dict[str, pa.Array] = {}
    for column in schema.columns:
        target = arrow_type(column.rule)
        if column.rule is Rule.DATE:
            cols[column.name] = pc.filter(checked.dates[column.name], keep)
            continue
        values = pc.filter(checked.columns[column.name], keep)
        if target != pa.string():
            cols[column.name] = pc.cast(values, target)
        else:
            cols[column.name] = values
    cols |= _derive(kind, cols)
    kept = len(cols[schema.names[0]])
    cols["source_file"] = pa.array([source_file] * kept, pa.string())
    cols["source_line"] = pc.filter(chunk.line_array(), keep)
    return pa.table(cols, schema=curated_schema(kind))


def verdict_lines(text: bytes, expected: int) -> np.ndarray:
    """The validator's rejected lines (its ``.rejected-lines.gz``, decompressed: one number a
    line), sorted; ValueError if they are not ``expected`` distinct lines (the report's
    ``records_rejected``), so verdicts that disagree with the report are never half applied."""
    lines = np.sort(np.array([int(n) for n in text.split()], dtype=np.int64))
    if len(lines) != expected or bool(np.any(lines[1:] == lines[:-1])):  # sorted: a repeat is a neighbour
        raise ValueError(f"the validator's verdicts list {len(lines)} rejected lines, its report {expected}")
    return lines


def _judged_chunk(chunk: Chunk, schema: Schema, rejected: np.ndarray) -> CheckedChunk:
    """A chunk as ``checked_chunk`` leaves it (fields normalised, dates parsed), failed where
    the validator rejected the line."""
    cols = {name: normalise(chunk.columns[name]) for name in schema.names}
    dates = {c.name: parse_iso_dates(cols[c.name])[1] for c in schema.columns if c.rule is Rule.DATE}
    lines = chunk.line_array().to_numpy(zero_copy_only=False)
    at = np.minimum(np.searchsorted(rejected, lines), max(len(rejected) - 1, 0))
    failed = rejected[at] == lines if len(rejected) else np.zeros(len(lines), dtype=bool)
    return CheckedChunk(pa.array(failed), [], cols, dates)


def curate_batch(
    batch: pa.RecordBatch | pa.Table, kind: str, *, source_file: str, first_line: int = 2, as_of: dt.date | None = None
) -> pa.Table:
    """Curate a batch of text records (a ``_line`` column, if present, gives the lines)."""
    names = set(batch.schema.names)
    n = batch.num_rows

    def text(name: str) -> pa.Array:
        if name not in names:
            return pa.nulls(n, pa.string())
        col = pc.cast(batch.column(name), pa.string())
        return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col

    lines = batch.column("_line").to_pylist() if "_line" in names else list(range(first_line, first_line + n))
    chunk = Chunk(columns={c: text(c) for c in get_schema(kind).names}, num_rows=n, first_rank=0, explicit_lines=lines)
    return curate_chunk(chunk, kind, source_file=source_file, as_of=as_of)


def _latest(table: pa.Table, kind: str) -> pa.Array:
    """The positions of the rows that survive deduplication, in key order: the latest by ORDER per key, ties
    broken by the later source file, then line (a table of only those columns will do)."""
    keys, order = KEYS[kind], ORDER[kind]
    sort = [(k, "ascending") for k in keys] + [(o, "descending") for o in order]
    sort += [(c, "descending") for c in ("source_file", "source_line") if c in table.schema.names]
    # rank by indices and compare one key column at a time: a sorted copy of every
    # column would double what deduplicating a large file holds
    ranked = pc.sort_indices(table, sort_keys=sort)
    if table.num_rows < 2:
        return ranked
    changed = pa.array([False] * (table.num_rows - 1))
    for k in keys:
        as_text = pc.cast(table.column(k).take(ranked).combine_chunks(), pa.string())
        prev, cur = as_text.slice(0, table.num_rows - 1), as_text.slice(1)
        # a null key is its own row: never merged with its neighbour
        changed = pc.or_(changed, pc.fill_null(pc.not_equal(prev, cur), True))
    return ranked.filter(pa.concat_arrays([pa.array([True]), changed]))


def deduplicate(table: pa.Table, kind: str) -> pa.Table:
    """One row per key: the latest by ORDER, ties broken by the later source line."""
    if table.num_rows == 0:
        return table
    return canonical(table.take(_latest(table, kind)), kind)


def canonical(table: pa.Table, kind: str) -> pa.Table:
    """Rows in a stable order (keys, then lineage), so equal content compares equal."""
    sort = [(k, "ascending") for k in KEYS[kind]] + [("source_file", "ascending"), ("source_line", "ascending")]
    return table.sort_by(sort)


def curate_chunks(chunks: Iterable[Chunk], kind: str, *, source_file: str, as_of: dt.date | None = None) -> pa.Table:
    """Curate and deduplicate a whole file given as the reader's chunks (held in memory;
    ``curate_stream`` writes the same lake in bounded memory)."""
    tables = [curate_chunk(c, kind, source_file=source_file, as_of=as_of) for c in chunks]
    if not tables:
        return curated_schema(kind).empty_table()
    return deduplicate(pa.concat_tables(tables), kind)


# --- the curated layout: one deterministic file per (source file, partition) -----------


def source_id(source_key: str, version_id: str | None = None) -> str:
    """Names a source object version in the lake: re-curating it overwrites, never adds."""
    return hashlib.sha256(f"{source_key}#{version_id or ''}".encode()).hexdigest()[:24]


def partition_values(table: pa.Table, kind: str) -> list[tuple[str, ...]]:
    cols = [pc.cast(table.column(p), pa.string()).to_pylist() for p in PARTITIONS[kind]]
    return sorted(set(zip(*cols, strict=True)))


def partition_key(prefix: str, kind: str, values: tuple[str, ...], source: str) -> str:
    parts = "/".join(f"{name}={value}" for name, value in zip(PARTITIONS[kind], values, strict=True))
    return f"{prefix.rstrip('/')}/{kind}/{parts}/{source}.parquet"


def manifest_key(prefix: str, kind: str, source: str) -> str:
    """Where a curation run lists what it wrote: O(1) to find for quality, catalog and fraud."""
    return f"{prefix.rstrip('/')}/_manifests/{kind}/{source}.json"


def manifest(
    kind: str, source: str, source_file: str, engine: str, written: list[dict[str, object]]
) -> dict[str, object]:
    files = sorted(written, key=lambda w: str(w["key"]))
    return {
        "kind": kind,
        "source_id": source,
        "source_file": source_file,
        "engine": engine,
        "records_curated": sum(int(str(w["rows"])) for w in files),
        "files": files,
    }


def parquet_bytes(table: pa.Table, compression: str = "zstd") -> bytes:
    """Parquet with fixed writer settings: the same rows give the same bytes on every engine."""
    sink = pa.BufferOutputStream()
    # one chunk: how the rows arrived (a spill, a sort, Spark's batches) must not shape the file
    pq.write_table(table.combine_chunks(), sink, compression=compression, write_statistics=True, store_schema=True)
    return bytes(sink.getvalue().to_pybytes())


def write_partitions(
    table: pa.Table,
    kind: str,
    *,
    prefix: str,
    source: str,
    put: Callable[[str, bytes], None],
    compression: str = "zstd",
) -> list[dict[str, object]]:
    """Write one file per partition (partition columns stay in the file, as Athena reads them
    from the path and Spark from both); returns what was written."""
    return [
        _put_partition(
            canonical(rows, kind), kind, values, prefix=prefix, source=source, put=put, compression=compression
        )
        for values, rows in sorted(_split_partitions(table, kind), key=lambda split: split[0])
    ]


def _put_partition(
    part: pa.Table,
    kind: str,
    values: tuple[str, ...],
    *,
    prefix: str,
    source: str,
    put: Callable[[str, bytes], None],
    compression: str,
) -> dict[str, object]:
    key = partition_key(prefix, kind, values, source)
    put(key, parquet_bytes(part, compression))
    return {"key": key, "rows": part.num_rows, "partition": dict(zip(PARTITIONS[kind], values, strict=True))}


def _split_partitions(table: pa.Table, kind: str) -> list[tuple[tuple[str, ...], pa.Table]]:
    """The table's rows by partition values (unordered; rows keep their order within each)."""
    if table.num_rows == 0:
        return []
    # one string key per row, dictionary-encoded once; one stable take groups the rows, and
    # each partition is then a zero-copy slice (not one filter over the table per partition)
    key = pc.binary_join_element_wise(*[pc.cast(table.column(p), pa.string()) for p in PARTITIONS[kind]], "\x1f")
    encoded = pc.dictionary_encode(key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key)
    grouped = table.take(pc.sort_indices(encoded.indices))
    counts = pc.value_counts(encoded.indices)
    sizes = dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))
    out, offset = [], 0
    for index, value in enumerate(encoded.dictionary.to_pylist()):
        out.append((tuple(str(value).split("\x1f")), grouped.slice(offset, sizes[index])))
        offset += sizes[index]
    return out


def _spilled(table: pa.Table) -> pa.Buffer:
    """Rows as a self-contained, compressed Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="lz4")) as writer:
        writer.write_table(table)
    return sink.getvalue()


class _Spill:
    """Each partition's curated rows, appended to one local file as the chunks arrive
    (the Lambda's ephemeral /tmp) until the file's survivors are known: the rows are never
    all in memory, only one partition's at a time."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.files: dict[tuple[str, ...], Any] = {}
        self.extents: dict[tuple[str, ...], list[tuple[int, int]]] = {}

    def append(self, values: tuple[str, ...], buffer: pa.Buffer) -> None:
        if values not in self.files:
            self.files[values] = tempfile.TemporaryFile(dir=self.directory)  # noqa: SIM115 - closed in take()
            self.extents[values] = []
        fh = self.files[values]
        self.extents[values].append((fh.tell(), buffer.size))
        fh.write(buffer)

    def partitions(self) -> list[tuple[str, ...]]:
        return sorted(self.files)

    def take(self, values: tuple[str, ...], keep: Callable[[pa.Table], pa.Table]) -> pa.Table:
        """The partition's rows that ``keep`` keeps, read a chunk at a time (its file is then gone)."""
        kept = []
        with self.files.pop(values) as fh:
            for offset, size in self.extents.pop(values):
                fh.seek(offset)
                kept.append(keep(pa.ipc.open_stream(pa.py_buffer(fh.read(size))).read_all()))
        return pa.concat_tables(kept)

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


def curate_stream(
    chunks: Iterable[Chunk],
    kind: str,
    *,
    source_file: str,
    prefix: str,
    source: str,
    put: Callable[[str, bytes], None],
    as_of: dt.date | None = None,
    compression: str = "zstd",
    threads: int | None = None,
    spill_dir: str | None = None,
    rejected: np.ndarray | None = None,
) -> list[dict[str, object]]:
    """Curate a file chunk by chunk and write its partitions: the same files as
    ``write_partitions(curate_chunks(...))``, in memory bounded by the keys, not the rows.

    Chunks are curated on ``threads`` workers (default: the cores) and each is split by
    partition into compressed spills at once; only the columns deduplication needs (keys,
    ORDER, source_line) are kept whole. Once the file is read, the surviving lines are
    known and each partition is filtered, sorted and written, also on the workers.
    ``rejected``: the validator's verdicts (see ``curate_chunk``).
    """
    keys, order = KEYS[kind], ORDER[kind]
    workers = threads or os.cpu_count() or 1
    index: list[pa.Table] = []
    spill = _Spill(spill_dir or tempfile.gettempdir())

    def curate(chunk: Chunk) -> tuple[pa.Table, list[tuple[tuple[str, ...], pa.Buffer]]]:
        # on the worker: the chunk's dedup columns and its rows spilled by partition
        table = curate_chunk(chunk, kind, source_file=source_file, as_of=as_of, rejected=rejected)
        parts = [(values, _spilled(part)) for values, part in _split_partitions(table, kind)]
        return table.select([*keys, *order, "source_line"]), parts

    try:
        for _chunk, (dedup, parts) in map_in_order(curate, chunks, workers, name="curate"):
            if dedup.num_rows:
                index.append(dedup)
            for values, buffer in parts:
                spill.append(values, buffer)
        if not index:
            return []
        return _write_survivors(spill, index, kind, prefix, source, put, compression, workers)
    finally:
        spill.close()


def _write_survivors(
    spill: _Spill,
    index: list[pa.Table],
    kind: str,
    prefix: str,
    source: str,
    put: Callable[[str, bytes], None],
    compression: str,
    workers: int,
) -> list[dict[str, object]]:
    """Each spilled partition, kept to the rows that survive deduplication, written
    (``index``, each chunk's deduplication columns, is emptied as it is used)."""
    table = pa.concat_tables(index)
    index.clear()
    lines = table.column("source_line").take(_latest(table, kind)).to_numpy()
    del table
    # a file's physical lines are unique, so the survivors are a bitmap over line numbers
    # (a lookup per row; no hash set rebuilt per partition)
    survives = np.zeros(int(lines.max()) + 1, dtype=bool)
    survives[lines] = True

    def write(values: tuple[str, ...]) -> dict[str, object] | None:
        part = canonical(
            spill.take(values, lambda rows: rows.filter(survives[rows.column("source_line").to_numpy()])), kind
        )
        if not part.num_rows:
            return None
        return _put_partition(part, kind, values, prefix=prefix, source=source, put=put, compression=compression)

    written = (w for _values, w in map_in_order(write, spill.partitions(), workers, name="write"))
    return [w for w in written if w is not None]


# --- the catalog's view of the curated tables -----------------------------------------


def curated_glue_type(t: pa.DataType) -> str:
    """The Glue (Hive) type of an Arrow type a curated column has; TypeError for any other."""
    if pa.types.is_string(t):
        return "string"
    if pa.types.is_int32(t):
        return "int"
    if pa.types.is_int64(t):
        return "bigint"
    if pa.types.is_float64(t):
        return "double"
    if pa.types.is_date32(t):
        return "date"
    if pa.types.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"
    raise TypeError(f"no Glue type for {t}")


def glue_tables() -> dict[str, dict[str, list[dict[str, str]]]]:
    """Columns and partition keys of each curated table, as the Glue catalog declares them.

    modules/data-lake/curated_tables.json holds this output; a test keeps the two equal,
    so the catalog can never drift from what the jobs write.
    """
    out = {}
    for kind in KEYS:
        schema = curated_schema(kind)
        out[kind] = {
            "columns": [
                {"name": f.name, "type": curated_glue_type(f.type)} for f in schema if f.name not in PARTITIONS[kind]
            ],
            "partition_keys": [{"name": p, "type": curated_glue_type(schema.field(p).type)} for p in PARTITIONS[kind]],
        }
    return out
