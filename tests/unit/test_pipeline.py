"""The pipeline's Lambda steps on moto: contract, curation, quality, catalog, fraud, failure."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import boto3
import pyarrow.parquet as pq
import pytest

from taxlake.adapters.s3 import S3Store
from taxlake.generate import GenerateSpec, write_sample
from taxlake.lake.curate import glue_tables, source_id
from taxlake.pipeline.catalog import catalog
from taxlake.pipeline.common import InputContractError, ObjectNotFound
from taxlake.pipeline.failure import failure
from taxlake.pipeline.fraud import fraud
from taxlake.pipeline.process import process, rejected_lines
from taxlake.pipeline.quality import quality
from taxlake.pipeline.settings import Settings
from taxlake.pipeline.validate_input import REQUIRED_INPUT, validate_input, verdicts
from taxlake.quality.profile import DataQualityFailed
from taxlake.records.ingest import IngestConfig, ObjectRef, process_object
from taxlake.records.validation import ValidationConfig

from .aws import BUCKET, REGION, Aws
from .conftest import AS_OF, GOOD_BAS, GOOD_LODGEMENT, csv_bytes

LAKE = "taxlake-test-curated"
ANALYTICS = "taxlake-test-analytics"
ROUTING = {"emr_min_bytes": 1_000_000_000, "lambda_max_bytes": 268_435_456}


@pytest.fixture
def lake(aws: Aws) -> Settings:
    for name in (LAKE, ANALYTICS):
        aws.s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    glue = boto3.client("glue", region_name=REGION)
    glue.create_database(DatabaseInput={"Name": "lake"})
    for kind, spec in glue_tables().items():
        glue.create_table(
            DatabaseName="lake",
            TableInput={
                "Name": f"curated_{kind.replace('-', '_')}",
                "StorageDescriptor": {"Columns": [{"Name": c["name"], "Type": c["type"]} for c in spec["columns"]],
                                      "Location": f"s3://{LAKE}/curated/{kind}/"},
                "PartitionKeys": [{"Name": c["name"], "Type": c["type"]} for c in spec["partition_keys"]],
            },
        )  # fmt: skip
    return Settings(
        landing_bucket=BUCKET,
        curated_bucket=LAKE,
        analytics_bucket=ANALYTICS,
        glue_database="lake",
        urgent_kinds=frozenset({"bas"}),
    )


def landed(aws: Aws, key: str, body: bytes) -> dict:
    """Put a file through the validator (as the Lambda does) and return the pipeline's input."""
    version = aws.put(key, body)
    result = process_object(
        ObjectRef(BUCKET, key, version),
        S3Store(aws.s3),
        IngestConfig(validation=ValidationConfig(as_of=AS_OF, reject_threshold=0.5)),
    )
    from taxlake.records.ingest import pipeline_input

    return pipeline_input(result.source, result, BUCKET)


def run_to_quality(aws: Aws, lake: Settings, body: bytes, key: str = "incoming/lodgement/a.csv") -> dict:
    store = S3Store(aws.s3)
    doc = validate_input({"object": landed(aws, key, body), "routing": ROUTING, "execution": "arn:exec:1"}, store, lake)
    doc["processing"] = process(doc, store, lake)
    doc["quality"] = {"result": quality(doc, store, lake)}
    return doc


def test_validate_input_derives_routing_and_job_inputs(aws: Aws, lake, tmp_path: Path) -> None:
    path = tmp_path / "bas.csv"
    write_sample(path, GenerateSpec(kind="bas", rows=100, seed=1, as_of=AS_OF))
    obj = landed(aws, "incoming/bas/q1.csv", path.read_bytes())
    doc = validate_input({"object": obj, "routing": ROUTING, "execution": "arn:exec:1"}, S3Store(aws.s3), lake)
    assert doc["routing"] == ROUTING
    assert doc["glue"] == {"execution_class": "STANDARD", "worker_type": "G.1X", "workers": 2}  # bas is urgent here
    assert doc["job_arguments"]["--input"] == f"s3://{BUCKET}/validated/bas/q1.csv"
    assert doc["emr_arguments"][:2] == ["--source-bucket", BUCKET]
    assert doc["manifest_key"] == f"curated/_manifests/bas/{doc['source_id']}.json"


