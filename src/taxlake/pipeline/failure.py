"""RecordFailure: a machine-readable report of a failed execution."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from taxlake.pipeline.settings import Settings
from taxlake.records.ingest import ObjectStore


def failure(payload: Mapping[str, Any], store: ObjectStore, settings: Settings) -> dict[str, Any]:
    """A machine-readable failure report, so a failed run can be found and replayed."""
    doc = payload.get("input") or {}
    error = doc.get("error") or {}
    execution = str(payload.get("execution") or "unknown")
    name = execution.rsplit(":", 1)[-1]
    today = dt.datetime.now(dt.UTC)
    report = {
        "execution": execution,
        "failed_at": today.isoformat(timespec="seconds"),
        "error": error.get("Error"),
        "cause": error.get("Cause"),
        "kind": doc.get("kind"),
        "object": {k: doc.get(k) for k in ("bucket", "key", "version_id", "size_bytes", "source_id")},
        "input": {k: v for k, v in doc.items() if k != "error"},
    }
    key = f"{settings.failure_prefix}/{today:%Y/%m/%d}/{name}.json"
    store.put_bytes(
        settings.analytics_bucket,
        key,
        json.dumps(report, indent=2, sort_keys=True, default=str).encode(),
        "application/json",
    )
    return {"report_key": key, "error": report["error"], "kind": report["kind"]}
