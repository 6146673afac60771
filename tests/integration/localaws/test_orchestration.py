"""Step Functions on localaws runs the platform's orchestration patterns as AWS does:
Retry with backoff on a transiently failing Lambda task, and Catch -> SNS alert -> Fail
when an ETL job fails. (The pipeline's own definition is tested the same way once it exists.)"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest

from ..conftest import REGION, TEST_BUCKET_DATA, TEST_RESOURCES, allow, ensure_role, function_zip, wait_for

ROLE = "arn:aws:iam::123456789012:role/sfn"
FLAKY = """
import os
def lambda_handler(event, context):
    # fails the first `failures` calls, then succeeds: a transient fault
    path = os.environ["COUNTER"]
    count = int(open(path).read()) if os.path.exists(path) else 0
    open(path, "w").write(str(count + 1))
    if count < event["failures"]:
        raise ConnectionError(f"transient fault {count + 1}")
    return {"attempt": count + 1}
"""


@pytest.fixture(scope="module", autouse=True)
def _role(aws) -> None:
    """ROLE: the state machines' role (and the ETL job's), allowed what these patterns call."""
    arn = f"{REGION}:123456789012"
    ensure_role(
        aws, ROLE.rsplit("/", 1)[1], "states", *TEST_BUCKET_DATA,
        allow("lambda:InvokeFunction", f"arn:aws:lambda:{arn}:function:{TEST_RESOURCES}"),
        allow(["glue:StartJobRun", "glue:GetJobRun", "glue:BatchStopJobRun"],
              f"arn:aws:glue:{arn}:job/{TEST_RESOURCES}"),
        allow("sns:Publish", f"arn:aws:sns:{arn}:{TEST_RESOURCES}"),
    )  # fmt: skip


def _run(aws, name: str, definition: dict, payload: dict, role: str = ROLE) -> tuple[dict, list[dict]]:
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=role)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))["executionArn"]
    done = wait_for(lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d, 120)
    return done, sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]


def test_a_transiently_failing_lambda_task_is_retried_with_backoff(aws, lambda_role, unique, tmp_path: Path) -> None:
    fn = aws("lambda").create_function(
        FunctionName=unique, Runtime="python3.12", Role=lambda_role, Handler="handler.lambda_handler",
        Code={"ZipFile": function_zip(tmp_path, FLAKY)},
        Environment={"Variables": {"COUNTER": str(tmp_path / "count")}},
    )  # fmt: skip
    definition = {
        "StartAt": "Validate",
        "States": {
            "Validate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fn["FunctionArn"], "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0}],
                "End": True,
            }
        },
    }
    done, history = _run(aws, unique, definition, {"failures": 2})
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"attempt": 3}
    failed = [e for e in history if e["type"] == "TaskFailed"]
    scheduled = [e["timestamp"] for e in history if e["type"] == "TaskScheduled"]
    assert len(failed) == 2 and len(scheduled) == 3
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(scheduled)]
    assert gaps[0] >= 1 and gaps[1] >= 2  # 1 s, then 1 s x BackoffRate 2.0


def test_a_task_its_role_may_not_call_fails_with_access_denied(aws, lambda_role, role, unique, tmp_path) -> None:
    fn = aws("lambda").create_function(
        FunctionName=unique, Runtime="python3.12", Role=lambda_role, Handler="handler.lambda_handler",
        Code={"ZipFile": function_zip(tmp_path, "def lambda_handler(event, context):\n    return 1\n")},
    )["FunctionArn"]  # fmt: skip
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": fn},
                     "End": True},
        },
    }  # fmt: skip
    # a role allowed to invoke some other function only
    other = role("states", allow("lambda:InvokeFunction", f"{fn}-other"))
    done, history = _run(aws, unique, definition, {}, role=other)
    assert done["status"] == "FAILED"
    (failed,) = [e["taskFailedEventDetails"] for e in history if e["type"] == "TaskFailed"]
    assert "AccessDenied" in failed["error"] + failed["cause"], failed
    assert not [e for e in history if e["type"] == "TaskSucceeded"]
    # the same machine with the permission: the task runs
    done, _ = _run(aws, f"{unique}-allowed", definition, {}, role=role("states", allow("lambda:InvokeFunction", fn)))
    assert done["status"] == "SUCCEEDED", done.get("cause")


def test_a_failing_etl_job_takes_the_failure_path_and_raises_the_alert(aws, unique) -> None:
    s3, sns, sqs = aws("s3"), aws("sns"), aws("sqs")
    s3.create_bucket(Bucket=unique, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=unique, Key="jobs/etl.py", Body=b"raise RuntimeError('curated table locked')\n")
    aws("glue").create_job(
        Name=unique, Role=ROLE, GlueVersion="5.0",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{unique}/jobs/etl.py", "PythonVersion": "3"},
    )  # fmt: skip
    topic = sns.create_topic(Name=f"{unique}-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"{unique}-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    definition = {
        "StartAt": "ProcessWithGlue",
        "States": {
            "ProcessWithGlue": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": unique},
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "NotifyFailure"}],
                "Next": "Done",
            },
            "NotifyFailure": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Subject": "pipeline failed", "Message.$": "$.error"},
                "ResultPath": None,
                "Next": "PipelineFailed",
            },
            "PipelineFailed": {"Type": "Fail", "Error": "EtlFailed", "Cause": "the Glue job failed"},
            "Done": {"Type": "Succeed"},
        },
    }
    started = dt.datetime.now(dt.UTC)
    done, history = _run(aws, unique, definition, {})
    assert (done["status"], done["error"]) == ("FAILED", "EtlFailed")
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
    assert entered == ["ProcessWithGlue", "NotifyFailure", "PipelineFailed"]
    (alert,) = wait_for(lambda: sqs.receive_message(QueueUrl=queue).get("Messages"), 30)
    body = json.loads(alert["Body"])
    assert body["Error"] == "States.TaskFailed"
    assert "curated table locked" in json.loads(body["Cause"])["ErrorMessage"]
    assert done["stopDate"] >= started


def test_a_fail_state_rethrows_a_caught_states_error_through_error_path(aws, unique) -> None:
    """Catch States.ALL -> Fail with ErrorPath: the execution fails with the original
    States.* error and cause, as on AWS (moto alone reports States.Runtime)."""
    definition = {
        "StartAt": "Boom",
        "States": {
            "Boom": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": f"{unique}-missing"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
                "End": True,
            },
            "Failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
        },
    }
    rethrown = {
        "StartAt": "Failed",
        "States": {"Failed": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}},
    }
    done, _ = _run(aws, unique, rethrown, {"error": {"Error": "States.TaskFailed", "Cause": "the job failed"}})
    assert (done["status"], done["error"], done["cause"]) == ("FAILED", "States.TaskFailed", "the job failed")
    done, _ = _run(aws, f"{unique}-custom", definition, {})
    assert done["status"] == "FAILED" and done["error"] != "States.Runtime"
