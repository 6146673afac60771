"""Lambda: run the deployed code, as the Lambda service would, without Docker.

moto's Lambda stores functions faithfully but executes code only in Docker.
Here an invocation unpacks the function's zip and layers and runs the
handler on the runtime's Python (see ``lambda_runner``), with the function's
environment, timeout and memory size. Around that, what AWS does:

- Synchronous invoke returns the handler's result, or an error payload with
  ``X-Amz-Function-Error: Unhandled``.
- Asynchronous invoke (``InvocationType=Event``, EventBridge, S3...) returns
  202 at once; failures are retried ``MaximumRetryAttempts`` times (default
  2), then sent to the on-failure destination (an invocation record) and/or
  the dead-letter queue (the original event).
- Each invocation's output goes to the function's log group (LoggingConfig
  or ``/aws/lambda/<name>``); Embedded Metric Format lines become CloudWatch
  metrics, as CloudWatch Logs turns them into metrics in AWS; each invocation counts in
  AWS/Lambda Invocations, Errors and Duration by FunctionName, as Lambda reports them.
- Up to ``reserved concurrency`` (capped by LOCALAWS_LAMBDA_WORKERS, default 2)
  warm workers per function.
- DeadLetterConfig and LoggingConfig are stored and read back, and an
  update of EphemeralStorage is applied (moto drops them, which Terraform
  sees as drift). The /tmp size is not enforced: workers share the host's.

X-Ray is not emulated: workers run with the X-Ray SDK disabled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import queue
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from localaws import iam
from localaws.lambda_runner import LocalFunction

log = logging.getLogger("localaws.lambda")
WORKDIR = Path(os.environ.get("LOCALAWS_STATE", ".local")) / "lambda"
MAX_WORKERS = int(os.environ.get("LOCALAWS_LAMBDA_WORKERS", "2"))
# AWS waits about 1 then 2 minutes between async retries; locally, seconds
RETRY_DELAY_SECONDS = float(os.environ.get("LOCALAWS_RETRY_DELAY", "1"))


class FunctionPool:
    """Warm workers of one function version (code + configuration)."""

    def __init__(self, fingerprint: str, make: Any, size: int) -> None:
        self.fingerprint = fingerprint
        self._make = make
        self._idle: queue.LifoQueue[LocalFunction] = queue.LifoQueue()
        self._slots = threading.Semaphore(size)
        self._all: list[LocalFunction] = []
        self._lock = threading.Lock()

    def invoke(self, event: Any) -> tuple[dict[str, Any], str]:
        with self._slots:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = self._make()
                with self._lock:
                    self._all.append(worker)
            try:
                return worker.invoke(event)
            finally:
                self._idle.put(worker)

    def close(self) -> None:
        with self._lock:
            for worker in self._all:
                worker.close()
            self._all.clear()


_pools: dict[str, FunctionPool] = {}
_pools_lock = threading.Lock()


def _fingerprint(fn: Any, layers: list[bytes]) -> str:
    parts = [
        fn.code_sha_256,
        fn.handler,
        fn.run_time,
        str(fn.timeout),
        str(fn.memory_size),
        str(fn.role),
        json.dumps(fn.environment_vars or {}, sort_keys=True),
        *[hashlib.sha256(b).hexdigest() for b in layers],
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _layer_bytes(fn: Any) -> list[bytes]:
    from moto.awslambda.utils import get_backend

    backend = get_backend(fn.account_id, fn.region)
    out = []
    for layer in fn.layers:
        version = backend.layers_versions_by_arn(layer["Arn"])
        if version is not None and getattr(version, "code_bytes", None):
            out.append(version.code_bytes)
    return out


def log_group_of(fn: Any) -> str:
    config = getattr(fn, "localaws_logging_config", None) or {}
    return str(config.get("LogGroup") or f"/aws/lambda/{fn.function_name}")


def _pool_for(fn: Any) -> FunctionPool:
    layers = _layer_bytes(fn)
    fingerprint = _fingerprint(fn, layers)
    with _pools_lock:
        pool = _pools.get(fn.function_arn)
        if pool is not None and pool.fingerprint == fingerprint:
            return pool
        if pool is not None:  # code or configuration changed: new execution environments
            pool.close()
        endpoint = os.environ.get("LOCALAWS_ENDPOINT", f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '4566')}")
        environment = {
            # what the Lambda service injects: the execution role's session and, here, the endpoint
            **iam.role_credentials(fn.role, fn.function_name).environment(),
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_XRAY_SDK_ENABLED": "false",
            **(fn.environment_vars or {}),
        }
        code = fn.code_bytes
        reserved = int(fn.reserved_concurrency) if fn.reserved_concurrency else MAX_WORKERS
        size = max(1, min(reserved, MAX_WORKERS))

        def make() -> LocalFunction:
            return LocalFunction(
                name=fn.function_name,
                code=code,
                layers=list(layers),
                handler=fn.handler,
                runtime=fn.run_time,
                environment=environment,
                timeout_seconds=int(fn.timeout),
                memory_mb=int(fn.memory_size),
                workdir=WORKDIR,
                log_group=log_group_of(fn),
                region=fn.region,
                account_id=fn.account_id,
            )

        pool = FunctionPool(fingerprint, make, size)
        _pools[fn.function_arn] = pool
        return pool


# --- logs and metrics ---------------------------------------------------------


def emf_metrics(lines: list[str]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Turn Embedded Metric Format log lines into (namespace, metric data) batches."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for line in lines:
        if '"_aws"' not in line:
            continue
        try:
            doc = json.loads(line[line.index("{") :])
            meta = doc["_aws"]
        except (ValueError, KeyError, TypeError):
            continue
        # moto keeps metric timestamps naive (UTC)
        stamp = dt.datetime.fromtimestamp(meta.get("Timestamp", time.time() * 1000) / 1000, dt.UTC).replace(tzinfo=None)
        for directive in meta.get("CloudWatchMetrics", []):
            data = []
            for dims in directive.get("Dimensions", [[]]) or [[]]:
                dimensions = [{"Name": d, "Value": str(doc[d])} for d in dims if d in doc]
                for metric in directive.get("Metrics", []):
                    value = doc.get(metric["Name"])
                    values = value if isinstance(value, list) else [value]
                    for v in values:
                        if isinstance(v, int | float):
                            data.append(
                                {
                                    "MetricName": metric["Name"],
                                    "Value": float(v),
                                    "Unit": metric.get("Unit", "None"),
                                    "Dimensions": dimensions,
                                    "Timestamp": stamp,
                                }
                            )
            if data:
                out.append((directive["Namespace"], data))
    return out


def _publish_logs(fn: Any, logs: str) -> None:
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.logs.models import logs_backends

    group = log_group_of(fn)
    backend = logs_backends[fn.account_id][fn.region]
    if group not in backend.groups:
        backend.create_log_group(group, {})
    now = dt.datetime.now(dt.UTC)
    stream = f"{now:%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
    backend.create_log_stream(group, stream)
    lines = [line for line in logs.splitlines() if line.strip()]
    stamp = int(time.time() * 1000)
    if lines:
        backend.put_log_events(group, stream, [{"timestamp": stamp, "message": line} for line in lines])
    metrics = cloudwatch_backends[fn.account_id][fn.region]
    for namespace, data in emf_metrics(lines):
        metrics.put_metric_data(namespace, data)


def _publish_service_metrics(fn: Any, ok: bool, started: float) -> None:
    """What Lambda itself reports per invocation (AWS/Lambda, by FunctionName)."""
    from moto.cloudwatch.models import cloudwatch_backends

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # moto keeps metric timestamps naive (UTC)
    dims = [{"Name": "FunctionName", "Value": fn.function_name}]
    cloudwatch_backends[fn.account_id][fn.region].put_metric_data(
        "AWS/Lambda",
        [
            {"MetricName": "Invocations", "Value": 1, "Unit": "Count", "Dimensions": dims, "Timestamp": now},
            {"MetricName": "Errors", "Value": 0 if ok else 1, "Unit": "Count", "Dimensions": dims, "Timestamp": now},
            {
                "MetricName": "Duration",
                "Value": (time.time() - started) * 1000,
                "Unit": "Milliseconds",
                "Dimensions": dims,
                "Timestamp": now,
            },
        ],
    )


def run(fn: Any, event: Any) -> tuple[dict[str, Any], str]:
    """One invocation of ``fn`` (a moto LambdaFunction); logs and metrics published."""
    started = time.time()
    result, logs = _pool_for(fn).invoke(event)
    try:
        _publish_logs(fn, logs)
        _publish_service_metrics(fn, bool(result.get("ok")), started)
    except Exception:  # pragma: no cover - telemetry must never fail an invocation
        log.exception("could not publish logs of %s", fn.function_name)
    return result, logs


def error_payload(result: dict[str, Any]) -> dict[str, Any]:
    return {k: result[k] for k in ("errorMessage", "errorType", "stackTrace") if k in result}


# --- asynchronous invocation ---------------------------------------------------


def _send(target_arn: str, message: dict[str, Any], account: str, region: str, attributes: dict[str, str]) -> None:
    """Deliver to an SQS queue, SNS topic, Lambda function or event bus ARN."""
    from moto.utilities.arns import parse_arn

    arn = parse_arn(target_arn)
    body = json.dumps(message)
    if arn.service == "sqs":
        from moto.sqs.models import sqs_backends

        attrs = {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()}
        sqs_backends[arn.account][arn.region].send_message(arn.resource_id, body, message_attributes=attrs)
    elif arn.service == "sns":
        from moto.sns.models import sns_backends

        sns_backends[arn.account][arn.region].publish(body, arn=target_arn)
    elif arn.service == "lambda":
        from moto.awslambda.utils import get_backend

        invoke_async(get_backend(arn.account, arn.region).get_function(target_arn), message)
    elif arn.service == "events":
        from moto.events.models import events_backends

        entry = {"Source": "lambda", "DetailType": "Lambda Function Invocation Result", "Detail": body}
        events_backends[arn.account][arn.region].put_events([{**entry, "EventBusName": target_arn}])
    else:
        log.warning("unsupported destination %s", target_arn)


def _async_settings(fn: Any) -> dict[str, Any]:
    configs = getattr(fn, "event_invoke_config", []) or []
    return dict(configs[0].config) if configs else {}


def invoke_async(fn: Any, event: Any) -> str:
    """Queue an asynchronous invocation; returns the request id."""
    request_id = str(uuid.uuid4())
    thread = threading.Thread(
        target=_run_async, args=(fn, event, request_id), name=f"async-{fn.function_name}", daemon=True
    )
    thread.start()
    return request_id


def _run_async(fn: Any, event: Any, request_id: str) -> None:
    settings = _async_settings(fn)
    attempts = 1 + int(settings.get("MaximumRetryAttempts", 2))
    result: dict[str, Any] = {}
    for attempt in range(1, attempts + 1):
        result, _logs = run(fn, event)
        if result.get("ok"):
            break
        log.info("%s async attempt %d/%d failed: %s", fn.function_name, attempt, attempts, result.get("errorMessage"))
        if attempt < attempts:
            time.sleep(RETRY_DELAY_SECONDS * attempt)
    destinations = settings.get("DestinationConfig", {})
    ok = bool(result.get("ok"))
    record = {
        "version": "1.0",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{fn.function_arn}:$LATEST",
            "condition": "Success" if ok else "RetriesExhausted",
            "approximateInvokeCount": attempt,
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            **({} if ok else {"functionError": "Unhandled"}),
        },
        "responsePayload": result.get("payload") if ok else error_payload(result),
    }
    key = "OnSuccess" if ok else "OnFailure"
    destination = destinations.get(key, {}).get("Destination")
    if destination:
        _send(destination, record, fn.account_id, fn.region, {})
    dlq = (getattr(fn, "localaws_dead_letter_config", None) or {}).get("TargetArn")
    if not ok and dlq:
        # the DLQ gets the original event, with the error in message attributes
        attributes = {
            "RequestID": request_id,
            "ErrorCode": "200",
            "ErrorMessage": str(result.get("errorMessage", ""))[:256],
        }
        _send(dlq, event if isinstance(event, dict) else {"payload": event}, fn.account_id, fn.region, attributes)


# --- moto patches ----------------------------------------------------------------


def install() -> None:
    from moto.awslambda.models import LambdaFunction

    original_init = LambdaFunction.__init__
    original_update = LambdaFunction.update_configuration
    original_get_configuration = LambdaFunction.get_configuration

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        spec = args[1] if len(args) > 1 else kwargs.get("spec", {})
        self.localaws_dead_letter_config = spec.get("DeadLetterConfig") or None
        self.localaws_logging_config = spec.get("LoggingConfig") or None

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "DeadLetterConfig" in config_updates:
            self.localaws_dead_letter_config = config_updates["DeadLetterConfig"] or None
        if "LoggingConfig" in config_updates:
            self.localaws_logging_config = config_updates["LoggingConfig"] or None
        if "EphemeralStorage" in config_updates:  # moto's setter checks the 10,240 MB cap
            self.ephemeral_storage = int(config_updates["EphemeralStorage"]["Size"])
        kept = {"DeadLetterConfig", "LoggingConfig", "EphemeralStorage"}
        rest = {k: v for k, v in config_updates.items() if k not in kept}
        updated: dict[str, Any] = original_update(self, rest)
        return updated

    def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
        config: dict[str, Any] = original_get_configuration(self, on_create)
        dead_letter = getattr(self, "localaws_dead_letter_config", None)
        if dead_letter and dead_letter.get("TargetArn"):
            config["DeadLetterConfig"] = {"TargetArn": dead_letter["TargetArn"]}
        logging_config = dict(getattr(self, "localaws_logging_config", None) or {})
        logging_config.setdefault("LogFormat", "Text")
        logging_config.setdefault("LogGroup", f"/aws/lambda/{self.function_name}")
        if logging_config["LogFormat"] == "JSON":  # AWS fills the levels in for JSON logs
            logging_config.setdefault("ApplicationLogLevel", "INFO")
            logging_config.setdefault("SystemLogLevel", "INFO")
        config["LoggingConfig"] = logging_config
        return config

    def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
        if isinstance(event, str | bytes):
            event = json.loads(event or "{}")
        result, logs = run(self, event if event is not None else {})
        if result.get("ok"):
            return json.dumps(result.get("payload")), False, logs
        return json.dumps(error_payload(result)), True, logs

    def invoke(self: Any, body: str, request_headers: Any, response_headers: Any) -> str | bytes:
        if request_headers.get("x-amz-invocation-type") == "Event":
            response_headers["x-amz-executed-version"] = "$LATEST"
            invoke_async(self, json.loads(body) if body else {})
            return b""
        payload, errored, logs = _invoke_lambda(self, body)
        if errored:
            response_headers["x-amz-function-error"] = "Unhandled"
        if request_headers.get("x-amz-log-type") == "Tail":
            import base64

            response_headers["x-amz-log-result"] = base64.b64encode(logs.encode()[-4096:]).decode()
        return payload.encode()

    for name, patch in {
        "__init__": __init__,
        "update_configuration": update_configuration,
        "get_configuration": get_configuration,
        "_invoke_lambda": _invoke_lambda,
        "invoke": invoke,
    }.items():
        setattr(LambdaFunction, name, patch)
