"""derive_statements: least-privilege IAM for each supported integration, problems for the rest."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from taxlake.asl import PolicyError, derive_policy, derive_statements, policy_document

from .corpus import VALID, name

REGION, ACCOUNT = "ap-southeast-2", "111122223333"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:validator"


def task(resource: str, parameters: Any = None, **extra: Any) -> dict[str, Any]:
    """A Task state; ``Next=...`` replaces the default ``End: true``."""
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, **extra}
    if "Next" not in extra:
        state["End"] = True
    if parameters is not None:
        state["Parameters"] = parameters
    return state


def one(state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": state}}


def grants(doc: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (action, resource) pair the statements allow."""
    return {
        (action, resource)
        for s in derive_statements(doc, region=REGION, account=ACCOUNT)
        for action in s["Action"]
        for resource in s["Resource"]
    }


def problems(doc: dict[str, Any]) -> list[str]:
    return [str(p) for p in derive_policy(doc, region=REGION, account=ACCOUNT).problems]


@pytest.mark.parametrize(
    ("function_name", "parameters", "resource"),
    [
        (FN, {}, FN),
        ("validator", {}, FN),
        (f"{ACCOUNT}:function:validator", {}, FN),
        (f"{FN}:live", {}, f"{FN}:live"),
        ("validator:7", {}, f"{FN}:7"),
        ("validator", {"Qualifier": "live"}, f"{FN}:live"),
    ],
)
def test_lambda_invoke_grants_exactly_the_function(function_name: str, parameters: dict, resource: str) -> None:
    doc = one(task("arn:aws:states:::lambda:invoke", {"FunctionName": function_name, "Payload.$": "$", **parameters}))
    assert grants(doc) == {("lambda:InvokeFunction", resource)}


def test_direct_lambda_arn_resource_and_callback_pattern() -> None:
    doc = {
        "StartAt": "A",
        "States": {
            "A": task(FN, Next="B"),
            "B": task("arn:aws:states:::lambda:invoke.waitForTaskToken", {"FunctionName": "other"}),
        },
    }
    assert grants(doc) == {
        ("lambda:InvokeFunction", FN),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other"),
    }


def test_glue_sync_can_watch_and_stop_the_run_request_response_only_starts_it() -> None:
    job = f"arn:aws:glue:{REGION}:{ACCOUNT}:job/transform"
    sync = one(task("arn:aws:states:::glue:startJobRun.sync", {"JobName": "transform"}))
    assert grants(sync) == {
        ("glue:StartJobRun", job),
        ("glue:GetJobRun", job),
        ("glue:GetJobRuns", job),
        ("glue:BatchStopJobRun", job),
    }
    plain = one(task("arn:aws:states:::glue:startJobRun", {"JobName": "transform"}))
    assert grants(plain) == {("glue:StartJobRun", job)}


def test_emr_serverless_sync() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/emr-job"
    params = {"ApplicationId": "00fabc", "ExecutionRoleArn": role, "JobDriver": {}}
    doc = one(task("arn:aws:states:::emr-serverless:startJobRun.sync", params))
    app = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/00fabc"
    rule = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForEMRServerlessJobRule"
    assert grants(doc) == {
        ("emr-serverless:StartJobRun", app),
        ("emr-serverless:GetJobRun", f"{app}/jobruns/*"),
        ("emr-serverless:CancelJobRun", f"{app}/jobruns/*"),
        ("iam:PassRole", role),
        ("events:PutTargets", rule),
        ("events:PutRule", rule),
        ("events:DescribeRule", rule),
    }
    statements = derive_statements(doc, region=REGION, account=ACCOUNT)
    pass_role = next(s for s in statements if s["Action"] == ["iam:PassRole"])
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}}
    # StartJobRun and the run-level actions stay on their own resources, not a cross product
    assert [s["Resource"] for s in statements if s["Sid"].startswith("EmrServerless")] == [[f"{app}/jobruns/*"], [app]]


def test_emr_serverless_request_response_has_no_run_or_rule_permissions() -> None:
    params = {"ApplicationId": "00fabc", "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/emr-job"}
    actions = {a for a, _ in grants(one(task("arn:aws:states:::emr-serverless:startJobRun", params)))}
    assert actions == {"emr-serverless:StartJobRun", "iam:PassRole"}


