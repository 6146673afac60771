"""EventBridge: rules deliver to Lambda and Step Functions targets.

moto delivers matched events to logs, SQS, event buses, archives and API
destinations, and raises for anything else. AWS also invokes Lambda targets
(asynchronously, so the function's retry and destination settings apply)
and starts Step Functions executions (the target's role is assumed; IAM is
not evaluated here). The input transformer / Input / InputPath of the
target apply as moto applies them for its own targets. When delivery itself
fails (the function or state machine is gone), the event goes to the
target's dead-letter queue, as EventBridge does after its retries.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from typing import Any

log = logging.getLogger("localaws.events")
OURS = {"lambda", "states"}


def _iso_time(event: dict[str, Any]) -> dict[str, Any]:
    from moto.core.utils import iso_8601_datetime_without_milliseconds, utcfromtimestamp

    if isinstance(event.get("time"), int | float):
        stamp = utcfromtimestamp(event["time"])
        event = {**event, "time": iso_8601_datetime_without_milliseconds(stamp)}
    return event


def _json_path(doc: Any, path: str) -> Any:
    """Resolve the simple JSONPath EventBridge input paths use ($.a.b[0].c)."""
    import re

    if path == "$":
        return doc
    value = doc
    for part in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", path[1:] if path.startswith("$") else path):
        name, index = part
        try:
            value = value[int(index)] if index else value[name]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def transform(template: str, paths: dict[str, str], event: dict[str, Any], rule_name: str = "") -> Any:
    """Apply an InputTransformer as EventBridge does.

    A placeholder inside a JSON string is replaced by the value's text; one
    outside a string by the value as JSON (strings quoted, objects inlined).
    A result that is JSON is sent as JSON, anything else as a string.
    """
    import re

    values = {name: _json_path(event, path) for name, path in paths.items()}
    values["aws.events.event"] = values["aws.events.event.json"] = event
    values["aws.events.rule-name"] = rule_name
    values["aws.events.event.ingestion-time"] = event.get("time")
    out: list[str] = []
    position = 0
    for match in re.finditer(r"<([A-Za-z0-9_.\-]+)>", template):
        name = match.group(1)
        if name not in values:
            continue
        before = template[position : match.start()]
        out.append(before)
        in_string = (len(re.findall(r'(?<!\\)"', template[: match.start()])) % 2) == 1
        value = values[name]
        if in_string:
            text = value if isinstance(value, str) else json.dumps(value)
            out.append(json.dumps(text)[1:-1])
        else:
            out.append(json.dumps(value))
        position = match.end()
    out.append(template[position:])
    rendered = "".join(out)
    try:
        return json.loads(rendered)
    except ValueError:
        return rendered


def _target_input(target: dict[str, Any], event: dict[str, Any], rule_name: str = "") -> Any:
    if "Input" in target:
        return json.loads(target["Input"])
    if "InputPath" in target:
        return _json_path(event, target["InputPath"])
    if "InputTransformer" in target:
        transformer = target["InputTransformer"]
        return transform(transformer.get("InputTemplate", ""), transformer.get("InputPathsMap", {}), event, rule_name)
    return event


def deliver(rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
    """Send one matched event to one Lambda or Step Functions target."""
    from moto.utilities.arns import parse_arn

    arn = parse_arn(target["Arn"])
    try:
        payload = _target_input(target, _iso_time(event), rule.name)
        if arn.service == "lambda":
            from moto.awslambda.utils import get_backend

            from localaws.lambdas import invoke_async

            invoke_async(get_backend(arn.account, arn.region).get_function(target["Arn"]), payload)
        else:
            from moto.stepfunctions.responses import get_backend as sfn_backend

            body = payload if isinstance(payload, str) else json.dumps(payload)
            sfn_backend(arn.account, arn.region).start_execution(
                target["Arn"], name=str(uuid.uuid4()), execution_input=body
            )
    except Exception as exc:  # delivery failed: EventBridge's DLQ for the target
        log.warning("delivery of %s to %s failed: %r", event.get("id"), target["Arn"], exc)
        dlq = target.get("DeadLetterConfig", {}).get("Arn")
        if dlq:
            from localaws.lambdas import _send

            attributes = {"RULE_ARN": rule.arn, "TARGET_ARN": target["Arn"], "ERROR_MESSAGE": str(exc)[:256]}
            _send(dlq, _iso_time(event), rule.account_id, rule.region_name, attributes)


def install() -> None:
    from moto.events.models import Rule
    from moto.utilities.arns import parse_arn

    original = Rule.send_to_targets

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        ours = [t for t in self.targets if parse_arn(t["Arn"]).service in OURS]
        if ours and self.event_pattern.matches_event(original_event):
            for target in ours:
                deliver(self, target, original_event)
        rest = [t for t in self.targets if parse_arn(t["Arn"]).service not in OURS]
        if rest:
            # moto handles its own target types; hand it a view without ours
            view = copy.copy(self)
            view.targets = rest
            original(view, original_event, transform_input)

    setattr(Rule, "send_to_targets", send_to_targets)  # noqa: B010 - a patch
