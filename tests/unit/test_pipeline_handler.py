"""The pipeline step Lambdas (src/lambdas/pipeline/handler.py) on moto, imported as their zip lays them out."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from taxlake.pipeline import common
from taxlake.pipeline.common import InputContractError, ObjectNotFound
from taxlake.pipeline.settings import Settings

from . import test_pipeline
from .aws import BUCKET, REGION, Aws, load_handler
from .conftest import GOOD_LODGEMENT, csv_bytes
from .test_handler import Context, emf
from .test_pipeline import ANALYTICS, LAKE, ROUTING, landed, rewrite_report

lake = test_pipeline.lake  # the moto lake buckets and Glue tables the step tests use

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "tax_pipeline.asl.json").read_text())
# the entry points Terraform gives each step's function (handler = "handler.<name>")
CONFIGURED = [
    name
    for module in ("modules/orchestrator/functions.tf", "modules/observability/main.tf")
    for name in re.findall(r'handler\s*=\s*"handler\.(\w+)"', (ROOT / module).read_text())
]


@pytest.fixture
def handler(aws: Aws, lake: Settings, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The handler module as the Lambda runtime imports it: ``handler`` at the zip's top level,
    configured from the environment the orchestrator module sets."""
    environment = {
        "LANDING_BUCKET": BUCKET,
        "CURATED_BUCKET": LAKE,
        "ANALYTICS_BUCKET": ANALYTICS,
        "GLUE_DATABASE": lake.glue_database,
        "URGENT_KINDS": "bas",
        "FRAUD_CONFIG": lake.fraud.to_json(),
    }
    return load_handler(monkeypatch, "pipeline", environment)


def at(doc: dict[str, Any], path: str) -> Any:
    """``$.a.b`` of a state's document, as the state machine reads it (KeyError if absent)."""
    for part in path.split("."):
        doc = doc[part]
    return doc


def test_every_entry_point_terraform_configures_is_a_handler_and_no_other(handler: ModuleType) -> None:
    defined = {
        name
        for name, fn in vars(handler).items()
        if inspect.isfunction(fn) and fn.__module__ == "handler" and not name.startswith("_")
    }
    assert sorted(CONFIGURED) == sorted(defined)
    steps = {"validate_input", "process", "quality", "catalog", "fraud", "metrics", "failure"}
    assert set(CONFIGURED) == steps | {"execution_status", "freshness"}
    for name in CONFIGURED:
        assert list(inspect.signature(getattr(handler, name)).parameters) == ["event", "context"]


def test_settings_come_from_the_functions_environment(handler: ModuleType, lake: Settings) -> None:
    assert (handler.settings.curated_bucket, handler.settings.analytics_bucket) == (LAKE, ANALYTICS)
    assert (handler.settings.glue_database, handler.settings.urgent_kinds) == (lake.glue_database, frozenset({"bas"}))
    assert handler.settings.fraud == lake.fraud