def test_gzip_text_is_routed_by_its_decompressed_size(aws: Aws, lake, tmp_path: Path) -> None:
    """A small gzip object can be far too big for a Lambda once inflated."""
    plain, packed = tmp_path / "l.csv", tmp_path / "l.csv.gz"
    write_sample(plain, GenerateSpec(rows=3000, seed=2, as_of=AS_OF))
    write_sample(packed, GenerateSpec(rows=3000, seed=2, as_of=AS_OF))
    obj = landed(aws, "incoming/lodgement/l.csv.gz", packed.read_bytes())
    assert obj["size_bytes"] == packed.stat().st_size < plain.stat().st_size // 2
    assert obj["decoded_bytes"] == plain.stat().st_size
    routing = {"emr_min_bytes": plain.stat().st_size - 1, "lambda_max_bytes": packed.stat().st_size}
    doc = validate_input({"object": obj, "routing": routing}, S3Store(aws.s3), lake)
    assert doc["processing_bytes"] == plain.stat().st_size > routing["emr_min_bytes"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"record_count": "12"}, "record_count must be int"),
        ({"kind": "payslip"}, "kind 'payslip'"),
        ({"key": "incoming/lodgement/a.csv"}, "only objects under validated/"),
        # a forged input naming another bucket's object and report never reads them
        ({"bucket": "someone-elses-bucket"}, "only objects of the landing bucket"),
        ({"record_count": 999}, "disagrees with the report"),
    ],
)
def test_validate_input_rejects_a_broken_contract(aws: Aws, lake, change: dict, message: str) -> None:
    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    with pytest.raises(InputContractError, match=message):
        validate_input({"object": {**obj, **change}, "routing": ROUTING}, S3Store(aws.s3), lake)


def test_validate_input_needs_numeric_thresholds(aws: Aws, lake) -> None:
    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    with pytest.raises(InputContractError, match="thresholds"):
        validate_input({"object": obj, "routing": {"emr_min_bytes": "1e9"}}, S3Store(aws.s3), lake)


def test_a_missing_report_is_not_retried(aws: Aws, lake) -> None:
    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    aws.s3.delete_object(Bucket=BUCKET, Key=obj["report_key"])
    with pytest.raises(ObjectNotFound):
        validate_input({"object": obj, "routing": ROUTING}, S3Store(aws.s3), lake)


def test_process_quality_and_catalog_on_a_generated_file(aws: Aws, lake, tmp_path: Path) -> None:
    path = tmp_path / "l.csv.gz"
    truth = write_sample(path, GenerateSpec(rows=2000, seed=8, invalid_share=0.004, as_of=AS_OF))
    doc = run_to_quality(aws, lake, path.read_bytes(), "incoming/lodgement/l.csv.gz")
    processing, result = doc["processing"], doc["quality"]["result"]
    assert processing["records_in"] == truth.records
    assert result["records_valid"] == truth.records - truth.invalid
    assert result["records_curated"] == processing["records_curated"] <= result["records_valid"]
    assert result["completeness"]["tfn"] == 1.0
    stored = json.loads(aws.s3.get_object(Bucket=ANALYTICS, Key=result["report_key"])["Body"].read())
    assert stored["score"] == result["score"]
    glue = boto3.client("glue", region_name=REGION)
    first = catalog(doc, glue, lake)
    again = catalog(doc, glue, lake)
    assert first["registered"] == len(result["partitions"]) > 0
    assert (again["registered"], again["already_registered"]) == (0, first["registered"])
    partitions = glue.get_partitions(DatabaseName="lake", TableName="curated_lodgement")["Partitions"]
    assert {tuple(p["Values"]) for p in partitions} == {
        (str(p["tax_year"]), p["lodgement_month"]) for p in result["partitions"]
    }


