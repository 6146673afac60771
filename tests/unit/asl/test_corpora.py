"""Faults found by running the lint over two independent validators' test corpora.

The cases are our own, built from the facts those corpora test (asl-validator's
definitions, statelint's rules, the Step Functions documentation): each fault
Step Functions rejects at CreateStateMachine, and each valid shape it accepts.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from statelint.config import Config
from statelint.linter import Linter
from statelint.problem import ProblemType

from taxlake.asl import lint_definition, lint_text
from taxlake.asl.intrinsics import call_problem
from taxlake.asl.jsonata import syntax_error
from taxlake.asl.rules import function_name_problem, lambda_arn_problem

LAMBDA = "arn:aws:lambda:ap-southeast-2:111122223333:function:f"
ONE_OF_ONLY = "(expected null or a reference path from $: $.field or $[n], not the context object $$ or a $variable)"


def machine(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": state}, **top}


def pass_state(**fields: Any) -> dict[str, Any]:
    return machine({"Type": "Pass", "End": True, **fields})


def jsonata(**fields: Any) -> dict[str, Any]:
    return machine({"Type": "Pass", "End": True, "QueryLanguage": "JSONata", **fields})


def task(**fields: Any) -> dict[str, Any]:
    return machine({"Type": "Task", "Resource": LAMBDA, "End": True, **fields})


def distributed_map(**fields: Any) -> dict[str, Any]:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "I",
        "States": {"I": {"Type": "Succeed"}},
    }
    return machine({"Type": "Map", "End": True, "ItemProcessor": processor, **fields})


def reader(config: dict[str, Any]) -> dict[str, Any]:
    return {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config, "Parameters": {"Bucket": "b"}}


def lines(doc: dict[str, Any]) -> list[str]:
    return [str(p) for p in lint_definition(doc, require_retry_catch=False)]


def statelint(doc: dict[str, Any]) -> list[str]:
    return Linter.validate(json.dumps(doc), Config(ignored_problem_types={ProblemType.FLOAT}))


INVALID: dict[str, tuple[dict[str, Any], str]] = {
    "key_beside_its_path_key": (
        pass_state(Parameters={"a": 1, "a.$": "$.x"}),
        "States.S: Parameters: has both 'a' and 'a.$': they name the same field",
    ),
    "key_beside_its_path_key_in_an_array": (
        pass_state(Parameters={"list": [{"b": 1, "b.$": "$.y"}]}),
        "States.S: Parameters.list[0]: has both 'b' and 'b.$': they name the same field",
    ),
    "key_beside_its_path_key_in_result_selector": (
        task(ResultSelector={"r": 1, "r.$": "$.Payload"}),
        "States.S: ResultSelector: has both 'r' and 'r.$': they name the same field",
    ),
    "key_beside_its_path_key_in_jsonata_arguments": (
        task(QueryLanguage="JSONata", Arguments={"k": 1, "k.$": 2}),
        "States.S: Arguments: has both 'k' and 'k.$': they name the same field",
    ),
    "jsonata_operator_without_operand": (
        jsonata(Output="{% 10 + * 2 %}"),
        "States.S: Output: JSONata syntax error: expected an operator or the end of the expression, found '2' at 8",
    ),
    "jsonata_unbalanced_parenthesis": (
        jsonata(Output="{% ($states.input.a + 1 %}"),
        "States.S: Output: JSONata syntax error: expected ')', found the end of the expression",
    ),
    "jsonata_unbalanced_bracket_in_arguments": (
        task(QueryLanguage="JSONata", Arguments={"x": "{% [1, 2 %}"}),
        "States.S: Arguments.x: JSONata syntax error: expected ']', found the end of the expression",
    ),
    "jsonata_trailing_dot": (
        jsonata(Output="{% 420. %}"),
        "States.S: Output: JSONata syntax error: expected an expression, found the end of the expression",
    ),
    "jsonata_unterminated_string": (
        jsonata(Output="{% 'open %}"),
        "States.S: Output: JSONata syntax error: unterminated string at 1",
    ),
    "jsonata_without_closing_mark": (
        jsonata(Output="{% $sum($states.input.n) %"),
        "States.S: Output: starts a JSONata expression with {% but does not end it with %}",
    ),
    "jsonata_jsonpath_filter_inside_marks": (
        jsonata(Output="{% $.store.book[?(@.price < 10)].title %}"),
        "States.S: Output: JSONata syntax error: expected an expression, found '?' at 14",
    ),
    "jsonata_choice_condition": (
        machine({"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [{"Condition": "{% $x = %}", "Next": "S"}]}),
        "States.S: Choices[0].Condition: JSONata syntax error: expected an expression, found the end",
    ),
    "reader_max_items_and_its_path": (
        distributed_map(ItemReader=reader({"InputType": "JSON", "MaxItems": 10, "MaxItemsPath": "$.max"})),
        "States.S: ItemReader.ReaderConfig: MaxItems and MaxItemsPath are mutually exclusive",
    ),
    "batcher_items_and_its_path": (
        distributed_map(ItemBatcher={"MaxItemsPerBatch": 2, "MaxItemsPerBatchPath": "$.n"}),
        "States.S: ItemBatcher: MaxItemsPerBatch and MaxItemsPerBatchPath are mutually exclusive",
    ),
    "batcher_bytes_and_its_path": (
        distributed_map(ItemBatcher={"MaxInputBytesPerBatch": 2048, "MaxInputBytesPerBatchPath": "$.n"}),
        "States.S: ItemBatcher: MaxInputBytesPerBatch and MaxInputBytesPerBatchPath are mutually exclusive",
    ),
    "result_path_into_a_variable": (
        pass_state(ResultPath="$foo"),
        f'States.S: ResultPath: "$foo" is not a valid ResultPath {ONE_OF_ONLY}',
    ),
    "result_path_into_the_context_object": (
        pass_state(ResultPath="$$.Execution"),
        f'States.S: ResultPath: "$$.Execution" is not a valid ResultPath {ONE_OF_ONLY}',
    ),
    "catcher_result_path_into_a_variable": (
        machine(
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "End": True,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "S", "ResultPath": "$err"}],
            }
        ),
        f'States.S: Catch[0].ResultPath: "$err" is not a valid ResultPath {ONE_OF_ONLY}',
    ),
    "credentials_path_that_is_not_a_path": (
        task(Credentials={"RoleArn.$": "not a path"}),
        'States.S: Credentials.RoleArn.$: "not a path" is not a JSONPath or an intrinsic function',
    ),
    "lambda_arn_with_empty_qualifier": (
        task(Resource=f"{LAMBDA}:"),
        f"States.S: Resource: '{LAMBDA}:' has an empty qualifier: expected $LATEST, a version number or an alias",
    ),
    "lambda_arn_with_malformed_alias": (
        task(Resource=f"{LAMBDA}:$*#$7485"),
        f"States.S: Resource: '{LAMBDA}:$*#$7485' has a malformed ('$*#$7485') qualifier",
    ),
    "function_name_with_empty_alias": (
        task(Resource="arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "f:"}),
        "States.S: Parameters.FunctionName: 'f:' has an empty qualifier",
    ),
    "math_add_of_a_string": (
        pass_state(Parameters={"n.$": "States.MathAdd(1,'-1')"}),
        "States.S: Parameters.n.$: States.MathAdd argument 2 must be an integer, got string",
    ),
    "intrinsic_type_inside_an_array_payload": (
        pass_state(Parameters=[{"n.$": "States.ArrayLength('abc')"}]),
        "States.S: Parameters[0].n.$: States.ArrayLength argument 1 must be an array, got string",
    ),
    "intrinsic_type_in_cause_path": (
        machine({"Type": "Fail", "CausePath": "States.Format('{}')"}),
        "States.S: CausePath: States.Format template has 1 {} but 0 values follow it",
    ),
    "intrinsic_in_credentials": (
        task(Credentials={"RoleArn.$": "States.Format('arn:aws:iam::{}:role/r', $.a, $.b)"}),
        "States.S: Credentials.RoleArn.$: States.Format template has 1 {} but 2 values follow it",
    ),
}


@pytest.mark.parametrize("case", INVALID, ids=str)
def test_faults_step_functions_rejects_are_reported_on_one_line(case: str) -> None:
    doc, expected = INVALID[case]
    found = lines(doc)
    assert any(line.startswith(expected) for line in found), found
    assert all("\n" not in line for line in found)


ARRAY_PAYLOADS = {
    "pass_parameters": pass_state(Parameters=[1, {"a.$": "$.x"}, "literal"]),
    "task_parameters": task(Parameters=[{"b.$": "$.y"}]),
    "task_result_selector": task(ResultSelector=["x", {"b.$": "$.Payload"}]),
    "parallel_parameters_and_selector": machine(
        {
            "Type": "Parallel",
            "End": True,
            "Parameters": [{"a.$": "$"}],
            "ResultSelector": [{"first.$": "$[0]"}],
            "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}],
        }
    ),
    "map_result_selector": machine(
        {
            "Type": "Map",
            "End": True,
            "ResultSelector": [{"n.$": "States.ArrayLength($)"}],
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
        }
    ),
}


@pytest.mark.parametrize("case", ARRAY_PAYLOADS, ids=str)
def test_array_parameters_and_result_selectors_are_valid_as_statelint_agrees(case: str) -> None:
    assert lines(ARRAY_PAYLOADS[case]) == []
    assert statelint(ARRAY_PAYLOADS[case]) == []


# the cases statelint 3.1.0 rejects too (an independent check of our facts); it lets the other 19 through
STATELINT_CATCHES = {
    "jsonata_choice_condition",
    "reader_max_items_and_its_path",
    "batcher_items_and_its_path",
    "batcher_bytes_and_its_path",
    "result_path_into_a_variable",
    "result_path_into_the_context_object",
    "catcher_result_path_into_a_variable",
}


@pytest.mark.parametrize("case", INVALID, ids=str)
def test_statelint_catches_exactly_the_listed_cases(case: str) -> None:
    assert (statelint(INVALID[case][0]) != []) == (case in STATELINT_CATCHES)


def test_an_array_payload_still_checks_its_paths() -> None:
    assert lines(pass_state(Parameters=[{"a.$": "nope"}])) == [
        'States.S: Parameters[0].a.$: "nope" is not a JSONPath or an intrinsic function (States.Format, '
        "States.StringToJson, States.JsonToString, States.Array, States.ArrayPartition, States.ArrayContains, "
        "States.ArrayRange, States.ArrayGetItem, States.ArrayLength, States.ArrayUnique, States.Base64Encode, "
        "States.Base64Decode, States.Hash, States.JsonMerge, States.MathRandom, States.MathAdd, States.StringSplit, "
        "States.UUID)"
    ]


@pytest.mark.parametrize("path", [None, "$", "$.a", "$.a.b[0]", "$['a b']", "$.a[2].c"])
def test_result_paths_from_the_input_root_are_valid(path: str | None) -> None:
    assert lines(pass_state(ResultPath=path)) == []


@pytest.mark.parametrize(
    "expression",
    [
        "$states.input.x",
        "$sum($states.input.items.numbers)",
        "{'a': 1, \"b\": [1, 2, 3]}",
        "$states.input.timeout ? $states.input.timeout : 300",
        "'Ingestion stopped: ' & ($reason ? $reason : 'error')",
        "$a = 1 and $b != 2 or $c <= 3 and $d >= 4",
        "$x in ['a', 'b']",
        "items[price > 10].name",
        "$states.result[0]",
        "function($x){ $x * 2 }",
        "$map($l, λ($v, $i){ $v + $i })",
        "function($x)<n:n>{ $x }",
        "$match($s, /^a.*b$/i)",
        "$s ~> $uppercase() ~> $trim()",
        "($a := 1; $b := 2; $a + $b)",
        "-1",
        "$",
        "$$",
        "a.*.b",
        "**.x",
        "[1..5]",
        "Account.Order^(>Price, <Name).Product",
        "x.y{ `a b`: $sum(z) }",
        "10 / 2 % 3",
        "$x ?: 'default'",
        "$x ?? 'default'",
        "$f(?, 2)",
        "[]",
        "{}",
        "a[]",
        "420.5",
        "1e10",
        "/* a comment */ 1",
        "items#$i[$i < 2]",
        "$states.context.Map.Item.Value",
    ],
)
def test_valid_jsonata_parses(expression: str) -> None:
    assert syntax_error(expression) is None
    assert lines(jsonata(Output=f"{{% {expression} %}}")) == []


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("10 + * 2", "expected an operator or the end of the expression, found '2' at 7"),
        ("(1 + 2", "expected ')', found the end of the expression"),
        ("1 + 2)", "expected an operator or the end of the expression, found ')' at 5"),
        ("[1, 2", "expected ']', found the end of the expression"),
        ("{'a': 1", "expected '}', found the end of the expression"),
        ("{'a' 1}", "expected ':', found '1' at 5"),
        ("420.", "expected an expression, found the end of the expression"),
        ("'open", "unterminated string at 0"),
        ('"open', "unterminated string at 0"),
        ("", "empty expression"),
        ("   ", "empty expression"),
        ("1 2", "expected an operator or the end of the expression, found '2' at 2"),
        ("function(x){x}", "expected a $parameter, found 'x' at 9"),
        ("a +", "expected an expression, found the end of the expression"),
        ("/* open", "unterminated comment at 0"),
        ("`open", "unterminated `name` at 0"),
        ("(" * 500, "nested more than 200 levels deep"),
    ],
)
def test_invalid_jsonata_says_why(expression: str, error: str) -> None:
    assert syntax_error(expression) == error


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        ("States.MathAdd(1, '-1')", "States.MathAdd argument 2 must be an integer, got string"),
        ("States.MathAdd(1)", "States.MathAdd takes 2 arguments, got 1"),
        ("States.MathAdd(1.5, 2)", "States.MathAdd argument 1 must be an integer, got number"),
        ("States.UUID(1)", "States.UUID takes 0 arguments, got 1"),
        ("States.StringToJson($.a, $.b)", "States.StringToJson takes 1 argument, got 2"),
        ("States.JsonToString()", "States.JsonToString takes 1 argument, got 0"),
        ("States.Format()", "States.Format takes at least 1 argument, got 0"),
        ("States.Format(1)", "States.Format argument 1 must be a string, got integer"),
        ("States.Format('{} {}', $.a)", "States.Format template has 2 {} but 1 values follow it"),
        ("States.ArrayPartition($.a, 0)", "States.ArrayPartition chunk size must be a positive integer"),
        ("States.ArrayPartition('abc', 2)", "States.ArrayPartition argument 1 must be an array, got string"),
        ("States.ArrayContains($.a)", "States.ArrayContains takes 2 arguments, got 1"),
        ("States.ArrayRange(1, 10)", "States.ArrayRange takes 3 arguments, got 2"),
        ("States.ArrayRange(1, 10, 0)", "States.ArrayRange step must not be 0"),
        ("States.ArrayRange(1, 2000, 1)", "States.ArrayRange would make 2000 items (at most 1000)"),
        ("States.ArrayRange(1, 'x', 1)", "States.ArrayRange argument 2 must be an integer, got string"),
        ("States.ArrayGetItem($.a, -1)", "States.ArrayGetItem index must not be negative"),
        ("States.ArrayGetItem($.a, 'first')", "States.ArrayGetItem argument 2 must be an integer, got string"),
        ("States.ArrayLength(States.UUID())", "States.ArrayLength argument 1 must be an array, got string"),
        ("States.ArrayUnique(true)", "States.ArrayUnique argument 1 must be an array, got boolean"),
        ("States.Base64Encode(42)", "States.Base64Encode argument 1 must be a string, got integer"),
        ("States.Base64Decode(null)", "States.Base64Decode argument 1 must be a string, got null"),
        (
            "States.Hash($.a, 'SHA-2')",
            "States.Hash algorithm 'SHA-2' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512",
        ),
        ("States.Hash($.a)", "States.Hash takes 2 arguments, got 1"),
        ("States.JsonMerge($.a, $.b, 'no')", "States.JsonMerge argument 3 must be a boolean, got string"),
        ("States.JsonMerge($.a, 'x', false)", "States.JsonMerge argument 2 must be an object, got string"),
        ("States.MathRandom(1)", "States.MathRandom takes 2 to 3 arguments, got 1"),
        ("States.MathRandom(1, 'x')", "States.MathRandom argument 2 must be an integer, got string"),
        ("States.StringSplit($.a, 1)", "States.StringSplit argument 2 must be a string, got integer"),
        ("States.Format('x', )", "expected an argument (a 'string', number, true/false/null, path or call) at 19"),
        ("States.Array('open)", "unterminated string at 13"),
        ("States.Array($.a) x", "unexpected text after the call at 18"),
        ("States.Uuid4()", "unknown intrinsic function States.Uuid4"),
        ("States.Array(" * 11 + ")" * 11, "more than 10 nested intrinsic functions"),
    ],
)
def test_intrinsic_arity_and_argument_types(call: str, problem: str) -> None:
    assert call_problem(call) == problem


@pytest.mark.parametrize(
    "call",
    [
        "States.Format('Lodgements for {} ({} files)', $.period, $.fileCount)",
        "States.Format('it\\'s {}', States.ArrayLength($.x))",
        "States.Format('no holes \\{\\}')",
        "States.MathAdd($.n, -1)",
        "States.MathRandom(1, 100, 7)",
        "States.ArrayRange(9, 1, -2)",
        "States.Hash($.a, 'MD5')",
        "States.JsonMerge($.a, States.StringToJson($.b), false)",
        "States.Array()",
        "States.Array($.a['x,y'], $$.Execution.Id, $var.field, 2, 'z', true, null)",
        "States.ArrayGetItem(States.StringSplit($.arn, '/'), 2)",
        "States.UUID()",
    ],
)
def test_well_typed_intrinsics_pass(call: str) -> None:
    assert call_problem(call) is None
    assert lines(pass_state(Parameters={"v.$": call})) == []


@pytest.mark.parametrize(
    "arn", [LAMBDA, f"{LAMBDA}:$LATEST", f"{LAMBDA}:12", f"{LAMBDA}:prod", f"{LAMBDA}:blue-green_2", "arn:aws:s3:::b"]
)
def test_lambda_arns_with_valid_or_no_qualifier_pass(arn: str) -> None:
    assert lambda_arn_problem(arn) is None


@pytest.mark.parametrize("name", ["f", "f:prod", "f:$LATEST", "111122223333:function:f:7", LAMBDA])
def test_function_names_in_every_documented_form_pass(name: str) -> None:
    assert function_name_problem(name) is None
    doc = task(Resource="arn:aws:states:::lambda:invoke", Parameters={"FunctionName": name})
    assert lines(doc) == []


def test_a_function_name_that_is_not_a_name_is_reported() -> None:
    assert function_name_problem("my function") == (
        "'my function': 'my function' is not a Lambda function name (1-64 of A-Z a-z 0-9 - _)"
    )


def test_an_unterminated_placeholder_stops_at_its_string_and_prints_one_line() -> None:
    template = '{\n "Comment": "a ${x",\n "StartAt": "A",\n "States": {"A": {"Type": "Pass", "End": true}}\n}'
    assert [str(p) for p in lint_text(template, dummy=True)] == ["-: line 2: unterminated placeholder '${x'"]


def test_later_placeholders_are_still_checked_after_an_unterminated_one() -> None:
    template = '{"a": "${x", "b": "${Bad}", "c": "${ok}"}'
    assert [str(p) for p in lint_text(template, dummy=True)] == [
        "-: line 1: unterminated placeholder '${x'",
        "-: line 1: placeholder ${Bad} is not a snake_case name",
    ]


def test_a_line_break_in_a_state_name_is_escaped_to_keep_one_line_per_problem() -> None:
    doc = {"StartAt": "a\nb", "States": {"a\nb": {"Type": "Pass"}}}
    assert lines(doc) == ["-: no terminal state (End: true, Succeed or Fail)", "States.a\\nb: needs Next or End: true"]


TWINS = {
    "TimeoutSeconds": task(TimeoutSeconds=60, TimeoutSecondsPath="$.t"),
    "HeartbeatSeconds": task(HeartbeatSeconds=10, HeartbeatSecondsPath="$.h"),
    "MaxConcurrency": distributed_map(MaxConcurrency=2, MaxConcurrencyPath="$.c"),
    "ToleratedFailureCount": distributed_map(ToleratedFailureCount=1, ToleratedFailureCountPath="$.c"),
    "ToleratedFailurePercentage": distributed_map(ToleratedFailurePercentage=5, ToleratedFailurePercentagePath="$.p"),
    "Error": machine({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}),
    "Cause": machine({"Type": "Fail", "Cause": "C", "CausePath": "$.c"}),
}


@pytest.mark.parametrize("field", TWINS, ids=str)
def test_every_field_and_its_path_twin_are_mutually_exclusive(field: str) -> None:
    assert f"States.S: {field} and {field}Path are mutually exclusive" in lines(TWINS[field])


@pytest.mark.parametrize("field", ["Seconds", "Timestamp"])
def test_a_wait_takes_one_duration_not_a_field_and_its_twin(field: str) -> None:
    value = 5 if field == "Seconds" else "2026-01-31T00:00:00Z"
    doc = machine({"Type": "Wait", "End": True, field: value, f"{field}Path": "$.x"})
    assert f"found {field}, {field}Path" in " ".join(lines(doc))
