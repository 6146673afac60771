"""Routing landed objects in S3 (moto): copies, reports, rejects, pipeline start."""

from __future__ import annotations

import dataclasses
import gzip
import json

import pytest

from taxlake.adapters.s3 import S3Store
from taxlake.adapters.stepfunctions import PipelineStarter
from taxlake.records.ingest import IngestConfig, ObjectRef, execution_name, process_object, raw_key
from taxlake.records.validation import ValidationConfig

from .aws import BUCKET, REGION, Aws
from .conftest import AS_OF, GOOD_LODGEMENT, csv_bytes

CONFIG = IngestConfig(validation=ValidationConfig(as_of=AS_OF))


def ingest(aws: Aws, key: str, body: bytes, starter: bool = True):
    version = aws.put(key, body)
    ref = ObjectRef(BUCKET, key, version)
    start = PipelineStarter(aws.state_machine_arn, aws.sfn) if starter else None
    return process_object(ref, S3Store(aws.s3), CONFIG, start)


def test_accepted_file_is_copied_unchanged_with_report_and_pipeline_started(aws: Aws, sample) -> None:
    path, truth = sample("lodgement", "csv.gz", rows=2000, invalid_share=0.005)
    body = path.read_bytes()
    result = ingest(aws, "incoming/lodgement/2025/batch-1.csv.gz", body)
    assert result.report.status == "accepted"
    assert aws.get("validated/lodgement/2025/batch-1.csv.gz") == body
    assert aws.get("incoming/lodgement/2025/batch-1.csv.gz") == body  # nothing is deleted
    report = json.loads(aws.get("validated/lodgement/2025/batch-1.csv.gz.report.json"))
    assert report["records_read"] == truth.records
    assert report["records_rejected"] == truth.invalid
    assert report["source"]["key"] == "incoming/lodgement/2025/batch-1.csv.gz"
    rejects = (
        gzip.decompress(aws.get("quarantine/lodgement/2025/batch-1.csv.gz.rejects.jsonl.gz")).decode().splitlines()
    )
    assert len(rejects) == truth.invalid
    # the verdicts curation applies: the rejected rows' line numbers, and nothing of their text
    assert report["rejected_lines_key"] == "validated/lodgement/2025/batch-1.csv.gz.rejected-lines.gz"
    lines = gzip.decompress(aws.get(report["rejected_lines_key"])).split()
    assert sorted(map(int, lines)) == sorted(json.loads(r)["line"] for r in rejects)
    (execution,) = aws.executions()
    payload = json.loads(aws.sfn.describe_execution(executionArn=execution["executionArn"])["input"])
    assert payload["key"] == "validated/lodgement/2025/batch-1.csv.gz"
    assert payload["record_count"] == truth.records - truth.invalid
    assert (payload["kind"], payload["structured"], payload["size_bytes"]) == ("lodgement", False, len(body))


def test_quarantined_file_is_kept_with_a_machine_readable_reason(aws: Aws) -> None:
    body = b"not,a,lodgement\n1,2,3\n"
    result = ingest(aws, "incoming/lodgement/bad.csv", body)
    assert result.report.status == "quarantined"
    assert aws.get("quarantine/lodgement/bad.csv") == body
    report = json.loads(aws.get("quarantine/lodgement/bad.csv.report.json"))
    assert report["quarantine_reason"] == "SCHEMA_DRIFT"
    assert "missing" in report["detail"]
    assert aws.keys("validated/") == []
    assert aws.executions() == []


def test_quarantine_by_reject_rate_keeps_every_rejected_row(aws: Aws, sample) -> None:
    path, truth = sample("bas", "jsonl", rows=500, invalid_share=0.2)
    result = ingest(aws, "incoming/bas/q1.jsonl", path.read_bytes())
    assert result.report.quarantine_reason == "REJECT_RATE_EXCEEDED"
    rows = gzip.decompress(aws.get("quarantine/bas/q1.jsonl.rejects.jsonl.gz")).splitlines()
    assert len(rows) == truth.invalid
    assert result.report.records_valid + len(rows) == truth.records
    # a quarantined file is never curated: no verdicts for it
    assert result.rejected_lines_key is None and not [k for k in aws.keys("") if k.endswith(".rejected-lines.gz")]