def test_reprocessing_the_same_version_overwrites_rather_than_adds(aws: Aws, lake) -> None:
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", [GOOD_LODGEMENT]))
    before = sorted(o["Key"] for o in aws.s3.list_objects_v2(Bucket=LAKE)["Contents"])
    process(doc, S3Store(aws.s3), lake)
    after = sorted(o["Key"] for o in aws.s3.list_objects_v2(Bucket=LAKE)["Contents"])
    assert before == after


def test_quality_fails_when_the_lake_holds_more_than_was_valid(aws: Aws, lake) -> None:
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", [GOOD_LODGEMENT]))
    with pytest.raises(DataQualityFailed, match="curated rows but only 0 valid"):
        quality({**doc, "record_count": 0}, S3Store(aws.s3), lake)


def ring(n_tfns: int, account: str = "99999999") -> list[dict]:
    import random

    from taxlake.generate import make_tfn

    rng = random.Random(1)
    rows = []
    for i in range(n_tfns):
        rows.append({**GOOD_LODGEMENT, "lodgement_id": f"{i:08d}-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "tfn": make_tfn(rng),
                     "refund_amount": "900.00", "bank_bsb": "062000", "bank_account": account})  # fmt: skip
    return rows


def test_a_planted_refund_ring_is_flagged(aws: Aws, lake) -> None:
    honest = {**GOOD_LODGEMENT, "lodgement_id": "aaaaaaaa-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "bank_account": "11111111"}
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", [*ring(6), honest]))
    out = fraud(doc, S3Store(aws.s3), lake)
    assert out["rules"] == {"ACCOUNT_MANY_TFNS": 6}
    assert out["high_risk"] == 6  # 6 TFNs on one account, limit 3
    flags = pq.read_table(io.BytesIO(aws.s3.get_object(Bucket=ANALYTICS, Key=out["flags_key"])["Body"].read()))
    assert "aaaaaaaa-1a2b-4c3d-8e9f-0a1b2c3d4e5f" not in flags.column("lodgement_id").to_pylist()
    assert all("tfn" not in entry for entry in out["top"])  # alerts never carry TFNs


def test_clean_data_raises_no_flags(aws: Aws, lake, tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    write_sample(path, GenerateSpec(rows=300, seed=12, as_of=AS_OF))
    doc = run_to_quality(aws, lake, path.read_bytes())
    out = fraud(doc, S3Store(aws.s3), lake)
    assert (out["flags"], out["high_risk"], out["flags_key"]) == (0, 0, None)


def test_failure_writes_a_machine_readable_report(aws: Aws, lake) -> None:
    error = {"Error": "States.TaskFailed", "Cause": "boom"}
    payload = {
        "execution": "arn:aws:states:ap-southeast-2:123456789012:execution:p:run-1",
        "state": "ProcessWithGlue",
        "input": {"kind": "lodgement", "key": "validated/lodgement/a.csv", "error": error},
    }
    out = failure(payload, S3Store(aws.s3), lake)
    report = json.loads(aws.s3.get_object(Bucket=ANALYTICS, Key=out["report_key"])["Body"].read())
    assert (report["error"], report["cause"], report["object"]["key"]) == (
        "States.TaskFailed",
        "boom",
        "validated/lodgement/a.csv",
    )
    assert out["report_key"].endswith("/run-1.json")


def test_lodgement_jobs_get_the_fraud_settings_and_other_kinds_none(aws: Aws, lake) -> None:
    import dataclasses

    from taxlake.fraud.rules import FraudConfig

    store = S3Store(aws.s3)
    doc = validate_input(
        {"object": landed(aws, "incoming/lodgement/f.csv", csv_bytes("lodgement", [GOOD_LODGEMENT])),
         "routing": ROUTING}, store, lake,
    )  # fmt: skip
    args = doc["job_arguments"]
    assert FraudConfig.from_json(args["--fraud-config"]) == lake.fraud
    assert json.loads(args["--fraud-config"]) == dataclasses.asdict(lake.fraud)
    assert args["--payer-reports"] == f"s3://{LAKE}/curated/payer-report"
    assert doc["emr_arguments"][doc["emr_arguments"].index("--fraud-config") + 1] == args["--fraud-config"]
    bas = validate_input(
        {"object": landed(aws, "incoming/bas/q.csv", csv_bytes("bas", [GOOD_BAS])), "routing": ROUTING}, store, lake
    )
    assert "--fraud-config" not in bas["job_arguments"]


def spark_done(aws: Aws, lake, doc: dict, flags, config: dict) -> None:
    """What a Spark path leaves: its flags beside the curated files, named in the manifest."""
    from taxlake.lake.curate import parquet_bytes

    key = f"curated/_fraud/lodgement/{doc['source_id']}.parquet"
    aws.s3.put_object(Bucket=LAKE, Key=key, Body=parquet_bytes(flags))
    manifest = json.loads(aws.s3.get_object(Bucket=LAKE, Key=doc["manifest_key"])["Body"].read())
    manifest["fraud"] = {"engine": "spark", "config": config, "flags_key": key, "flags": flags.num_rows}
    aws.s3.put_object(Bucket=LAKE, Key=doc["manifest_key"], Body=json.dumps(manifest).encode())


def test_flags_a_spark_path_computed_are_published_not_recomputed(aws: Aws, lake) -> None:
    import dataclasses

    from taxlake.fraud.rules import FLAG_SCHEMA

    doc = run_to_quality(aws, lake, csv_bytes("lodgement", ring(6)))
    computed = fraud(doc, S3Store(aws.s3), lake)
    assert computed["engine"] == "lambda" and computed["rules"] == {"ACCOUNT_MANY_TFNS": 6}
    flags = pq.read_table(io.BytesIO(aws.s3.get_object(Bucket=ANALYTICS, Key=computed["flags_key"])["Body"].read()))
    # the Spark path's flags: two of them, so publishing them differs from recomputing
    spark_done(aws, lake, doc, flags.slice(0, 2), dataclasses.asdict(lake.fraud))
    out = fraud(doc, S3Store(aws.s3), lake)
    assert out["engine"] == "spark" and out["flags"] == 2 and out["rules"] == {"ACCOUNT_MANY_TFNS": 2}
    published = pq.read_table(io.BytesIO(aws.s3.get_object(Bucket=ANALYTICS, Key=out["flags_key"])["Body"].read()))
    assert published.cast(FLAG_SCHEMA).equals(flags.slice(0, 2).cast(FLAG_SCHEMA))

    # settings changed since the job ran: the rules run again here
    spark_done(aws, lake, doc, flags.slice(0, 2), {**dataclasses.asdict(lake.fraud), "account_max_tfns": 99})
    again = fraud(doc, S3Store(aws.s3), lake)
    assert again["engine"] == "lambda" and again["flags"] == 6


# --- guards, error classification and counts -----------------------------------------


def rewrite_report(aws: Aws, obj: dict, **change: object) -> None:
    """Change the validator's sidecar report the pipeline input points to."""
    report = json.loads(aws.get(obj["report_key"]))
    aws.put(obj["report_key"], json.dumps({**report, **change}).encode())


@pytest.mark.parametrize("status", ["quarantined", "skipped", None])
def test_a_file_whose_report_is_not_accepted_never_enters_the_lake(aws: Aws, lake, status: str | None) -> None:
    """The report, not the input's key, decides: a quarantined file's input that names
    validated/ (a replayed or hand-made execution) stops here, not in the curated bucket."""
    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    rewrite_report(aws, obj, status=status)
    with pytest.raises(InputContractError, match=f"validation report says {status!r}, not accepted"):
        validate_input({"object": obj, "routing": ROUTING}, S3Store(aws.s3), lake)


def test_the_input_of_a_quarantined_file_is_refused(aws: Aws, lake) -> None:
    bad = {**GOOD_LODGEMENT, "tfn": "123456789"}
    obj = landed(aws, "incoming/lodgement/q.csv", csv_bytes("lodgement", [GOOD_LODGEMENT, bad, bad]))
    assert obj["key"] == "quarantine/lodgement/q.csv"
    forged = {**obj, "key": "validated/lodgement/q.csv"}
    with pytest.raises(InputContractError, match="'quarantined', not accepted"):
        validate_input({"object": forged, "routing": ROUTING}, S3Store(aws.s3), lake)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"size_bytes": True}, "size_bytes must be int"),  # bool is an int to isinstance
        ({"structured": "false"}, "structured must be bool"),
        ({"report_key": None}, "report_key must be str"),
        ({"bucket": 1, "format": None}, "bucket must be str; format must be str"),
    ],
)
def test_validate_input_names_every_mistyped_field(aws: Aws, lake, change: dict, message: str) -> None:
    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    with pytest.raises(InputContractError, match=f"^{message}$"):
        validate_input({"object": {**obj, **change}, "routing": ROUTING}, S3Store(aws.s3), lake)


