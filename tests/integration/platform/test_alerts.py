"""The platform's alarms (modules/observability) on the local AWS.

Each scenario makes the alarm's data happen for real (pipeline executions that fail or
succeed, a drifted file landed, invocations that error, a message dead-lettered), then asks
the emulator to evaluate every alarm at a moment the test names, as CloudWatch would at that
moment: two hours pass without sleeping. Every state change must reach a queue subscribed to
the alarms topic.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from taxlake.generate import GenerateSpec, write_sample

from ..conftest import wait_for
from .conftest import Alerts
from .test_pipeline import ghost, land_and_follow

TODAY = dt.date.today()


@dataclass
class Alarms(Alerts):
    """The deployed alarms, and what their topic delivered to a queue subscribed to it."""

    queue_url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)

    def notifications(self, name: str) -> list[str]:
        """The states the topic announced for alarm ``name`` so far, oldest first."""
        sqs = self.aws["sqs"]
        while batch := sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", []):
            for message in batch:
                self.received.append(json.loads(json.loads(message["Body"])["Message"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return [m["NewStateValue"] for m in self.received if m["AlarmName"] == name]


@pytest.fixture(scope="module")
def alarms(platform) -> Alarms:
    sqs, sns = platform.aws["sqs"], platform.aws["sns"]
    url = sqs.create_queue(QueueName=f"alarms-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=platform.outputs["observability"]["topic"]["arn"], Protocol="sqs", Endpoint=arn)
    return Alarms(platform.aws, platform.outputs, queue_url=url)


def health_item(platform, key: str) -> dict[str, Any] | None:
    ddb = platform.aws["dynamodb"]
    table = platform.outputs["observability"]["health"]["table"]["name"]
    item = ddb.get_item(TableName=table, Key={"pk": {"S": key}}, ConsistentRead=True).get("Item")
    return dict(item) if item else None


def counted(platform, execution: dict[str, Any]) -> dt.datetime:
    """Wait until the health function has counted ``execution``; the moment it stopped."""
    wait_for(lambda: health_item(platform, f"execution#{execution['executionArn']}"), 60)
    return execution["stopDate"].astimezone(dt.UTC)


def succeed(platform, tmp_path: Path, name: str) -> dict[str, Any]:
    path = tmp_path / f"{name}.csv"
    write_sample(path, GenerateSpec(rows=50, seed=hash(name) % 1000, as_of=TODAY))
    done, _ = land_and_follow(platform, f"incoming/lodgement/alerts/{name}.csv", path, "lodgement")
    assert done["status"] == "SUCCEEDED", done.get("cause")
    return done


def fail(platform, name: str) -> dict[str, Any]:
    """An execution whose input names a validated file that does not exist: it fails."""
    sfn = platform.aws["stepfunctions"]
    arn = sfn.start_execution(
        stateMachineArn=platform.outputs["pipeline"]["state_machine"]["arn"],
        name=name,
        input=json.dumps(ghost(platform, f"validated/lodgement/alerts/{name}.csv")),
    )["executionArn"]
    done = wait_for(lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d, 120)
    assert done["status"] == "FAILED"
    return dict(done)


def test_three_failures_in_a_row_alarm_and_a_success_clears_it(platform, alarms: Alarms, tmp_path: Path) -> None:
    name = alarms.name("consecutive_failures")
    run = uuid.uuid4().hex[:6]
    assert alarms.evaluate(counted(platform, succeed(platform, tmp_path, f"ok-{run}")))[name] == "OK"
    for i in (1, 2):
        stopped = counted(platform, fail(platform, f"bad-{run}-{i}"))
    assert alarms.evaluate(stopped)[name] == "OK"  # two in a row: not yet
    stopped = counted(platform, fail(platform, f"bad-{run}-3"))
    assert health_item(platform, "streak")["failures"]["N"] == "3"
    assert alarms.evaluate(stopped)[name] == "ALARM"
    # a quiet minute later the state holds: the streak is broken only by a success
    assert alarms.evaluate(stopped + dt.timedelta(minutes=5))[name] == "ALARM"
    cleared = counted(platform, succeed(platform, tmp_path, f"ok2-{run}"))
    assert health_item(platform, "streak")["failures"]["N"] == "0"
    # within the third failure's minute the Maximum is still 3; the next freshness run
    # republishes the streak, 0, and the alarm clears
    next_run = cleared + dt.timedelta(minutes=2)
    assert alarms.measure_freshness(next_run)["consecutive_failures"] == 0
    assert alarms.evaluate(next_run)[name] == "OK"
    assert alarms.notifications(name)[-2:] == ["ALARM", "OK"]


def test_a_kind_without_a_curated_file_for_two_hours_alarms(platform, alarms: Alarms, tmp_path: Path) -> None:
    name = alarms.name("data_delay", "lodgement")
    if health_item(platform, "curated#lodgement") is None:  # run alone: curate one first
        counted(platform, succeed(platform, tmp_path, f"fresh-{uuid.uuid4().hex[:6]}"))
    newest = health_item(platform, "curated#lodgement")
    assert newest is not None
    curated_at = dt.datetime.fromtimestamp(int(newest["newest_ms"]["N"]) / 1000, dt.UTC)
    soon = curated_at + dt.timedelta(minutes=1)
    assert alarms.measure_freshness(soon)["ages"]["lodgement"] == pytest.approx(60, abs=1)
    wait_for(lambda: alarms.evaluate(soon)[name] == "OK", 30)
    later = curated_at + dt.timedelta(hours=2, minutes=1)
    assert alarms.measure_freshness(later)["ages"]["lodgement"] == pytest.approx(7260, abs=1)
    wait_for(lambda: alarms.evaluate(later)[name] == "ALARM", 30)
    # no measurement at all (the schedule stopped) is a delay too
    assert alarms.evaluate(later + dt.timedelta(hours=1))[name] == "ALARM"
    assert alarms.notifications(name)[-1] == "ALARM"


def test_a_drifted_file_raises_the_schema_change_alarm(platform, alarms: Alarms) -> None:
    name = alarms.name("schema_drift", "bas")
    key = f"incoming/bas/alerts/{uuid.uuid4().hex[:6]}/drifted.csv"
    assert alarms.evaluate(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10))[name] == "OK"
    platform.landing.upload([(key, b"abn,period,amount\n1,2,3\n")])
    report = platform.landing.wait_for_reports([key], timeout=120)[key]
    assert report["quarantine_reason"] == "SCHEMA_DRIFT"
    wait_for(lambda: alarms.evaluate(dt.datetime.now(dt.UTC))[name] == "ALARM", 30)
    assert alarms.notifications(name)[-1] == "ALARM"


def test_a_stage_at_two_percent_errors_alarms_and_at_under_one_percent_does_not(platform, alarms: Alarms) -> None:
    client = platform.aws["lambda"]
    steps = {"metrics": platform.outputs["pipeline"]["functions"]["metrics"]}
    freshness = platform.outputs["observability"]["health"]["functions"]["freshness"]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    good_metrics = {"kind": "alarm-test", "processing": {"engine": "none"}, "quality": {}, "fraud": {}}
    batches: dict[str, tuple[str, Callable[[int], Any]]] = {
        # 1 error in 50 invocations: 2%
        "metrics": (steps["metrics"], lambda i: "not a document" if i == 0 else good_metrics),
        # 1 error in 125: 0.8%
        "health-freshness": (freshness, lambda i: {} if i == 0 else {"time": now}),
    }
    sizes = {"metrics": 50, "health-freshness": 125}
    # one 5-minute period must hold each batch whole: start in a fresh one if little is left
    left = 300 - time.time() % 300
    if left < 45:
        time.sleep(left + 1)
    for stage, (function, event) in batches.items():
        for i in range(sizes[stage]):
            out = client.invoke(FunctionName=function, Payload=json.dumps(event(i)))
            assert ("FunctionError" in out) == (i == 0), (stage, i)
    states = alarms.evaluate(dt.datetime.now(dt.UTC))
    assert states[alarms.name("error_rate", "metrics")] == "ALARM"
    assert states[alarms.name("error_rate", "health-freshness")] == "OK"
    assert alarms.notifications(alarms.name("error_rate", "metrics"))[-1] == "ALARM"


def test_a_dead_lettered_message_alarms_until_it_is_handled(platform, alarms: Alarms) -> None:
    sqs, name = platform.aws["sqs"], alarms.name("dead_letters", "validator")
    url = platform.outputs["validator"]["dlq"]["url"]
    sqs.purge_queue(QueueUrl=url)
    assert alarms.evaluate(dt.datetime.now(dt.UTC))[name] == "OK"
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"detail": {"object": {"key": "incoming/lost.csv"}}}))
    assert alarms.evaluate(dt.datetime.now(dt.UTC))[name] == "ALARM"
    (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert alarms.evaluate(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))[name] == "OK"
    assert alarms.notifications(name)[-2:] == ["ALARM", "OK"]
