"""The current-tables job on the local platform: after the pipeline curates two overlapping
lodgement files, one run of the deployed Glue job (as its schedule starts it) leaves a
current table equal to the pure merge of every source it marked applied; the next run
finds nothing pending and rewrites nothing."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path

import pyarrow as pa

from taxlake.generate import GenerateSpec, generate_rows
from taxlake.lake.amend import merge_current
from taxlake.lake.curate import canonical, curated_schema, manifest_key
from taxlake.records.schemas import get_schema

from .conftest import CurrentTables
from .test_pipeline import lake_rows, land_and_follow, output

TODAY = dt.date.today()
KIND = "lodgement"


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=get_schema(KIND).names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_scheduled_job_merges_what_the_pipeline_curated(platform, tmp_path: Path) -> None:
    prefix = f"cur-{uuid.uuid4().hex[:8]}"
    rows = list(generate_rows(GenerateSpec(kind=KIND, rows=1200, seed=43, as_of=TODAY)))
    ours = []
    # rows 500-799 are in both files: the second re-lodges them, and its amendments
    # (the generator plants some) may name returns of the first
    for name, part in (("first.csv", rows[:800]), ("second.csv", rows[500:])):
        done, _ = land_and_follow(platform, f"incoming/{KIND}/{prefix}/{name}", write_csv(tmp_path / name, part), KIND)
        assert done["status"] == "SUCCEEDED", done.get("cause")
        ours.append(output(done)["source_id"])

    current = CurrentTables(platform.aws, platform.outputs)
    assert platform.outputs["jobs"]["current_tables"]["table_format"] == "parquet"  # local Spark has no Delta jars
    run = current.run()
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")

    applied = current.applied(KIND)
    applied_ids = [a["source_id"] for a in applied]
    assert set(ours) <= set(applied_ids) and len(applied_ids) == len(set(applied_ids))
    assert {a["run_id"] for a in applied if a["source_id"] in ours} == {run["Id"]}
    # expected: the pure merge of exactly the sources the job says it applied (other tests
    # of this session curate lodgements too)
    curated = [lake_rows(platform, KIND, manifest_key("curated", KIND, s)) for s in applied_ids]
    schema = curated_schema(KIND)
    expected = canonical(merge_current(schema.empty_table(), pa.concat_tables(curated), KIND), KIND)
    got = canonical(current.read(KIND).select(schema.names).cast(schema), KIND)
    assert got.num_rows == expected.num_rows and got.equals(expected)
    assert got.num_rows < sum(t.num_rows for t in curated)  # the overlap was replaced, not appended

    files = current.files(KIND)
    again = current.run()
    assert again["JobRunState"] == "SUCCEEDED", again.get("ErrorMessage")
    assert current.files(KIND) == files
    assert [a["source_id"] for a in current.applied(KIND)] == applied_ids
