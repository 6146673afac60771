"""Routing landed objects in S3 (moto): copies, reports, rejects, pipeline start."""

from __future__ import annotations

import gzip
import json

import pytest

from taxlake.adapters.s3 import S3Store
from taxlake.adapters.stepfunctions import PipelineStarter
from taxlake.ingest import IngestConfig, ObjectRef, execution_name, process_object
from taxlake.validation import ValidationConfig

from .aws import BUCKET, Aws
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
