"""Least-privilege IAM statements for a state machine role, derived from its Task states.

Only what AWS documents for each integration is granted, on exactly the
resources the definition names. What can't be pinned down statically (a
``FunctionName.$`` path, a ``{% %}`` expression, an aws-sdk call without a
resource parameter, an integration we don't know) is a problem, never a
``*``: the caller fixes the definition or writes that statement by hand.

Supported: Lambda (``lambda:invoke`` and direct function ARNs), Glue
``startJobRun[.sync]``, EMR Serverless ``startJobRun[.sync]``, SNS ``publish``,
EventBridge ``putEvents``, ``aws-sdk:*`` calls whose parameters name their
resource, and ``Credentials.RoleArn`` (sts:AssumeRole).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from taxlake.asl.lint import Problem, dummy_value, iter_machines, iter_states, parse_definition, render_template
from taxlake.asl.schema import format_path

POLICY_VERSION = "2012-10-17"
# Stand-ins for the deployment's partition, region and account while a template is derived:
# values no literal in a definition would hold, so mapping them back is unambiguous.
_TEMPLATE_CONTEXT = {"partition": "tfpartition", "region": "tfregion-9", "account_id": "999988887777"}
_TEMPLATE_NAME = re.compile(r"(?<!\$)\$\{([a-z][a-z0-9_]*)\}")
_JSONATA = re.compile(r"^\{%[\s\S]*%\}$")
_SUFFIXES = (".sync:2", ".sync", ".waitForTaskToken")
_LAMBDA_NAME = re.compile(
    r"^(?:arn:(?P<partition>[\w-]+):lambda:(?P<region>[\w-]+):)?(?:(?P<account>\d{12}):)?(?:function:)?"
    r"(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9_$-]+))?$"
)
_SQS_URL = re.compile(r"^https://sqs\.(?P<region>[\w-]+)\.amazonaws\.com/(?P<account>\d{12})/(?P<name>[\w-]+)$")
# aws-sdk service names that differ from their IAM prefix
_SDK_TO_IAM = {"sfn": "states", "emrserverless": "emr-serverless", "eventbridge": "events", "cloudwatchlogs": "logs"}
_PASSED_TO_EMR = {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}}


class PolicyError(ValueError):
    """The definition needs permissions that can't be derived; ``problems`` says which."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class _Dynamic(Exception):
    """A parameter whose value is only known at run time."""


@dataclass(frozen=True)
class Grant:
    action: str
    resource: str
    condition: tuple[tuple[str, str, str], ...] = ()  # (operator, key, value), hashable


