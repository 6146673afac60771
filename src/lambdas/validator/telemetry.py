"""EMF metrics and structured log lines for one validated object."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from taxlake.records.ingest import IngestResult


def publish_result(metrics: Metrics, logger: Logger, result: IngestResult) -> None:
    """One EMF document per invocation plus one per reject reason."""
    report = result.report
    if result.skipped:
        logger.warning("object skipped", extra={"reason": result.skipped})
        metrics.add_metric(name="FilesSkipped", unit=MetricUnit.Count, value=1)
        return
    kind = report.kind or "unknown"
    metrics.add_dimension(name="Kind", value=kind)
    status_metric = "FilesAccepted" if report.accepted else "FilesQuarantined"
    metrics.add_metric(name=status_metric, unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="RecordsRead", unit=MetricUnit.Count, value=report.records_read)
    metrics.add_metric(name="RecordsValid", unit=MetricUnit.Count, value=report.records_valid)
    metrics.add_metric(name="RecordsRejected", unit=MetricUnit.Count, value=report.records_rejected)
    metrics.add_metric(name="BytesRead", unit=MetricUnit.Bytes, value=report.bytes_read)
    metrics.add_metric(name="ValidationDuration", unit=MetricUnit.Milliseconds, value=report.duration_ms)
    drifted = report.quarantine_reason == "SCHEMA_DRIFT"
    metrics.add_metric(name="SchemaDriftDetected", unit=MetricUnit.Count, value=1 if drifted else 0)
    # reasons as a dimension need their own EMF document each
    for reason, count in report.reasons.items():
        with single_metric(
            name="RecordsRejectedByReason",
            unit=MetricUnit.Count,
            value=count,
            namespace=metrics.namespace,
            default_dimensions={**metrics.default_dimensions, "Kind": kind},
        ) as metric:
            metric.add_dimension(name="Reason", value=reason)
    logger.info(
        "object validated",
        extra={
            "status": report.status,
            "kind": kind,
            "records_read": report.records_read,
            "records_valid": report.records_valid,
            "records_rejected": report.records_rejected,
            "reasons": report.reasons,
            "quarantine_reason": report.quarantine_reason,
            "destination_key": result.destination_key,
            "raw_key": (result.raw or {}).get("key"),
            "execution_arn": result.execution_arn,
            "bytes_read": report.bytes_read,
            "duration_ms": report.duration_ms,
        },
    )


def publish_duplicate(metrics: Metrics, response: Any) -> Any:
    """Idempotency replay: count it, change nothing."""
    metrics.add_metric(name="DuplicateEventsSkipped", unit=MetricUnit.Count, value=1)
    return response
