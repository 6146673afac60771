"""The Spark side of curation: distribution around the shared pyarrow row logic.

Spark reads the validated file as numbered lines (so every record keeps its
physical line, as the Lambda path's readers report it), hands batches of
lines to ``taxlake.records.readers`` and ``taxlake.lake.curate`` through ``mapInArrow``
(one parser, one set of rules, whatever the engine), keeps one row per key
with a window, and writes one file per (source, partition) with the same
writer the Lambda path uses. pyspark is imported lazily: this module is the
only part of the library that needs it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from taxlake.lake.curate import (
    KEYS,
    ORDER,
    PARTITIONS,
    curate_chunk,
    curated_schema,
    verdict_lines,
    write_partitions,
)
from taxlake.records.readers import open_source
from taxlake.records.schemas import get_schema


def spark_schema(schema: pa.Schema) -> Any:
    """The Spark StructType of an arrow schema (via pyspark's own converter)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def numbered_lines(spark: Any, path: str) -> Any:
    """DataFrame(value: string, line: long) with 1-based physical line numbers.

    zipWithIndex follows file order within and across partitions, so the
    numbers match what a sequential reader sees (gzip is read as one split).
    """
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    rdd = spark.read.text(path).rdd.zipWithIndex().map(lambda pair: (pair[0][0], pair[1] + 1))
    schema = StructType([StructField("value", StringType()), StructField("line", LongType())])
    return spark.createDataFrame(rdd, schema)


def _curate_lines(
    kind: str, fmt: str, header: str, source_file: str, as_of: dt.date, rejected: np.ndarray | None
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    names = get_schema(kind).names

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            values = batch.column("value").to_pylist()
            lines = batch.column("line").to_pylist()
            if fmt == "csv":
                body, offset = "\n".join([header, *values]) + "\n", 2  # chunk line 2 = first value
            else:
                body, offset = "\n".join(values) + "\n", 1
            source, _ = open_source(io.BytesIO(body.encode("utf-8", "surrogateescape")), f"batch.{fmt}")
            for chunk in source.chunks(names):
                local = chunk.line_array().to_pylist()
                chunk.explicit_lines = [lines[i - offset] for i in local]
                yield from curate_chunk(
                    chunk, kind, source_file=source_file, as_of=as_of, rejected=rejected
                ).to_batches()

    return run


def _curate_parquet(
    kind: str, source_file: str, as_of: dt.date, rejected: np.ndarray | None
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    from taxlake.records.readers import Chunk

    names = get_schema(kind).names

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            present = set(batch.schema.names)
            columns = {
                c: (batch.column(c).cast(pa.string()) if c in present else pa.nulls(n, pa.string())) for c in names
            }
            chunk = Chunk(columns=columns, num_rows=n, first_rank=0, explicit_lines=batch.column("line").to_pylist())
            yield from curate_chunk(chunk, kind, source_file=source_file, as_of=as_of, rejected=rejected).to_batches()

    return run


def curate_file(
    spark: Any,
    path: str,
    kind: str,
    *,
    source_file: str,
    fmt: str,
    as_of: dt.date | None = None,
    rejected: np.ndarray | None = None,
) -> Any:
    """Curated, deduplicated DataFrame of one validated file (csv/jsonl, optionally gzip, or
    parquet); ``rejected``: the validator's verdicts (``taxlake.lake.curate.curate_chunk``)."""
    as_of = as_of or dt.date.today()
    out_schema = spark_schema(curated_schema(kind))
    if fmt == "parquet":
        from pyspark.sql import functions as F
        from pyspark.sql.window import Window

        raw = spark.read.parquet(path)
        ordered = raw.withColumn("_id", F.monotonically_increasing_id())
        numbered = ordered.withColumn("line", F.row_number().over(Window.orderBy("_id")).cast("long")).drop("_id")
        curated = numbered.mapInArrow(_curate_parquet(kind, source_file, as_of, rejected), out_schema)
    else:
        lines = numbered_lines(spark, path)
        header = ""
        if fmt == "csv":
            first = lines.filter("line = 1").select("value").collect()
            header = first[0][0].lstrip("\ufeff") if first else ""
            lines = lines.filter("line > 1")
        curated = lines.mapInArrow(_curate_lines(kind, fmt, header, source_file, as_of, rejected), out_schema)
    return deduplicate_df(curated, kind)


def read_verdicts(spark: Any, uri: str | None, expected: int) -> np.ndarray:
    """The validator's rejected lines at ``uri`` (its ``.rejected-lines.gz``; None: none
    rejected), checked against the report's count (``verdict_lines``)."""
    text = "\n".join(r[0] for r in spark.read.text(uri).collect()) if uri else ""
    return verdict_lines(text.encode(), expected)


def deduplicate_df(df: Any, kind: str) -> Any:
    """One row per key, as ``taxlake.lake.curate.deduplicate`` keeps it."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    order = [F.col(c).desc() for c in ORDER[kind]] + [F.col("source_file").desc(), F.col("source_line").desc()]
    window = Window.partitionBy(*KEYS[kind]).orderBy(*order)
    return df.withColumn("_rank", F.row_number().over(window)).filter("_rank = 1").drop("_rank")


def write_curated(
    df: Any,
    kind: str,
    *,
    prefix: str,
    source: str,
    put_factory: Callable[[], Callable[[str, bytes], None]],
    compression: str = "zstd",
) -> list[dict[str, Any]]:
    """Write one file per partition from the executors, as the Lambda path writes it.

    Rows of a partition are brought together first, so each file is written
    by exactly one task; the summary of what was written returns to the driver.
    """
    from pyspark.sql.types import StringType, StructField, StructType

    arrow_schema = curated_schema(kind)

    def write(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = pa.Table.from_batches(list(batches), schema=arrow_schema)
        if table.num_rows:
            written = write_partitions(
                table, kind, prefix=prefix, source=source, put=put_factory(), compression=compression
            )
            yield pa.RecordBatch.from_pylist([{"written": json.dumps(w)} for w in written])

    summary_schema = StructType([StructField("written", StringType())])
    parts = df.repartition(*PARTITIONS[kind]).mapInArrow(write, summary_schema).collect()
    return sorted((json.loads(row["written"]) for row in parts), key=lambda w: str(w["key"]))
