"""Lint Amazon States Language definitions: schema, graph, house policy, placeholders.

``lint_definition`` checks a parsed definition; ``lint_text`` also renders a
``templatefile()`` template and parses the JSON. Every problem is a
``Problem(location, message)`` where location is the innermost state
(``States.Par.Branches[0].States.Bar``) or ``-`` for the machine itself.

House policy: every Task state has both Retry and Catch. A state opts out of
either with a directive in its Comment, next to the reason, e.g.
``"Comment": "Alert on failure. asl-lint: no-catch (a failing alert must not loop)"``;
directives are ``no-retry`` and ``no-catch``, comma-separated. The whole
policy is off with ``require_retry_catch=False`` (``--no-require-retry-catch``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from taxlake.asl.rules import rule_problems
from taxlake.asl.schema import STATE_TYPES, format_path, schema_problems, split_location

FLOW_TYPES = frozenset({"Pass", "Task", "Wait", "Parallel", "Map"})
DIRECTIVES = frozenset({"no-retry", "no-catch"})
_DIRECTIVE = re.compile(r"asl-lint:\s*([\w-]+(?:\s*,\s*[\w-]+)*)")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_PLACEHOLDER_STOP = re.compile(r'[}"\n\r]')
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
DISTRIBUTED_ONLY = (
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "Label",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
)

# dummy values for --template: shaped like what Terraform would pass in
DUMMY_REGION, DUMMY_ACCOUNT = "us-east-1", "123456789012"


# every character str.splitlines() breaks on: a problem prints as exactly one line
_LINE_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with its line breaks escaped (a state name or key may hold one)."""
    return _LINE_BREAKS.sub(lambda m: repr(m.group(0))[1:-1], text)


@dataclass(frozen=True, order=True)
class Problem:
    location: str
    message: str

    def __str__(self) -> str:
        return one_line(f"{self.location}: {self.message}")


