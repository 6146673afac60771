"""The pipeline's health record (taxlake.pipeline.health) on moto DynamoDB, and the two
handlers that publish it (execution_status, freshness)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from taxlake.adapters.dynamodb import HealthTable
from taxlake.pipeline.common import InputContractError
from taxlake.pipeline.health import Execution, curated_ages, record_execution

from .aws import REGION, create_table, load_handler
from .test_handler import Context, emf

TABLE = "taxlake-test-health"
MACHINE = f"arn:aws:states:{REGION}:123456789012:stateMachine:taxlake-test-pipeline"
# ms, four hours ago: within what CloudWatch accepts as a metric timestamp (14 days back, 2 h ahead)
T0 = (int(time.time()) // 60 * 60 - 4 * 3600) * 1000


@pytest.fixture
def health() -> Iterator[HealthTable]:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        create_table(ddb, TABLE, "pk")
        yield HealthTable(TABLE, client=ddb)


def status(
    name: str, state: str, stopped: int = T0, kind: str | None = "lodgement", started: int | None = None
) -> dict:
    """A Step Functions Execution Status Change event as EventBridge delivers it."""
    return {
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "detail": {
            "executionArn": MACHINE.replace(":stateMachine:", ":execution:") + f":{name}",
            "stateMachineArn": MACHINE,
            "name": name,
            "status": state,
            "startDate": (started if started is not None else stopped - 5_000),
            "stopDate": stopped,
            "input": json.dumps({"kind": kind} if kind else {}),
        },
    }


def streaks(health: HealthTable, events: list[dict]) -> list[Any]:
    return [record_execution(e, health).get("consecutive_failures") for e in events]


def test_failures_count_per_execution_and_a_success_resets(health: HealthTable) -> None:
    events = [status("a", "FAILED"), status("b", "TIMED_OUT"), status("c", "ABORTED"), status("d", "SUCCEEDED")]
    events += [status("e", "FAILED")]
    assert streaks(health, events) == [1, 2, 3, 0, 1]


def test_a_status_delivered_twice_counts_once(health: HealthTable) -> None:
    first = record_execution(status("a", "FAILED"), health)
    again = record_execution(status("a", "FAILED"), health)
    assert (first["counted"], first["consecutive_failures"]) == (True, 1)
    assert again["counted"] is False and "consecutive_failures" not in again
    assert record_execution(status("b", "FAILED"), health)["consecutive_failures"] == 2


def test_the_newest_curated_file_per_kind_is_kept(health: HealthTable) -> None:
    record_execution(status("new", "SUCCEEDED", stopped=T0 + 60_000), health)
    record_execution(status("old", "SUCCEEDED", stopped=T0), health)  # arrives late: must not win
    record_execution(status("bas", "SUCCEEDED", stopped=T0, kind="bas"), health)
    record_execution(status("broken", "FAILED", stopped=T0 + 999_000, kind="bas"), health)  # failures curate nothing
    at = dt.datetime.fromtimestamp((T0 + 7_260_000) / 1000, dt.UTC)
    ages = curated_ages({"time": at.isoformat()}, health, ["lodgement", "bas", "payer-report"])
    assert ages == {"lodgement": 7200.0, "bas": 7260.0, "payer-report": None}


@pytest.mark.parametrize(
    "event",
    [
        {"detail-type": "Object Created", "detail": {}},
        status("a", "RUNNING"),
        {**status("a", "FAILED"), "detail": {**status("a", "FAILED")["detail"], "stopDate": None}},
        "not an event",
    ],
)
def test_what_is_not_a_final_status_is_refused(event: Any, health: HealthTable) -> None:
    with pytest.raises(InputContractError):
        record_execution(event, health)


def test_an_input_without_a_kind_counts_but_curates_nothing() -> None:
    event = status("x", "SUCCEEDED", kind=None)
    event["detail"]["input"] = "not json"
    assert Execution.from_event(event).kind is None


def test_a_scheduled_event_needs_a_time(health: HealthTable) -> None:
    with pytest.raises(InputContractError):
        curated_ages({}, health, ["bas"])


@pytest.fixture
def handler(health: HealthTable, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = load_handler(
        monkeypatch,
        "pipeline",
        {"HEALTH_TABLE": TABLE, "KINDS": "lodgement,bas", "STATE_MACHINE": "taxlake-test-pipeline"},
    )
    module.health = health  # the moto client the fixture made
    return module


def test_execution_status_publishes_the_streak_at_the_stop_time(handler: ModuleType, capsys) -> None:
    handler.execution_status(status("a", "FAILED", stopped=T0, started=T0 - 42_000), Context())
    handler.execution_status(status("a", "FAILED", stopped=T0), Context())  # a re-delivery: no metric
    handler.execution_status(status("b", "FAILED", stopped=T0 + 1000), Context())
    docs = [d for d in emf(capsys.readouterr().out) if "ConsecutiveFailures" in d]
    assert [d["ConsecutiveFailures"] for d in docs] == [1.0, 2.0]
    first = docs[0]
    assert first["_aws"]["Timestamp"] == T0 and first["StateMachine"] == "taxlake-test-pipeline"
    assert (first["ExecutionTime"], first["ExecutionsFailed"]) == (42_000.0, 1.0)


def test_freshness_publishes_each_curated_kind_at_the_event_time(handler: ModuleType, capsys) -> None:
    handler.execution_status(status("a", "SUCCEEDED", stopped=T0), Context())
    capsys.readouterr()
    at = dt.datetime.fromtimestamp(T0 / 1000 + 3 * 3600, dt.UTC)
    out = handler.freshness({"time": at.strftime("%Y-%m-%dT%H:%M:%SZ")}, Context())
    assert out["ages"] == {"lodgement": 10800.0, "bas": None}
    docs = emf(capsys.readouterr().out)
    (doc,) = [d for d in docs if "CuratedDataAgeSeconds" in d]
    assert (doc["Kind"], doc["CuratedDataAgeSeconds"], doc["_aws"]["Timestamp"]) == (
        "lodgement",
        10800.0,
        T0 + 10_800_000,
    )
    # the streak again, as the status function publishes it (same dimensions)
    (streak,) = [d for d in docs if "ConsecutiveFailures" in d]
    assert (streak["ConsecutiveFailures"], streak["StateMachine"]) == (0.0, "taxlake-test-pipeline")
    assert streak["service"] == "pipeline" and out["consecutive_failures"] == 0
