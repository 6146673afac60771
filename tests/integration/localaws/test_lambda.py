"""Lambda in localaws behaves as the Lambda service does, without Docker."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from ..conftest import REGION, function_zip, wait_for

CODE = """
import json, os, time
def lambda_handler(event, context):
    print(json.dumps({"_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [
        {"Namespace": "LocalawsTest", "Dimensions": [["Fn"]], "Metrics": [{"Name": "Calls", "Unit": "Count"}]}]},
        "Fn": context.function_name, "Calls": 1}))
    if event.get("fail"):
        raise ValueError("asked to fail")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("allocate_mb"):
        hog = bytearray(event["allocate_mb"] * 1024 * 1024)
        for i in range(0, len(hog), 4096):
            hog[i] = 1
    if event.get("list_buckets"):
        import boto3
        return [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
    return {"event": event, "env": os.environ.get("GREETING"), "memory": context.memory_limit_in_mb,
            "remaining_ms": context.get_remaining_time_in_millis(), "request_id": context.aws_request_id}
"""


@pytest.fixture
def function(aws, lambda_role, unique, tmp_path: Path):
    def make(**overrides):
        spec = {
            "FunctionName": unique,
            "Runtime": "python3.12",
            "Role": lambda_role,
            "Handler": "handler.lambda_handler",
            "Code": {"ZipFile": function_zip(tmp_path, CODE)},
            "Timeout": 5,
            "MemorySize": 256,
            "Environment": {"Variables": {"GREETING": "g'day"}},
            **overrides,
        }
        aws("lambda").create_function(**spec)
        return unique

    return make


def invoke(aws, name: str, event: dict, **kwargs) -> tuple[dict, object]:
    out = aws("lambda").invoke(FunctionName=name, Payload=json.dumps(event), **kwargs)
    return out, json.loads(out["Payload"].read() or b"null")


def test_invoke_runs_the_deployed_code_with_its_environment(aws, function) -> None:
    name = function()
    out, payload = invoke(aws, name, {"hello": "world"})
    assert out["StatusCode"] == 200 and "FunctionError" not in out
    assert payload["event"] == {"hello": "world"}
    assert payload["env"] == "g'day"
    assert payload["memory"] == 256
    assert 0 < payload["remaining_ms"] <= 5000


def test_function_code_calls_aws_as_its_execution_role(aws, function, lambda_role, unique) -> None:
    aws("s3").create_bucket(Bucket=f"{unique}-b", CreateBucketConfiguration={"LocationConstraint": REGION})
    name = function()
    # the suite's emulator enforces IAM: a role without the permission is refused, as in AWS
    out, payload = invoke(aws, name, {"list_buckets": True})
    assert out["FunctionError"] == "Unhandled"
    assert "AccessDenied" in payload["errorMessage"], payload
    aws("iam").put_role_policy(
        RoleName=lambda_role.rsplit("/", 1)[1],
        PolicyName="list",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
            }
        ),
    )
    # the same warm worker: its session reads the role's policies when each call is judged
    _, payload = invoke(aws, name, {"list_buckets": True})
    assert f"{unique}-b" in payload


def test_an_exception_is_an_unhandled_function_error(aws, function) -> None:
    out, payload = invoke(aws, function(), {"fail": True}, LogType="Tail")
    assert out["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError" and payload["errorMessage"] == "asked to fail"
    assert "asked to fail" in base64.b64decode(out["LogResult"]).decode()


def test_running_past_the_timeout_is_killed(aws, function) -> None:
    name = function(Timeout=1)
    out, payload = invoke(aws, name, {"sleep": 3})
    assert out["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Sandbox.Timedout"
    _, again = invoke(aws, name, {"ok": 1})  # the next call cold-starts a fresh environment
    assert again["event"] == {"ok": 1}


def test_using_more_than_the_memory_size_is_killed(aws, function) -> None:
    _out, payload = invoke(aws, function(MemorySize=128), {"allocate_mb": 400, "sleep": 2})
    assert payload["errorType"] == "Runtime.OutOfMemory"


def test_code_updates_take_effect(aws, function, tmp_path: Path) -> None:
    name = function()
    invoke(aws, name, {})
    new_code = function_zip(tmp_path, "def lambda_handler(event, context):\n    return 'v2'\n")
    aws("lambda").update_function_code(FunctionName=name, ZipFile=new_code)
    assert invoke(aws, name, {})[1] == "v2"


def test_logs_go_to_the_log_group_and_emf_becomes_metrics(aws, function) -> None:
    name = function()
    for _ in range(3):
        invoke(aws, name, {})
    streams = aws("logs").describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 3
    events = aws("logs").get_log_events(logGroupName=f"/aws/lambda/{name}", logStreamName=streams[0]["logStreamName"])
    assert any(e["message"].startswith("START RequestId") for e in events["events"])
    now = dt.datetime.now(dt.UTC)
    stats = aws("cloudwatch").get_metric_statistics(
        Namespace="LocalawsTest", MetricName="Calls", Dimensions=[{"Name": "Fn", "Value": name}],
        StartTime=now - dt.timedelta(hours=1), EndTime=now + dt.timedelta(hours=1), Period=3600, Statistics=["Sum"],
    )  # fmt: skip
    assert stats["Datapoints"][0]["Sum"] == 3


def test_dead_letter_and_logging_config_read_back(aws, function, unique) -> None:
    queue = aws("sqs").create_queue(QueueName=f"{unique}-dlq")["QueueUrl"]
    arn = aws("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = function(DeadLetterConfig={"TargetArn": arn}, LoggingConfig={"LogFormat": "JSON"})
    config = aws("lambda").get_function_configuration(FunctionName=name)
    assert config["DeadLetterConfig"] == {"TargetArn": arn}
    assert config["LoggingConfig"] == {
        "LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO", "LogGroup": f"/aws/lambda/{name}",
    }  # fmt: skip


def test_ephemeral_storage_is_set_updated_and_capped(aws, function) -> None:
    client = aws("lambda")
    name = function(EphemeralStorage={"Size": 960})
    assert client.get_function_configuration(FunctionName=name)["EphemeralStorage"] == {"Size": 960}
    client.update_function_configuration(FunctionName=name, EphemeralStorage={"Size": 2048})
    client.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert client.get_function_configuration(FunctionName=name)["EphemeralStorage"] == {"Size": 2048}
    with pytest.raises(ClientError) as refused:  # Lambda's maximum is 10,240 MB
        client.update_function_configuration(FunctionName=name, EphemeralStorage={"Size": 10241})
    assert refused.value.response["Error"]["Code"] in {"ValidationException", "InvalidParameterValueException"}
    assert client.get_function_configuration(FunctionName=name)["EphemeralStorage"] == {"Size": 2048}


def _queue(aws, name: str) -> tuple[str, str]:
    url = aws("sqs").create_queue(QueueName=name)["QueueUrl"]
    return url, aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _messages(aws, url: str) -> list[dict]:
    return (
        aws("sqs")
        .receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        .get("Messages", [])
    )


def test_async_failures_are_retried_then_dead_lettered_with_the_original_event(aws, function, unique) -> None:
    dlq_url, dlq_arn = _queue(aws, f"{unique}-dlq")
    name = function(DeadLetterConfig={"TargetArn": dlq_arn})
    aws("lambda").put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    out = aws("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"fail": True, "n": 7}))
    assert out["StatusCode"] == 202
    (message,) = wait_for(lambda: _messages(aws, dlq_url))
    assert json.loads(message["Body"]) == {"fail": True, "n": 7}
    assert message["MessageAttributes"]["ErrorMessage"]["StringValue"] == "asked to fail"
    streams = aws("logs").describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 2  # the first attempt and one retry


def test_async_on_failure_destination_gets_an_invocation_record(aws, function, unique) -> None:
    url, arn = _queue(aws, f"{unique}-failures")
    name = function()
    aws("lambda").put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": arn}}
    )
    aws("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"fail": True}))
    (message,) = wait_for(lambda: _messages(aws, url))
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"fail": True}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "asked to fail"