@pytest.mark.parametrize("payload", [{}, {"object": "validated/lodgement/a.csv"}, {"object": None}])
def test_validate_input_needs_an_object_description(aws: Aws, lake, payload: dict) -> None:
    with pytest.raises(InputContractError, match=r"payload\.object"):
        validate_input({**payload, "routing": ROUTING}, S3Store(aws.s3), lake)


@pytest.mark.parametrize("routing", [None, {"emr_min_bytes": 1}, {"emr_min_bytes": 1, "lambda_max_bytes": 2.5}])
def test_validate_input_needs_both_thresholds(aws: Aws, lake, routing: dict | None) -> None:
    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    with pytest.raises(InputContractError, match="thresholds"):
        validate_input({"object": obj, "routing": routing}, S3Store(aws.s3), lake)


def test_glue_sizing_is_clamped_and_only_urgent_kinds_run_standard(aws: Aws, lake) -> None:
    import dataclasses

    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT] * 20))
    store = S3Store(aws.s3)
    per_worker = obj["size_bytes"] // 7 + 1  # the file needs exactly 7 workers

    def glue(**change: int) -> dict:
        settings = dataclasses.replace(lake, glue_bytes_per_worker=per_worker, **change)
        doc = validate_input({"object": obj, "routing": ROUTING}, store, settings)
        assert doc["urgent"] is False  # only bas is urgent in these settings
        return doc["glue"]

    assert glue() == {"execution_class": "FLEX", "worker_type": "G.1X", "workers": 7}
    assert glue(glue_max_workers=7)["workers"] == 7
    assert glue(glue_max_workers=6)["workers"] == 6
    assert glue(glue_min_workers=8)["workers"] == 8
    assert glue(glue_min_workers=7)["workers"] == 7


