"""Pipeline step Lambdas: one package, seven handlers (see statemachines/tax_pipeline.asl.json),
and two that watch the pipeline (``execution_status``, ``freshness``: modules/observability).

Each handler is thin: take the state machine's document, call the step in
``taxlake.pipeline``, return what the next state reads. Powertools gives
structured logs (correlated by execution) and EMF metrics.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from taxlake.adapters.dynamodb import HealthTable
from taxlake.adapters.glue import glue_client
from taxlake.adapters.s3 import S3Store
from taxlake.pipeline.catalog import catalog as update_catalog
from taxlake.pipeline.failure import failure as record_failure
from taxlake.pipeline.fraud import fraud as detect_fraud
from taxlake.pipeline.health import curated_ages, event_time, record_execution
from taxlake.pipeline.process import process as process_with_lambda
from taxlake.pipeline.quality import quality as check_quality
from taxlake.pipeline.settings import Settings
from taxlake.pipeline.validate_input import validate_input as check_input

logger = Logger()
emf = Metrics()  # 'metrics' is a handler name below
store = S3Store()
settings = Settings.from_env()
health = HealthTable(os.environ.get("HEALTH_TABLE", ""))
_glue: Any = None


def _glue_client() -> Any:
    global _glue
    if _glue is None:
        _glue = glue_client()
    return _glue


def _correlate(doc: dict[str, Any]) -> None:
    logger.append_keys(execution=doc.get("execution"), kind=doc.get("kind"), key=doc.get("key"))


@logger.inject_lambda_context(clear_state=True)
def validate_input(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    out = check_input(event, store, settings)
    _correlate(out)
    logger.info("input accepted", extra={"size_bytes": out["size_bytes"], "glue": out["glue"]})
    return out


@logger.inject_lambda_context(clear_state=True)
def process(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _correlate(event)
    out = process_with_lambda(event, store, settings)
    logger.info("curated in Lambda", extra={"records_curated": out["records_curated"], "files": len(out["files"])})
    return out


@logger.inject_lambda_context(clear_state=True)
def quality(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _correlate(event)
    return check_quality(event, store, settings)


@logger.inject_lambda_context(clear_state=True)
def catalog(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _correlate(event)
    return update_catalog(event, _glue_client(), settings)


@logger.inject_lambda_context(clear_state=True)
def fraud(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _correlate(event)
    out = detect_fraud(event, store, settings)
    logger.info("fraud rules applied", extra={k: out[k] for k in ("flags", "high_risk", "rules")})
    return out


@logger.inject_lambda_context(clear_state=True)
@emf.log_metrics
def metrics(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _correlate(event)
    engine = event.get("processing", {}).get("engine", "unknown")
    quality_result = event.get("quality", {}).get("result", {})
    fraud_result = event.get("fraud", {}).get("result", {})
    emf.add_dimension(name="Kind", value=str(event.get("kind")))
    emf.add_dimension(name="Engine", value=str(engine))
    emf.add_metric(name="PipelineSucceeded", unit=MetricUnit.Count, value=1)
    emf.add_metric(name="RecordsCurated", unit=MetricUnit.Count, value=quality_result.get("records_curated", 0))
    emf.add_metric(name="DuplicatesRemoved", unit=MetricUnit.Count, value=quality_result.get("duplicates_removed", 0))
    emf.add_metric(name="QualityScore", unit=MetricUnit.NoUnit, value=quality_result.get("score", 0.0))
    emf.add_metric(name="FraudFlags", unit=MetricUnit.Count, value=fraud_result.get("flags", 0))
    emf.add_metric(name="FraudHighRisk", unit=MetricUnit.Count, value=fraud_result.get("high_risk", 0))
    return {"published": True}


@logger.inject_lambda_context(clear_state=True)
@emf.log_metrics
def failure(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    out = record_failure(event, store, settings)
    emf.add_dimension(name="Kind", value=str(out.get("kind")))
    emf.add_metric(name="PipelineFailed", unit=MetricUnit.Count, value=1)
    logger.error("pipeline failed", extra=out)
    return out


@logger.inject_lambda_context(clear_state=True)
@emf.log_metrics
def execution_status(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """A pipeline execution ended: count it into the failure streak, publish the streak
    and the execution's time (timestamped when it stopped)."""
    out = record_execution(event, health)
    logger.append_keys(execution=out["execution"], kind=out["kind"])
    if not out["counted"]:
        logger.info("status already counted", extra={"status": out["status"]})
        return out
    emf.set_timestamp(int(event["detail"]["stopDate"]))
    emf.add_dimension(name="StateMachine", value=out["state_machine"])
    emf.add_metric(name="ConsecutiveFailures", unit=MetricUnit.Count, value=out["consecutive_failures"])
    emf.add_metric(name="ExecutionTime", unit=MetricUnit.Milliseconds, value=out["duration_ms"])
    emf.add_metric(name="ExecutionsFailed", unit=MetricUnit.Count, value=int(out["status"] != "SUCCEEDED"))
    logger.info("execution counted", extra={k: out[k] for k in ("status", "consecutive_failures", "duration_ms")})
    return out


def _publish(name: str, unit: MetricUnit, value: float, at: dt.datetime, **dimensions: str) -> None:
    with single_metric(
        name=name, unit=unit, value=value, namespace=emf.namespace, default_dimensions=dimensions
    ) as metric:
        metric.set_timestamp(at)


@logger.inject_lambda_context(clear_state=True)
def freshness(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Scheduled: seconds since each kind's newest curated file, one metric per kind (a kind
    with none yet publishes nothing, which its data-delay alarm treats as breaching); and the
    failure streak again, so its alarm follows the latest value within one schedule interval."""
    at = event_time(event)
    kinds = [k for k in os.environ.get("KINDS", "").split(",") if k]
    ages = curated_ages(event, health, kinds)
    for kind, age in ages.items():
        if age is not None:
            _publish("CuratedDataAgeSeconds", MetricUnit.Seconds, age, at, Kind=kind)
    streak = health.streak()
    _publish("ConsecutiveFailures", MetricUnit.Count, streak, at, StateMachine=os.environ.get("STATE_MACHINE", ""))
    logger.info("curated data ages", extra={"ages": ages, "consecutive_failures": streak, "at": at.isoformat()})
    return {"time": at.isoformat(), "ages": ages, "consecutive_failures": streak}
