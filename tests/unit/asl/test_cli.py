"""taxlake asl lint|policy: output format and exit codes 0/1/2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from taxlake.cli import main

from .corpus import DEFINITIONS, TEMPLATES, VALID

TEMPLATE = TEMPLATES / "ingest.asl.json"
VARS = TEMPLATES / "ingest.vars.json"
ACCOUNT = ["--region", "ap-southeast-2", "--account", "111122223333"]


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_valid_files_exit_0_silently(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["asl", "lint", *map(str, VALID)]) == 0
    assert lines(capsys) == []


def test_problems_exit_1_one_line_each_as_file_state_message(capsys: pytest.CaptureFixture[str]) -> None:
    bad = DEFINITIONS / "invalid" / "nested_dangling_next.asl.json"
    assert main(["asl", "lint", str(VALID[0]), str(bad)]) == 1
    assert lines(capsys) == [
        f"{bad}:States.Both.Branches[0]: no terminal state (End: true, Succeed or Fail)",
        f"{bad}:States.Both.Branches[0].States.Left: Next 'Right' does not name a state in this machine",
    ]


def test_invalid_json_is_a_problem_with_its_position(capsys: pytest.CaptureFixture[str]) -> None:
    bad = DEFINITIONS / "invalid" / "invalid_json.asl.json"
    assert main(["asl", "lint", str(bad)]) == 1
    assert lines(capsys) == [
        f"{bad}:-: invalid JSON: Expecting property name enclosed in double quotes at line 5 column 3"
    ]


def test_placeholders_fail_unless_rendered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["asl", "lint", str(TEMPLATE)]) == 1
    assert all("unsubstituted placeholder" in line for line in lines(capsys))
    assert main(["asl", "lint", "--template", str(TEMPLATE)]) == 0
    assert main(["asl", "lint", "--vars", str(VARS), str(TEMPLATE)]) == 0


def test_a_var_missing_from_the_vars_file_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partial = tmp_path / "vars.json"
    partial.write_text(json.dumps({k: v for k, v in json.loads(VARS.read_text()).items() if k != "glue_job_name"}))
    assert main(["asl", "lint", "--vars", str(partial), str(TEMPLATE)]) == 1
    assert lines(capsys) == [f"{TEMPLATE}:-: line 36: missing variable ${{glue_job_name}} (not in the vars file)"]


def test_no_require_retry_catch(tmp_path: Path) -> None:
    path = tmp_path / "bare.asl.json"
    path.write_text(
        json.dumps(
            {
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:r:1:function:f", "End": True}},
            }
        )
    )
    assert main(["asl", "lint", str(path)]) == 1
    assert main(["asl", "lint", "--no-require-retry-catch", str(path)]) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["asl", "lint", "no/such/file.asl.json"],
        ["asl", "lint", "--bogus", str(TEMPLATE)],
        ["asl", "lint"],
        ["asl"],
        ["asl", "policy", str(TEMPLATE), "--template"],  # no --region/--account
        ["asl", "policy", str(TEMPLATE), "--template", "--vars", str(VARS), *ACCOUNT],
        ["asl", "policy", str(TEMPLATE), "--template", "--region", "ap-southeast-2", "--account", "12345"],
        ["asl", "policy", "no/such/file.asl.json", *ACCOUNT],
    ],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert main(argv) == 2


def test_a_vars_file_that_is_not_json_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "vars.json"
    bad.write_text("{not json")
    assert main(["asl", "lint", "--vars", str(bad), str(TEMPLATE)]) == 2
    assert "is not JSON" in capsys.readouterr().err
    bad.write_text('["a list"]')
    assert main(["asl", "lint", "--vars", str(bad), str(TEMPLATE)]) == 2


def test_policy_prints_a_policy_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["asl", "policy", str(TEMPLATE), "--vars", str(VARS), *ACCOUNT]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["Version"] == "2012-10-17"
    assert {s["Sid"] for s in doc["Statement"]} >= {"Lambda", "Glue", "Sns", "Iam"}
    for statement in doc["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == sorted(statement["Action"]) and "*" not in statement["Action"]
        assert statement["Resource"] == sorted(statement["Resource"]) and "*" not in statement["Resource"]


def test_policy_reports_problems_instead_of_a_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dynamic = tmp_path / "dynamic.asl.json"
    doc = json.loads(TEMPLATE.read_text())
    doc["States"]["Validate"]["Parameters"] = {"FunctionName.$": "$.fn", "Payload.$": "$"}
    dynamic.write_text(json.dumps(doc))
    assert main(["asl", "policy", str(dynamic), "--template", *ACCOUNT]) == 1
    assert lines(capsys) == [
        f"{dynamic}:States.Validate: FunctionName.$: only known at run time, so its permission can't be derived"
    ]


def test_policy_lints_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.asl.json"
    shutil.copy(DEFINITIONS / "invalid" / "task_without_resource.asl.json", broken)
    assert main(["asl", "policy", str(broken), *ACCOUNT]) == 1
    assert f"{broken}:States.Validate: missing required field 'Resource'" in lines(capsys)


def test_the_console_script_runs_asl(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["asl", "lint", "--help"]) == 0
    assert "--no-require-retry-catch" in capsys.readouterr().out