def test_a_file_goes_through_every_step_handler(aws: Aws, handler: ModuleType, capsys) -> None:
    """Each handler runs its own step on moto and returns what the next state reads."""
    rows = [GOOD_LODGEMENT, GOOD_LODGEMENT]  # one duplicate: valid and curated counts differ
    obj = landed(aws, "incoming/lodgement/h.csv", csv_bytes("lodgement", rows))
    doc = handler.validate_input({"object": obj, "routing": ROUTING, "execution": "arn:exec:h"}, Context())
    for path in ("routing.emr_min_bytes", "routing.lambda_max_bytes", "glue.workers", "glue.worker_type",
                 "glue.execution_class", "processing_bytes", "structured", "source_id"):  # fmt: skip
        at(doc, path)
    assert (doc["key"], doc["record_count"], doc["glue"]["execution_class"]) == ("validated/lodgement/h.csv", 2, "FLEX")
    assert doc["job_arguments"]["--input"] == f"s3://{BUCKET}/validated/lodgement/h.csv"

    doc["processing"] = handler.process(doc, Context())
    assert (doc["processing"]["engine"], doc["processing"]["records_curated"]) == ("lambda", 1)
    assert doc["processing"]["manifest_key"] == doc["manifest_key"]
    aws.s3.head_object(Bucket=LAKE, Key=doc["manifest_key"])  # written by the process step

    doc["quality"] = {"result": handler.quality(doc, Context())}
    result = doc["quality"]["result"]
    assert (result["records_curated"], result["records_valid"], result["problems"]) == (1, 2, [])
    aws.s3.head_object(Bucket=ANALYTICS, Key=result["report_key"])

    doc["catalog"] = handler.catalog(doc, Context())
    assert doc["catalog"] == {"table": "curated_lodgement", "registered": 1, "already_registered": 0}
    glue = boto3.client("glue", region_name=REGION)
    assert len(glue.get_partitions(DatabaseName="lake", TableName="curated_lodgement")["Partitions"]) == 1

    doc["fraud"] = {"result": handler.fraud(doc, Context())}
    assert (at(doc, "fraud.result.high_risk"), doc["fraud"]["result"]["engine"]) == (0, "lambda")

    capsys.readouterr()
    assert handler.metrics(doc, Context()) == {"published": True}
    (published,) = [d for d in emf(capsys.readouterr().out) if "PipelineSucceeded" in d]
    assert (published["Kind"], published["Engine"], published["RecordsCurated"]) == ("lodgement", "lambda", 1)
    assert published["DuplicatesRemoved"] == 1 and published["FraudHighRisk"] == 0
    assert (published["FraudFlags"], published["QualityScore"]) == (0, result["score"])


def test_the_failure_handler_records_the_error_and_counts_it(aws: Aws, handler: ModuleType, capsys) -> None:
    event = {
        "execution": "arn:aws:states:ap-southeast-2:123456789012:execution:p:run-7",
        "input": {"kind": "bas", "key": "validated/bas/q.csv", "error": {"Error": "DataQualityFailed", "Cause": "x"}},
    }
    out = handler.failure(event, Context())
    assert (out["error"], out["kind"]) == ("DataQualityFailed", "bas") and out["report_key"].endswith("/run-7.json")
    report = json.loads(aws.s3.get_object(Bucket=ANALYTICS, Key=out["report_key"])["Body"].read())
    assert report["object"]["key"] == "validated/bas/q.csv" and "error" not in report["input"]
    (failed,) = [d for d in emf(capsys.readouterr().out) if "PipelineFailed" in d]
    assert (failed["Kind"], failed["PipelineFailed"]) == ("bas", 1)


def non_retryable() -> set[str]:
    """The error names every Lambda task of the state machine does not retry (MaxAttempts 0)."""
    names: set[str] = set()
    for state in ASL["States"].values():
        if state.get("Resource") == "arn:aws:states:::lambda:invoke":
            names |= {e for r in state.get("Retry", []) if r.get("MaxAttempts") == 0 for e in r["ErrorEquals"]}
    return names


def test_a_step_error_reaches_the_state_machine_under_a_name_it_does_not_retry(aws: Aws, handler: ModuleType) -> None:
    """Lambda reports a handler's exception by its class name: it must be one the Retry lists name."""
    obj = landed(aws, "incoming/lodgement/r.csv", csv_bytes("lodgement", [GOOD_LODGEMENT]))
    rewrite_report(aws, obj, status="quarantined")
    with pytest.raises(InputContractError) as refused:
        handler.validate_input({"object": obj, "routing": ROUTING}, Context())
    aws.s3.delete_object(Bucket=BUCKET, Key=obj["report_key"])
    with pytest.raises(ObjectNotFound) as missing:
        handler.validate_input({"object": obj, "routing": ROUTING}, Context())
    assert {type(refused.value).__name__, type(missing.value).__name__} <= non_retryable()
    assert non_retryable() == {"InputContractError", "DataQualityFailed", "ObjectNotFound"}
    assert {"InputContractError", "DataQualityFailed", "ObjectNotFound"} <= set(common.__all__)


def test_a_step_the_handler_was_not_given_enough_for_fails_clearly(handler: ModuleType) -> None:
    with pytest.raises(InputContractError, match=r"payload\.object"):
        handler.validate_input({"routing": ROUTING}, Context())
