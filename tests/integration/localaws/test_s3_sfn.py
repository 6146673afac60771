"""S3 and Step Functions APIs that localaws adds or completes for Terraform."""

from __future__ import annotations

import json

import pytest

from ..conftest import REGION


def test_eventbridge_notification_reads_back(aws, unique) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket=unique, CreateBucketConfiguration={"LocationConstraint": REGION})
    assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket=unique)
    s3.put_bucket_notification_configuration(Bucket=unique, NotificationConfiguration={"EventBridgeConfiguration": {}})
    assert s3.get_bucket_notification_configuration(Bucket=unique)["EventBridgeConfiguration"] == {}


def test_validate_state_machine_definition_accepts_a_good_one(aws) -> None:
    good = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}
    out = aws("stepfunctions").validate_state_machine_definition(definition=json.dumps(good), type="STANDARD")
    assert (out["result"], out["diagnostics"]) == ("OK", [])


def test_validate_state_machine_definition_reports_what_is_wrong(aws) -> None:
    bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    out = aws("stepfunctions").validate_state_machine_definition(definition=json.dumps(bad))
    assert out["result"] == "FAIL"
    assert out["diagnostics"][0]["code"] == "MISSING_TRANSITION_TARGET"
    assert out["diagnostics"][0]["location"] == "/States/A"
    assert aws("stepfunctions").validate_state_machine_definition(definition="{not json")["result"] == "FAIL"


def test_list_state_machine_versions_answers_for_an_unpublished_machine(aws, unique) -> None:
    sfn = aws("stepfunctions")
    definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    arn = sfn.create_state_machine(name=unique, definition=definition, roleArn="arn:aws:iam::123456789012:role/r")[
        "stateMachineArn"
    ]
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []


def test_conditional_bucket_policy_denies_do_not_refuse_a_well_behaved_client(aws, unique) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket=unique, CreateBucketConfiguration={"LocationConstraint": REGION})
    arn = f"arn:aws:s3:::{unique}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
             "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "NoSecrets", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
             "Resource": f"{arn}/secret/*"},
        ],
    }  # fmt: skip
    s3.put_bucket_policy(Bucket=unique, Policy=json.dumps(policy))
    s3.put_object(Bucket=unique, Key="public/a", Body=b"1")
    assert s3.get_object(Bucket=unique, Key="public/a")["Body"].read() == b"1"
    s3.put_object(Bucket=unique, Key="secret/b", Body=b"2")
    with pytest.raises(s3.exceptions.ClientError, match=r"403|AccessDenied|Forbidden"):
        s3.get_object(Bucket=unique, Key="secret/b")  # an unconditional deny still applies