@dataclass
class _Deriver:
    region: str
    account: str
    partition: str = "aws"
    grants: set[Grant] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def grant(self, resource: str, *actions: str, condition: dict[str, dict[str, str]] | None = None) -> None:
        # belt and braces: whatever a parameter said, never hand out a wildcard
        if resource == "*" or any("*" in action for action in actions):
            raise ValueError(f"refusing to grant {', '.join(actions)} on {resource!r}: a wildcard")
        cond = tuple((op, k, v) for op, kv in (condition or {}).items() for k, v in kv.items())
        self.grants |= {Grant(a, resource, cond) for a in actions}

    # -- one Task --

    def task(self, state: dict[str, Any], loc: str) -> None:
        resource = state.get("Resource")
        if not isinstance(resource, str):
            return  # the lint reports a Task without Resource
        payload = state.get("Arguments", state.get("Parameters", {}))
        try:
            self._credentials(state.get("Credentials"))
            self._resource(resource, payload if payload is not None else {})
        except _Dynamic as exc:
            self.problems.append(Problem(loc, f"{exc}: only known at run time, so its permission can't be derived"))
        except ValueError as exc:
            self.problems.append(Problem(loc, str(exc)))

    def _credentials(self, credentials: Any) -> None:
        if isinstance(credentials, dict):
            role = _param(credentials, "RoleArn", "Credentials.RoleArn")
            if role:
                self.grant(role, "sts:AssumeRole")

    def _resource(self, resource: str, payload: Any) -> None:
        if resource.startswith("arn:") and ":lambda:" in resource and ":function:" in resource:
            self._lambda(resource)
            return
        m = re.match(r"^arn:[\w-]+:states:::(?P<integration>.+)$", resource)
        if not m:
            raise ValueError(f"Resource {resource!r}: no IAM derivation for this kind of resource")
        integration, pattern = m.group("integration"), ""
        for suffix in _SUFFIXES:
            if integration.endswith(suffix):
                integration, pattern = integration.removesuffix(suffix), suffix
                break
        sync = pattern.startswith(".sync")
        if integration == "lambda:invoke":
            self._lambda(_param(payload, "FunctionName", "FunctionName", required=True), _param(payload, "Qualifier"))
        elif integration == "glue:startJobRun":
            job = self.arn("glue", f"job/{_param(payload, 'JobName', 'JobName', required=True)}")
            extra = ("glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun") if sync else ()
            self.grant(job, "glue:StartJobRun", *extra)
        elif integration == "emr-serverless:startJobRun":
            app = self.arn("emr-serverless", f"/applications/{_param(payload, 'ApplicationId', required=True)}")
            self.grant(app, "emr-serverless:StartJobRun")
            role = _param(payload, "ExecutionRoleArn", required=True)
            self.grant(role, "iam:PassRole", condition=_PASSED_TO_EMR)
            if sync:
                self.grant(f"{app}/jobruns/*", "emr-serverless:GetJobRun", "emr-serverless:CancelJobRun")
                rule = self.arn("events", "rule/StepFunctionsGetEventsForEMRServerlessJobRule")
                self.grant(rule, "events:PutTargets", "events:PutRule", "events:DescribeRule")
        elif integration == "sns:publish":
            topic = _param(payload, "TopicArn") or _param(payload, "TargetArn")
            if not topic:
                raise ValueError("sns:publish without TopicArn or TargetArn (a PhoneNumber can't be scoped)")
            self.grant(topic, "sns:Publish")
        elif integration == "events:putEvents":
            self._put_events(payload)
        elif integration.startswith("aws-sdk:"):
            self._sdk(integration, payload)
        else:
            raise ValueError(f"Resource {resource!r}: no IAM derivation for this integration")

    def _lambda(self, reference: str, qualifier: str | None = None) -> None:
        m = _LAMBDA_NAME.match(reference)
        if not m:
            raise ValueError(f"FunctionName {reference!r} is not a Lambda function name or ARN")
        # Lambda authorizes a qualified call against the qualified ARN: grant exactly that one
        qualifier = m.group("qualifier") or qualifier
        arn = (
            f"arn:{m.group('partition') or self.partition}:lambda:{m.group('region') or self.region}:"
            f"{m.group('account') or self.account}:function:{m.group('name')}"
        )
        self.grant(f"{arn}:{qualifier}" if qualifier else arn, "lambda:InvokeFunction")

    def _put_events(self, payload: Any) -> None:
        entries = _param(payload, "Entries", "Entries", required=True, kind=list)
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise _Dynamic(f"Entries[{i}]")
            bus = _param(entry, "EventBusName", f"Entries[{i}].EventBusName") or "default"
            self.grant(bus if bus.startswith("arn:") else self.arn("events", f"event-bus/{bus}"), "events:PutEvents")

    def _sdk(self, integration: str, payload: Any) -> None:
        _, service, action = [*integration.split(":"), "", ""][:3]
        if not service or not action:
            raise ValueError(f"aws-sdk integration {integration!r} is not aws-sdk:<service>:<action>")
        iam_action = f"{_SDK_TO_IAM.get(service, service)}:{action[0].upper()}{action[1:]}"
        resources = self._sdk_resources(service, payload)
        if not resources:
            raise ValueError(
                f"aws-sdk:{service}:{action}: no resource parameter (an ARN, QueueUrl, TableName or "
                "Bucket): refusing to grant it on '*'"
            )
        for resource in resources:
            self.grant(resource, iam_action)

    def _sdk_resources(self, service: str, payload: Any) -> list[str]:
        if not isinstance(payload, dict):
            raise _Dynamic("Parameters")
        found: list[str] = []
        for key in sorted(payload):
            name = key.removesuffix(".$")
            if name.endswith("Arn"):
                value = _param(payload, name)
                if value and value.startswith("arn:"):
                    found.append(value)
        if service == "s3" and (bucket := _param(payload, "Bucket")):
            key = _param(payload, "Key")
            found.append(f"arn:{self.partition}:s3:::{bucket}" + (f"/{key}" if key else ""))
        if service == "sqs" and (url := _param(payload, "QueueUrl")):
            m = _SQS_URL.match(url)
            if not m:
                raise ValueError(f"QueueUrl {url!r} is not an SQS queue URL")
            found.append(f"arn:{self.partition}:sqs:{m['region']}:{m['account']}:{m['name']}")
        if service == "dynamodb" and (table := _param(payload, "TableName")):
            found.append(table if table.startswith("arn:") else self.arn("dynamodb", f"table/{table}"))
        return found


def _param(payload: Any, key: str, label: str | None = None, *, required: bool = False, kind: type = str) -> Any:
    """A static parameter value, or None; a run-time value raises ``_Dynamic``."""
    label = label or key
    if isinstance(payload, str):
        raise _Dynamic("Arguments")  # the whole payload is one JSONata expression
    if not isinstance(payload, dict):
        return None
    if f"{key}.$" in payload:
        raise _Dynamic(f"{label}.$")
    value = payload.get(key)
    if isinstance(value, str) and _JSONATA.match(value):
        raise _Dynamic(label)
    if value is None or value == "":
        if required:
            raise ValueError(f"missing parameter {label}: the permission can't be scoped without it")
        return None
    if not isinstance(value, kind):
        raise ValueError(f"parameter {label} should be a {kind.__name__}")
    return value


def _is_distributed(state: dict[str, Any]) -> bool:
    processor = state.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
    return isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"


