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
- Each execution's status changes (RUNNING, then SUCCEEDED, FAILED, TIMED_OUT or
  ABORTED) go to the account's default event bus as the "Step Functions Execution
  Status Change" events AWS sends, so rules on them run (moto sends none).
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger("localaws.sfn")


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
    _send_status_changes()
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


def _epoch_ms(value: Any) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def status_change(execution: Any, status: str | None = None) -> dict[str, Any]:
    """The detail of the event AWS sends when ``execution``'s status changes (to ``status``,
    by default the one it has)."""
    status = status or execution.exec_status.value
    output = execution.output if status == "SUCCEEDED" else None
    return {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "status": status,
        "startDate": _epoch_ms(execution.start_date),
        "stopDate": None if status == "RUNNING" else _epoch_ms(execution.stop_date),
        "input": execution.execution_input,
        "output": None if output is None else json.dumps(output),
        "inputDetails": {"included": True},
        "outputDetails": {"included": True} if output is not None else None,
        "error": execution.error if status == "FAILED" else None,
        "cause": execution.cause if status == "FAILED" else None,
    }


def _publish(execution: Any, status: str | None = None) -> None:
    from moto.events.models import events_backends

    try:
        events_backends[execution.account_id][execution.region_name].put_events(
            [
                {
                    "Source": "aws.states",
                    "DetailType": "Step Functions Execution Status Change",
                    "Detail": json.dumps(status_change(execution, status)),
                    "Resources": [execution.exec_arn],
                }
            ]
        )
    except Exception:  # an event that cannot be sent never changes the execution
        log.exception("status change of %s not sent", execution.exec_arn)


def _send_status_changes() -> None:
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution

    original_start = Execution.start
    original_terminated = BaseExecutionWorkerCommunication.terminated

    def start(self: Any) -> None:
        # before the worker starts: a short execution may otherwise end before RUNNING is sent
        _publish(self, "RUNNING")
        original_start(self)

    def terminated(self: Any) -> None:
        original_terminated(self)
        _publish(self.execution)

    setattr(Execution, "start", start)  # noqa: B010 - a patch
    setattr(BaseExecutionWorkerCommunication, "terminated", terminated)  # noqa: B010
