"""Step Functions adapter: start one pipeline execution per validated object."""

from __future__ import annotations

import json
from typing import Any

from taxlake.adapters import LazyClient


class PipelineStarter(LazyClient):
    """Starts the pipeline state machine; a repeated start is not an error.

    Standard workflows treat StartExecution with the same name and input as
    idempotent; with the same name and different input AWS answers
    ExecutionAlreadyExists, which also means the object is already in flight.
    """

    service = "stepfunctions"

    def __init__(self, state_machine_arn: str, client: Any = None) -> None:
        super().__init__(client)
        self.state_machine_arn = state_machine_arn

    def start(self, name: str, payload: dict[str, Any]) -> str:
        arn_prefix = self.state_machine_arn.replace(":stateMachine:", ":execution:")
        try:
            out = self.client.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(payload, sort_keys=True)
            )
        except self.client.exceptions.ExecutionAlreadyExists:
            return f"{arn_prefix}:{name}"
        return str(out["executionArn"])
