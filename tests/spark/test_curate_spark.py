"""The Spark path equals the Lambda path: same rows, same files, for every format."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from taxlake.generate import GenerateSpec, write_sample
from taxlake.lake.curate import canonical, curate_chunks, curated_schema, source_id, write_partitions
from taxlake.records.readers import iter_chunks, open_source
from taxlake.records.schemas import get_schema
from taxlake.records.validation import ValidationConfig, validate_path
from taxlake.spark.curate import curate_file, deduplicate_df, read_verdicts, write_curated

AS_OF = dt.date(2026, 11, 1)


def lambda_path(path: Path, kind: str) -> pa.Table:
    with open(path, "rb") as fh:
        source, _ = open_source(fh, str(path))
        return curate_chunks(
            list(iter_chunks(source, get_schema(kind).names)), kind, source_file="s3://b/k", as_of=AS_OF
        )


def spark_path(spark, path: Path, kind: str, fmt: str) -> pa.Table:
    df = curate_file(spark, str(path), kind, source_file="s3://b/k", fmt=fmt, as_of=AS_OF)
    return pa.Table.from_pandas(df.toPandas(), schema=curated_schema(kind), preserve_index=False)


def messy_csv(path: Path) -> None:
    """Malformed, blank and over-long lines, so line numbering is put to the test."""
    lines = path.read_text().splitlines()
    lines.insert(10, "a,b,c")
    lines.insert(20, "")
    lines.insert(30, lines[31] + ",extra")
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [("lodgement", "csv.gz"), ("lodgement", "csv"), ("bas", "jsonl"), ("payer-report", "parquet"), ("bas", "jsonl.gz")],
)
def test_spark_and_lambda_curate_the_same_rows(spark, tmp_path: Path, kind: str, fmt: str) -> None:
    path = tmp_path / f"{kind}.{fmt}"
    write_sample(path, GenerateSpec(kind=kind, rows=3000, seed=5, invalid_share=0.02, as_of=AS_OF))
    if fmt == "csv":
        messy_csv(path)
    expected = lambda_path(path, kind)
    got = spark_path(spark, path, kind, fmt.split(".")[0])
    assert expected.num_rows > 2000
    assert canonical(got, kind).equals(canonical(expected, kind))


def test_spark_writes_byte_identical_files(spark, tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    write_sample(path, GenerateSpec(rows=2000, seed=6, as_of=AS_OF))
    sid = source_id("validated/lodgement/l.csv", "v1")
    lambda_files: dict[str, bytes] = {}
    write_partitions(
        lambda_path(path, "lodgement"), "lodgement", prefix="curated", source=sid, put=lambda_files.__setitem__
    )
    out_dir = tmp_path / "spark-out"

    def factory():
        def put(key: str, body: bytes) -> None:
            target = out_dir / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)

        return put

    df = curate_file(spark, str(path), "lodgement", source_file="s3://b/k", fmt="csv", as_of=AS_OF)
    written = write_curated(df, "lodgement", prefix="curated", source=sid, put_factory=factory)
    spark_files = {w["key"]: (out_dir / w["key"]).read_bytes() for w in written}
    assert spark_files == lambda_files


def test_window_dedup_keeps_the_latest_lodgement(spark) -> None:
    schema = curated_schema("lodgement")
    base = {f.name: None for f in schema}
    rows = [
        {**base, "lodgement_id": "x", "lodgement_date": dt.date(2025, 8, 1), "source_file": "f", "source_line": 2},
        {**base, "lodgement_id": "x", "lodgement_date": dt.date(2025, 9, 1), "source_file": "f", "source_line": 3},
        {**base, "lodgement_id": "y", "lodgement_date": dt.date(2025, 8, 1), "source_file": "f", "source_line": 4},
    ]
    df = spark.createDataFrame(
        rows, schema="lodgement_id string, lodgement_date date, source_file string, source_line long"
    )
    kept = sorted((r.lodgement_id, r.source_line) for r in deduplicate_df(df, "lodgement").collect())
    assert kept == [("x", 3), ("y", 4)]


@pytest.mark.parametrize(("kind", "fmt"), [("lodgement", "csv"), ("payer-report", "parquet"), ("bas", "jsonl.gz")])
def test_spark_applies_the_validators_verdicts_as_the_lambda_path_does(
    spark, tmp_path: Path, kind: str, fmt: str
) -> None:
    path = tmp_path / f"{kind}.{fmt}"
    write_sample(path, GenerateSpec(kind=kind, rows=3000, seed=9, invalid_share=0.02, as_of=AS_OF))
    if fmt == "csv":
        messy_csv(path)
    found: list[int] = []
    validate_path(path, config=ValidationConfig(as_of=AS_OF, reject_threshold=1.0),
                  on_rejects=lambda rows: found.extend(r["line"] for r in rows))  # fmt: skip
    # the file the validator writes beside an accepted file, read back as the job reads it
    verdicts = tmp_path / "v.rejected-lines.gz"
    verdicts.write_bytes(gzip.compress("".join(f"{n}\n" for n in found).encode(), mtime=0))
    rejected = read_verdicts(spark, str(verdicts), len(found))
    assert len(rejected) > 30
    with pytest.raises(ValueError, match="rejected lines"):
        read_verdicts(spark, str(verdicts), len(found) + 1)
    checked = canonical(lambda_path(path, kind), kind)

    def spark_judged(lines: np.ndarray) -> pa.Table:
        df = curate_file(spark, str(path), kind, source_file="s3://b/k", fmt=fmt.split(".")[0], rejected=lines)
        return canonical(pa.Table.from_pandas(df.toPandas(), schema=curated_schema(kind), preserve_index=False), kind)

    # the verdicts are the rules' answers on the same day: the same rows either way
    assert spark_judged(rejected).equals(checked)
    # and they, not the rules, decide: one more rejected line is one row fewer
    kept = checked.column("source_line").to_pylist()
    assert spark_judged(np.sort(np.append(rejected, kept[0]))).num_rows == checked.num_rows - 1
