"""Fuzzing `taxlake asl lint`: any input gives problems, one line each, and the right exit code; never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taxlake.asl import lint_text
from taxlake.asl.intrinsics import call_problem
from taxlake.asl.jsonata import syntax_error
from taxlake.cli import main

# words the lint reacts to, so random documents reach deep into its rules
ASL_WORDS = [
    "Type", "Pass", "Task", "Choice", "Wait", "Map", "Parallel", "Succeed", "Fail", "States", "StartAt", "Next", "End",
    "Parameters", "ResultSelector", "ResultPath", "Arguments", "Output", "Assign", "Credentials", "ItemReader",
    "ReaderConfig", "MaxItems", "MaxItemsPath", "ItemBatcher", "ItemProcessor", "Branches", "QueryLanguage", "JSONata",
    "Resource", "Catch", "Retry", "ErrorEquals", "Choices", "Condition", "a.$", "a", "$", "$.x", "$foo", "{% 1 + %}",
    "{% $x %}", "States.MathAdd(1,'-1')", "States.Format('{}', $.a)", "arn:aws:lambda:r:1:function:f:", "${x", "\n",
]  # fmt: skip
keys = st.one_of(st.sampled_from(ASL_WORDS), st.text(max_size=8))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.sampled_from(ASL_WORDS),
    st.text(max_size=12),
)
documents = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5), max_leaves=40
)
machines = st.fixed_dictionaries(
    {"StartAt": st.sampled_from(["A", "B"]), "States": st.dictionaries(st.sampled_from(["A", "B"]), documents)},
    optional={"QueryLanguage": st.sampled_from(["JSONata", "JSONPath", 1])},
)


def one_line_each(problems: list[Any]) -> None:
    for problem in problems:
        assert len(str(problem).splitlines()) == 1, str(problem)


@given(st.one_of(documents, machines))
def test_any_json_document_gives_one_line_problems(doc: Any) -> None:
    problems = lint_text(json.dumps(doc))
    one_line_each(problems)
    assert problems == sorted(set(problems))


TEMPLATE_BITS = [*"{}[]\"':,$%\\\n ", "${", "$${", "%{", "true", "1", "x"]


@given(st.lists(st.sampled_from(TEMPLATE_BITS), max_size=30).map("".join))
def test_any_text_gives_one_line_problems_with_or_without_template(text: str) -> None:
    for dummy in (False, True):
        one_line_each(lint_text(text, dummy=dummy))


@given(st.text(max_size=40))
def test_the_parsers_answer_with_one_line_or_none(text: str) -> None:
    for answer in (syntax_error(text), call_problem(f"States.Array({text})")):
        assert answer is None or len(answer.splitlines()) == 1


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(doc=st.one_of(documents, machines, st.text(max_size=40)))
def test_the_cli_prints_one_line_per_problem_and_exits_0_only_when_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: Any
) -> None:
    path = tmp_path / "x.asl.json"
    text = doc if isinstance(doc, str) else json.dumps(doc)
    path.write_text(text, encoding="utf-8")
    code = main(["asl", "lint", "--template", str(path)])
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{path}:{p}" for p in lint_text(text, dummy=True)]
    assert code == (1 if out else 0)


@pytest.mark.parametrize("text", ["[" * 100_000, "1" * 5000, '{"a": ' * 3000 + "1" + "}" * 3000])
def test_pathological_json_is_a_problem_not_a_traceback(text: str) -> None:
    problems = lint_text(text)
    assert len(problems) == 1 and problems[0].message.startswith(("invalid JSON", "the definition is nested"))
