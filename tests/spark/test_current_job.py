"""The current-table job (src/glue/current.py): applies exactly the curated sources it has
not applied yet, in runs of bounded size, and the table it leaves equals the pure merge."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from taxlake.generate import GenerateSpec, generate_rows
from taxlake.lake.amend import merge_current
from taxlake.lake.curate import canonical, curate_batch, curated_schema, manifest, manifest_key, write_partitions

from .conftest import LAKE, glue_job

AS_OF = dt.date(2026, 11, 1)
BUCKET = LAKE
KIND = "lodgement"


job = glue_job("current")


def curate_sources(s3: Any, curated_root: Path, count: int) -> list[pa.Table]:
    """``count`` overlapping curated files (re-lodgements and amendments cross them), written
    as the pipeline writes them: parts where Spark reads, manifests in S3."""
    rows = list(generate_rows(GenerateSpec(kind=KIND, rows=3000, seed=11, as_of=AS_OF)))
    tables = []
    for n in range(count):
        source = f"source{n}"
        table = curate_batch(
            pa.Table.from_pylist(rows[n * 800 : n * 800 + 1400]), KIND, source_file=f"s3://l/{n}", as_of=AS_OF
        )

        def put(key: str, body: bytes) -> None:
            path = curated_root / key.removeprefix("curated/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)

        written = write_partitions(table, KIND, prefix="curated", source=source, put=put)
        doc = manifest(KIND, source, f"s3://l/{n}", "lambda", written)
        s3.put_object(Bucket=BUCKET, Key=manifest_key("curated", KIND, source), Body=json.dumps(doc).encode())
        tables.append(table)
    return tables


def read_current(path: Path) -> pa.Table:
    schema = curated_schema(KIND)
    files = sorted(path.rglob("*.parquet"))
    # the writer moves tax_year into the directory name (Hive style): put it back
    parts = []
    for f in files:
        year = int(next(p for p in f.parts if p.startswith("tax_year="))[len("tax_year=") :])
        t = pq.read_table(f)
        parts.append(t.append_column("tax_year", pa.array([year] * t.num_rows, pa.int32())).select(schema.names))
    return canonical(pa.concat_tables(parts).cast(schema), KIND)


def applied_sources(s3: Any) -> list[str]:
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"current/_applied/{KIND}/").get("Contents", [])
    return sorted(Path(o["Key"]).stem for o in listed)


def test_runs_apply_each_source_once_and_equal_the_pure_merge(spark, lake_s3, tmp_path: Path) -> None:
    lake = lake_s3
    curated, current = tmp_path / "curated", tmp_path / "current"
    tables = curate_sources(lake, curated, 3)
    argv = [
        "--lake-bucket", BUCKET, "--curated-root", str(curated), "--current-root", str(current),
        "--kinds", KIND, "--format", "parquet", "--max-sources", "2", "--JOB_RUN_ID", "jr_1",
    ]  # fmt: skip

    first = job.merge_kind(spark, lake, job.parse(argv), KIND)
    assert first["sources"] == 2 and first["files"] > 0
    batch1 = applied_sources(lake)
    assert len(batch1) == 2
    expected = merge_current(curated_schema(KIND).empty_table(), pa.concat_tables(
        [t for n, t in enumerate(tables) if f"source{n}" in batch1]), KIND)  # fmt: skip
    assert read_current(current / KIND).equals(canonical(expected, KIND))
    marker = json.loads(lake.get_object(Bucket=BUCKET, Key=f"current/_applied/{KIND}/{batch1[0]}.json")["Body"].read())
    assert marker["run_id"] == "jr_1" and marker["batch_sources"] == 2 and marker["format"] == "parquet"

    second = job.merge_kind(spark, lake, job.parse(argv), KIND)
    assert second["sources"] == 1
    assert applied_sources(lake) == ["source0", "source1", "source2"]
    (last,) = [t for n, t in enumerate(tables) if f"source{n}" not in batch1]
    expected = merge_current(expected, last, KIND)
    after_second = read_current(current / KIND)
    assert after_second.equals(canonical(expected, KIND))
    # amendments and re-lodgements crossed the files: rows were replaced, not just added
    assert after_second.num_rows < sum(t.num_rows for t in tables)

    files_before = sorted(p.relative_to(current) for p in current.rglob("*.parquet"))
    third = job.merge_kind(spark, lake, job.parse(argv), KIND)
    assert third == {"sources": 0, "files": 0}
    assert sorted(p.relative_to(current) for p in current.rglob("*.parquet")) == files_before
    assert read_current(current / KIND).equals(after_second)


def test_arguments_are_checked() -> None:
    with pytest.raises(SystemExit):
        job.parse(["--lake-bucket", BUCKET, "--kinds", "lodgement,receipts"])
    with pytest.raises(SystemExit):
        job.parse(["--lake-bucket", BUCKET, "--max-sources", "0"])
    args = job.parse(["--lake-bucket", BUCKET, "--JOB_NAME", "x", "--datalake-formats", "delta"])
    assert args.kinds.split(",") == list(job.KINDS) and args.format == "delta"
