"""CloudWatch metrics as Embedded Metric Format log lines (Powertools), for domain code
that publishes outside a handler's own ``Metrics`` flush."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence


class EmfMetrics:
    """``taxlake.quality.tables.MetricSink``: one EMF document per call, flushed at once, in the
    namespace of the function's Powertools settings unless given (``Taxlake`` without either)."""

    def __init__(self, namespace: str | None = None) -> None:
        self.namespace = namespace or os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Taxlake"

    def publish(self, dimensions: Mapping[str, str], metrics: Sequence[tuple[str, float, str]]) -> None:
        if not metrics:
            return
        from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

        emf = EphemeralMetrics(namespace=self.namespace)
        for name, value in dimensions.items():
            emf.add_dimension(name=name, value=value)
        for name, number, unit in metrics:
            emf.add_metric(name=name, unit=MetricUnit(unit), value=number)
        emf.flush_metrics()
