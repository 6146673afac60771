"""localaws.iam: least-privilege policies judged against the request's resource, S3's 403.

In process (moto's own backends) with enforcement switched on for each test only, so
the rest of the suite is unaffected by the opt-in flag.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws, settings
from moto.core.authorization import ActionAuthenticatorMixin

import localaws
from localaws import iam

REGION = "ap-southeast-2"
ACCOUNT = "123456789012"


@pytest.fixture
def enforced() -> Iterator[Any]:
    localaws.install()
    saved = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
    with mock_aws():
        try:
            iam.enforce()
            admin = boto3.Session(
                aws_access_key_id=iam.ADMIN_ACCESS_KEY_ID,
                aws_secret_access_key=iam.ADMIN_SECRET_ACCESS_KEY,
                region_name=REGION,
            )
            yield admin
        finally:
            settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = saved


def user_with(admin: Any, name: str, statements: list[dict[str, Any]]) -> boto3.Session:
    client = admin.client("iam")
    client.create_user(UserName=name)
    client.put_user_policy(
        UserName=name,
        PolicyName="scoped",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    key = client.create_access_key(UserName=name)["AccessKey"]
    return boto3.Session(
        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"], region_name=REGION
    )


def code(exc: ClientError) -> str:
    return str(exc.response["Error"]["Code"])


def test_a_scoped_grant_allows_its_resource_and_denies_another(enforced: Any) -> None:
    ddb = enforced.client("dynamodb")
    for name in ("mine", "theirs"):
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/mine"
    user = user_with(enforced, "writer", [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": arn}])
    client = user.client("dynamodb")
    client.put_item(TableName="mine", Item={"k": {"S": "1"}})
    with pytest.raises(ClientError) as denied:
        client.put_item(TableName="theirs", Item={"k": {"S": "1"}})
    assert code(denied.value) == "AccessDeniedException"


def test_an_unmet_condition_on_an_allow_does_not_deny_other_grants(enforced: Any) -> None:
    enforced.client("sns").create_topic(Name="alerts")
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    user = user_with(
        enforced,
        "publisher",
        [
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic},
            {
                "Effect": "Allow",
                "Action": "sns:Publish",
                "Resource": topic,
                "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}},
            },
        ],
    )
    assert user.client("sns").publish(TopicArn=topic, Message="x")["MessageId"]


def test_a_missing_key_is_403_without_list_bucket_and_404_with_it(enforced: Any) -> None:
    s3 = enforced.client("s3")
    s3.create_bucket(Bucket="landing", CreateBucketConfiguration={"LocationConstraint": REGION})
    read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::landing/*"}
    reader = user_with(enforced, "reader", [read]).client("s3")
    with pytest.raises(ClientError) as get:
        reader.get_object(Bucket="landing", Key="validated/missing.report.json")
    with pytest.raises(ClientError) as head:
        reader.head_object(Bucket="landing", Key="validated/missing.report.json")
    assert (code(get.value), code(head.value)) == ("AccessDenied", "403")

    listing = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::landing"}
    lister = user_with(enforced, "lister", [read, listing]).client("s3")
    with pytest.raises(ClientError) as get:
        lister.get_object(Bucket="landing", Key="validated/missing.report.json")
    with pytest.raises(ClientError) as head:
        lister.head_object(Bucket="landing", Key="validated/missing.report.json")
    assert (code(get.value), code(head.value)) == ("NoSuchKey", "404")


def test_an_unknown_signer_is_refused(enforced: Any) -> None:
    stranger = boto3.Session(aws_access_key_id="AKIANOBODY0000000000", aws_secret_access_key="x", region_name=REGION)
    with pytest.raises(ClientError) as refused:
        stranger.client("iam").list_users()
    assert code(refused.value) == "InvalidClientTokenId"


SM = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:p"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/r"
QUALIFIED = (
    "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aap-southeast-2%3A123456789012%3Afunction%3Afn%3Alive/invocations"
)


# resource: the ARN's resource part in the request's own service, region and account
# (a whole ARN where it is another service's, "*" where the action takes no resource)
@pytest.mark.parametrize(
    ("service", "action", "params", "path", "resource"),
    [
        ("dynamodb", "PutItem", {"TableName": "t"}, "", "table/t"),
        ("kms", "Decrypt", {"KeyId": "alias/lake"}, "", "alias/lake"),
        ("kms", "GenerateDataKey", {"KeyId": "abc"}, "", "key/abc"),
        (
            "logs",
            "PutLogEvents",
            {"logGroupName": "/aws/lambda/f", "logStreamName": "s"},
            "",
            "log-group:/aws/lambda/f:log-stream:s",
        ),
        ("states", "StartExecution", {"stateMachineArn": SM}, "", "stateMachine:p"),
        ("glue", "StartJobRun", {"JobName": "curate"}, "", "job/curate"),
        ("glue", "BatchCreatePartition", {"DatabaseName": "lake", "TableName": "l"}, "", "table/lake/l"),
        ("lambda", "Invoke", {}, QUALIFIED, "function:fn"),
        ("lambda", "Invoke", {}, "/2015-03-31/functions/fn/invocations", "function:fn"),
        ("events", "PutEvents", {"Entries": [{"Source": "x"}]}, "", "event-bus/default"),
        ("sns", "Publish", {"TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:a"}, "", "a"),
        ("emr-serverless", "StartJobRun", {}, "/applications/00abc/jobruns", "/applications/00abc"),
        ("sts", "AssumeRole", {"RoleArn": ROLE}, "", ROLE),
        ("cloudwatch", "PutMetricData", {"Namespace": "n"}, "", "*"),
        ("xray", "PutTraceSegments", {}, "", "*"),
    ],
)
def test_each_request_is_judged_on_the_resource_aws_names(
    service: str, action: str, params: dict[str, Any], path: str, resource: str
) -> None:
    arn = (
        resource
        if resource == "*" or resource.startswith("arn:")
        else f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"
    )
    assert iam.resource_arn(service, action, ACCOUNT, REGION, params, path) == arn


def test_glue_get_table_is_judged_on_the_table_it_names(enforced: Any) -> None:
    glue = enforced.client("glue")
    glue.create_database(DatabaseInput={"Name": "lake"})
    for name in ("mine", "theirs"):
        glue.create_table(DatabaseName="lake", TableInput={"Name": name})
    arn = f"arn:aws:glue:{REGION}:{ACCOUNT}:table/lake/mine"
    client = user_with(enforced, "reader", [{"Effect": "Allow", "Action": "glue:GetTable", "Resource": arn}]).client(
        "glue"
    )
    assert client.get_table(DatabaseName="lake", Name="mine")["Table"]["Name"] == "mine"
    with pytest.raises(ClientError) as denied:
        client.get_table(DatabaseName="lake", Name="theirs")
    assert code(denied.value) == "AccessDeniedException"
