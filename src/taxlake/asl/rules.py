"""Checks a JSON Schema can't express: the contents of strings and of payload keys.

- a payload object holding both ``k`` and ``k.$`` (they name one output field);
- JSONata ``{% ... %}`` expressions, parsed (``taxlake.asl.jsonata``);
- intrinsic calls in ``.$`` values, ``ErrorPath`` and ``CausePath``, typed
  (``taxlake.asl.intrinsics``);
- Lambda function ARNs (``Resource``, ``Parameters.FunctionName``) with an empty or
  malformed alias/version qualifier.

Each check walks every state with the query language that applies to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from taxlake.asl.intrinsics import call_problem
from taxlake.asl.jsonata import syntax_error
from taxlake.asl.schema import INTRINSIC, JSONATA, JSONPATH, format_path

Path = list[str | int]

# fields holding payload templates (JSONPath) or JSONata values, on a state or on its parts
PAYLOAD_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Arguments", "Output", "Assign", "Credentials")
PART_FIELDS = ("ItemReader", "ResultWriter", "ItemBatcher")
NESTED_MACHINES = ("Branches", "ItemProcessor", "Iterator")

# arn:partition:lambda:region:account:function:name[:qualifier]; a qualifier is $LATEST, a version or an alias
_LAMBDA_ARN = re.compile(r"^arn:[a-z-]+:lambda:[^:]*:[^:]*:function:(?P<rest>.*)$")
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_QUALIFIER = re.compile(r"^(?:\$LATEST|[0-9]+|(?=.*[A-Za-z_-])[A-Za-z0-9_-]{1,128})$")
_INTRINSIC = re.compile(INTRINSIC)


def iter_states_with_mode(doc: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any], str]]:
    """Every state, nested ones included, with its path and the query language it runs in."""
    top = doc.get("QueryLanguage")
    yield from _walk(doc, [], top if top in (JSONPATH, JSONATA) else JSONPATH)


def _walk(machine: dict[str, Any], prefix: Path, inherited: str) -> Iterator[tuple[Path, dict[str, Any], str]]:
    states = machine.get("States")
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        own = state.get("QueryLanguage")
        mode = own if own in (JSONPATH, JSONATA) else inherited
        loc: Path = [*prefix, "States", name]
        yield loc, state, mode
        branches = state.get("Branches")
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                if isinstance(branch, dict):
                    yield from _walk(branch, [*loc, "Branches", i], mode)
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from _walk(state[key], [*loc, key], mode)


def rule_problems(doc: Any) -> list[tuple[str, str]]:
    """(state location, message) for every problem these rules find."""
    if not isinstance(doc, dict):
        return []
    found: list[tuple[str, str]] = []
    for loc, state, mode in iter_states_with_mode(doc):
        where = format_path(loc)
        for field, message in _state_problems(state, mode):
            found.append((where, f"{field}: {message}" if field else message))
    return found


def _state_problems(state: dict[str, Any], mode: str) -> Iterator[tuple[str, str]]:
    for path, value in _payloads(state):
        yield from _collisions(value, path)
        if mode == JSONPATH:
            yield from _intrinsics(value, path)
    if mode == JSONPATH:
        for field in ("ErrorPath", "CausePath"):
            value = state.get(field)
            if isinstance(value, str) and _INTRINSIC.match(value):
                problem = call_problem(value)
                if problem:
                    yield field, problem
    else:
        yield from _expressions(state)
    yield from _lambda_arns(state)


def _payloads(state: dict[str, Any]) -> Iterator[tuple[Path, Any]]:
    """(field path, value) of each payload-like field of a state, its parts, rules and catchers."""
    for field in PAYLOAD_FIELDS:
        if field in state:
            yield [field], state[field]
    for part in PART_FIELDS:
        holder = state.get(part)
        if isinstance(holder, dict):
            for field in (*PAYLOAD_FIELDS, "BatchInput"):
                if field in holder:
                    yield [part, field], holder[field]
    for group in ("Catch", "Choices"):
        items = state.get(group)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    for field in ("Assign", "Output"):
                        if field in item:
                            yield [group, i, field], item[field]


def _nodes(value: Any, path: Path, prune: Callable[[Path, Any], bool] | None = None) -> Iterator[tuple[Path, Any]]:
    """``value`` and every value inside it, each with its path, parents first; ``prune(path, key)``
    leaves the item at ``key`` (and all it holds) out."""
    yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if prune is None or not prune(path, key):
            yield from _nodes(item, [*path, key], prune)


def _collisions(value: Any, path: Path) -> Iterator[tuple[str, str]]:
    for at, node in _nodes(value, path):
        if isinstance(node, dict):
            for key in node:
                if key.endswith(".$") and key[:-2] in node:
                    yield format_path(at), f"has both {key[:-2]!r} and {key!r}: they name the same field"


def _intrinsics(value: Any, path: Path) -> Iterator[tuple[str, str]]:
    for at, node in _nodes(value, path):
        # the schema already rejects a .$ value that isn't a path or a known call
        key = at[-1] if at else None
        if isinstance(key, str) and key.endswith(".$") and isinstance(node, str) and _INTRINSIC.match(node):
            problem = call_problem(node)
            if problem:
                yield format_path(at), problem


def _expressions(state: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every ``{% ... %}`` string in a JSONata state's own fields (nested machines are their own states)."""
    own = _nodes(state, [], prune=lambda at, key: not at and key in (*NESTED_MACHINES, "Comment"))
    for at, node in own:
        if not (isinstance(node, str) and node.lstrip().startswith("{%")):
            continue
        text = node.strip()
        if not text.endswith("%}") or len(text) < 4:
            yield format_path(at), "starts a JSONata expression with {% but does not end it with %}"
            continue
        problem = syntax_error(text[2:-2])
        if problem:
            yield format_path(at), f"JSONata syntax error: {problem}"


