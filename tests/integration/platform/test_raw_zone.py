"""The raw zone on the local endpoint: each landed version kept as landed, under Object Lock.

terraform/local locks raw files in GOVERNANCE mode for a day, so each test can remove
what it wrote with the governance bypass and the session's destroy can empty the bucket.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from taxlake.generate import GenerateSpec, write_sample

from ..conftest import wait_for

TODAY = dt.date.today()


@pytest.fixture
def prefix() -> str:
    return f"raw-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def raw_copies(platform) -> Iterator[list[dict[str, Any]]]:
    """Raw locations a test produced; removed afterwards with the governance bypass."""
    made: list[dict[str, Any]] = []
    yield made
    s3 = platform.aws["s3"]
    for raw in made:
        s3.delete_object(
            Bucket=raw["bucket"], Key=raw["key"], VersionId=raw["version_id"], BypassGovernanceRetention=True
        )


def land(platform, key: str, body: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    s3, bucket = platform.aws["s3"], platform.landing.bucket
    version = s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)["VersionId"]
    return version, platform.landing.wait_for_reports([key], timeout=120)[key]


def test_a_landed_file_is_kept_byte_identical_and_locked_in_the_raw_zone(
    platform, tmp_path, prefix, raw_copies
) -> None:
    path = tmp_path / "kept.csv.gz"
    write_sample(path, GenerateSpec(as_of=TODAY, rows=400, seed=31))
    body = path.read_bytes()
    key = f"incoming/lodgement/{prefix}/kept.csv.gz"
    version, report = land(platform, key, body, "application/gzip")
    raw = report["raw"]
    raw_copies.append(raw)
    assert report["status"] == "accepted"
    assert raw["bucket"] == platform.outputs["buckets"]["raw"]["name"]
    assert raw["key"] == f"raw/lodgement/{prefix}/kept.csv.gz/{version}/kept.csv.gz"

    s3 = platform.aws["s3"]
    got = s3.get_object(Bucket=raw["bucket"], Key=raw["key"], VersionId=raw["version_id"])
    assert got["Body"].read() == body
    assert (got["ContentType"], got["ServerSideEncryption"]) == ("application/gzip", "aws:kms")

    # the bucket's default retention, applied to the copy as it was written
    rule = s3.get_object_lock_configuration(Bucket=raw["bucket"])["ObjectLockConfiguration"]["Rule"]
    head = s3.head_object(Bucket=raw["bucket"], Key=raw["key"], VersionId=raw["version_id"])
    assert head["ObjectLockMode"] == rule["DefaultRetention"]["Mode"] == "GOVERNANCE"
    expected_until = head["LastModified"] + dt.timedelta(days=rule["DefaultRetention"]["Days"])
    assert abs(head["ObjectLockRetainUntilDate"] - expected_until) < dt.timedelta(minutes=1)

    # immutable: without the bypass, deleting the version is refused and it stays readable
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=raw["bucket"], Key=raw["key"], VersionId=raw["version_id"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert s3.head_object(Bucket=raw["bucket"], Key=raw["key"], VersionId=raw["version_id"])["ContentLength"] == len(
        body
    )

    # lineage: the pipeline starts with the same raw location the report names
    def execution_input() -> dict[str, Any] | None:
        sfn = platform.aws["stepfunctions"]
        machine = platform.outputs["pipeline"]["state_machine"]["arn"]
        for e in sfn.list_executions(stateMachineArn=machine)["executions"]:
            doc = json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"])
            if doc["source"]["key"] == key:
                return doc
        return None

    assert wait_for(execution_input, timeout=60)["raw"] == raw


def test_a_quarantined_file_is_kept_in_the_raw_zone_too(platform, prefix, raw_copies) -> None:
    body = b"not,a,lodgement\n1,2,3\n"
    key = f"incoming/lodgement/{prefix}/bad.csv"
    version, report = land(platform, key, body, "text/csv")
    raw_copies.append(report["raw"])
    assert report["quarantine_reason"] == "SCHEMA_DRIFT"
    assert report["raw"]["key"] == f"raw/lodgement/{prefix}/bad.csv/{version}/bad.csv"
    got = platform.aws["s3"].get_object(
        Bucket=report["raw"]["bucket"], Key=report["raw"]["key"], VersionId=report["raw"]["version_id"]
    )
    assert (got["Body"].read(), got["ContentType"]) == (body, "text/csv")