def test_validate_input_carries_the_object_and_names_an_unversioned_source(aws: Aws, lake) -> None:
    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    doc = validate_input(
        {"object": {**obj, "version_id": None}, "routing": ROUTING, "execution": "arn:exec:9"}, S3Store(aws.s3), lake
    )
    assert {k: doc[k] for k in REQUIRED_INPUT} == {k: obj[k] for k in REQUIRED_INPUT}
    assert (doc["version_id"], doc["job_arguments"]["--source-version"], doc["execution"]) == ("", "", "arn:exec:9")
    assert doc["processing_bytes"] == obj["size_bytes"]  # plain text: stored and decoded sizes agree
    assert doc["source_id"] == source_id(obj["key"], None)
    assert doc["emr_arguments"] == [part for pair in doc["job_arguments"].items() for part in pair]


class FailingStore(S3Store):
    """An S3 store whose reads fail the way S3 does when access is refused."""

    def resolve_key(self, bucket: str, key: str, version_id: str | None) -> tuple[str, int, str | None]:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "403", "Message": "Forbidden"}}, "HeadObject")


def test_a_refused_read_is_not_mistaken_for_a_missing_object(aws: Aws, lake) -> None:
    """ObjectNotFound is never retried; a refused or throttled read must keep its own name."""
    from botocore.exceptions import ClientError

    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    with pytest.raises(ClientError, match="Forbidden"):
        validate_input({"object": obj, "routing": ROUTING}, FailingStore(aws.s3), lake)


