"""Step Functions: the two read APIs Terraform calls that moto lacks.

- ValidateStateMachineDefinition: the provider validates a definition before
  CreateStateMachine; moto answers "unknown action" and the apply retries
  until it times out. Here it checks the definition's structure (JSON,
  StartAt, States, every transition target) and answers OK or FAIL with
  diagnostics shaped like AWS's.
- ListStateMachineVersions: read after create; answered from moto's own
  record of published versions.
- A Fail state may rethrow a caught ``States.*`` error through ErrorPath
  (``"ErrorPath": "$.error.Error"`` after a Catch of ``States.TaskFailed``), as AWS
  allows; moto's parser (shared with LocalStack) rejects any ``States.`` name there
  and ends the execution with ``States.Runtime`` instead.
"""

from __future__ import annotations

import json
from typing import Any


def diagnostics(definition: str) -> list[dict[str, str]]:
    """Structural problems AWS would report for this definition (empty: OK)."""

    def err(code: str, message: str, location: str = "") -> dict[str, str]:
        return {"severity": "ERROR", "code": code, "message": message, "location": location}

    try:
        doc = json.loads(definition)
    except (TypeError, ValueError) as exc:
        return [err("INVALID_JSON_DESCRIPTION", f"definition is not JSON: {exc}")]
    if not isinstance(doc, dict):
        return [err("SCHEMA_VALIDATION_FAILED", "definition must be a JSON object")]
    out: list[dict[str, str]] = []

    def walk(machine: dict[str, Any], path: str) -> None:
        states = machine.get("States")
        if not isinstance(states, dict) or not states:
            out.append(err("SCHEMA_VALIDATION_FAILED", "States must be a non-empty object", f"{path}/States"))
            return
        start = machine.get("StartAt")
        if start not in states:
            out.append(err("MISSING_TRANSITION_TARGET", f"StartAt {start!r} is not a state", f"{path}/StartAt"))
        for name, state in states.items():
            where = f"{path}/States/{name}"
            if not isinstance(state, dict) or "Type" not in state:
                out.append(err("SCHEMA_VALIDATION_FAILED", "every state needs a Type", where))
                continue
            targets = [state.get("Next"), state.get("Default")]
            targets += [c.get("Next") for c in state.get("Choices", []) if isinstance(c, dict)]
            targets += [c.get("Next") for c in state.get("Catch", []) if isinstance(c, dict)]
            for target in targets:
                if target is not None and target not in states:
                    out.append(err("MISSING_TRANSITION_TARGET", f"{target!r} is not a state", where))
            for branch in state.get("Branches", []):
                walk(branch, f"{where}/Branches")
            for key in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(key), dict):
                    walk(state[key], f"{where}/{key}")

    walk(doc, "")
    return out


def install() -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def validate_state_machine_definition(self: Any) -> ActionResult:
        found = diagnostics(self._get_param("definition"))
        return ActionResult({"result": "FAIL" if found else "OK", "diagnostics": found, "truncated": False})

    def list_state_machine_versions(self: Any) -> ActionResult:
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        versions = sorted(getattr(machine, "versions", {}).values(), key=lambda v: v.arn, reverse=True)
        return ActionResult(
            {
                "stateMachineVersions": [
                    {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in versions
                ]
            }
        )

    _allow_rethrowing_states_errors()
    setattr(StepFunctionResponse, "validate_state_machine_definition", validate_state_machine_definition)  # noqa: B010
    setattr(StepFunctionResponse, "list_state_machine_versions", list_state_machine_versions)  # noqa: B010


def _allow_rethrowing_states_errors() -> None:
    from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
    from moto.stepfunctions.parser.asl.component.state.fail import state_fail

    custom = getattr(state_fail, "CustomErrorName")  # noqa: B009 - moto does not export it
    if getattr(custom, "localaws", False):
        return

    class Rethrown(ErrorName):
        """A States.* name arriving at a Fail state as data, not declared in the definition."""

    def error_name(value: str | None) -> ErrorName:
        return Rethrown(value) if value and value.startswith("States.") else custom(value)

    error_name.localaws = True  # type: ignore[attr-defined]
    setattr(state_fail, "CustomErrorName", error_name)  # noqa: B010