def _lambda_arns(state: dict[str, Any]) -> Iterator[tuple[str, str]]:
    resource = state.get("Resource")
    if not isinstance(resource, str) or "${" in resource:  # an unrendered template is reported as such
        return
    problem = lambda_arn_problem(resource)
    if problem:
        yield "Resource", problem
    if ":lambda:" not in resource:
        return  # FunctionName means a Lambda function only in the Lambda integrations
    for field in ("Parameters", "Arguments"):
        payload = state.get(field)
        name = payload.get("FunctionName") if isinstance(payload, dict) else None
        if isinstance(name, str) and "${" not in name and not name.lstrip().startswith("{%"):
            problem = function_name_problem(name)
            if problem:
                yield f"{field}.FunctionName", problem


def lambda_arn_problem(arn: str) -> str | None:
    """What is wrong with a Lambda function ARN's name or qualifier; None if fine or not a Lambda ARN."""
    match = _LAMBDA_ARN.match(arn)
    return _name_and_qualifier(match.group("rest"), arn) if match else None


def function_name_problem(name: str) -> str | None:
    """FunctionName takes a name, name:qualifier, account:function:name[:qualifier] or a full ARN."""
    if name.startswith("arn:"):
        return lambda_arn_problem(name)
    partial = re.match(r"^\d{12}:function:(?P<rest>.*)$", name)
    return _name_and_qualifier(partial.group("rest") if partial else name, name)


def _name_and_qualifier(rest: str, whole: str) -> str | None:
    function, _, qualifier = rest.partition(":")
    if not _FUNCTION_NAME.match(function):
        return f"{whole!r}: {function!r} is not a Lambda function name (1-64 of A-Z a-z 0-9 - _)"
    if ":" in rest and not _QUALIFIER.match(qualifier):
        what = "an empty" if qualifier == "" else f"a malformed ({qualifier!r})"
        return f"{whole!r} has {what} qualifier: expected $LATEST, a version number or an alias name"
    return None
