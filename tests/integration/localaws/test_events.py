"""EventBridge in localaws delivers to Lambda and Step Functions targets, as AWS does."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import REGION, function_zip, wait_for

RECORDER = """
import json
def lambda_handler(event, context):
    print("EVENT " + json.dumps(event))
    return "ok"
"""


def _bucket_with_rule(aws, unique: str) -> tuple[str, str]:
    bucket = f"{unique}-landing"
    s3 = aws("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})
    rule = f"{unique}-rule"
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"prefix": "incoming/"}]}},
    }
    aws("events").put_rule(Name=rule, EventPattern=json.dumps(pattern))
    return bucket, rule


def _logged_events(aws, function: str) -> list[dict]:
    try:
        streams = aws("logs").describe_log_streams(logGroupName=f"/aws/lambda/{function}")["logStreams"]
    except aws("logs").exceptions.ResourceNotFoundException:
        return []
    found = []
    for stream in streams:
        for e in aws("logs").get_log_events(
            logGroupName=f"/aws/lambda/{function}", logStreamName=stream["logStreamName"]
        )["events"]:
            if e["message"].startswith("EVENT "):
                found.append(json.loads(e["message"][6:]))
    return found


def test_s3_object_created_reaches_a_lambda_target(aws, lambda_role, unique, tmp_path: Path) -> None:
    bucket, rule = _bucket_with_rule(aws, unique)
    fn = aws("lambda").create_function(
        FunctionName=f"{unique}-fn", Runtime="python3.12", Role=lambda_role, Handler="handler.lambda_handler",
        Code={"ZipFile": function_zip(tmp_path, RECORDER)},
    )  # fmt: skip
    aws("events").put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": fn["FunctionArn"]}])
    aws("s3").put_object(Bucket=bucket, Key="incoming/a.csv", Body=b"x")
    aws("s3").put_object(Bucket=bucket, Key="elsewhere/b.csv", Body=b"x")  # does not match the rule
    (event,) = wait_for(lambda: _logged_events(aws, f"{unique}-fn"))
    assert (event["source"], event["detail-type"]) == ("aws.s3", "Object Created")
    assert event["detail"]["bucket"]["name"] == bucket
    assert event["detail"]["object"]["key"] == "incoming/a.csv"
    assert isinstance(event["time"], str)  # ISO 8601, as EventBridge sends it
    assert set(event["detail"]["object"]) == {"key", "size", "etag", "sequencer"}  # unversioned: no version-id
    assert event["detail"]["reason"] == "PutObject"


def test_s3_object_created_starts_a_state_machine(aws, unique) -> None:
    bucket, rule = _bucket_with_rule(aws, unique)
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(
        name=f"{unique}-sm",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    aws("events").put_targets(
        Rule=rule,
        Targets=[{
            "Id": "sm", "Arn": arn, "RoleArn": "arn:aws:iam::123456789012:role/events",
            "InputTransformer": {"InputPathsMap": {"key": "$.detail.object.key"}, "InputTemplate": '{"key": <key>}'},
        }],
    )  # fmt: skip
    aws("s3").put_object(Bucket=bucket, Key="incoming/x.csv", Body=b"x")
    (execution,) = wait_for(lambda: sfn.list_executions(stateMachineArn=arn)["executions"])
    described = wait_for(
        lambda: (d := sfn.describe_execution(executionArn=execution["executionArn"]))["status"] != "RUNNING" and d
    )
    assert json.loads(described["input"]) == {"key": "incoming/x.csv"}
    assert described["status"] == "SUCCEEDED"


def test_every_event_has_its_own_id_and_a_rising_sequencer(aws, lambda_role, unique, tmp_path: Path) -> None:
    bucket, rule = _bucket_with_rule(aws, unique)
    aws("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    fn = aws("lambda").create_function(
        FunctionName=f"{unique}-fn", Runtime="python3.12", Role=lambda_role, Handler="handler.lambda_handler",
        Code={"ZipFile": function_zip(tmp_path, RECORDER)},
    )  # fmt: skip
    aws("events").put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": fn["FunctionArn"]}])
    versions = [aws("s3").put_object(Bucket=bucket, Key="incoming/a.csv", Body=b"x")["VersionId"] for _ in range(2)]
    events = wait_for(lambda: (found := _logged_events(aws, f"{unique}-fn")) and len(found) == 2 and found)
    assert len({e["id"] for e in events}) == 2
    assert sorted(e["detail"]["object"]["version-id"] for e in events) == sorted(versions)
    sequencers = sorted(e["detail"]["object"]["sequencer"] for e in events)
    assert sequencers[0] < sequencers[1]


def test_undeliverable_events_go_to_the_target_dead_letter_queue(aws, unique) -> None:
    bucket, rule = _bucket_with_rule(aws, unique)
    url = aws("sqs").create_queue(QueueName=f"{unique}-dlq")["QueueUrl"]
    dlq = aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    missing = f"arn:aws:lambda:{REGION}:123456789012:function:{unique}-gone"
    aws("events").put_targets(Rule=rule, Targets=[{"Id": "gone", "Arn": missing, "DeadLetterConfig": {"Arn": dlq}}])
    aws("s3").put_object(Bucket=bucket, Key="incoming/a.csv", Body=b"x")
    (message,) = wait_for(
        lambda: aws("sqs").receive_message(QueueUrl=url, MessageAttributeNames=["All"]).get("Messages")
    )
    assert json.loads(message["Body"])["detail"]["object"]["key"] == "incoming/a.csv"
    assert message["MessageAttributes"]["TARGET_ARN"]["StringValue"] == missing


def test_step_functions_status_changes_reach_the_default_bus(aws, unique) -> None:
    sfn, sqs = aws("stepfunctions"), aws("sqs")
    machines = {
        "ok": {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}},
        "bad": {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}}},
    }
    arns = {
        name: sfn.create_state_machine(
            name=f"{unique}-{name}", definition=json.dumps(body), roleArn="arn:aws:iam::123456789012:role/sfn"
        )["stateMachineArn"]
        for name, body in machines.items()
    }
    url = sqs.create_queue(QueueName=f"{unique}-status")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"stateMachineArn": list(arns.values())},
    }
    aws("events").put_rule(Name=f"{unique}-status", EventPattern=json.dumps(pattern))
    aws("events").put_targets(Rule=f"{unique}-status", Targets=[{"Id": "q", "Arn": queue}])

    for name, arn in arns.items():
        sfn.start_execution(stateMachineArn=arn, name=f"{name}-1", input=json.dumps({"kind": "bas"}))
    seen: list[dict] = []

    def four() -> list[dict]:
        seen.extend(
            json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        )
        return seen if len(seen) >= 4 else []

    events = wait_for(four)
    by = {(e["detail"]["name"], e["detail"]["status"]): e for e in events}
    assert set(by) == {("ok-1", "RUNNING"), ("ok-1", "SUCCEEDED"), ("bad-1", "RUNNING"), ("bad-1", "FAILED")}
    done, failed = by[("ok-1", "SUCCEEDED")], by[("bad-1", "FAILED")]
    assert done["source"] == "aws.states" and done["resources"] == [done["detail"]["executionArn"]]
    assert (
        json.loads(done["detail"]["input"]) == {"kind": "bas"}
        and done["detail"]["stopDate"] >= done["detail"]["startDate"]
    )
    assert (failed["detail"]["error"], failed["detail"]["cause"]) == ("Broken", "on purpose")
    assert by[("bad-1", "RUNNING")]["detail"]["stopDate"] is None