def test_a_clean_file_says_no_line_was_rejected(aws: Aws, sample) -> None:
    path, _truth = sample("bas", "csv", rows=200)
    ingest(aws, "incoming/bas/q2.csv", path.read_bytes())
    report = json.loads(aws.get("validated/bas/q2.csv.report.json"))
    assert "rejected_lines_key" in report and report["rejected_lines_key"] is None
    assert aws.keys("validated/") == ["validated/bas/q2.csv", "validated/bas/q2.csv.report.json"]


def test_parquet_is_read_with_ranged_gets_and_flagged_structured(aws: Aws, sample) -> None:
    path, truth = sample("payer-report", "parquet", rows=3000)
    result = ingest(aws, "incoming/payer-report/p.parquet", path.read_bytes())
    assert (result.report.status, result.report.records_valid) == ("accepted", truth.records)
    payload = json.loads(aws.sfn.describe_execution(executionArn=aws.executions()[0]["executionArn"])["input"])
    assert payload["structured"] is True


def test_keys_outside_incoming_are_skipped(aws: Aws) -> None:
    result = ingest(aws, "validated/lodgement/x.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    assert result.skipped
    assert aws.keys("quarantine/") == []


def test_url_encoded_key_from_a_notification_is_resolved(aws: Aws) -> None:
    body = csv_bytes("lodgement", [GOOD_LODGEMENT])
    version = aws.put("incoming/lodgement/my file.csv", body)
    ref = ObjectRef(BUCKET, "incoming/lodgement/my+file.csv", version)
    result = process_object(ref, S3Store(aws.s3), CONFIG)
    assert result.destination_key == "validated/lodgement/my file.csv"


def test_starting_twice_is_harmless(aws: Aws) -> None:
    starter = PipelineStarter(aws.state_machine_arn, aws.sfn)
    first = starter.start("same-name", {"a": 1})
    second = starter.start("same-name", {"a": 2})
    assert first.endswith(":same-name") and second.endswith(":same-name")
    assert len(aws.executions()) == 1


@pytest.mark.parametrize("version", ["v1", None])
def test_execution_name_is_stable_and_legal(version: str | None) -> None:
    ref = ObjectRef("b", "incoming/lodgement/a b+c.csv", version, etag="e")
    name = execution_name(ref, "payer-report")
    assert name == execution_name(ref, "payer-report")
    assert len(name) <= 80 and all(c.isalnum() or c in "-_" for c in name)


def test_event_parsing_rejects_other_events() -> None:
    with pytest.raises(ValueError, match="not an S3 Object Created event"):
        ObjectRef.from_event({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"})
    with pytest.raises(ValueError, match="lacks"):
        ObjectRef.from_event({"source": "aws.s3", "detail-type": "Object Created", "detail": {}})


def s3_event(**detail: object) -> dict:
    return {"source": "aws.s3", "detail-type": "Object Created", "detail": detail}


def test_event_parsing_reads_every_field_of_the_object() -> None:
    event = s3_event(
        bucket={"name": BUCKET}, object={"key": "incoming/bas/q.csv", "version-id": "v7", "size": 42, "etag": "e1"}
    )
    assert ObjectRef.from_event(event) == ObjectRef(BUCKET, "incoming/bas/q.csv", "v7", 42, "e1")
    unversioned = ObjectRef.from_event(s3_event(bucket={"name": BUCKET}, object={"key": "incoming/bas/q.csv"}))
    assert unversioned == ObjectRef(BUCKET, "incoming/bas/q.csv")


@pytest.mark.parametrize(
    "detail",
    [
        {"bucket": {"name": BUCKET}, "object": {"size": 1}},
        {"bucket": {"name": BUCKET}, "object": {"key": ""}},
        {"bucket": {}, "object": {"key": "incoming/bas/q.csv"}},
        {"object": {"key": "incoming/bas/q.csv"}},
    ],
)
def test_an_event_without_bucket_or_key_is_refused_with_a_clear_error(detail: dict) -> None:
    with pytest.raises(ValueError, match=r"^event detail lacks bucket\.name or object\.key$"):
        ObjectRef.from_event(s3_event(**detail))


def test_an_event_of_another_kind_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match=r"source='aws\.s3' detail-type='Object Deleted'$"):
        ObjectRef.from_event({"source": "aws.s3", "detail-type": "Object Deleted", "detail": {}})


def test_execution_names_differ_per_landing_and_name_the_kind() -> None:
    ref = ObjectRef("b", "incoming/bas/q.csv", "v1", etag="e1")
    name = execution_name(ref, "bas")
    assert name.startswith("bas-") and len(name) == len("bas-") + 40
    assert execution_name(dataclasses.replace(ref, version_id="v2"), "bas") != name
    assert execution_name(dataclasses.replace(ref, key="incoming/bas/r.csv"), "bas") != name
    assert execution_name(dataclasses.replace(ref, bucket="c"), "bas") != name
    # unversioned buckets: the ETag tells one landing from another
    plain = dataclasses.replace(ref, version_id=None)
    assert execution_name(plain, "bas") != execution_name(dataclasses.replace(plain, etag="e2"), "bas")
    assert execution_name(plain, None).startswith("file-")


def test_the_pipeline_input_describes_the_validated_copy(aws: Aws, sample) -> None:
    path, truth = sample("lodgement", "csv.gz", rows=1000, invalid_share=0.004)
    body = path.read_bytes()
    result = ingest(aws, "incoming/lodgement/p.csv.gz", body)
    (execution,) = aws.executions()
    payload = json.loads(aws.sfn.describe_execution(executionArn=execution["executionArn"])["input"])
    copy = aws.s3.head_object(Bucket=BUCKET, Key="validated/lodgement/p.csv.gz")
    assert payload == {
        "bucket": BUCKET,
        "key": "validated/lodgement/p.csv.gz",
        "version_id": copy["VersionId"],
        "size_bytes": len(body),
        "decoded_bytes": len(gzip.decompress(body)),
        "kind": "lodgement",
        "format": "csv",
        "compression": "gzip",
        "structured": False,
        "record_count": truth.records - truth.invalid,
        "records_rejected": truth.invalid,
        "report_key": "validated/lodgement/p.csv.gz.report.json",
        "source": result.source.idempotency_doc(),
        "raw": None,
    }
    assert payload["record_count"] + payload["records_rejected"] == truth.records
    assert truth.invalid > 0  # so the rejected count is checked, not just zero


# --- raw zone ----------------------------------------------------------------------

RAW_BUCKET = "taxlake-test-raw"


@pytest.fixture
def raw(aws: Aws) -> str:
    # versioned like the deployed raw bucket; Object Lock itself is S3's and is checked on
    # the emulator (tests/integration/platform), where copies into a locked bucket work
    aws.s3.create_bucket(Bucket=RAW_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    aws.s3.put_bucket_versioning(Bucket=RAW_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return RAW_BUCKET


RAW_CONFIG = dataclasses.replace(CONFIG, raw_bucket=RAW_BUCKET)


def land_raw(aws: Aws, key: str, body: bytes, content_type: str) -> ObjectRef:
    version = aws.s3.put_object(Bucket=BUCKET, Key=key, Body=body, ContentType=content_type)["VersionId"]
    return ObjectRef(BUCKET, key, version)


def raw_object(aws: Aws, location: dict) -> dict:
    out = aws.s3.get_object(Bucket=location["bucket"], Key=location["key"], VersionId=location["version_id"])
    return {"body": out["Body"].read(), "content_type": out["ContentType"]}


def test_accepted_file_is_kept_as_landed_in_the_raw_zone_and_named_in_report_and_pipeline_input(
    aws: Aws, raw: str, sample
) -> None:
    path, _ = sample("lodgement", "csv.gz", rows=300)
    body = path.read_bytes()
    ref = land_raw(aws, "incoming/lodgement/2025/batch-1.csv.gz", body, "application/gzip")
    result = process_object(ref, S3Store(aws.s3), RAW_CONFIG, PipelineStarter(aws.state_machine_arn, aws.sfn))
    assert result.report.status == "accepted"
    location = {
        "bucket": raw,
        "key": f"raw/lodgement/2025/batch-1.csv.gz/{ref.version_id}/batch-1.csv.gz",
        "version_id": aws.s3.head_object(Bucket=raw, Key=result.raw["key"])["VersionId"],
    }
    assert result.raw == location
    assert raw_object(aws, location) == {"body": body, "content_type": "application/gzip"}
    report = json.loads(aws.get("validated/lodgement/2025/batch-1.csv.gz.report.json"))
    assert report["raw"] == location
    (execution,) = aws.executions()
    assert json.loads(aws.sfn.describe_execution(executionArn=execution["executionArn"])["input"])["raw"] == location
    assert result.to_dict()["raw"] == location


def test_quarantined_file_is_kept_as_landed_in_the_raw_zone(aws: Aws, raw: str) -> None:
    body = b"not,a,lodgement\n1,2,3\n"
    ref = land_raw(aws, "incoming/lodgement/bad.csv", body, "text/csv")
    result = process_object(ref, S3Store(aws.s3), RAW_CONFIG)
    assert result.report.status == "quarantined"
    assert raw_object(aws, result.raw) == {"body": body, "content_type": "text/csv"}
    assert json.loads(aws.get("quarantine/lodgement/bad.csv.report.json"))["raw"] == result.raw


def test_a_file_the_validator_cannot_finish_is_still_kept_in_the_raw_zone(aws: Aws, raw: str, monkeypatch) -> None:
    body = csv_bytes("lodgement", [GOOD_LODGEMENT])
    ref = land_raw(aws, "incoming/lodgement/c.csv", body, "text/csv")

    def boom(*_a, **_k):
        raise MemoryError("validator died")

    monkeypatch.setattr("taxlake.records.ingest.validate_stream", boom)
    with pytest.raises(MemoryError):
        process_object(ref, S3Store(aws.s3), RAW_CONFIG)
    (key,) = [o["Key"] for o in aws.s3.list_objects_v2(Bucket=raw)["Contents"]]
    assert aws.s3.get_object(Bucket=raw, Key=key)["Body"].read() == body
    assert aws.keys("validated/") == aws.keys("quarantine/") == []


def test_each_landing_of_the_same_name_gets_its_own_raw_copy_and_a_retry_none(aws: Aws, raw: str) -> None:
    key = "incoming/bas/q1.csv"
    first, second = b"junk v1\n", csv_bytes("bas", [])
    refs = [land_raw(aws, key, first, "text/csv"), land_raw(aws, key, second, "text/csv")]
    results = [process_object(ref, S3Store(aws.s3), RAW_CONFIG) for ref in refs]
    retried = process_object(refs[0], S3Store(aws.s3), RAW_CONFIG)  # e.g. a retry after a later failure
    assert retried.raw == results[0].raw
    assert [raw_object(aws, r.raw)["body"] for r in results] == [first, second]
    versions = aws.s3.list_object_versions(Bucket=raw)["Versions"]
    assert sorted(v["Key"] for v in versions) == sorted(r.raw["key"] for r in results)


def test_without_a_raw_bucket_nothing_is_copied_and_lineage_says_so(aws: Aws, raw: str) -> None:
    result = ingest(aws, "incoming/lodgement/d.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    assert result.raw is None
    assert json.loads(aws.get("validated/lodgement/d.csv.report.json"))["raw"] is None
    assert "Contents" not in aws.s3.list_objects_v2(Bucket=raw)


def test_raw_settings_come_from_the_environment() -> None:
    assert IngestConfig.from_env({}).raw_bucket is None
    config = IngestConfig.from_env({"RAW_BUCKET": "taxlake-dev-raw-123456789012", "RAW_PREFIX": "landed/"})
    assert (config.raw_bucket, config.raw_prefix) == ("taxlake-dev-raw-123456789012", "landed/")


@pytest.mark.parametrize(
    ("version", "etag", "expected"),
    [
        ("v1", "e", "raw/payer-report/2025/p.parquet/v1/p.parquet"),
        ("null", "e", "raw/payer-report/2025/p.parquet/etag-e/p.parquet"),
        (None, None, "raw/payer-report/2025/p.parquet/unversioned/p.parquet"),
    ],
)
def test_raw_key_names_the_landing_and_keeps_the_file_name(version, etag, expected) -> None:
    ref = ObjectRef("b", "incoming/payer-report/2025/p.parquet", version, etag=etag)
    assert raw_key(ref, "payer-report/2025/p.parquet") == expected
