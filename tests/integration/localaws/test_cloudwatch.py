"""localaws.cloudwatch: alarms evaluated as CloudWatch documents it, and their notifications.

The suite's emulator runs with the evaluation loop off (LOCALAWS_ALARM_INTERVAL=0): each
test evaluates at a moment it names, so nothing depends on when a period boundary passes.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from localaws.cloudwatch import decide

PERIOD = 60


def alarm(**settings: Any) -> SimpleNamespace:
    base = {
        "evaluation_periods": 3,
        "datapoints_to_alarm": None,
        "treat_missing_data": None,
        "comparison_operator": "GreaterThanThreshold",
        "threshold": 1.0,
        "state_value": "OK",
    }
    return SimpleNamespace(**(base | settings))


X, G, M = 5.0, 0.0, None  # breaching, good (not breaching), missing; the threshold is 1


@pytest.mark.parametrize(
    ("points", "settings", "state"),
    [
        ([X, X, X], {}, "ALARM"),
        ([X, X, G], {}, "OK"),  # 3 of 3 needed
        ([G, X, X], {"datapoints_to_alarm": 2}, "ALARM"),  # M of N
        ([X, G, G], {"datapoints_to_alarm": 2}, "OK"),
        # all missing: each treatment as documented
        ([M, M, M], {}, "INSUFFICIENT_DATA"),
        ([M, M, M], {"treat_missing_data": "ignore", "state_value": "ALARM"}, "ALARM"),
        ([M, M, M], {"treat_missing_data": "breaching"}, "ALARM"),
        ([M, M, M], {"treat_missing_data": "notBreaching"}, "OK"),
        ([X, M, X], {"treat_missing_data": "breaching"}, "ALARM"),
        ([X, M, X], {"treat_missing_data": "notBreaching"}, "OK"),
        # fewer present than needed: ALARM only when the oldest breaching one is M periods old
        # and nothing newer is within the threshold (the rule against premature transitions)
        ([X, M, M], {}, "ALARM"),
        ([M, M, X], {}, "OK"),
        ([X, M, G], {}, "OK"),
        ([M, X, X], {"datapoints_to_alarm": 2}, "ALARM"),
    ],
)
def test_alarm_states_follow_the_documented_evaluation(points: list, settings: dict, state: str) -> None:
    assert decide(alarm(**settings), points)[0] == state


def test_comparison_operators_and_thresholds() -> None:
    at_threshold = [1.0, 1.0, 1.0]
    assert decide(alarm(comparison_operator="GreaterThanOrEqualToThreshold"), at_threshold)[0] == "ALARM"
    assert decide(alarm(comparison_operator="GreaterThanThreshold"), at_threshold)[0] == "OK"
    assert decide(alarm(comparison_operator="LessThanThreshold", threshold=2.0), at_threshold)[0] == "ALARM"
    assert decide(alarm(comparison_operator="LessThanOrEqualToThreshold", threshold=0.5), at_threshold)[0] == "OK"


# --- against the emulator ------------------------------------------------------------


def _post(endpoint: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{endpoint}/moto-api/localaws/{path}", data=json.dumps(body).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


@pytest.fixture
def evaluate(endpoint: str) -> Callable[[dt.datetime], dict[str, str]]:
    return lambda at: _post(endpoint, "cloudwatch/evaluate", {"time": at.isoformat()})["states"]


@pytest.fixture
def topic_queue(aws: Callable[[str], Any], unique: str) -> tuple[str, Callable[[], list[dict[str, Any]]]]:
    """An SNS topic and the messages a queue subscribed to it has received (raw delivery off)."""
    sns, sqs = aws("sns"), aws("sqs")
    topic = sns.create_topic(Name=f"{unique}-alarms")["TopicArn"]
    url = sqs.create_queue(QueueName=f"{unique}-alarms")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)

    def received() -> list[dict[str, Any]]:
        out = []
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not batch:
                return out
            for message in batch:
                out.append(json.loads(json.loads(message["Body"])["Message"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return topic, received


def _period_start(at: dt.datetime) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(at.timestamp()) // PERIOD * PERIOD, dt.UTC)


def _put(aws: Callable[[str], Any], namespace: str, name: str, values: dict[dt.datetime, float], **dims: str) -> None:
    aws("cloudwatch").put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": name,
                "Timestamp": at,
                "Value": value,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            }
            for at, value in values.items()
        ],
    )


def test_an_alarm_notifies_its_topic_on_each_change(aws, unique, evaluate, topic_queue) -> None:
    topic, received = topic_queue
    cw = aws("cloudwatch")
    cw.put_metric_alarm(
        AlarmName=unique,
        AlarmDescription="failures: see docs/runbook.md#failures",
        Namespace=unique,
        MetricName="Failures",
        Dimensions=[{"Name": "Stage", "Value": "process"}],
        Statistic="Sum",
        Period=PERIOD,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    assert cw.describe_alarms(AlarmNames=[unique])["MetricAlarms"][0]["StateValue"] == "INSUFFICIENT_DATA"
    start = _period_start(dt.datetime.now(dt.UTC))
    # another dimension set is another metric: it must not count
    _put(aws, unique, "Failures", {start + dt.timedelta(seconds=5): 4}, Stage="quality")
    arn = cw.describe_alarms(AlarmNames=[unique])["MetricAlarms"][0]["AlarmArn"]
    assert evaluate(start + dt.timedelta(seconds=30))[arn] == "OK"

    _put(
        aws,
        unique,
        "Failures",
        {start + dt.timedelta(seconds=10): 1, start + dt.timedelta(seconds=20): 2},
        Stage="process",
    )
    assert evaluate(start + dt.timedelta(seconds=30))[arn] == "ALARM"
    described = cw.describe_alarms(AlarmNames=[unique])["MetricAlarms"][0]
    assert described["StateValue"] == "ALARM" and "3" in described["StateReason"]
    assert evaluate(start + dt.timedelta(seconds=40))[arn] == "ALARM"  # no change: no second message
    # the next period has no failures: notBreaching brings it back
    assert evaluate(start + dt.timedelta(seconds=PERIOD + 5))[arn] == "OK"

    messages = received()
    assert [(m["OldStateValue"], m["NewStateValue"]) for m in messages] == [
        ("INSUFFICIENT_DATA", "OK"),
        ("OK", "ALARM"),
        ("ALARM", "OK"),
    ]
    alarmed = messages[1]
    assert alarmed["AlarmName"] == unique and alarmed["AlarmArn"] == arn
    assert alarmed["AlarmDescription"] == "failures: see docs/runbook.md#failures"
    assert alarmed["Trigger"]["MetricName"] == "Failures"
    assert alarmed["Trigger"]["Dimensions"] == [{"value": "process", "name": "Stage"}]


def test_metric_math_error_rate_guarded_for_zero_invocations(aws, unique, evaluate) -> None:
    cw = aws("cloudwatch")

    def stat(name: str) -> dict[str, Any]:
        return {"Metric": {"Namespace": unique, "MetricName": name}, "Period": PERIOD, "Stat": "Sum"}

    cw.put_metric_alarm(
        AlarmName=unique,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
        Metrics=[
            {"Id": "errors", "MetricStat": stat("Errors"), "ReturnData": False},
            {"Id": "calls", "MetricStat": stat("Invocations"), "ReturnData": False},
            {"Id": "rate", "Expression": "IF(calls > 0, 100 * FILL(errors, 0) / calls, 0)", "ReturnData": True},
        ],
    )
    arn = cw.describe_alarms(AlarmNames=[unique])["MetricAlarms"][0]["AlarmArn"]
    first = _period_start(dt.datetime.now(dt.UTC)) - dt.timedelta(seconds=3 * PERIOD)
    second, third = first + dt.timedelta(seconds=PERIOD), first + dt.timedelta(seconds=2 * PERIOD)
    _put(aws, unique, "Invocations", {first: 200, second: 200})
    _put(aws, unique, "Errors", {first: 4, second: 1})  # 2%, then 0.5%
    assert evaluate(first + dt.timedelta(seconds=30))[arn] == "ALARM"
    assert evaluate(second + dt.timedelta(seconds=30))[arn] == "OK"
    _put(aws, unique, "Errors", {third: 3})  # errors without invocations: no division by zero
    assert evaluate(third + dt.timedelta(seconds=30))[arn] == "INSUFFICIENT_DATA"  # calls missing: IF has nothing


@pytest.fixture
def clock(endpoint: str) -> Iterator[Callable[[float], dict[str, Any]]]:
    yield lambda seconds: _post(endpoint, "clock", {"offset_seconds": seconds})
    _post(endpoint, "clock", {"offset_seconds": 0})


def test_the_clock_moves_without_sleeping_and_missing_data_breaches(aws, unique, endpoint, clock) -> None:
    cw = aws("cloudwatch")
    cw.put_metric_alarm(
        AlarmName=unique,
        Namespace=unique,
        MetricName="NewestCuratedAgeSeconds",
        Statistic="Maximum",
        Period=PERIOD,
        EvaluationPeriods=1,
        Threshold=7200,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="breaching",
    )
    arn = cw.describe_alarms(AlarmNames=[unique])["MetricAlarms"][0]["AlarmArn"]
    _put(aws, unique, "NewestCuratedAgeSeconds", {dt.datetime.now(dt.UTC): 60})
    now = _post(endpoint, "cloudwatch/evaluate", {})
    assert now["states"][arn] == "OK"
    moved = clock(2 * 3600 + 120)
    assert dt.datetime.fromisoformat(moved["now"]) - dt.datetime.now(dt.UTC) > dt.timedelta(hours=2)
    later = _post(endpoint, "cloudwatch/evaluate", {})
    assert later["states"][arn] == "ALARM"  # nothing published for two hours: missing is breaching


def test_set_alarm_state_runs_the_actions(aws, unique, topic_queue) -> None:
    topic, received = topic_queue
    cw = aws("cloudwatch")
    cw.put_metric_alarm(
        AlarmName=unique,
        Namespace=unique,
        MetricName="M",
        Statistic="Sum",
        Period=PERIOD,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
    )
    cw.set_alarm_state(AlarmName=unique, StateValue="ALARM", StateReason="drill")
    (message,) = received()
    assert (message["NewStateValue"], message["NewStateReason"]) == ("ALARM", "drill")
    cw.disable_alarm_actions(AlarmNames=[unique])
    cw.set_alarm_state(AlarmName=unique, StateValue="OK", StateReason="quiet")
    cw.set_alarm_state(AlarmName=unique, StateValue="ALARM", StateReason="quiet")
    assert received() == []  # actions disabled: nothing sent
