"""The validator Lambda end to end on moto: real S3 -> EventBridge event, idempotency, EMF."""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import ModuleType

import pytest

from .aws import BUCKET, REGION, TABLE, Aws, load_handler
from .conftest import GOOD_LODGEMENT, csv_bytes


@dataclass
class Context:
    function_name: str = "taxlake-test-validator"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:ap-southeast-2:123456789012:function:taxlake-test-validator"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 600_000


@pytest.fixture
def handler(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    environment = {"IDEMPOTENCY_TABLE": TABLE, "STATE_MACHINE_ARN": aws.state_machine_arn, "REJECT_THRESHOLD": "0.01"}
    return load_handler(monkeypatch, "validator", environment)


def emf(out: str) -> list[dict]:
    """EMF documents printed by Powertools, with single-value lists unwrapped."""
    docs = []
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            doc = json.loads(line)
            docs.append({k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in doc.items()})
    return docs


def land(aws: Aws, key: str, body: bytes) -> dict:
    aws.put(key, body)
    (event,) = aws.delivered_events()
    return event


def test_event_from_s3_via_eventbridge_is_validated_and_routed(aws: Aws, handler: ModuleType, capsys) -> None:
    event = land(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT] * 3))
    assert (event["source"], event["detail-type"]) == ("aws.s3", "Object Created")
    result = handler.lambda_handler(event, Context())
    assert (result["status"], result["records_valid"]) == ("accepted", 3)
    assert aws.keys("validated/") == ["validated/lodgement/a.csv", "validated/lodgement/a.csv.report.json"]
    assert len(aws.executions()) == 1
    (doc,) = [d for d in emf(capsys.readouterr().out) if "RecordsRead" in d]
    assert doc["RecordsRead"] == 3 and doc["FilesAccepted"] == 1 and doc["Kind"] == "lodgement"
    assert doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Taxlake"


def test_the_same_object_version_twice_is_processed_once(aws: Aws, handler: ModuleType, capsys) -> None:
    event = land(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    first = handler.lambda_handler(event, Context())
    aws.s3.delete_object(Bucket=BUCKET, Key="validated/lodgement/a.csv")  # a reprocess would recreate it
    second = handler.lambda_handler({**event, "id": "another-delivery"}, Context(aws_request_id="req-2"))
    assert first == second
    assert "validated/lodgement/a.csv" not in aws.keys("validated/")
    assert len(aws.executions()) == 1
    metrics = emf(capsys.readouterr().out)
    assert sum(d.get("DuplicateEventsSkipped", 0) for d in metrics) == 1
    assert sum(d.get("FilesAccepted", 0) for d in metrics) == 1


def test_a_new_version_of_the_same_key_is_processed_again(aws: Aws, handler: ModuleType) -> None:
    first = handler.lambda_handler(land(aws, "incoming/lodgement/a.csv", b"junk"), Context())
    second = handler.lambda_handler(
        land(aws, "incoming/lodgement/a.csv", csv_bytes("lodgement", [GOOD_LODGEMENT])),
        Context(aws_request_id="r2"),
    )
    assert (first["status"], second["status"]) == ("quarantined", "accepted")
    assert first["source"]["version_id"] != second["source"]["version_id"]


def test_quarantine_publishes_reason_metrics(aws: Aws, handler: ModuleType, capsys) -> None:
    bad = {**GOOD_LODGEMENT, "tfn": "123456789"}
    event = land(aws, "incoming/lodgement/b.csv", csv_bytes("lodgement", [GOOD_LODGEMENT, bad]))
    result = handler.lambda_handler(event, Context())
    assert (result["status"], result["quarantine_reason"]) == ("quarantined", "REJECT_RATE_EXCEEDED")
    docs = emf(capsys.readouterr().out)
    by_reason = [d for d in docs if "RecordsRejectedByReason" in d]
    assert [(d["Reason"], d["RecordsRejectedByReason"]) for d in by_reason] == [("INVALID_TFN", 1)]
    assert aws.executions() == []


def test_a_failure_is_not_remembered_so_a_retry_can_succeed(aws: Aws, handler: ModuleType, monkeypatch) -> None:
    event = land(aws, "incoming/lodgement/c.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))

    def boom(*_a, **_k):
        raise RuntimeError("S3 went away")

    with monkeypatch.context() as patched:
        patched.setattr(handler.store, "copy", boom)
        with pytest.raises(RuntimeError):
            handler.lambda_handler(event, Context())
    assert handler.lambda_handler(event, Context(aws_request_id="retry"))["status"] == "accepted"


def test_events_that_are_not_s3_object_created_fail_loudly(handler: ModuleType) -> None:
    with pytest.raises(ValueError, match="not an S3 Object Created event"):
        handler.lambda_handler({"source": "aws.s3", "detail-type": "Object Deleted", "detail": {}}, Context())


@pytest.fixture
def raw_bucket(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> str:
    """RAW_BUCKET set before the handler module reads its configuration."""
    name = "taxlake-test-raw"
    aws.s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    aws.s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    monkeypatch.setenv("RAW_BUCKET", name)
    return name


def test_raw_bucket_from_the_environment_receives_each_landed_version(
    aws: Aws, raw_bucket: str, handler: ModuleType
) -> None:
    body = csv_bytes("lodgement", [GOOD_LODGEMENT])
    result = handler.lambda_handler(land(aws, "incoming/lodgement/e.csv", body), Context())
    assert result["raw"]["bucket"] == raw_bucket
    assert result["raw"]["key"] == f"raw/lodgement/e.csv/{result['source']['version_id']}/e.csv"
    got = aws.s3.get_object(Bucket=raw_bucket, Key=result["raw"]["key"], VersionId=result["raw"]["version_id"])
    assert got["Body"].read() == body