def test_sns_publish_and_event_buses() -> None:
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    bus_arn = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/partner"
    entries = [{"EventBusName": "taxlake"}, {"Source": "x"}, {"EventBusName": bus_arn}]
    doc = {
        "StartAt": "A",
        "States": {
            "A": task("arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": "hi"}, Next="B"),
            "B": task("arn:aws:states:::events:putEvents", {"Entries": entries}),
        },
    }
    assert grants(doc) == {
        ("sns:Publish", topic),
        ("events:PutEvents", f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/taxlake"),
        ("events:PutEvents", f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"),
        ("events:PutEvents", bus_arn),
    }


@pytest.mark.parametrize(
    ("resource", "parameters", "expected"),
    [
        (
            "arn:aws:states:::aws-sdk:dynamodb:putItem",
            {"TableName": "periods", "Item": {}},
            {("dynamodb:PutItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/periods")},
        ),
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            {"Bucket": "curated", "Key": "manifest.json"},
            {("s3:GetObject", "arn:aws:s3:::curated/manifest.json")},
        ),
        (
            "arn:aws:states:::aws-sdk:sfn:startExecution",
            {"StateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:child", "Input": "{}"},
            {("states:StartExecution", f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:child")},
        ),
        (
            "arn:aws:states:::aws-sdk:sqs:sendMessage",
            {"QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/work", "MessageBody": "x"},
            {("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:work")},
        ),
    ],
)
def test_aws_sdk_calls_are_scoped_to_their_resource_parameter(
    resource: str, parameters: dict, expected: set[tuple[str, str]]
) -> None:
    assert grants(one(task(resource, parameters))) == expected


def test_an_aws_sdk_call_without_a_resource_is_a_problem_not_a_wildcard() -> None:
    doc = one(task("arn:aws:states:::aws-sdk:ec2:describeInstances", {}))
    assert problems(doc) == [
        "States.T: aws-sdk:ec2:describeInstances: no resource parameter (an ARN, QueueUrl, TableName or Bucket): "
        "refusing to grant it on '*'"
    ]
    with pytest.raises(PolicyError):
        derive_statements(doc, region=REGION, account=ACCOUNT)


@pytest.mark.parametrize(
    ("state", "problem"),
    [
        (
            task("arn:aws:states:::lambda:invoke", {"FunctionName.$": "$.fn"}),
            "States.T: FunctionName.$: only known at run time, so its permission can't be derived",
        ),
        (
            {
                **task("arn:aws:states:::lambda:invoke"),
                "QueryLanguage": "JSONata",
                "Arguments": {"FunctionName": "{% $fn %}"},
            },
            "States.T: FunctionName: only known at run time, so its permission can't be derived",
        ),
        (
            {**task("arn:aws:states:::lambda:invoke"), "QueryLanguage": "JSONata", "Arguments": "{% $states.input %}"},
            "States.T: Arguments: only known at run time, so its permission can't be derived",
        ),
        (
            task("arn:aws:states:::glue:startJobRun.sync", {"JobName.$": "$.job"}),
            "States.T: JobName.$: only known at run time, so its permission can't be derived",
        ),
        (
            task("arn:aws:states:::events:putEvents", {"Entries.$": "$.entries"}),
            "States.T: Entries.$: only known at run time, so its permission can't be derived",
        ),
        (
            task("arn:aws:states:::glue:startJobRun", {}),
            "States.T: missing parameter JobName: the permission can't be scoped without it",
        ),
        (
            task("arn:aws:states:::sns:publish", {"PhoneNumber": "+61400000000", "Message": "x"}),
            "States.T: sns:publish without TopicArn or TargetArn (a PhoneNumber can't be scoped)",
        ),
        (
            task("arn:aws:states:::sns:publish", {"TopicArn": "*", "Message": "x"}),
            "States.T: refusing to grant sns:Publish on '*': a wildcard",
        ),
        (
            task("arn:aws:states:::ecs:runTask.sync", {"Cluster": "c"}),
            "States.T: Resource 'arn:aws:states:::ecs:runTask.sync': no IAM derivation for this integration",
        ),
        (
            task("arn:aws:states:ap-southeast-2:111122223333:activity:approve"),
            "States.T: Resource 'arn:aws:states:ap-southeast-2:111122223333:activity:approve': no IAM derivation "
            "for this kind of resource",
        ),
    ],
)
def test_what_cannot_be_derived_is_a_problem(state: dict[str, Any], problem: str) -> None:
    assert problems(one(state)) == [problem]


def test_cross_account_credentials_need_assume_role() -> None:
    role = "arn:aws:iam::444455556666:role/writer"
    doc = one(task(FN, Credentials={"RoleArn": role}))
    assert grants(doc) == {("lambda:InvokeFunction", FN), ("sts:AssumeRole", role)}


def test_nested_branches_and_processors_are_walked() -> None:
    processor = {"StartAt": "I", "States": {"I": task(FN)}}
    branch = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}}
    doc = one({"Type": "Parallel", "Branches": [branch], "End": True})
    assert grants(doc) == {("lambda:InvokeFunction", FN)}


def test_distributed_maps_are_flagged_not_silently_under_granted() -> None:
    doc = json.loads(next(p for p in VALID if name(p) == "map_distributed").read_text())
    assert problems(doc) == [
        "States.ScoreAll: distributed Map: states:StartExecution and S3 permissions are not derived"
    ]


def test_statements_are_deterministic_sorted_and_never_wildcards() -> None:
    doc = json.loads(next(p for p in VALID if name(p) == "lodgement_ingest").read_text())
    first = derive_statements(doc, region=REGION, account=ACCOUNT)
    shuffled = dict(doc, States=dict(random.Random(7).sample(sorted(doc["States"].items()), len(doc["States"]))))
    assert derive_statements(shuffled, region=REGION, account=ACCOUNT) == first
    assert json.dumps(policy_document(first), sort_keys=False) == json.dumps(
        policy_document(derive_statements(doc, region=REGION, account=ACCOUNT))
    )
    sids = [s["Sid"] for s in first]
    assert len(set(sids)) == len(sids) and all(sid.isalnum() for sid in sids)
    for s in first:
        assert s["Action"] == sorted(s["Action"]) and s["Resource"] == sorted(s["Resource"])
        assert not any(part == "*" for part in [*s["Action"], *s["Resource"]])
        assert all(":" in action and "*" not in action for action in s["Action"])
    assert [s["Sid"] for s in first] == ["EmrServerless1", "EmrServerless2", "Events", "Glue", "Iam", "Lambda", "Sns"]


def test_the_region_and_account_come_from_the_caller() -> None:
    doc = one(task("arn:aws:states:::glue:startJobRun", {"JobName": "j"}))
    statements = derive_statements(doc, region="eu-west-1", account="999988887777")
    assert statements[0]["Resource"] == ["arn:aws:glue:eu-west-1:999988887777:job/j"]
