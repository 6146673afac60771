"""taxlake.asl: the schema and graph lint accept the valid corpus and name each fault."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from taxlake.asl import Problem, asl_schema, lint_definition, lint_text
from taxlake.asl.schema import split_location

from .corpus import EXPECTED, INVALID, VALID, name


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def machine(**states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


RETRY = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]
CATCH = [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]
FAILED = {"Type": "Fail", "Error": "X"}
LAMBDA = "arn:aws:lambda:ap-southeast-2:111122223333:function:f"


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(asl_schema())
    assert asl_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_corpus_covers_every_state_type_and_both_query_languages() -> None:
    types, languages = set(), set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("Type"), str):
                types.add(value["Type"])
            if isinstance(value.get("QueryLanguage"), str):
                languages.add(value["QueryLanguage"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in VALID:
        walk(load(path))
    assert types == {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
    assert languages == {"JSONata"}  # JSONPath is the default everywhere else


@pytest.mark.parametrize("path", VALID, ids=name)
def test_valid_definitions_pass(path: Path) -> None:
    assert lint_definition(load(path)) == []


@pytest.mark.parametrize("path", INVALID, ids=name)
def test_invalid_definitions_are_rejected_with_the_right_message(path: Path) -> None:
    lines = [str(p) for p in lint_text(path.read_text())]
    assert any(EXPECTED[name(path)] in line for line in lines), lines


def test_every_invalid_file_has_an_expectation() -> None:
    assert sorted(name(p) for p in INVALID) == sorted(EXPECTED)


def test_problems_are_sorted_and_unique() -> None:
    doc = load(next(p for p in INVALID if name(p) == "dangling_next"))
    problems = lint_definition(doc)
    assert problems == sorted(set(problems))
    assert Problem("States.Done", "unreachable from StartAt") in problems


def test_task_exemption_is_per_directive() -> None:
    task = {"Type": "Task", "Resource": LAMBDA, "End": True, "Comment": "asl-lint: no-catch (alert path)"}
    problems = [str(p) for p in lint_definition(machine(T=task))]
    assert problems == ["States.T: Task has no Retry (house policy; exempt with 'asl-lint: no-retry' in its Comment)"]
    task["Comment"] = "asl-lint: no-retry, no-catch"
    assert lint_definition(machine(T=task)) == []


def test_unknown_directive_is_reported() -> None:
    task = {"Type": "Task", "Resource": LAMBDA, "End": True, "Retry": RETRY, "Comment": "asl-lint: no-retries"}
    task["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]
    problems = [str(p) for p in lint_definition(machine(T=task, Failed=FAILED))]
    assert problems == ["States.T: unknown asl-lint directive 'no-retries' (known: no-catch, no-retry)"]


def test_retry_catch_policy_can_be_switched_off() -> None:
    doc = machine(T={"Type": "Task", "Resource": LAMBDA, "End": True})
    assert len(lint_definition(doc)) == 2
    assert lint_definition(doc, require_retry_catch=False) == []


def test_policy_applies_inside_map_processors() -> None:
    inner = machine(Inner={"Type": "Task", "Resource": LAMBDA, "Retry": RETRY, "End": True})
    doc = machine(M={"Type": "Map", "ItemProcessor": inner, "End": True})
    assert [str(p) for p in lint_definition(doc)] == [
        "States.M.ItemProcessor.States.Inner: Task has no Catch (house policy; exempt with 'asl-lint: no-catch' "
        "in its Comment)"
    ]


def test_graph_rules_apply_in_every_branch() -> None:
    branch = machine(A={"Type": "Pass", "Next": "B"}, B={"Type": "Succeed"}, C={"Type": "Pass", "End": True})
    doc = machine(P={"Type": "Parallel", "Branches": [machine(X={"Type": "Succeed"}), branch], "End": True})
    assert [str(p) for p in lint_definition(doc)] == ["States.P.Branches[1].States.C: unreachable from StartAt"]


def test_next_cannot_leave_its_branch() -> None:
    branch = machine(A={"Type": "Pass", "Next": "After"})
    doc = machine(P={"Type": "Parallel", "Branches": [branch], "Next": "After"}, After={"Type": "Succeed"})
    assert "States.P.Branches[0].States.A: Next 'After' does not name a state in this machine" in [
        str(p) for p in lint_definition(doc)
    ]


def test_catch_and_default_targets_make_states_reachable() -> None:
    task = {"Type": "Task", "Resource": LAMBDA, "Retry": RETRY, "Catch": CATCH, "Next": "C"}
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Ok"}], "Default": "Other"}
    doc = machine(T=task, C=choice, Ok={"Type": "Succeed"}, Other={"Type": "Succeed"}, Failed=FAILED)
    assert lint_definition(doc) == []


def test_a_machine_without_terminal_state() -> None:
    doc = machine(A={"Type": "Pass", "Next": "B"}, B={"Type": "Wait", "Seconds": 1, "Next": "A"})
    messages = [str(p) for p in lint_definition(doc)]
    assert "-: no terminal state (End: true, Succeed or Fail)" in messages


def test_placeholders_in_keys_and_at_top_level_are_found() -> None:
    doc = machine(P={"Type": "Pass", "Result": {"${key_name}": 1}, "End": True})
    doc["Comment"] = "for ${environment}"
    assert [str(p) for p in lint_definition(doc)] == [
        "-: Comment: unsubstituted placeholder ${environment}",
        "States.P: Result.${key_name}: unsubstituted placeholder ${key_name}",
    ]


def test_paths_accept_variables_context_and_filters() -> None:
    good = ["$", "$$", "$.a.b[0]", "$$.Execution.Id", "$myVar", "$myVar.field", "$['a b']", "$.a[*]", "$..b"]
    for path in good:
        doc = machine(P={"Type": "Pass", "InputPath": path, "End": True})
        assert lint_definition(doc) == [], path
    for path in ["a.b", "$.", "$.a[", "$ .a", "States.Format('x')"]:
        doc = machine(P={"Type": "Pass", "InputPath": path, "End": True})
        assert lint_definition(doc) != [], path


def test_reference_paths_reject_multi_node_operators() -> None:
    doc = machine(P={"Type": "Wait", "SecondsPath": "$.a[*]", "End": True})
    assert [str(p) for p in lint_definition(doc)] == [
        'States.P: SecondsPath: "$.a[*]" is not a valid reference path (expected $, $$ or $variable followed by '
        ".field or [n])"
    ]


def test_jsonata_inherits_into_nested_machines_unless_overridden() -> None:
    inner = machine(I={"Type": "Pass", "Output": "{% $states.input %}", "End": True})
    doc = machine(P={"Type": "Parallel", "Branches": [inner], "End": True})
    doc["QueryLanguage"] = "JSONata"
    assert lint_definition(doc) == []
    jsonpath_inner = copy.deepcopy(doc)
    jsonpath_inner["States"]["P"]["Branches"][0]["States"]["I"]["QueryLanguage"] = "JSONPath"
    assert [str(p) for p in lint_definition(jsonpath_inner)] == [
        "States.P.Branches[0].States.I: Output is a JSONata field: not allowed in a JSONPath state (set "
        "QueryLanguage to JSONata)"
    ]


def test_jsonata_integer_fields_take_expressions_but_not_other_strings() -> None:
    wait = {"Type": "Wait", "Seconds": "ten", "End": True, "QueryLanguage": "JSONata"}
    assert [str(p) for p in lint_definition(machine(W=wait))] == [
        'States.W: Seconds: "ten" must be an integer of seconds or a JSONata expression {% ... %}'
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ([], ("-", "")),
        (["StartAt"], ("-", "StartAt")),
        (["States", "A", "Retry", 0, "MaxAttempts"], ("States.A", "Retry[0].MaxAttempts")),
        (["States", "P", "Branches", 1, "States", "B", "Next"], ("States.P.Branches[1].States.B", "Next")),
        (["States", "M", "ItemProcessor", "States", "I", "End"], ("States.M.ItemProcessor.States.I", "End")),
        (["States", "M", "ItemProcessor", "ProcessorConfig"], ("States.M", "ItemProcessor.ProcessorConfig")),
        (["States", "T", "Parameters", "States", "x"], ("States.T", "Parameters.States.x")),
    ],
)
def test_locations_name_the_innermost_state(path: list[str | int], expected: tuple[str, str]) -> None:
    assert split_location(path) == expected


def test_a_non_object_definition_is_a_problem_not_a_crash() -> None:
    assert [str(p) for p in lint_text("[1, 2]")] == ["-: [1, 2] is not of type 'object'"]
