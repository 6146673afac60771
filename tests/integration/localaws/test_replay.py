"""localaws.replay: a re-sent invocation the emulator already answered gets that answer, not a second run."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ..conftest import REGION, function_zip


def send(endpoint: str, method: str, path: str, body: dict, invocation: str, attempt: int) -> tuple[int, dict]:
    """One signed attempt, as the AWS SDKs send it (invocation id and attempt number signed)."""
    request = AWSRequest(
        method=method,
        url=f"{endpoint}{path}",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "amz-sdk-invocation-id": invocation,
            "amz-sdk-request": f"attempt={attempt}; max=25",
        },
    )
    SigV4Auth(Credentials("test", "test"), "lambda", REGION).add_auth(request)
    prepared = urllib.request.Request(request.url, data=request.body, headers=dict(request.headers), method=method)
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_a_resent_create_gets_the_first_answer_and_runs_once(aws, endpoint, lambda_role, unique, tmp_path: Path):
    code = base64.b64encode(function_zip(tmp_path, "def lambda_handler(e, c):\n    return 1\n")).decode()
    spec = {
        "FunctionName": unique, "Runtime": "python3.12", "Role": lambda_role, "Handler": "handler.lambda_handler",
        "Code": {"ZipFile": code},
    }  # fmt: skip
    invocation = str(uuid.uuid4())
    first = send(endpoint, "POST", "/2015-03-31/functions", spec, invocation, attempt=1)
    # the SDK re-sends after losing the answer: same invocation, next attempt
    again = send(endpoint, "POST", "/2015-03-31/functions", spec, invocation, attempt=2)
    assert first[0] == again[0] == 201
    assert again[1] == first[1]
    # a new invocation of the same create is executed, and refused as AWS refuses it
    other = send(endpoint, "POST", "/2015-03-31/functions", spec, str(uuid.uuid4()), attempt=1)
    assert other[0] == 409, other
    versions = aws("lambda").list_versions_by_function(FunctionName=unique)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]


def test_an_error_is_not_replayed_the_retry_runs_again(aws, endpoint, lambda_role, unique, tmp_path: Path) -> None:
    grant = {"StatementId": "s3", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com"}
    path, invocation = f"/2015-03-31/functions/{unique}/policy", str(uuid.uuid4())
    assert send(endpoint, "POST", path, grant, invocation, attempt=1)[0] == 404
    # the function appears between the attempts: the retry executes instead of getting the 404 again
    aws("lambda").create_function(
        FunctionName=unique, Runtime="python3.12", Role=lambda_role, Handler="handler.lambda_handler",
        Code={"ZipFile": function_zip(tmp_path, "def lambda_handler(e, c):\n    return 1\n")},
    )  # fmt: skip
    status, _ = send(endpoint, "POST", path, grant, invocation, attempt=2)
    assert status // 100 == 2  # executed: AWS answers 201, moto 200
    assert "s3.amazonaws.com" in aws("lambda").get_policy(FunctionName=unique)["Policy"]