def test_a_missing_manifest_is_not_retried(aws: Aws, lake) -> None:
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", [GOOD_LODGEMENT]))
    aws.s3.delete_object(Bucket=LAKE, Key=doc["manifest_key"])
    with pytest.raises(ObjectNotFound, match=doc["manifest_key"]):
        quality(doc, S3Store(aws.s3), lake)
    with pytest.raises(ObjectNotFound):
        fraud(doc, S3Store(aws.s3), lake)


def history(aws: Aws) -> list[str]:
    listed = aws.s3.list_objects_v2(Bucket=ANALYTICS, Prefix="quality/history/")
    return [o["Key"] for o in listed.get("Contents", [])]


def test_a_failed_batch_is_reported_but_kept_out_of_the_history(aws: Aws, lake) -> None:
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", [GOOD_LODGEMENT]))
    assert len(history(aws)) == 1  # the good run
    aws.s3.delete_object(Bucket=ANALYTICS, Key=history(aws)[0])
    with pytest.raises(DataQualityFailed):
        quality({**doc, "record_count": 0}, S3Store(aws.s3), lake)
    report = json.loads(
        aws.s3.get_object(Bucket=ANALYTICS, Key=f"quality/lodgement/{doc['source_id']}.json")["Body"].read()
    )
    assert report["problems"] and report["records_valid"] == 0
    assert history(aws) == []


