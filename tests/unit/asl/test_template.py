"""render_template: templatefile()-style substitution, with dummies or a vars file."""

from __future__ import annotations

import json

import pytest

from taxlake.asl import TemplateError, lint_definition, lint_text, render_template
from taxlake.asl.lint import dummy_value

from .corpus import TEMPLATES

TEMPLATE = (TEMPLATES / "ingest.asl.json").read_text()
VARS = json.loads((TEMPLATES / "ingest.vars.json").read_text())


def test_variables_are_substituted_verbatim() -> None:
    text = render_template('{"a": "${name_prefix}-job", "b": 3}', {"name_prefix": "taxlake-dev"}, dummy=False)
    assert json.loads(text) == {"a": "taxlake-dev-job", "b": 3}


def test_dollar_dollar_brace_is_a_literal_placeholder_as_in_terraform() -> None:
    assert render_template('{"a": "$${keep}"}', {}, dummy=False) == '{"a": "${keep}"}'


def test_a_missing_variable_is_an_error() -> None:
    with pytest.raises(TemplateError) as exc:
        render_template('{\n"a": "${present}",\n"b": "${absent}"}', {"present": "x"}, dummy=False)
    assert [str(p) for p in exc.value.problems] == ["-: line 3: missing variable ${absent} (not in the vars file)"]


def test_a_placeholder_outside_a_string_is_an_error() -> None:
    with pytest.raises(TemplateError, match=r"placeholder \$\{max_attempts\} outside a JSON string"):
        render_template('{"MaxAttempts": ${max_attempts}}', None, dummy=True)


def test_placeholders_must_be_snake_case_names() -> None:
    with pytest.raises(TemplateError, match=r"\$\{var\.name\} is not a snake_case name"):
        render_template('{"a": "${var.name}"}', None, dummy=True)


def test_template_directives_are_not_supported() -> None:
    with pytest.raises(TemplateError, match="directive"):
        render_template('{"a": "%{ if x }y%{ endif }"}', None, dummy=True)


def test_escaped_quotes_do_not_confuse_the_string_tracking() -> None:
    text = render_template('{"a": "say \\"${word}\\"", "b": "${word}"}', {"word": "hi"}, dummy=False)
    assert json.loads(text) == {"a": 'say "hi"', "b": "hi"}


@pytest.mark.parametrize(
    ("placeholder", "value"),
    [
        ("validator_lambda_arn", "arn:aws:lambda:us-east-1:123456789012:function:dummy-validator-lambda"),
        ("alerts_topic_arn", "arn:aws:sns:us-east-1:123456789012:dummy-alerts-topic"),
        ("emr_execution_role_arn", "arn:aws:iam::123456789012:role/dummy-emr-execution-role"),
        ("event_bus_arn", "arn:aws:events:us-east-1:123456789012:event-bus/dummy-event-bus"),
        ("thing_arn", "arn:aws:dummy:us-east-1:123456789012:dummy-thing"),
        ("queue_url", "https://sqs.us-east-1.amazonaws.com/123456789012/dummy-queue-url"),
        ("glue_job_name", "dummy-glue-job-name"),
        ("emr_application_id", "00f1dummy0000001"),
        ("aws_region", "us-east-1"),
        ("max_attempts", "1"),
    ],
)
def test_dummy_values_have_the_right_shape(placeholder: str, value: str) -> None:
    assert dummy_value(placeholder) == value


def test_the_template_fails_as_is_and_passes_rendered() -> None:
    raw = [str(p) for p in lint_text(TEMPLATE)]
    assert "States.Transform: Parameters.JobName: unsubstituted placeholder ${glue_job_name}" in raw
    assert lint_text(TEMPLATE, dummy=True) == []
    assert lint_text(TEMPLATE, variables=VARS) == []


def test_vars_win_over_dummies() -> None:
    doc = json.loads(render_template(TEMPLATE, {"glue_job_name": "real-job"}, dummy=True))
    assert doc["States"]["Transform"]["Parameters"]["JobName"] == "real-job"
    assert doc["States"]["Validate"]["Parameters"]["FunctionName"].startswith("arn:aws:lambda:")
    assert lint_definition(doc) == []


def test_a_value_that_breaks_the_json_is_reported_with_its_position() -> None:
    problems = [str(p) for p in lint_text(TEMPLATE, variables={**VARS, "glue_job_name": 'a"b'})]
    assert len(problems) == 1 and problems[0].startswith("-: invalid JSON: ")
    assert "line 36" in problems[0]  # the JobName line
