"""The ingestion slice applied by Terraform to the local endpoint, end to end.

Each test uses its own keys under incoming/, so tests can run alone or together.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import time
import uuid

import pytest

from taxlake.generate import GenerateSpec, write_sample

from ..conftest import wait_for

# the deployed validator checks dates against the real clock, so samples are made for today
TODAY = dt.date.today()


@pytest.fixture
def prefix() -> str:
    return f"it-{uuid.uuid4().hex[:8]}"


def test_a_second_plan_is_empty(platform) -> None:
    assert platform.terraform.plan_changes() == ""


def test_every_module_in_the_root_was_applied(platform) -> None:
    outputs = platform.outputs
    config = platform.aws["lambda"].get_function_configuration(FunctionName=outputs["validator"]["function_name"])
    assert config["Runtime"] == "python3.12"
    assert config["DeadLetterConfig"]["TargetArn"] == outputs["validator"]["dlq"]["arn"]
    assert config["Layers"][0]["Arn"] == outputs["runtime_layer_arn"]
    rule = platform.aws["events"].describe_rule(Name=outputs["validator"]["event_rule"]["name"])
    assert json.loads(rule["EventPattern"])["detail"]["object"]["key"] == [{"prefix": "incoming/"}]
    landing = outputs["buckets"]["landing"]["name"]
    notification = platform.aws["s3"].get_bucket_notification_configuration(Bucket=landing)
    assert "EventBridgeConfiguration" in notification


def test_a_valid_file_is_validated_and_routed(platform, tmp_path, prefix) -> None:
    path = tmp_path / "good.csv.gz"
    truth = write_sample(path, GenerateSpec(as_of=TODAY, rows=3000, seed=21))
    key = f"incoming/lodgement/{prefix}/good.csv.gz"
    platform.landing.upload([(key, path)])
    report = platform.landing.wait_for_reports([key], timeout=120)[key]
    assert (report["status"], report["records_valid"]) == ("accepted", truth.records)
    s3, bucket = platform.aws["s3"], platform.landing.bucket
    copied = s3.get_object(Bucket=bucket, Key=f"validated/lodgement/{prefix}/good.csv.gz")["Body"].read()
    assert copied == path.read_bytes()
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == path.read_bytes()  # incoming is kept


def test_an_invalid_file_is_quarantined_with_its_report_and_never_validated(platform, tmp_path, prefix) -> None:
    path = tmp_path / "bad.csv"
    truth = write_sample(path, GenerateSpec(as_of=TODAY, rows=1000, seed=22, invalid_share=0.2))
    key = f"incoming/lodgement/{prefix}/bad.csv"
    platform.landing.upload([(key, path)])
    report = platform.landing.wait_for_reports([key], timeout=120)[key]
    assert report["quarantine_reason"] == "REJECT_RATE_EXCEEDED"
    assert report["reasons"] == dict(truth.reasons)
    s3, bucket = platform.aws["s3"], platform.landing.bucket
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"validated/lodgement/{prefix}/").get("KeyCount", 0) == 0
    rejects = s3.get_object(Bucket=bucket, Key=f"quarantine/lodgement/{prefix}/bad.csv.rejects.jsonl.gz")["Body"].read()
    assert len(gzip.decompress(rejects).splitlines()) == truth.invalid


def test_the_same_object_twice_is_processed_once(platform, tmp_path, prefix) -> None:
    path = tmp_path / "once.csv"
    write_sample(path, GenerateSpec(as_of=TODAY, rows=200, seed=23))
    key = f"incoming/lodgement/{prefix}/once.csv"
    landing = platform.landing
    before = landing.metric_sum("DuplicateEventsSkipped", dimensions={"service": "validator"})
    landing.upload([(key, path)])
    first = landing.wait_for_reports([key], timeout=120)[key]
    landing.redeliver(key)
    wait_for(lambda: landing.metric_sum("DuplicateEventsSkipped", dimensions={"service": "validator"}) > before, 60)
    time.sleep(1)
    assert landing.report(key)["processed_at"] == first["processed_at"]  # the report was not rewritten
    versions = platform.aws["s3"].list_object_versions(
        Bucket=landing.bucket, Prefix=f"validated/lodgement/{prefix}/once.csv.report.json"
    )["Versions"]
    assert len(versions) == 1


def test_a_hundred_files_at_once_are_all_processed_and_records_conserved(platform, tmp_path, prefix) -> None:
    files, expected = [], 0
    for i in range(100):
        path = tmp_path / f"batch-{i:03d}.csv"
        truth = write_sample(path, GenerateSpec(as_of=TODAY, rows=50 + i, seed=1000 + i, invalid_share=0.005))
        expected += truth.records
        files.append((f"incoming/lodgement/{prefix}/batch-{i:03d}.csv", path))
    keys = platform.landing.upload(files)
    reports = platform.landing.wait_for_reports(keys, timeout=600)
    assert len(reports) == 100
    assert sum(r["records_read"] for r in reports.values()) == expected
    assert all(r["records_read"] == r["records_valid"] + r["records_rejected"] for r in reports.values())


def test_validation_metrics_reach_cloudwatch(platform, tmp_path, prefix) -> None:
    path = tmp_path / "bas.csv"
    truth = write_sample(path, GenerateSpec(as_of=TODAY, kind="bas", rows=400, seed=24))
    key = f"incoming/bas/{prefix}/bas.csv"
    landing = platform.landing
    dims = {"service": "validator", "Kind": "bas"}
    before = landing.metric_sum("RecordsRead", dimensions=dims)
    landing.upload([(key, path)])
    landing.wait_for_reports([key], timeout=120)
    wait_for(lambda: landing.metric_sum("RecordsRead", dimensions=dims) - before == truth.records, 30)


def test_the_function_logs_structured_lines_to_its_log_group(platform, tmp_path, prefix) -> None:
    path = tmp_path / "logged.csv"
    write_sample(path, GenerateSpec(as_of=TODAY, rows=20, seed=25))
    key = f"incoming/lodgement/{prefix}/logged.csv"
    platform.landing.upload([(key, path)])
    platform.landing.wait_for_reports([key], timeout=120)
    logs, group = platform.aws["logs"], platform.outputs["validator"]["log_group_name"]

    def validated_line() -> list[dict]:
        # one stream per invocation: earlier tests leave more than a page of them
        found = []
        for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group):
            for event in page["events"]:
                if event["message"].startswith("{") and '"object validated"' in event["message"]:
                    doc = json.loads(event["message"])
                    if doc.get("key") == key:
                        found.append(doc)
        return found

    (line,) = wait_for(validated_line, 30)
    assert (line["level"], line["status"], line["records_read"]) == ("INFO", "accepted", 20)
    assert line["service"] == "validator" and line["function_name"] == platform.outputs["validator"]["function_name"]
