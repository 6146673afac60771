"""moto-backed AWS fixtures shared by the ingest and handler tests."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

LAMBDAS = Path(__file__).resolve().parents[2] / "src" / "lambdas"
REGION = "ap-southeast-2"
BUCKET = "taxlake-test-landing"
TABLE = "taxlake-test-idempotency"


def create_table(ddb: Any, name: str, key: str) -> None:
    """An on-demand table keyed by the string ``key``, as the modules declare theirs."""
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


@dataclass
class Aws:
    s3: Any
    sqs: Any
    ddb: Any
    sfn: Any
    events_queue_url: str
    state_machine_arn: str

    def put(self, key: str, body: bytes) -> str:
        return self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)["VersionId"]

    def get(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def keys(self, prefix: str = "") -> list[str]:
        out = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return sorted(o["Key"] for o in out.get("Contents", []))

    def delivered_events(self) -> list[dict[str, Any]]:
        """S3 -> EventBridge -> SQS: the events exactly as EventBridge delivered them."""
        msgs = self.sqs.receive_message(QueueUrl=self.events_queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in msgs]

    def executions(self) -> list[dict[str, Any]]:
        return self.sfn.list_executions(stateMachineArn=self.state_machine_arn)["executions"]


@pytest.fixture
def aws() -> Iterator[Aws]:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_notification_configuration(
            Bucket=BUCKET, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="events")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events = boto3.client("events", region_name=REGION)
        # the same pattern modules/landing deploys
        events.put_rule(
            Name="landing",
            EventPattern=json.dumps(
                {
                    "source": ["aws.s3"],
                    "detail-type": ["Object Created"],
                    "detail": {"bucket": {"name": [BUCKET]}, "object": {"key": [{"prefix": "incoming/"}]}},
                }
            ),
        )
        events.put_targets(Rule="landing", Targets=[{"Id": "q", "Arn": queue_arn}])
        ddb = boto3.client("dynamodb", region_name=REGION)
        create_table(ddb, TABLE, "id")
        sfn = boto3.client("stepfunctions", region_name=REGION)
        arn = sfn.create_state_machine(
            name="pipeline",
            definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
            roleArn="arn:aws:iam::123456789012:role/sfn",
        )["stateMachineArn"]
        yield Aws(s3, sqs, ddb, sfn, queue_url, arn)


def load_handler(monkeypatch: pytest.MonkeyPatch, function: str, environment: Mapping[str, str]) -> ModuleType:
    """src/lambdas/<function>/handler.py imported afresh, with the environment Lambda would give it.

    Both functions' modules are named ``handler`` (and ``telemetry``): a cached one is dropped.
    """
    service = {"POWERTOOLS_SERVICE_NAME": function, "POWERTOOLS_METRICS_NAMESPACE": "Taxlake"}
    for key, value in {**service, "POWERTOOLS_TRACE_DISABLED": "true", **environment}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.syspath_prepend(str(LAMBDAS / function))
    for name in ("handler", "telemetry"):
        sys.modules.pop(name, None)
    return importlib.import_module("handler")