def _walk(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for prefix, machine in iter_machines(doc):
        for name, state in iter_states(machine):
            yield format_path([*prefix, "States", name]), state


@dataclass(frozen=True)
class PolicyResult:
    statements: list[dict[str, Any]]
    problems: list[Problem]


def derive_policy(doc: dict[str, Any], *, region: str, account: str, partition: str = "aws") -> PolicyResult:
    """Statements plus the problems that stop them from being complete."""
    deriver = _Deriver(region=region, account=account, partition=partition)
    for loc, state in _walk(doc):
        if state.get("Type") == "Task":
            deriver.task(state, loc)
        elif state.get("Type") == "Map" and _is_distributed(state):
            # child executions and S3 item access: not derived yet, so say so rather than under-grant
            deriver.problems.append(
                Problem(loc, "distributed Map: states:StartExecution and S3 permissions are not derived")
            )
    return PolicyResult(_statements(deriver.grants), sorted(set(deriver.problems)))


def derive_statements(
    doc: dict[str, Any], *, region: str, account: str, partition: str = "aws"
) -> list[dict[str, Any]]:
    """The role's statements; raises ``PolicyError`` if any permission can't be derived."""
    result = derive_policy(doc, region=region, account=account, partition=partition)
    if result.problems:
        raise PolicyError(result.problems)
    return result.statements


def policy_document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": statements}


def _statements(grants: set[Grant]) -> list[dict[str, Any]]:
    """Group grants: per service and condition, resources sharing one action set share a statement.

    Grouping by action set (not a cross product of all actions and resources)
    keeps each action on exactly the resources it was derived for.
    """
    per_resource: dict[tuple[str, tuple[tuple[str, str, str], ...], str], set[str]] = defaultdict(set)
    for g in grants:
        per_resource[(g.action.split(":")[0], g.condition, g.resource)].add(g.action)
    grouped: dict[tuple[str, tuple[tuple[str, str, str], ...], tuple[str, ...]], list[str]] = defaultdict(list)
    for (service, condition, resource), granted in per_resource.items():
        grouped[(service, condition, tuple(sorted(granted)))].append(resource)
    statements: list[dict[str, Any]] = []
    counts: dict[str, int] = defaultdict(int)
    keys = sorted(grouped, key=lambda k: (k[0], k[2], sorted(grouped[k]), k[1]))
    for service, _, _ in keys:
        counts[service] += 1
    seen: dict[str, int] = defaultdict(int)
    for service, condition, actions in keys:
        seen[service] += 1
        sid = "".join(part.capitalize() for part in service.split("-"))
        statement: dict[str, Any] = {
            "Sid": f"{sid}{seen[service]}" if counts[service] > 1 else sid,
            "Effect": "Allow",
            "Action": list(actions),
            "Resource": sorted(grouped[(service, condition, actions)]),
        }
        if condition:
            cond: dict[str, dict[str, str]] = defaultdict(dict)
            for op, key, value in condition:
                cond[op][key] = value
            statement["Condition"] = dict(cond)
        statements.append(statement)
    return statements


def derive_template(template: str) -> dict[str, Any]:
    """The role's Task policy for an ASL *template*, as a policy template.

    Each ``${name}`` of the definition is rendered as a stand-in of its shape,
    the statements are derived, and every stand-in is mapped back, so the
    result holds the same ``${name}`` placeholders plus ``${partition}``,
    ``${region}`` and ``${account_id}``. Rendering it with the definition's
    values gives what ``derive_statements`` gives for the rendered definition:
    this is the one derivation, and Terraform only renders it
    (``modules/orchestrator``). Raises ``PolicyError`` if a permission can't be
    derived or a placeholder lands in a resource in a way a template can't say.
    """
    context = _TEMPLATE_CONTEXT
    names = sorted(set(_TEMPLATE_NAME.findall(template)) - set(context))
    stand_ins: dict[str, str] = {}
    for name in names:
        value = dummy_value(
            name, region=context["region"], account=context["account_id"], partition=context["partition"]
        )
        slug = f"dummy-{name.removesuffix('_arn').replace('_', '-')}"
        # ids and numbers share one dummy shape: give each its own so it maps back to one name
        stand_ins[name] = value if slug in value else slug
    stand_ins.update(context)
    doc, problems = parse_definition(render_template(template, stand_ins, dummy=False))
    if problems:
        raise PolicyError(problems)
    text = json.dumps(
        policy_document(
            derive_statements(
                doc, region=context["region"], account=context["account_id"], partition=context["partition"]
            )
        )
    )
    # longest first, so a stand-in inside a longer one (a name inside an ARN) maps back last
    for name, value in sorted(stand_ins.items(), key=lambda item: -len(item[1])):
        if value.startswith(("arn:", "dummy-", "https:")) or name in context:
            text = text.replace(value, "${" + name + "}")
    if "dummy-" in text:
        raise PolicyError([Problem("-", f"a placeholder reaches a resource only in part: {text}")])
    document: dict[str, Any] = json.loads(text)
    return document
