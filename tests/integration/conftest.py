"""Integration fixtures: a real local AWS endpoint (python -m localaws) on 127.0.0.1.

Set TAXLAKE_ENDPOINT to run against an endpoint that is already up (for
example a LocalStack you started); otherwise each session starts its own
emulator on a free port and stops it at the end.
"""

from __future__ import annotations

import itertools
import json
import socket
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REGION = "ap-southeast-2"
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from local_platform import Emulator, clients, external_endpoint  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def emulator_log(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Where this session's emulator logs (None against an endpoint started elsewhere)."""
    if external_endpoint():
        return None
    return tmp_path_factory.mktemp("localaws") / "localaws.log"


@pytest.fixture(scope="session")
def endpoint(emulator_log: Path | None) -> Iterator[str]:
    existing = external_endpoint()
    if existing or emulator_log is None:
        yield str(existing)
        return
    # the same start-up as `nox -s up`: a failure shows the emulator's own last lines
    emulator = Emulator(
        port=_free_port(),
        state=emulator_log.parent,
        env={"LOCALAWS_RETRY_DELAY": "0.2", "LOCALAWS_IAM": "enforce", "LOCALAWS_ALARM_INTERVAL": "0"},
    )
    emulator.start()
    try:
        yield emulator.endpoint
    finally:
        emulator.stop()


@pytest.fixture(scope="session")
def aws(endpoint: str) -> Callable[[str], Any]:
    """aws("s3") -> a boto3 client for the endpoint, built by localstack-client as the harness builds its own."""

    def client(service: str) -> Any:
        return clients(endpoint, names=(service,))[service]

    return client


@pytest.fixture
def unique(request: pytest.FixtureRequest) -> str:
    """A name no other test uses: tests share one endpoint and must not collide."""
    return f"t{abs(hash(request.node.nodeid)) % 10**8}-{int(time.time() * 1000) % 10**6}"


def function_zip(tmp_path: Path, source: str, name: str = "handler.py") -> bytes:
    path = tmp_path / "fn.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(name, source)
    return path.read_bytes()


Role = Callable[..., str]
# what each test names begins with (see `unique`): a module's shared role is scoped to it
TEST_RESOURCES = "t*"


def ensure_role(aws: Callable[[str], Any], name: str, service: str, *statements: dict[str, Any]) -> str:
    """The role ``name`` trusted by ``service`` with exactly ``statements`` (created or updated)."""
    iam = aws("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    try:
        arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])
    except iam.exceptions.EntityAlreadyExistsException:
        arn = str(iam.get_role(RoleName=name)["Role"]["Arn"])
    if statements:
        policy = {"Version": "2012-10-17", "Statement": list(statements)}
        iam.put_role_policy(RoleName=name, PolicyName="grants", PolicyDocument=json.dumps(policy))
    return arn


@pytest.fixture
def role(aws: Callable[[str], Any], unique: str) -> Role:
    """role("states", {"Effect": ..., "Action": ..., "Resource": ...}, ...) -> the ARN of a new role.

    The suite's emulator enforces IAM (LOCALAWS_IAM=enforce): a function, job or state
    machine acts with exactly the statements its role is given here, as in AWS.
    """
    made = itertools.count()

    def make(service: str, *statements: dict[str, Any]) -> str:
        return ensure_role(aws, f"{unique}-{service}-{next(made)}", service, *statements)

    return make


def allow(action: str | list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


# a job's data access to the tests' own buckets (every test name starts with TEST_RESOURCES)
TEST_BUCKET_DATA = (
    allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], f"arn:aws:s3:::{TEST_RESOURCES}/*"),
    allow("s3:ListBucket", f"arn:aws:s3:::{TEST_RESOURCES}"),
)


@pytest.fixture
def lambda_role(role: Role) -> str:
    """A Lambda execution role with no permissions."""
    return role("lambda")


def wait_for(predicate: Callable[[], Any], timeout: float = 30, interval: float = 0.2) -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def follow(
    describe: Callable[[], dict], field: str, final: set[str], timeout: float = 120, interval: float = 0.2
) -> tuple[dict, list[str]]:
    """Poll ``describe`` until its ``field`` is one of ``final``: the last description and every state seen."""
    seen: list[str] = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        described = describe()
        if not seen or seen[-1] != described[field]:
            seen.append(described[field])
        if described[field] in final:
            return described, seen
        time.sleep(interval)
    raise AssertionError(f"still {seen[-1]} after {timeout}s")