class TemplateError(ValueError):
    """The template can't be rendered; ``problems`` says why, one line each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


# --- templates -----------------------------------------------------------------------------------

_ARN_SHAPES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("lambda", "function"), "arn:{p}:lambda:{r}:{a}:function:{n}"),
    (("state_machine", "sfn"), "arn:{p}:states:{r}:{a}:stateMachine:{n}"),
    (("topic", "sns"), "arn:{p}:sns:{r}:{a}:{n}"),
    (("queue", "sqs", "dlq"), "arn:{p}:sqs:{r}:{a}:{n}"),
    (("role",), "arn:{p}:iam::{a}:role/{n}"),
    (("event_bus", "bus"), "arn:{p}:events:{r}:{a}:event-bus/{n}"),
    (("bucket",), "arn:{p}:s3:::{n}"),
    (("table", "dynamodb"), "arn:{p}:dynamodb:{r}:{a}:table/{n}"),
    (("application", "emr"), "arn:{p}:emr-serverless:{r}:{a}:/applications/00f1dummy0000001"),
    (("glue", "job"), "arn:{p}:glue:{r}:{a}:job/{n}"),
    (("kms", "key"), "arn:{p}:kms:{r}:{a}:key/00000000-0000-0000-0000-000000000000"),
    (("secret",), "arn:{p}:secretsmanager:{r}:{a}:secret:{n}-AbCdEf"),
    (("log",), "arn:{p}:logs:{r}:{a}:log-group:{n}"),
)


def dummy_value(name: str, *, region: str = DUMMY_REGION, account: str = DUMMY_ACCOUNT, partition: str = "aws") -> str:
    """A plausible stand-in for ``${name}``: an ARN for ``*_arn``, a number-like string otherwise.

    A few suffixes get their own shape (``_url``, ``_name``, ``_bucket``, ``_id``,
    ``_region``, ``_account_id``) so that the rendered definition stays plausible
    wherever the value lands inside a string.
    """
    stem = name.removesuffix("_arn")
    slug = f"dummy-{stem.replace('_', '-')}"
    if name.endswith("_arn"):
        for keys, shape in _ARN_SHAPES:
            if any(k in stem for k in keys):
                return shape.format(p=partition, r=region, a=account, n=slug)
        return f"arn:{partition}:dummy:{region}:{account}:{slug}"
    if name.endswith("_url"):
        return f"https://sqs.{region}.amazonaws.com/{account}/{slug}"
    if name == "region" or name.endswith("_region"):
        return region
    if "account" in name:
        return account
    if name.endswith(("_name", "_bucket", "_prefix")) or name in ("name_prefix", "environment", "env"):
        return slug
    if name.endswith("_id"):
        return "00f1dummy0000001"
    return "1"


def render_template(text: str, variables: Mapping[str, str] | None, dummy: bool) -> str:
    """Substitute ``${snake_case}`` placeholders as Terraform's ``templatefile()`` would.

    Values come from ``variables``, else (``dummy=True``) from ``dummy_value``.
    Like Terraform, values are inserted verbatim and ``$${`` is a literal ``${``.
    A placeholder must sit inside a JSON string: the template stays valid JSON
    before rendering. Raises ``TemplateError`` listing every bad placeholder.
    """
    out: list[str] = []
    problems: list[Problem] = []
    in_string = escaped = False
    i = 0
    while i < len(text):
        if text.startswith("$${", i):
            out.append("${")
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            line = text.count("\n", 0, i) + 1
            # a placeholder ends at the first }, and never past its JSON string or its line
            stop = _PLACEHOLDER_STOP.search(text, i + 2)
            end = stop.start() if stop and stop.group(0) == "}" else -1
            if end < 0:
                cut = stop.start() if stop else len(text)
                problems.append(Problem("-", f"line {line}: unterminated placeholder {text[i:cut][:40]!r}"))
                out.append(text[i : i + 2])
                i += 2  # go on after the ${ so the string tracking and later placeholders stay right
                continue
            token, name = text[i : end + 1], text[i + 2 : end]
            value = None
            if token.startswith("%{"):
                problems.append(Problem("-", f"line {line}: template directive {token} is not supported"))
            elif not in_string:
                problems.append(Problem("-", f"line {line}: placeholder {token} outside a JSON string"))
            elif not _SNAKE.match(name):
                problems.append(Problem("-", f"line {line}: placeholder {token} is not a snake_case name"))
            elif variables is not None and name in variables:
                value = str(variables[name])
            elif dummy:
                value = dummy_value(name)
            else:
                problems.append(Problem("-", f"line {line}: missing variable {token} (not in the vars file)"))
            out.append(token if value is None else value)
            i = end + 1
            continue
        c = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        out.append(c)
        i += 1
    if problems:
        raise TemplateError(problems)
    return "".join(out)


def parse_definition(text: str) -> tuple[Any, list[Problem]]:
    """json.loads, with the error position (and duplicate keys, which json.loads hides) as problems."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        doc = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        return None, [Problem("-", f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
    except ValueError as exc:  # e.g. an integer longer than Python converts
        return None, [Problem("-", f"invalid JSON: {exc}")]
    except RecursionError:
        return None, [Problem("-", "invalid JSON: nested too deeply to read")]
    return doc, [Problem("-", f"duplicate key {k!r}: the last one silently wins") for k in duplicates]


def lint_text(
    text: str,
    *,
    variables: Mapping[str, str] | None = None,
    dummy: bool = False,
    require_retry_catch: bool = True,
) -> list[Problem]:
    """Render (when given variables or ``dummy``), parse and lint one definition file's text."""
    if variables is not None or dummy:
        try:
            text = render_template(text, variables, dummy)
        except TemplateError as exc:
            return exc.problems
    doc, problems = parse_definition(text)
    if doc is None:
        return problems
    try:
        return problems + lint_definition(doc, require_retry_catch=require_retry_catch)
    except RecursionError:  # json reads deeper documents than the schema walk can follow
        return [*problems, Problem("-", "the definition is nested too deeply to check")]


# --- the definition ------------------------------------------------------------------------------


def lint_definition(doc: dict[str, Any], *, require_retry_catch: bool = True) -> list[Problem]:
    """Every problem in a parsed definition: schema, graph, policy and placeholders, sorted."""
    problems = [Problem(loc, msg) for loc, msg in schema_problems(doc)]
    problems += [Problem(loc, msg) for loc, msg in rule_problems(doc)]
    if isinstance(doc, dict):
        problems += _unique_names(doc)
        for prefix, machine in iter_machines(doc):
            problems += _machine_problems(machine, prefix, require_retry_catch)
    problems += _placeholders(doc, [])
    return sorted(set(problems))


Located = tuple[list[str | int], dict[str, Any]]


def iter_machines(doc: dict[str, Any], prefix: Sequence[str | int] = ()) -> Iterator[Located]:
    """The machine and every nested one (Parallel branches, Map processors), with their paths."""
    yield list(prefix), doc
    for name, state in iter_states(doc):
        loc = [*prefix, "States", name]
        branches = state.get("Branches")
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                if isinstance(branch, dict):
                    yield from iter_machines(branch, [*loc, "Branches", i])
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from iter_machines(state[key], [*loc, key])


def iter_states(machine: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The states directly in one machine (not nested ones)."""
    states = machine.get("States")
    if isinstance(states, dict):
        for name, state in states.items():
            if isinstance(state, dict):
                yield name, state


def transitions(state: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, target) for every transition out of a state."""
    out: list[tuple[str, str]] = []
    if isinstance(state.get("Next"), str):
        out.append(("Next", state["Next"]))
    if isinstance(state.get("Default"), str):
        out.append(("Default", state["Default"]))
    for field in ("Choices", "Catch"):
        items = state.get(field)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("Next"), str):
                    out.append((f"{field}[{i}].Next", item["Next"]))
    return out


def _directives(state: dict[str, Any]) -> tuple[set[str], list[str]]:
    comment = state.get("Comment")
    found: set[str] = set()
    if isinstance(comment, str):
        for match in _DIRECTIVE.finditer(comment):
            found |= {d.strip() for d in match.group(1).split(",")}
    return found & DIRECTIVES, sorted(found - DIRECTIVES)


def _kind(state: dict[str, Any]) -> str | None:
    """The state's Type if it is a string (the schema reports any other value)."""
    kind = state.get("Type")
    return kind if isinstance(kind, str) else None


def _state_problems(state: dict[str, Any], loc: str, require_retry_catch: bool) -> Iterator[Problem]:
    kind = _kind(state)
    if kind in FLOW_TYPES:
        has_next, has_end = "Next" in state, "End" in state
        if has_next and has_end:
            yield Problem(loc, "has both End and Next: a state either ends its machine or transitions")
        elif not has_next and state.get("End") is not True:
            yield Problem(loc, "needs Next or End: true")
    for field in ("Retry", "Catch"):
        items = state.get(field)
        if isinstance(items, list):
            for i, item in enumerate(items):
                errors = item.get("ErrorEquals") if isinstance(item, dict) else None
                if isinstance(errors, list) and "States.ALL" in errors and (len(errors) > 1 or i < len(items) - 1):
                    yield Problem(loc, f"{field}[{i}].ErrorEquals: States.ALL must be alone and in the last {field}")
    if kind == "Task":
        timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
        if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
            yield Problem(loc, f"HeartbeatSeconds ({heartbeat}) must be less than TimeoutSeconds ({timeout})")
        exempt, unknown = _directives(state)
        for directive in unknown:
            yield Problem(loc, f"unknown asl-lint directive {directive!r} (known: {', '.join(sorted(DIRECTIVES))})")
        if require_retry_catch:
            for field, directive in (("Retry", "no-retry"), ("Catch", "no-catch")):
                if not state.get(field) and directive not in exempt:
                    yield Problem(
                        loc,
                        f"Task has no {field} (house policy; exempt with 'asl-lint: {directive}' in its Comment)",
                    )
    if kind == "Map":
        processor = state.get("ItemProcessor")
        config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
        mode = config.get("Mode") if isinstance(config, dict) else None
        if mode != "DISTRIBUTED":
            for field in DISTRIBUTED_ONLY:
                if field in state:
                    yield Problem(loc, f"{field} needs ItemProcessor.ProcessorConfig.Mode DISTRIBUTED")


def _machine_problems(machine: dict[str, Any], prefix: list[str | int], require_retry_catch: bool) -> list[Problem]:
    states = dict(iter_states(machine))
    if not isinstance(machine.get("States"), dict):
        return []  # the schema already says so
    here = format_path(prefix) or "-"
    loc = {name: format_path([*prefix, "States", name]) for name in states}
    problems: list[Problem] = []
    start = machine.get("StartAt")
    if isinstance(start, str) and start not in machine["States"]:
        problems.append(Problem(here, f"StartAt {start!r} does not name a state in this machine"))

    edges: dict[str, set[str]] = {}
    for name, state in states.items():
        edges[name] = set()
        for field, target in transitions(state):
            if target in machine["States"]:
                edges[name].add(target)
            else:
                problems.append(Problem(loc[name], f"{field} {target!r} does not name a state in this machine"))
        problems += _state_problems(state, loc[name], require_retry_catch)

    reachable = _closure({start} if start in states else set(), edges)
    if start in states:
        problems += [Problem(loc[n], "unreachable from StartAt") for n in states if n not in reachable]
    terminals = {n for n, s in states.items() if _kind(s) in ("Succeed", "Fail") or (s.get("End") is True)}
    # states already reported (unknown Type, no Next/End) end the loop search, to report each fault once
    dead_ends = {
        n for n, s in states.items() if _kind(s) not in STATE_TYPES or (_kind(s) in FLOW_TYPES and "Next" not in s)
    }
    if not terminals:
        problems.append(Problem(here, "no terminal state (End: true, Succeed or Fail)"))
    elif reachable and not terminals & reachable:
        problems.append(Problem(here, "no terminal state is reachable from StartAt"))
    else:
        # a reachable state from which no terminal can be reached loops forever
        backwards: dict[str, set[str]] = {n: set() for n in states}
        for source, targets in edges.items():
            for target in targets:
                backwards[target].add(source)
        finishing = _closure(terminals | dead_ends, backwards)
        problems += [
            Problem(loc[n], "can never reach a terminal state (an endless loop)")
            for n in states
            if n in reachable and n not in finishing
        ]
    return problems


def _closure(start: set[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _unique_names(doc: dict[str, Any]) -> list[Problem]:
    """State names are unique across the whole definition, nested machines included (AWS rule)."""
    first: dict[str, str] = {}
    problems: list[Problem] = []
    for prefix, machine in iter_machines(doc):
        for name, _ in iter_states(machine):
            loc = format_path([*prefix, "States", name])
            if name in first:
                problems.append(Problem(loc, f"state name {name!r} is already used at {first[name]}"))
            else:
                first[name] = loc
    return problems


def _placeholders(value: Any, path: list[str | int]) -> Iterator[Problem]:
    """Any ``${...}`` left in a key or string is a template that was never rendered."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _placeholder_in(key, [*path, key])
            yield from _placeholders(item, [*path, key])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _placeholders(item, [*path, i])
    elif isinstance(value, str):
        yield from _placeholder_in(value, path)


def _placeholder_in(text: str, path: list[str | int]) -> Iterator[Problem]:
    for match in _PLACEHOLDER.finditer(text):
        location, field = split_location(path)
        message = f"unsubstituted placeholder {match.group(0)}"
        yield Problem(location, f"{field}: {message}" if field else message)
