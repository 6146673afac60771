"""derive_template: the state machine role's policy, derived once into a template Terraform renders.

The committed ``<name>.policy.json`` beside each ``<name>.asl.json`` must be what
``taxlake asl policy <name>.asl.json --placeholders`` prints today (a changed
definition without a regenerated policy fails here), and rendering it must give
what a derivation of the rendered definition gives.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from taxlake.asl import PolicyError, derive_statements, render_template
from taxlake.asl.policy import derive_template
from taxlake.cli import main

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted(
    [*ROOT.glob("statemachines/*.asl.json"), *ROOT.glob("modules/orchestrator/tests/fixtures/*.asl.json")]
)
DERIVABLE = [t for t in TEMPLATES if t.with_name(t.name.replace(".asl.json", ".policy.json")).exists()]
REGION, ACCOUNT, PARTITION = "ap-southeast-4", "210987654321", "aws"


def policy_path(template: Path) -> Path:
    return template.with_name(template.name.replace(".asl.json", ".policy.json"))


def deployment_values(text: str) -> dict[str, str]:
    """Values like the ones Terraform passes: real ARNs in this region and account, names, numbers."""
    values = {"partition": PARTITION, "region": REGION, "account_id": ACCOUNT}
    for name in set(re.findall(r"(?<!\$)\$\{([a-z][a-z0-9_]*)\}", text)):
        stem = name.removesuffix("_arn").replace("_", "-")
        if name.endswith("function_arn"):
            values[name] = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tl-{stem}"
        elif name.endswith("topic_arn"):
            values[name] = f"arn:aws:sns:{REGION}:{ACCOUNT}:tl-{stem}"
        elif name.endswith("role_arn"):
            values[name] = f"arn:aws:iam::{ACCOUNT}:role/tl-{stem}"
        elif name.endswith("_id"):
            values[name] = "00fexample0001"
        elif name.endswith(("_bytes",)):
            values[name] = "1048576"
        else:
            values[name] = f"tl-{stem}"
    return values


def comparable(statements: list[dict[str, Any]]) -> set[str]:
    """Statements as a set, each with its resources sorted: order carries no meaning in IAM."""
    return {json.dumps({**s, "Resource": sorted(s["Resource"])}, sort_keys=True) for s in statements}


def test_every_template_that_can_be_derived_is_covered() -> None:
    assert ROOT / "statemachines/tax_pipeline.asl.json" in DERIVABLE
    assert {t.name for t in TEMPLATES} - {t.name for t in DERIVABLE} == {"dynamic.asl.json"}


@pytest.mark.parametrize("template", DERIVABLE, ids=lambda p: p.name)
def test_the_committed_policy_template_is_what_the_definition_derives(template: Path) -> None:
    committed = json.loads(policy_path(template).read_text(encoding="utf-8"))
    assert committed == derive_template(template.read_text(encoding="utf-8")), (
        f"{policy_path(template).relative_to(ROOT)} is stale: run "
        f"taxlake asl policy {template.relative_to(ROOT)} --placeholders > {policy_path(template).relative_to(ROOT)}"
    )


@pytest.mark.parametrize("template", DERIVABLE, ids=lambda p: p.name)
def test_rendering_the_template_equals_deriving_the_rendered_definition(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    values = deployment_values(text)
    rendered_policy = json.loads(render_template(policy_path(template).read_text(encoding="utf-8"), values, False))
    definition = json.loads(render_template(text, values, dummy=False))
    direct = derive_statements(definition, region=REGION, account=ACCOUNT, partition=PARTITION)
    assert comparable(rendered_policy["Statement"]) == comparable(direct)
    assert "${" not in json.dumps(rendered_policy)


def test_a_permission_known_only_at_run_time_has_no_template() -> None:
    dynamic = ROOT / "modules/orchestrator/tests/fixtures/dynamic.asl.json"
    with pytest.raises(PolicyError, match=r"FunctionName\.\$: only known at run time"):
        derive_template(dynamic.read_text(encoding="utf-8"))


def test_a_placeholder_inside_a_resource_name_maps_back_inside_it() -> None:
    template = json.dumps(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                    "Parameters": {"TableName": "${name_prefix}-files", "Key": {}},
                    "End": True,
                }
            },
        }
    )
    statements = derive_template(template)["Statement"]
    assert statements[0]["Resource"] == ["arn:${partition}:dynamodb:${region}:${account_id}:table/${name_prefix}-files"]


def test_the_cli_prints_the_template_and_fails_on_what_it_cannot_derive(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pipeline = ROOT / "statemachines/tax_pipeline.asl.json"
    assert main(["asl", "policy", str(pipeline), "--placeholders"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(policy_path(pipeline).read_text(encoding="utf-8"))
    dynamic = ROOT / "modules/orchestrator/tests/fixtures/dynamic.asl.json"
    assert main(["asl", "policy", str(dynamic), "--placeholders"]) == 1
    assert "only known at run time" in capsys.readouterr().out
    assert main(["asl", "policy", str(pipeline)]) == 2
    assert "needs --region and --account" in capsys.readouterr().err
