"""A JSON Schema (Draft 2020-12) for the Amazon States Language, built in code.

The schema is generated rather than hand-written because most of ASL comes in
two variants: every state exists once for JSONPath and once for JSONata, and
which one applies is inherited (top level -> state -> nested branches and item
processors) unless a state sets ``QueryLanguage`` itself. ``$defs`` holds both
variants; ``state_in_<mode>`` picks one from the state's own QueryLanguage and
the mode inherited from the enclosing machine.

Keywords starting with ``x-`` are annotations (ignored by validators, allowed
by the draft) that ``schema_problems`` uses to phrase errors for people:
``x-message`` replaces the validator's text, ``x-exactly-one``/``x-at-most-one``
name the keys of an exclusive group, ``x-mode`` marks a state schema's query
language, ``x-hints`` explains why a field is unknown there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError  # type: ignore[import-untyped]

Schema = dict[str, Any]

JSONPATH, JSONATA = "JSONPath", "JSONata"
STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
MAX_INT = 99_999_999  # the largest duration or count AWS accepts in these fields

# --- string shapes -----------------------------------------------------------------------------

# A Path may select many nodes (.., *, filters, slices); a reference path selects one node.
# ``$$`` is the context object; ``$name`` a workflow variable (JSONPath variables, 2024).
_ROOT = r"\$(?:\$|[A-Za-z_][A-Za-z0-9_]*)?"
_DOT_NAME = r"\.(?:[^.\[\]\s*?@,:()]|\\.)+"
_BRACKET_REF = r"\[(?:\d+|'[^']*'|\"[^\"]*\")\]"
REFERENCE_PATH = rf"^{_ROOT}(?:{_DOT_NAME}|{_BRACKET_REF})*$"
# ResultPath writes into the state's input: only from $, never into the context object or a variable
RESULT_PATH = rf"^\$(?:{_DOT_NAME}|{_BRACKET_REF})*$"
_BRACKET_ANY = r"\[[^\]]+\]"
_DOT_ANY = r"\.\.?(?:\*|[^.\[\]\s]+)"
PATH = rf"^{_ROOT}(?:{_DOT_ANY}|{_BRACKET_ANY}|\.\.(?={_BRACKET_ANY}))*$"

INTRINSICS = (
    "Format",
    "StringToJson",
    "JsonToString",
    "Array",
    "ArrayPartition",
    "ArrayContains",
    "ArrayRange",
    "ArrayGetItem",
    "ArrayLength",
    "ArrayUnique",
    "Base64Encode",
    "Base64Decode",
    "Hash",
    "JsonMerge",
    "MathRandom",
    "MathAdd",
    "StringSplit",
    "UUID",
)
INTRINSIC = rf"^States\.(?:{'|'.join(INTRINSICS)})\([\s\S]*\)$"
JSONATA_EXPRESSION = r"^\{%[\s\S]*%\}$"
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$"

# --- field catalogues ----------------------------------------------------------------------------

STRING_OPS = (
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
)
NUMERIC_OPS = (
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
)
TIMESTAMP_OPS = (
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
)
TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
PATH_OPS = tuple(f"{op}Path" for op in (*STRING_OPS, *NUMERIC_OPS, "BooleanEquals", *TIMESTAMP_OPS))
COMPARISONS = (*STRING_OPS, "StringMatches", *NUMERIC_OPS, "BooleanEquals", *TIMESTAMP_OPS, *TYPE_TESTS, *PATH_OPS)
BOOLEAN_OPS = ("And", "Or", "Not")

# Fields that only make sense with JSONPath processing; a JSONata state names them by mistake.
JSONPATH_ONLY = frozenset(
    {
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Result",
        "ItemsPath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "SecondsPath",
        "TimestampPath",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCountPath",
        "ErrorPath",
        "CausePath",
        "Variable",
        *COMPARISONS,
        *BOOLEAN_OPS,
    }
)
JSONATA_ONLY = frozenset({"Arguments", "Output", "Items", "Condition"})


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _string(**extra: Any) -> Schema:
    return {"type": "string", **extra}


def _int(minimum: int = 0, maximum: int = MAX_INT) -> Schema:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def _path(nullable: bool = False) -> Schema:
    return {
        "type": ["string", "null"] if nullable else "string",
        "pattern": PATH,
        "x-message": "is not a valid JSONPath (expected $, $$ or $variable followed by .field or [index])",
    }


def _reference_path(nullable: bool = False) -> Schema:
    return {
        "type": ["string", "null"] if nullable else "string",
        "pattern": REFERENCE_PATH,
        "x-message": "is not a valid reference path (expected $, $$ or $variable followed by .field or [n])",
    }


def _result_path() -> Schema:
    return {
        "type": ["string", "null"],
        "pattern": RESULT_PATH,
        "x-message": "is not a valid ResultPath (expected null or a reference path from $: $.field or $[n], "
        "not the context object $$ or a $variable)",
    }


def _path_or_intrinsic() -> Schema:
    return {
        "type": "string",
        "anyOf": [{"pattern": PATH}, {"pattern": INTRINSIC}],
        "x-message": f"is not a JSONPath or an intrinsic function (States.{', States.'.join(INTRINSICS)})",
    }


def _expression() -> Schema:
    return _string(pattern=JSONATA_EXPRESSION, **{"x-message": "is not a JSONata expression string {% ... %}"})


def _or_expression(schema: Schema, what: str) -> Schema:
    """A JSONata field that takes a literal or an expression computing it."""
    return {"anyOf": [schema, _expression()], "x-message": f"must be {what} or a JSONata expression {{% ... %}}"}


def _exactly_one(keys: Sequence[str]) -> Schema:
    return {"oneOf": [{"required": [k]} for k in keys], "x-exactly-one": list(keys)}


def _at_most_one(keys: Sequence[str]) -> Schema:
    return {"not": {"required": list(keys)}, "x-at-most-one": list(keys)}


def _object(properties: dict[str, Schema], *, required: Sequence[str] = (), **extra: Any) -> Schema:
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False, **extra}
    if required:
        schema["required"] = list(required)
    return schema


# --- shared pieces -------------------------------------------------------------------------------


def _payload_defs() -> dict[str, Schema]:
    """Payload templates: any JSON, but a key ending in ``.$`` takes a path or intrinsic call."""
    return {
        "payload": {
            "type": "object",
            "patternProperties": {r"\.\$$": _path_or_intrinsic()},
            "additionalProperties": _ref("payload_value"),
        },
        # Parameters and ResultSelector may also be an array (Step Functions accepts it)
        "payload_template": {
            "type": ["object", "array"],
            "if": {"type": "object"},
            "then": _ref("payload"),
            "else": {"items": _ref("payload_value")},
        },
        "payload_value": {
            "if": {"type": "object"},
            "then": _ref("payload"),
            "else": {"if": {"type": "array"}, "then": {"items": _ref("payload_value")}},
        },
    }


def _retrier() -> Schema:
    return _object(
        {
            "ErrorEquals": {"type": "array", "minItems": 1, "items": _string()},
            "IntervalSeconds": _int(1),
            "MaxAttempts": _int(0),
            "BackoffRate": {"type": "number", "minimum": 1.0},
            "MaxDelaySeconds": _int(1, 31_622_400),  # below one year, as AWS requires
            "JitterStrategy": {"enum": ["FULL", "NONE"]},
            "Comment": _string(),
        },
        required=["ErrorEquals"],
    )


def _catcher(mode: str) -> Schema:
    props: dict[str, Schema] = {
        "ErrorEquals": {"type": "array", "minItems": 1, "items": _string()},
        "Next": _string(),
        "Comment": _string(),
        "Assign": _ref("payload") if mode == JSONPATH else {"type": "object"},
    }
    if mode == JSONPATH:
        props["ResultPath"] = _result_path()
    else:
        props["Output"] = {}
    return _object(props, required=["ErrorEquals", "Next"], **{"x-mode": mode})


def _comparison_schema(op: str) -> Schema:
    if op in PATH_OPS:
        return _reference_path()
    if op in STRING_OPS or op == "StringMatches":
        return _string()
    if op in NUMERIC_OPS:
        return {"type": "number"}
    if op in TIMESTAMP_OPS:
        return _string(pattern=TIMESTAMP, **{"x-message": "is not an RFC 3339 timestamp (2026-01-31T00:00:00Z)"})
    return {"type": "boolean"}  # BooleanEquals and the Is* type tests


def _choice_rule_jsonpath(top: bool) -> Schema:
    nested = _ref("choice_rule_jsonpath_nested")
    props: dict[str, Schema] = {
        "Variable": _path(),
        "And": {"type": "array", "minItems": 1, "items": nested},
        "Or": {"type": "array", "minItems": 1, "items": nested},
        "Not": nested,
        "Comment": _string(),
        **{op: _comparison_schema(op) for op in COMPARISONS},
    }
    if top:
        props |= {"Next": _string(), "Assign": _ref("payload")}
    any_comparison = {"anyOf": [{"required": [op]} for op in COMPARISONS]}
    any_boolean = {"anyOf": [{"required": [op]} for op in BOOLEAN_OPS]}
    return _object(
        props,
        required=["Next"] if top else (),
        allOf=[
            {**_exactly_one([*COMPARISONS, *BOOLEAN_OPS]), "x-choice-rule": True},
            {"if": any_comparison, "then": {"required": ["Variable"]}},
            {
                "if": any_boolean,
                "then": {"not": {"required": ["Variable"]}, "x-message": "Variable is not allowed beside And/Or/Not"},
            },
        ],
        **{
            "x-mode": JSONPATH,
            "x-hints": {} if top else {"Next": "Next belongs on the top-level Choice rule, not inside And/Or/Not"},
        },
    )


def _choice_rule_jsonata() -> Schema:
    return _object(
        {
            "Condition": _expression(),
            "Next": _string(),
            "Assign": {"type": "object"},
            "Output": {},
            "Comment": _string(),
        },
        required=["Condition", "Next"],
        **{"x-mode": JSONATA},
    )


def _machine(mode: str, *, extra: dict[str, Schema] | None = None, **keywords: Any) -> Schema:
    return _object(
        {
            "StartAt": _string(),
            "Comment": _string(),
            # state names: unique and at most 80 characters (the uniqueness is a lint rule)
            "States": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"minLength": 1, "maxLength": 80},
                "additionalProperties": _ref(f"state_in_{mode.lower()}"),
            },
            **(extra or {}),
        },
        required=["StartAt", "States"],
        **keywords,
    )


# --- states --------------------------------------------------------------------------------------


def _state(kind: str, mode: str) -> Schema:
    jp = mode == JSONPATH
    # QueryLanguage itself is checked where the variant is chosen (``_state_in``)
    props: dict[str, Schema] = {"Type": {"const": kind}, "Comment": _string(), "QueryLanguage": {}}
    constraints: list[Schema] = []
    required: list[str] = []

    if kind != "Fail":
        props |= {"InputPath": _path(True), "OutputPath": _path(True)} if jp else {"Output": {}}
    if kind not in ("Succeed", "Fail"):
        props["Assign"] = _ref("payload") if jp else {"type": "object"}
    if kind in ("Pass", "Task", "Wait", "Parallel", "Map"):
        props |= {"Next": _string(), "End": {"type": "boolean"}}
    if kind in ("Task", "Parallel", "Map"):
        props |= {
            "Retry": {"type": "array", "items": _ref("retrier")},
            "Catch": {"type": "array", "items": _ref(f"catcher_{mode.lower()}")},
        }
        if jp:
            props |= {"ResultPath": _result_path(), "ResultSelector": _ref("payload_template")}

    if kind == "Pass" and jp:
        props |= {"Result": {}, "ResultPath": _result_path(), "Parameters": _ref("payload_template")}
    elif kind == "Task":
        required.append("Resource")
        props |= {
            "Resource": _string(pattern=r"^arn:[^:\s]+:[^:\s]+:", **{"x-message": "is not an ARN"}),
            # Credentials takes a payload template too: its .$ values are paths or intrinsics
            "Credentials": _ref("payload") if jp else {"type": "object"},
        }
        if jp:
            props |= {
                "Parameters": _ref("payload_template"),
                "TimeoutSeconds": _int(1),
                "TimeoutSecondsPath": _reference_path(),
                "HeartbeatSeconds": _int(1),
                "HeartbeatSecondsPath": _reference_path(),
            }
            constraints += [
                _at_most_one(["TimeoutSeconds", "TimeoutSecondsPath"]),
                _at_most_one(["HeartbeatSeconds", "HeartbeatSecondsPath"]),
            ]
        else:
            props |= {
                "Arguments": {"type": ["object", "string"], "if": {"type": "string"}, "then": _expression()},
                "TimeoutSeconds": _or_expression(_int(1), "a positive integer"),
                "HeartbeatSeconds": _or_expression(_int(1), "a positive integer"),
            }
    elif kind == "Choice":
        required.append("Choices")
        rule = _ref("choice_rule_jsonpath_top" if jp else "choice_rule_jsonata")
        props |= {"Choices": {"type": "array", "minItems": 1, "items": rule}, "Default": _string()}
    elif kind == "Wait":
        timestamp = _string(pattern=TIMESTAMP, **{"x-message": "is not an RFC 3339 timestamp (2026-01-31T00:00:00Z)"})
        if jp:
            props |= {
                "Seconds": _int(0),
                "Timestamp": timestamp,
                "SecondsPath": _reference_path(),
                "TimestampPath": _reference_path(),
            }
            constraints.append(_exactly_one(["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]))
        else:
            props |= {
                "Seconds": _or_expression(_int(0), "an integer of seconds"),
                "Timestamp": _or_expression(timestamp, "an RFC 3339 timestamp"),
            }
            constraints.append(_exactly_one(["Seconds", "Timestamp"]))
    elif kind == "Fail":
        props |= {"Error": _string(), "Cause": _string()}
        if jp:
            props |= {"ErrorPath": _path_or_intrinsic(), "CausePath": _path_or_intrinsic()}
            constraints += [_at_most_one(["Error", "ErrorPath"]), _at_most_one(["Cause", "CausePath"])]
    elif kind == "Parallel":
        required.append("Branches")
        props["Branches"] = {"type": "array", "minItems": 1, "items": _ref(f"machine_{mode.lower()}")}
        props |= {"Parameters": _ref("payload_template")} if jp else {"Arguments": _arguments()}
    elif kind == "Map":
        props |= _map_fields(mode)
        constraints += [_exactly_one(["ItemProcessor", "Iterator"])]
        if jp:
            constraints += [
                _at_most_one(["ItemSelector", "Parameters"]),
                _at_most_one(["MaxConcurrency", "MaxConcurrencyPath"]),
                _at_most_one(["ToleratedFailurePercentage", "ToleratedFailurePercentagePath"]),
                _at_most_one(["ToleratedFailureCount", "ToleratedFailureCountPath"]),
            ]
    schema = _object(props, required=required, **{"x-mode": mode, "x-kind": kind})
    if constraints:
        schema["allOf"] = constraints
    return schema


def _arguments() -> Schema:
    return {"type": ["object", "string"], "if": {"type": "string"}, "then": _expression()}


def _map_fields(mode: str) -> dict[str, Schema]:
    jp = mode == JSONPATH
    low = mode.lower()
    count = _int(0) if jp else _or_expression(_int(0), "a non-negative integer")
    percentage = {"type": "number", "minimum": 0, "maximum": 100}
    fields: dict[str, Schema] = {
        "ItemProcessor": _ref(f"item_processor_{low}"),
        "Iterator": _ref(f"machine_{low}"),  # the pre-2022 spelling of ItemProcessor
        "ItemReader": _ref(f"item_reader_{low}"),
        "ItemBatcher": _ref(f"item_batcher_{low}"),
        "ResultWriter": _ref(f"result_writer_{low}"),
        "MaxConcurrency": count,
        "ToleratedFailureCount": count,
        "ToleratedFailurePercentage": percentage if jp else _or_expression(percentage, "a number from 0 to 100"),
        "Label": _string(maxLength=40),
    }
    if jp:
        fields |= {
            "ItemsPath": _reference_path(),
            "ItemSelector": _ref("payload"),
            "Parameters": _ref("payload_template"),  # the pre-2022 spelling of ItemSelector
            "MaxConcurrencyPath": _reference_path(),
            "ToleratedFailurePercentagePath": _reference_path(),
            "ToleratedFailureCountPath": _reference_path(),
        }
    else:
        fields |= {
            "Items": {"type": ["array", "string"], "if": {"type": "string"}, "then": _expression()},
            "ItemSelector": {"type": ["object", "string"], "if": {"type": "string"}, "then": _expression()},
        }
    return fields


def _map_parts(mode: str) -> dict[str, Schema]:
    jp = mode == JSONPATH
    low = mode.lower()
    params = {"Parameters": _ref("payload")} if jp else {"Arguments": _arguments()}

    def count() -> Schema:
        return _int(0) if jp else _or_expression(_int(0), "a non-negative integer")

    reader_config: dict[str, Schema] = {
        "InputType": {"enum": ["CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"]},
        "CSVHeaderLocation": {"enum": ["FIRST_ROW", "GIVEN"]},
        "CSVHeaders": {"type": "array", "items": _string()},
        "CSVDelimiter": {"enum": ["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"]},
        "ManifestType": {"enum": ["ATHENA_DATA", "S3_INVENTORY"]},
        "MaxItems": count(),
    }
    batcher: dict[str, Schema] = {
        "MaxItemsPerBatch": count(),
        "MaxInputBytesPerBatch": count(),
        "BatchInput": _ref("payload") if jp else {"type": ["object", "string"]},
    }
    if jp:
        reader_config["MaxItemsPath"] = _reference_path()
        batcher |= {"MaxItemsPerBatchPath": _reference_path(), "MaxInputBytesPerBatchPath": _reference_path()}
    resource = _string(pattern=r"^arn:", **{"x-message": "is not an ARN"})

    def twins(fields: Sequence[str]) -> Schema:
        # a limit is given either literally or by a ...Path, never both
        return {"allOf": [_at_most_one([f, f"{f}Path"]) for f in fields]} if jp else {}

    return {
        f"item_processor_{low}": _machine(
            mode,
            extra={
                "ProcessorConfig": _processor_config(),
            },
        ),
        f"item_reader_{low}": _object(
            {"Resource": resource, "ReaderConfig": _object(reader_config, **twins(["MaxItems"])), **params},
            required=["Resource"],
        ),
        f"item_batcher_{low}": _object(batcher, **twins(["MaxItemsPerBatch", "MaxInputBytesPerBatch"])),
        f"result_writer_{low}": _object(
            {
                "Resource": resource,
                "WriterConfig": _object(
                    {
                        "OutputType": {"enum": ["JSON", "JSONL"]},
                        "Transformation": {"enum": ["NONE", "COMPACT", "FLATTEN"]},
                    }
                ),
                **params,
            }
        ),
    }


def _processor_config() -> Schema:
    schema = _object({"Mode": {"enum": ["INLINE", "DISTRIBUTED"]}, "ExecutionType": {"enum": ["STANDARD", "EXPRESS"]}})
    # a distributed map starts child executions: it must say which kind
    schema["if"] = {"properties": {"Mode": {"const": "DISTRIBUTED"}}, "required": ["Mode"]}
    schema["then"] = {"required": ["ExecutionType"]}
    return schema


def _state_in(mode: str) -> Schema:
    """A state inside a machine whose query language is ``mode`` unless the state overrides it."""
    other = JSONATA if mode == JSONPATH else JSONPATH
    return {
        "type": "object",
        "properties": {"QueryLanguage": {"enum": [JSONPATH, JSONATA]}},
        "if": {"properties": {"QueryLanguage": {"const": other}}, "required": ["QueryLanguage"]},
        "then": _ref(f"state_{other.lower()}"),
        "else": _ref(f"state_{mode.lower()}"),
    }


def _state_dispatch(mode: str) -> Schema:
    return {
        "type": "object",
        "required": ["Type"],
        "properties": {"Type": {"enum": list(STATE_TYPES)}},
        "allOf": [
            {
                "if": {"properties": {"Type": {"const": kind}}, "required": ["Type"]},
                "then": _ref(f"{kind.lower()}_{mode.lower()}"),
            }
            for kind in STATE_TYPES
        ],
    }


@cache
def asl_schema() -> Schema:
    """The whole schema; validate a parsed definition against it."""
    defs: dict[str, Schema] = {
        **_payload_defs(),
        "retrier": _retrier(),
        "choice_rule_jsonpath_top": _choice_rule_jsonpath(top=True),
        "choice_rule_jsonpath_nested": _choice_rule_jsonpath(top=False),
        "choice_rule_jsonata": _choice_rule_jsonata(),
    }
    for mode in (JSONPATH, JSONATA):
        low = mode.lower()
        defs[f"machine_{low}"] = _machine(mode)
        defs[f"catcher_{low}"] = _catcher(mode)
        defs[f"state_in_{low}"] = _state_in(mode)
        defs[f"state_{low}"] = _state_dispatch(mode)
        defs |= _map_parts(mode)
        for kind in STATE_TYPES:
            defs[f"{kind.lower()}_{low}"] = _state(kind, mode)

    top = _machine(
        JSONPATH,
        extra={
            "Version": _string(),
            "TimeoutSeconds": _int(1),
            "QueryLanguage": {"enum": [JSONPATH, JSONATA]},
        },
    )
    # the top-level QueryLanguage sets the default every state inherits
    top["if"] = {"properties": {"QueryLanguage": {"const": JSONATA}}, "required": ["QueryLanguage"]}
    top["then"] = {"properties": {"States": {"additionalProperties": _ref("state_in_jsonata")}}}
    top["properties"]["States"] = {k: v for k, v in top["properties"]["States"].items() if k != "additionalProperties"}
    top["else"] = {"properties": {"States": {"additionalProperties": _ref("state_in_jsonpath")}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://taxlake.invalid/schemas/asl.json",
        "title": "Amazon States Language (as taxlake's lint accepts it)",
        **top,
        "$defs": defs,
    }


@cache
def _validator() -> Draft202012Validator:
    # jsonschema is a developer dependency (the `asl` group): the CLI runs without it until asked to lint
    from jsonschema import Draft202012Validator

    schema = asl_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# --- errors -> problems --------------------------------------------------------------------------

_MACHINE_CHILDREN = {"ItemProcessor", "Iterator"}


def split_location(path: Sequence[str | int]) -> tuple[str, str]:
    """Split a JSON path into (state location, field path inside that state).

    The location names the innermost state: ``States.Par.Branches[0].States.Bar``,
    or ``-`` at the top level. The field path is what follows, e.g. ``Retry[0].MaxAttempts``.
    """
    location: list[str | int] = []
    i, in_state = 0, False
    while i < len(path):
        key = path[i]
        if not in_state and key == "States" and i + 1 < len(path):
            location += ["States", path[i + 1]]
            i, in_state = i + 2, True
        elif in_state and key == "Branches" and i + 2 < len(path) and path[i + 2] == "States":
            location += ["Branches", path[i + 1]]
            i, in_state = i + 2, False
        elif in_state and key in _MACHINE_CHILDREN and i + 1 < len(path) and path[i + 1] == "States":
            location.append(key)
            i, in_state = i + 1, False
        else:
            break
    return (format_path(location) or "-"), format_path(path[i:])


def format_path(path: Sequence[str | int]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _present(instance: Any, keys: Sequence[str]) -> list[str]:
    return [k for k in keys if isinstance(instance, dict) and k in instance]


def _messages(error: ValidationError) -> Iterator[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = set(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        mode, hints = schema.get("x-mode"), schema.get("x-hints", {})
        for key in instance:
            if key in known or any(p.search(key) for p in patterns):
                continue
            if key in hints:
                yield hints[key]
            elif mode == JSONATA and key in JSONPATH_ONLY:
                yield f"{key} is a JSONPath field: not allowed in a JSONata state (use Arguments/Output/Assign)"
            elif mode == JSONPATH and key in JSONATA_ONLY:
                yield f"{key} is a JSONata field: not allowed in a JSONPath state (set QueryLanguage to JSONata)"
            else:
                yield f"unknown field {key!r}"
    elif error.validator == "required" and isinstance(instance, dict):
        for key in error.validator_value:
            if key not in instance:
                yield f"missing required field {key!r}"
    elif "x-exactly-one" in schema:
        keys = schema["x-exactly-one"]
        found = _present(instance, keys)
        if schema.get("x-choice-rule"):
            what = "exactly one comparison operator (or And/Or/Not)"
            yield f"a Choice rule needs {what}, found {', '.join(found) if found else 'none'}"
        else:
            yield f"needs exactly one of {', '.join(keys)}, found {', '.join(found) if found else 'none'}"
    elif "x-at-most-one" in schema:
        yield f"{' and '.join(schema['x-at-most-one'])} are mutually exclusive"
    elif "x-message" in schema:
        yield f"{json.dumps(instance)} {schema['x-message']}"
    else:
        yield error.message


def schema_problems(doc: Any) -> list[tuple[str, str]]:
    """(location, message) for every schema violation, in document order."""
    found: list[tuple[str, str]] = []
    for error in sorted(_validator().iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        # anyOf/oneOf are phrased from their x- annotations, not from every failed alternative
        location, field = split_location(list(error.absolute_path))
        for message in _messages(error):
            problem = (location, f"{field}: {message}" if field else message)
            if problem not in found:  # the dispatchers can report one fault twice
                found.append(problem)
    return found