def test_quality_counts_reconcile_with_the_curated_rows(aws: Aws, lake) -> None:
    twice = [GOOD_LODGEMENT, GOOD_LODGEMENT, {**GOOD_LODGEMENT, "lodgement_id": "aaaaaaaa-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}]
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", twice))
    processing, result = doc["processing"], doc["quality"]["result"]
    assert (processing["records_in"], processing["records_curated"]) == (3, 2)
    assert (result["records_valid"], result["records_curated"], result["duplicates_removed"]) == (3, 2, 1)
    assert result["records_curated"] + result["duplicates_removed"] == result["records_valid"]
    assert result["engine"] == "lambda" and result["source_id"] == doc["source_id"]
    assert result["metrics_key"] == f"quality_metrics/kind=lodgement/{doc['source_id']}.parquet"


class GlueWithErrors:
    """The moto Glue client, except that BatchCreatePartition reports ``errors`` for some partitions."""

    def __init__(self, glue: object, code: str, fail: int) -> None:
        self._glue, self._code, self._fail = glue, code, fail
        self.batches: list[int] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._glue, name)

    def batch_create_partition(self, **kwargs: object) -> dict:
        batch = kwargs["PartitionInputList"]
        assert isinstance(batch, list)
        self.batches.append(len(batch))
        out = self._glue.batch_create_partition(**{**kwargs, "PartitionInputList": batch[self._fail :]})
        failed = [
            {"PartitionValues": p["Values"], "ErrorDetail": {"ErrorCode": self._code}} for p in batch[: self._fail]
        ]
        return {**out, "Errors": [*out.get("Errors", []), *failed]}


@pytest.mark.parametrize(
    "code", ["InternalServiceException", "InvalidInputException", "ResourceNumberLimitExceededException"]
)
def test_a_partition_glue_could_not_register_fails_the_step(aws: Aws, lake, code: str) -> None:
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", [GOOD_LODGEMENT]))
    glue = GlueWithErrors(boto3.client("glue", region_name=REGION), code, fail=1)
    with pytest.raises(RuntimeError, match=f"could not register partitions.*{code}"):
        catalog(doc, glue, lake)


def test_already_registered_partitions_are_counted_apart_from_new_ones(aws: Aws, lake) -> None:
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", [GOOD_LODGEMENT]))
    (partition,) = doc["quality"]["result"]["partitions"]
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    doc["quality"]["result"]["partitions"] = [{**partition, "lodgement_month": m} for m in months[:5]]
    glue = boto3.client("glue", region_name=REGION)
    assert catalog(doc, glue, lake) == {"table": "curated_lodgement", "registered": 5, "already_registered": 0}
    doc["quality"]["result"]["partitions"] = [{**partition, "lodgement_month": m} for m in months]
    assert catalog(doc, glue, lake) == {"table": "curated_lodgement", "registered": 7, "already_registered": 5}
    listed = glue.get_partitions(DatabaseName="lake", TableName="curated_lodgement")["Partitions"]
    assert sorted(p["Values"][1] for p in listed) == months
    (one,) = [p for p in listed if p["Values"][1] == "2025-03"]
    assert (
        one["StorageDescriptor"]["Location"] == f"s3://{LAKE}/curated/lodgement/tax_year=2025/lodgement_month=2025-03/"
    )


def test_partitions_are_registered_100_at_a_time(aws: Aws, lake) -> None:
    """BatchCreatePartition takes at most 100 partitions per call."""
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", [GOOD_LODGEMENT]))
    (partition,) = doc["quality"]["result"]["partitions"]
    doc["quality"]["result"]["partitions"] = [{**partition, "tax_year": 1800 + n} for n in range(250)]
    glue = GlueWithErrors(boto3.client("glue", region_name=REGION), "AlreadyExistsException", fail=0)
    assert catalog(doc, glue, lake)["registered"] == 250
    assert glue.batches == [100, 100, 50]
    assert catalog(doc, glue, lake) == {
        "table": "curated_lodgement",
        "registered": 0,
        "already_registered": 250,
    }


def test_a_kind_with_no_partitions_registers_nothing(aws: Aws, lake) -> None:
    doc = run_to_quality(aws, lake, csv_bytes("lodgement", [GOOD_LODGEMENT]))
    doc["quality"]["result"]["partitions"] = []
    glue = GlueWithErrors(boto3.client("glue", region_name=REGION), "AlreadyExistsException", fail=0)
    assert catalog(doc, glue, lake) == {"table": "curated_lodgement", "registered": 0, "already_registered": 0}
    assert glue.batches == []


def test_the_failure_report_keeps_the_whole_input_and_names_the_failed_object(aws: Aws, lake) -> None:
    error = {"Error": "DataQualityFailed", "Cause": "3 curated rows but only 2 valid"}
    doc = {"bucket": BUCKET, "key": "validated/bas/q.csv", "version_id": "v1", "size_bytes": 10, "source_id": "s1",
           "kind": "bas", "routing": ROUTING, "error": error}  # fmt: skip
    execution = "arn:aws:states:ap-southeast-2:123456789012:execution:p:run-2"
    out = failure({"execution": execution, "input": doc}, S3Store(aws.s3), lake)
    report = json.loads(aws.s3.get_object(Bucket=ANALYTICS, Key=out["report_key"])["Body"].read())
    failed_at = report.pop("failed_at")
    assert report == {
        "execution": execution,
        "error": "DataQualityFailed",
        "cause": "3 curated rows but only 2 valid",
        "kind": "bas",
        "object": {"bucket": BUCKET, "key": "validated/bas/q.csv", "version_id": "v1", "size_bytes": 10,
                   "source_id": "s1"},
        "input": {k: v for k, v in doc.items() if k != "error"},
    }  # fmt: skip
    at = dt.datetime.fromisoformat(failed_at)
    assert at.utcoffset() == dt.timedelta(0) and failed_at == at.isoformat(timespec="seconds")
    assert out == {"report_key": f"failures/{at:%Y/%m/%d}/run-2.json", "error": "DataQualityFailed", "kind": "bas"}


def test_a_failure_without_an_execution_or_input_is_still_recorded(aws: Aws, lake) -> None:
    out = failure({}, S3Store(aws.s3), lake)
    assert out["report_key"].endswith("/unknown.json") and (out["error"], out["kind"]) == (None, None)
    report = json.loads(aws.s3.get_object(Bucket=ANALYTICS, Key=out["report_key"])["Body"].read())
    assert (report["execution"], report["input"], report["object"]["key"]) == ("unknown", {}, None)


def test_validate_input_honours_the_landing_modules_validated_prefix(aws: Aws, lake) -> None:
    """The prefix is modules/landing's setting, handed down as VALIDATED_PREFIX: another
    value moves the contract with it instead of being refused."""
    obj = landed(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    checked = dataclasses.replace(lake, validated_prefix="checked/")
    with pytest.raises(InputContractError, match="only objects under checked/"):
        validate_input({"object": obj, "routing": ROUTING}, S3Store(aws.s3), checked)
    moved = {**obj, "key": "checked/" + obj["key"].removeprefix("validated/")}
    aws.s3.copy_object(Bucket=BUCKET, Key=moved["key"], CopySource={"Bucket": BUCKET, "Key": obj["key"]})
    doc = validate_input({"object": moved, "routing": ROUTING}, S3Store(aws.s3), checked)
    assert doc["key"] == moved["key"] and doc["job_arguments"]["--source-key"] == moved["key"]


def test_settings_read_each_field_from_its_upper_cased_variable() -> None:
    """The dataclass is the one list of settings: every plain field is its own variable."""
    plain = {f.name: f for f in dataclasses.fields(Settings) if "read" not in f.metadata}
    env = {name.upper(): ("7" if isinstance(f.default, int) else f"value-of-{name}") for name, f in plain.items()}
    got = Settings.from_env(env)
    assert {name: getattr(got, name) for name in plain} == {
        name: (7 if isinstance(f.default, int) else f"value-of-{name}") for name, f in plain.items()
    }
    assert Settings.from_env({}) == Settings() == Settings.from_env(dict.fromkeys(env, ""))


def test_the_lambda_curation_applies_the_validators_verdicts(aws: Aws, lake, tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    truth = write_sample(path, GenerateSpec(rows=1500, seed=12, invalid_share=0.01, as_of=AS_OF))
    store = S3Store(aws.s3)
    doc = validate_input({"object": landed(aws, "incoming/lodgement/v.csv", path.read_bytes()), "routing": ROUTING},
                         store, lake)  # fmt: skip
    key = "validated/lodgement/v.csv.rejected-lines.gz"
    assert doc["verdicts"] == {"rejected_lines_key": key, "records_rejected": truth.invalid}
    # the Spark paths get the same verdicts as job arguments
    assert doc["job_arguments"]["--records-rejected"] == str(truth.invalid)
    assert doc["job_arguments"]["--rejected-lines"] == f"s3://{BUCKET}/{key}"
    assert doc["emr_arguments"][doc["emr_arguments"].index("--rejected-lines") + 1] == f"s3://{BUCKET}/{key}"
    assert len(rejected_lines(store, BUCKET, doc["verdicts"])) == truth.invalid
    # every row read is curated or rejected, exactly once
    curated = process(doc, store, lake)
    assert curated["records_in"] == truth.records
    assert sum(f["rows"] for f in curated["files"]) == curated["records_curated"] <= truth.records - truth.invalid
    # verdicts that disagree with the report are refused, not half applied
    with pytest.raises(InputContractError, match="rejected lines"):
        rejected_lines(store, BUCKET, {**doc["verdicts"], "records_rejected": truth.invalid + 1})
    # a report without verdicts (an older validator): curation checks every row itself
    assert verdicts({"records_rejected": 3}) is None and rejected_lines(store, BUCKET, None) is None
    assert rejected_lines(store, BUCKET, {"rejected_lines_key": None, "records_rejected": 0}).tolist() == []
