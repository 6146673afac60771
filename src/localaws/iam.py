"""IAM evaluation against the request's resource, and S3's 403 for a key a caller may not list.

moto enforces identity-based policies once ``INITIAL_NO_AUTH_ACTION_COUNT`` requests
have passed, but outside S3 it judges every request against resource ``"*"``: a
least-privilege statement naming an ARN never matches, so a scoped role is denied
everything. This extension:

- computes each request's resource ARN from :data:`RESOURCES` (service -> action ->
  ARN built from the request) for the services and actions the platform calls;
  actions AWS documents without resource-level permissions stay ``"*"``;
- treats an ``Allow`` whose condition is not met as not applying (moto turns it into
  an explicit deny, which then overrides every other grant);
- answers a GET/HEAD of a missing key with 403 AccessDenied when the caller lacks
  ``s3:ListBucket`` on the bucket, as S3 does (404 only to callers allowed to list);
- creates the bootstrap admin (:data:`ADMIN_USER`), whose keys are LocalStack's
  ``test`` / ``test``: every local client, Terraform included, already signs with them;
- gives the platform's own workers their role's credentials, as AWS does: a Lambda's
  execution role, a Glue job's role, an EMR Serverless run's execution role and a state
  machine's role (its Task states call the services signed as that role), from STS
  AssumeRole (:func:`role_credentials`).

Enforcement is opt-in: ``LOCALAWS_IAM=enforce`` (see :func:`enforcing`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

log = logging.getLogger("localaws.iam")

ENV_FLAG = "LOCALAWS_IAM"
ADMIN_USER = "localaws-admin"
# LocalStack's convention, so the harness, Terraform's local provider, the tests and any
# LocalStack tooling are the administrator without being told a key (moto judges a key
# without a session token as an IAM user's)
ADMIN_ACCESS_KEY_ID = "test"
ADMIN_SECRET_ACCESS_KEY = "test"  # noqa: S105 - the local emulator's well-known key
ADMIN_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "localaws:none", "Resource": "*"}]}
)

Params = Mapping[str, Any]
# (account, region, partition, params, path) -> resource ARN
Builder = Callable[[str, str, str, Params, str], str]


def enforcing() -> bool:
    """True when ``LOCALAWS_IAM=enforce``: requests must be signed by a known identity."""
    return os.environ.get(ENV_FLAG, "").strip().lower() == "enforce"


def _name_or_arn(value: str, arn: str) -> str:
    return value if value.startswith("arn:") else arn


def _lambda_name(path: str, params: Params) -> str:
    match = re.search(r"/functions/([^/]+)", path)
    name = unquote(match.group(1)) if match else str(params.get("FunctionName", ""))
    return name.split(":")[6] if name.startswith("arn:") else name.split(":")[0]


def _arn(service: str, template: str, *keys: str) -> Builder:
    """An ARN from request parameters; a parameter already holding an ARN is used as is."""

    def build(account: str, region: str, partition: str, params: Params, path: str) -> str:
        values = [str(params.get(k, "")) for k in keys]
        if values and values[0].startswith("arn:"):
            return values[0]
        resource = template.format(*values)
        return f"arn:{partition}:{service}:{region}:{account}:{resource}"

    return build


def _kms(account: str, region: str, partition: str, params: Params, path: str) -> str:
    key = str(params.get("KeyId", ""))
    if key.startswith("arn:"):
        return key
    if key.startswith("alias/"):
        return f"arn:{partition}:kms:{region}:{account}:{key}"
    return f"arn:{partition}:kms:{region}:{account}:key/{key}"


def _lambda(account: str, region: str, partition: str, params: Params, path: str) -> str:
    return f"arn:{partition}:lambda:{region}:{account}:function:{_lambda_name(path, params)}"


def _emr(account: str, region: str, partition: str, params: Params, path: str) -> str:
    match = re.search(r"/applications/([^/]+)(/jobruns/([^/]+))?", path)
    if not match:
        return "*"
    arn = f"arn:{partition}:emr-serverless:{region}:{account}:/applications/{match.group(1)}"
    return f"{arn}/jobruns/{match.group(3)}" if match.group(3) else arn


def _role(account: str, region: str, partition: str, params: Params, path: str) -> str:
    return str(params.get("RoleArn") or "*")


def _bus(account: str, region: str, partition: str, params: Params, path: str) -> str:
    entries = params.get("Entries") or [{}]
    bus = str((entries[0] or {}).get("EventBusName") or "default")
    return _name_or_arn(bus, f"arn:{partition}:events:{region}:{account}:event-bus/{bus}")


_table = _arn("dynamodb", "table/{}", "TableName")
_log_group = _arn("logs", "log-group:{}", "logGroupName")
_log_stream = _arn("logs", "log-group:{}:log-stream:{}", "logGroupName", "logStreamName")
_machine = _arn("states", "stateMachine:{}", "stateMachineArn")
_execution = _arn("states", "execution:{}", "executionArn")
_job = _arn("glue", "job/{}", "JobName")
_glue_db = _arn("glue", "database/{}", "DatabaseName")


def _glue_table(account: str, region: str, partition: str, params: Params, path: str) -> str:
    # GetTable names the table "Name", UpdateTable inside "TableInput", the partition calls "TableName"
    table = params.get("TableName") or params.get("Name") or (params.get("TableInput") or {}).get("Name", "")
    return f"arn:{partition}:glue:{region}:{account}:table/{params.get('DatabaseName', '')}/{table}"


_topic = _arn("sns", "{}", "TopicArn")
_rule = _arn("events", "rule/{}", "Name")

# service (the signing name) -> action -> resource; an action absent here is judged on
# "*", which is right for the actions AWS documents without resource-level permissions
# (cloudwatch:PutMetricData, xray:PutTraceSegments, sts:GetCallerIdentity, List*, ...).
RESOURCES: dict[str, dict[str, Builder]] = {
    "dynamodb": dict.fromkeys(("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "DescribeTable"), _table),
    "kms": dict.fromkeys(("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"), _kms),
    "logs": {"CreateLogStream": _log_group, "PutLogEvents": _log_stream, "DescribeLogStreams": _log_group},
    "states": {
        "StartExecution": _machine,
        "StartSyncExecution": _machine,
        "DescribeStateMachine": _machine,
        "DescribeExecution": _execution,
        "StopExecution": _execution,
    },
    "glue": {
        "StartJobRun": _job,
        "GetJobRun": _job,
        "GetJobRuns": _job,
        "BatchStopJobRun": _job,
        "GetDatabase": _glue_db,
        "GetTable": _glue_table,
        "CreatePartition": _glue_table,
        "BatchCreatePartition": _glue_table,
        "GetPartitions": _glue_table,
        "UpdateTable": _glue_table,
    },
    "lambda": {"Invoke": _lambda, "InvokeAsync": _lambda, "GetFunction": _lambda},
    "events": {"PutEvents": _bus, "PutRule": _rule, "PutTargets": _rule, "DescribeRule": _rule},
    "sns": {"Publish": _topic},
    "emr-serverless": {"StartJobRun": _emr, "GetJobRun": _emr, "CancelJobRun": _emr, "GetApplication": _emr},
    "sts": {"AssumeRole": _role},
}


# API operation -> IAM action, where the two names differ (moto judges the operation's name)
IAM_ACTIONS = {"lambda:Invoke": "lambda:InvokeFunction"}


def resource_arn(service: str, action: str, account: str, region: str, params: Params, path: str = "") -> str:
    """The ARN a request for ``service:action`` acts on, ``"*"`` when not resource-scoped."""
    build = RESOURCES.get(service, {}).get(action)
    if build is None:
        return "*"
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    try:
        return build(account, region, partition, params, path)
    except (AttributeError, IndexError, KeyError, TypeError):  # a malformed request: the service rejects it
        return "*"


def _service_of(response: Any) -> str:
    auth = str(response.headers.get("Authorization", ""))
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
    return match.group(1) if match else ""


def _params(response: Any) -> dict[str, Any]:
    body: Any = response.body
    if not isinstance(body, dict):  # moto has already parsed some services' bodies
        try:
            body = json.loads(body) if body else {}
        except (TypeError, ValueError):
            body = {}
    params = dict(body) if isinstance(body, dict) else {}
    for key, value in (response.querystring or {}).items():
        params.setdefault(key, value[0] if isinstance(value, list) and value else value)
    return params


def _patch_resources() -> None:
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import AccessDeniedError, JsonRESTError

    original = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action

    def authorize(self: Any, resource: str = "*") -> None:
        if resource == "*" and "Authorization" in self.headers:
            action = self._get_action()
            resource = resource_arn(
                _service_of(self), action, self.current_account, self.region, _params(self), self.path
            )
        try:
            original(self, resource)
        except AccessDeniedError as exc:
            # JSON-protocol services (X-Amz-Target) say AccessDeniedException in JSON;
            # moto answers every service in IAM's XML shape
            if self.headers.get("X-Amz-Target") or "json" in str(self.headers.get("Content-Type", "")):
                raise JsonRESTError("AccessDeniedException", str(exc.description or "")) from None
            raise

    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = authorize  # type: ignore[method-assign]


def _patch_requests() -> None:
    """Judge the IAM action (not the API operation's name); sign a bodiless request over an
    empty payload, as the client did.

    moto falls back to the parameters it parsed from the path when the body is empty, so
    every signed bodiless call to a REST-JSON service (Lambda's GetFunctionConfiguration,
    EMR Serverless's StartApplication, ...) was answered SignatureDoesNotMatch once
    enforcement was on.
    """
    from moto.iam.access_control import IAMRequestBase

    original = IAMRequestBase._create_aws_request
    init = IAMRequestBase.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._action = IAM_ACTIONS.get(self._action, self._action)

    IAMRequestBase.__init__ = __init__  # type: ignore[method-assign]

    def _create_aws_request(self: Any) -> Any:
        form = "x-www-form-urlencoded" in str(self._headers.get("Content-Type", ""))
        # a query-protocol form body reaches here already parsed: there the fallback is right
        if self._body is not None and not self._body and not form:
            saved, self._data = self._data, b""
            try:
                return original(self)
            finally:
                self._data = saved
        return original(self)

    IAMRequestBase._create_aws_request = _create_aws_request  # type: ignore[method-assign]


def _patch_conditions() -> None:
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    original = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        # an Allow whose condition or principal does not hold does not apply; only a Deny denies
        if result == PermissionResult.DENIED and self._statement.get("Effect") == "Allow":
            return PermissionResult.NEUTRAL
        return result

    IAMPolicyStatement.is_action_permitted = is_action_permitted  # type: ignore[method-assign]


def may_list(response: Any, bucket: str) -> bool:
    """Whether the signer of this S3 request may s3:ListBucket ``bucket`` (always, when not enforcing)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import S3IAMRequest
    from moto.s3.exceptions import S3ClientError

    if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
        return True
    if "Authorization" not in response.headers:
        return False
    try:
        request = S3IAMRequest(
            account_id=response.current_account,
            method="GET",
            path=f"/{bucket}",
            data={},
            body=b"",
            headers=response.headers,
            action="ListBucket",
        )
        request.check_action_permitted(f"arn:aws:s3:::{bucket}")
    except S3ClientError:
        return False
    return True


def _patch_missing_keys() -> None:
    from moto.s3.exceptions import MissingKey, S3AccessDeniedError
    from moto.s3.responses import S3Response

    get_key = S3Response._get_key
    head_object = S3Response.head_object

    def _get_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return get_key(self, *args, **kwargs)
        except MissingKey:
            if not may_list(self, self.bucket_name):
                raise S3AccessDeniedError() from None
            raise

    def head(self: Any, *args: Any, **kwargs: Any) -> Any:
        status, headers, body = head_object(self, *args, **kwargs)
        if status == 404 and not may_list(self, self.bucket_name):
            return 403, headers, ""
        return status, headers, body

    S3Response._get_key = _get_key  # type: ignore[method-assign]
    S3Response.head_object = head  # type: ignore[method-assign]


def bootstrap_admin(account_id: str = "123456789012") -> None:
    """Create the admin user with the fixed keys (idempotent), before enforcement starts."""
    from moto.iam.models import iam_backends

    backend = iam_backends[account_id]["aws"]
    if ADMIN_USER not in {u.name for u in backend.list_users("/", None, None)}:
        backend.create_user(region_name="us-east-1", user_name=ADMIN_USER, path="/")
        backend.put_user_policy(ADMIN_USER, "admin", ADMIN_POLICY)
    user = backend.get_user(ADMIN_USER)
    if not any(k.access_key_id == ADMIN_ACCESS_KEY_ID for k in user.access_keys):
        key = backend.create_access_key(ADMIN_USER)
        key.access_key_id = ADMIN_ACCESS_KEY_ID
        key.secret_access_key = ADMIN_SECRET_ACCESS_KEY


def enforce() -> None:
    """Turn enforcement on now: the admin exists and every later request must be signed."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    bootstrap_admin()
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    log.info("IAM enforced; admin access key %s", ADMIN_ACCESS_KEY_ID)


@dataclass(frozen=True)
class Credentials:
    """Temporary credentials, as the Lambda, Glue and EMR services hand them to their code."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def environment(self) -> dict[str, str]:
        env = {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        return env

    def client_arguments(self) -> dict[str, str | None]:
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_session_token": self.session_token,
        }


ADMIN = Credentials(ADMIN_ACCESS_KEY_ID, ADMIN_SECRET_ACCESS_KEY)
_sessions: dict[tuple[str, str], Credentials] = {}
_sessions_lock = threading.Lock()


def role_credentials(role_arn: str | None, session_name: str = "localaws") -> Credentials:
    """A session of ``role_arn`` from moto's STS (kept per role and session name).

    moto never expires a session, so one per role serves every later run; the policies are
    read when each request is judged, so a changed role policy applies at once. Without a
    role (a resource created outside the platform's modules) the caller is the admin.
    """
    if not role_arn or not role_arn.startswith("arn:"):
        return ADMIN
    key = (role_arn, session_name[:64])
    with _sessions_lock:
        found = _sessions.get(key)
        if found is None:
            from moto.sts.models import sts_backends

            account = role_arn.split(":")[4]
            partition = role_arn.split(":")[1]
            session = sts_backends[account][partition].assume_role(
                region_name="us-east-1",
                role_session_name=key[1],
                role_arn=role_arn,
                policy="",
                duration=43200,
                external_id="",
            )
            found = Credentials(session.access_key_id, session.secret_access_key, session.session_token)
            _sessions[key] = found
        return found


def _patch_state_machine_clients() -> None:
    """Task states call AWS signed as the state machine's role (moto signs them as nobody)."""
    import importlib
    import pkgutil
    import sys

    import boto3
    from moto.stepfunctions.parser.asl import component
    from moto.stepfunctions.parser.asl.utils import boto_client

    original = boto_client.boto_client_for
    if getattr(original, "localaws", False):
        return
    current = threading.local()

    class SignedAs:
        """``boto3`` as boto_client_for sees it: clients get the task's credentials."""

        def client(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.update((current.credentials or ADMIN).client_arguments())
            return boto3.client(*args, **kwargs)

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        current.credentials = role_credentials(getattr(state_credentials, "role_arn", None), "states")
        try:
            return original(region, service, state_credentials)
        finally:
            current.credentials = None

    boto_client_for.localaws = True  # type: ignore[attr-defined]
    setattr(boto_client, "boto3", SignedAs())  # noqa: B010 - moto does not export it
    # the task modules import the function by name: load them all, then rebind each
    for info in pkgutil.walk_packages(component.__path__, f"{component.__name__}."):
        try:
            importlib.import_module(info.name)
        except ImportError:  # a module moto ships for an integration it does not run
            continue
    for module in list(sys.modules.values()):
        if getattr(module, "boto_client_for", None) is original:
            setattr(module, "boto_client_for", boto_client_for)  # noqa: B010
    boto_client.boto_client_for = boto_client_for


def install() -> None:
    _patch_state_machine_clients()
    _patch_resources()
    _patch_requests()
    _patch_conditions()
    _patch_missing_keys()
    if enforcing():
        enforce()
