"""The pipeline's health, kept from its executions' status changes.

- The consecutive-failure streak: each FAILED, TIMED_OUT or ABORTED execution adds one,
  the first SUCCEEDED one resets it to 0; counted per execution (not per period), once
  each (EventBridge delivers at least once). Events of one streak may arrive out of order:
  a success that overtakes a failure resets a streak the failure then restarts at 1.
- The newest curated file per kind (a successful execution's stop time), from which a
  scheduled run measures how long each kind has gone without one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Protocol

from taxlake.pipeline.common import InputContractError

FAILED = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
FINAL = FAILED | {"SUCCEEDED"}


class Health(Protocol):
    def first_sight(self, execution_arn: str, now_seconds: int) -> bool: ...
    def add_failure(self) -> int: ...
    def reset_streak(self) -> int: ...
    def streak(self) -> int: ...
    def curated(self, kind: str, at_ms: int) -> None: ...
    def newest_curated(self, kind: str) -> int | None: ...


@dataclass(frozen=True)
class Execution:
    """One final status of one pipeline execution, as Step Functions reports it."""

    arn: str
    state_machine: str
    status: str
    started_ms: int
    stopped_ms: int
    kind: str | None

    @property
    def duration_ms(self) -> int:
        return max(0, self.stopped_ms - self.started_ms)

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Execution:
        if not isinstance(event, dict) or event.get("detail-type") != "Step Functions Execution Status Change":
            raise InputContractError("not a Step Functions Execution Status Change event")
        detail = event.get("detail")
        if not isinstance(detail, dict):
            raise InputContractError("not a Step Functions Execution Status Change event")
        status = detail.get("status")
        if status not in FINAL:
            raise InputContractError(f"status {status!r} is not a final one ({sorted(FINAL)})")
        try:
            started, stopped = int(detail["startDate"]), int(detail["stopDate"])
            arn, machine = str(detail["executionArn"]), str(detail["stateMachineArn"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputContractError(f"status change without {exc}") from None
        try:
            kind = json.loads(detail.get("input") or "{}").get("kind")
        except (ValueError, AttributeError):
            kind = None  # an input that is not the validator's: no kind to credit
        return cls(arn, machine, str(status), started, stopped, str(kind) if kind else None)


def record_execution(event: dict[str, Any], health: Health) -> dict[str, Any]:
    """Count one execution's final status; what to publish about it."""
    execution = Execution.from_event(event)
    out: dict[str, Any] = {
        "execution": execution.arn,
        "state_machine": execution.state_machine.rsplit(":", 1)[-1],
        "status": execution.status,
        "kind": execution.kind,
        "duration_ms": execution.duration_ms,
    }
    if not health.first_sight(execution.arn, execution.stopped_ms // 1000):
        return out | {"counted": False}
    if execution.status in FAILED:
        streak = health.add_failure()
    else:
        streak = health.reset_streak()
        if execution.kind:
            health.curated(execution.kind, execution.stopped_ms)
    return out | {"counted": True, "consecutive_failures": streak}


def event_time(event: dict[str, Any]) -> dt.datetime:
    """The moment a scheduled run stands for: its event's ``time`` (EventBridge and Scheduler
    send it), so a run replayed or tested at another moment measures from that moment."""
    try:
        at = dt.datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00"))
    except (KeyError, ValueError) as exc:
        raise InputContractError(f"a scheduled event needs an ISO 8601 time: {exc}") from None
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def curated_ages(event: dict[str, Any], health: Health, kinds: list[str]) -> dict[str, float | None]:
    """Seconds since the newest curated file of each kind at the event's time (None: none yet,
    which the data-delay alarm treats as breaching)."""
    at_ms = event_time(event).timestamp() * 1000
    ages: dict[str, float | None] = {}
    for kind in kinds:
        newest = health.newest_curated(kind)
        ages[kind] = None if newest is None else max(0.0, (at_ms - newest) / 1000)
    return ages
