"""The curate job's own fraud pass (src/glue/curate.py ``detect_fraud``): on the Glue and EMR
paths the rules run on the rows the job holds, reading the lake's payer reports for the
file's tax years; the flags it writes equal the pyarrow rules over the same rows."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
from pathlib import Path

import pyarrow.parquet as pq

from taxlake.fraud.rules import FLAG_SCHEMA, FraudConfig, detect, payer_totals
from taxlake.generate import GenerateSpec
from taxlake.lake.curate import deduplicate, write_partitions

from .conftest import LAKE, glue_job
from .test_fraud_spark import AS_OF, sample

curate_job = glue_job("curate")


def args(tmp: Path, config: FraudConfig) -> argparse.Namespace:
    return curate_job.parse([
        "--source-bucket", "landing", "--source-key", "validated/lodgement/x.csv", "--kind", "lodgement",
        "--lake-bucket", LAKE, "--fraud-config", json.dumps(dataclasses.asdict(config)),
        "--payer-reports", str(tmp / "lake" / "payer-report"),
    ])  # fmt: skip


def test_the_jobs_flags_equal_the_pyarrow_rules(spark, lake_s3, tmp_path: Path) -> None:
    spec = GenerateSpec(rows=4_000, seed=23, as_of=AS_OF, fraud_rings=2, deductions_outliers=4, income_gaps=4,
                        third_party_share=0.8)  # fmt: skip
    lodgements, payers, _truth = sample(tmp_path, spec)

    def put(key: str, body: bytes) -> None:  # the lake's payer reports, as the pipeline lays them out
        path = tmp_path / "lake" / key.removeprefix("curated/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    # the same reports twice (a resubmission): they must count once
    for source in ("payers-1", "payers-2"):
        write_partitions(payers, "payer-report", prefix="curated", source=source, put=put)
    pq.write_table(lodgements, tmp_path / "l.parquet")
    df = spark.read.parquet(str(tmp_path / "l.parquet"))

    config = FraudConfig()
    doc = curate_job.detect_fraud(spark, df, args(tmp_path, config), "src1")
    expected = detect(lodgements, "lodgement", config, payer_totals=payer_totals(deduplicate(payers, "payer-report")))
    assert doc["engine"] == "spark" and doc["config"] == dataclasses.asdict(config)
    assert doc["flags_key"] == "curated/_fraud/lodgement/src1.parquet" and doc["flags"] == expected.num_rows
    got = pq.read_table(io.BytesIO(lake_s3.get_object(Bucket=LAKE, Key=doc["flags_key"])["Body"].read()))
    assert got.cast(FLAG_SCHEMA).equals(expected)
    # every rule the planted data carries, the third-party one included
    assert {"ACCOUNT_MANY_TFNS", "DEDUCTIONS_OUTLIER", "INCOME_BELOW_THIRD_PARTY"} <= set(
        expected.column("rule").to_pylist()
    )


def test_no_payer_reports_yet_skips_that_rule_only(spark, lake_s3, tmp_path: Path) -> None:
    spec = GenerateSpec(rows=2_000, seed=29, as_of=AS_OF, fraud_rings=1)
    lodgements, _payers, _truth = sample(tmp_path, spec)
    pq.write_table(lodgements, tmp_path / "l.parquet")
    df = spark.read.parquet(str(tmp_path / "l.parquet"))
    doc = curate_job.detect_fraud(spark, df, args(tmp_path, FraudConfig()), "src2")  # no lake/payer-report
    expected = detect(lodgements, "lodgement", FraudConfig())
    got = pq.read_table(io.BytesIO(lake_s3.get_object(Bucket=LAKE, Key=doc["flags_key"])["Body"].read()))
    assert got.cast(FLAG_SCHEMA).equals(expected) and expected.num_rows > 0
    assert "INCOME_BELOW_THIRD_PARTY" not in got.column("rule").to_pylist()


def test_clean_rows_write_no_flags_file(spark, lake_s3, tmp_path: Path) -> None:
    lodgements, _payers, _truth = sample(tmp_path, GenerateSpec(rows=1_000, seed=31, as_of=AS_OF))
    pq.write_table(lodgements, tmp_path / "l.parquet")
    doc = curate_job.detect_fraud(
        spark, spark.read.parquet(str(tmp_path / "l.parquet")), args(tmp_path, FraudConfig()), "src3"
    )
    assert doc["flags"] == 0 and doc["flags_key"] is None
