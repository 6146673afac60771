"""DataQualityCheck: reconcile the batch, check its schema drift, score its anomalies."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from taxlake.lake.curate import curated_schema
from taxlake.pipeline.common import curated_table_name, get_json, registered_table
from taxlake.pipeline.settings import Settings
from taxlake.quality.anomaly import Score, profile_metrics, robust_z
from taxlake.quality.drift import (
    DRIFT_DETAIL_TYPE,
    QUALITY_SOURCE,
    EventPublisher,
    SchemaDrift,
    drift_detail,
    registered_columns,
    schema_drift,
)
from taxlake.quality.profile import DataQualityFailed, Profile, assess_profile, profile_parquet, profile_table
from taxlake.quality.tables import MetricSink, metrics_table
from taxlake.records.ingest import ObjectStore


class QualityStore(ObjectStore, Protocol):
    """The object store the quality step needs: it also lists its history prefix."""

    def list_keys(self, bucket: str, prefix: str, max_keys: int, start_after: str = "") -> list[str]: ...


def _profile_manifest(
    doc: Mapping[str, Any], store: ObjectStore, settings: Settings
) -> tuple[dict[str, Any], list[pa.Schema], Profile]:
    """The manifest, each file's schema as written (drift is judged on these, before any
    cast) and the batch's profile: footers and the key-sum columns, read with ranged GETs,
    so a file from the Glue or EMR path costs this step no more memory than a small one."""
    kind = doc["kind"]
    manifest = get_json(store, settings.curated_bucket, doc["manifest_key"])
    schemas, profile = [], Profile(0, {}, {})
    for entry in manifest["files"]:
        size = store.resolve_key(settings.curated_bucket, entry["key"], None)[1]
        with store.open(settings.curated_bucket, entry["key"], None, size) as fh:
            pf = pq.ParquetFile(fh)
            schemas.append(pf.schema_arrow)
            profile += profile_parquet(pf, kind)
    if not manifest["files"]:
        profile = profile_table(curated_schema(kind).empty_table(), kind)
    return manifest, schemas, profile


def _merge_drift(drifts: list[SchemaDrift]) -> SchemaDrift:
    retyped = {(r["name"], r["found"]): r for d in drifts for r in d.retyped}
    return SchemaDrift(
        new=sorted({c for d in drifts for c in d.new}),
        missing=sorted({c for d in drifts for c in d.missing}),
        retyped=[retyped[k] for k in sorted(retyped)],
    )


def _history_prefix(settings: Settings, kind: str) -> str:
    return f"{settings.quality_prefix}/history/{kind}/"


def history_key(settings: Settings, kind: str, source: str, at: dt.datetime) -> str:
    """Where a file's metrics join its kind's quality history."""
    # newest first in key order (a reversed timestamp), so one short listing after this
    # file's own key finds the most recent earlier files
    reverse = 10**13 - 1 - int(at.timestamp() * 1000)
    return f"{_history_prefix(settings, kind)}{reverse:013d}-{source}.json"


def _read_history(
    store: QualityStore, settings: Settings, kind: str, source: str, own_key: str
) -> list[dict[str, float]]:
    """Metrics of up to ``history_size`` earlier files of ``kind``, newest first; a file
    processed twice (a replay) counts once, and this file never counts against itself."""
    size = settings.quality.history_size
    keys = store.list_keys(settings.analytics_bucket, _history_prefix(settings, kind), 2 * size + 1, own_key)
    seen, out = {source}, []
    for key in keys:
        entry = get_json(store, settings.analytics_bucket, key)
        if entry["source_id"] in seen:
            continue
        seen.add(entry["source_id"])
        out.append({k: float(v) for k, v in entry["metrics"].items()})
        if len(out) == size:
            break
    return out


def quality(
    doc: Mapping[str, Any],
    store: QualityStore,
    settings: Settings,
    *,
    glue: Any = None,
    events: EventPublisher | None = None,
    metrics: MetricSink | None = None,
) -> dict[str, Any]:
    """Reconcile, check drift against the catalog, score anomalies; report all of it.

    Only reconciliation problems fail the step (``DataQualityFailed``). Drift puts a
    ``SchemaDriftDetected`` event and anomalies are flagged, both in the report, the
    ``quality_metrics`` table and metrics, and the file goes on: the curated rows are
    already typed by the code's schema, and people decide what a drift means. A failed
    batch is reported but kept out of the history later files are compared with.
    """
    from taxlake.adapters.events import EventBridgePublisher
    from taxlake.adapters.glue import glue_client
    from taxlake.adapters.metrics import EmfMetrics

    kind, source = doc["kind"], doc["source_id"]
    manifest, schemas, profile = _profile_manifest(doc, store, settings)
    result = assess_profile(profile, kind, doc["record_count"])

    drift: SchemaDrift | None = None
    if settings.glue_database and schemas:
        registered = registered_columns(registered_table(glue or glue_client(), kind, settings))
        drift = _merge_drift([schema_drift(schema, registered) for schema in schemas])

    at = dt.datetime.fromisoformat(doc["started_at"]) if doc.get("started_at") else dt.datetime.now(dt.UTC)
    at = at.astimezone(dt.UTC)
    own_key = history_key(settings, kind, source, at)
    history = _read_history(store, settings, kind, source, own_key)
    current = profile_metrics(profile, kind)
    scores: dict[str, tuple[float, Score]] = {
        m: (v, robust_z(v, [h[m] for h in history if m in h], settings.quality)) for m, v in current.items()
    }
    anomalies = sorted(m for m, (_v, s) in scores.items() if s.anomaly)

    rows = metrics_table(
        scores,
        kind=kind,
        source_id=source,
        source_key=doc["key"],
        engine=manifest.get("engine"),
        processed_at=at,
        result=result,
        drift=drift,
    )
    metrics_key = f"{settings.quality_metrics_prefix}/kind={kind}/{source}.parquet"
    sink = io.BytesIO()
    pq.write_table(rows, sink, compression="zstd")
    store.put_bytes(settings.analytics_bucket, metrics_key, sink.getvalue(), "application/vnd.apache.parquet")

    out = {
        **result.to_dict(),
        "source_id": source,
        "engine": manifest["engine"],
        "schema_drift": None if drift is None else drift.to_dict(),
        "anomalies": anomalies,
        "metrics": {
            m: {"value": v, "z_score": s.z, "anomaly": s.anomaly, "history_size": s.history_size}
            for m, (v, s) in sorted(scores.items())
        },
    }
    key = f"{settings.quality_prefix}/{kind}/{source}.json"
    store.put_bytes(
        settings.analytics_bucket, key, json.dumps(out, indent=2, sort_keys=True).encode(), "application/json"
    )
    if not result.problems:
        entry = {"source_id": source, "source_key": doc["key"], "processed_at": at.isoformat(), "metrics": current}
        store.put_bytes(
            settings.analytics_bucket, own_key, json.dumps(entry, sort_keys=True).encode(), "application/json"
        )

    if drift:
        detail = drift_detail(
            drift, kind=kind, table=curated_table_name(kind, settings), source_key=doc["key"], against="catalog"
        )
        (events or EventBridgePublisher()).put(QUALITY_SOURCE, DRIFT_DETAIL_TYPE, {**detail, "source_id": source})
    published: list[tuple[str, float, str]] = [
        ("QualityScore", result.score, "None"),
        ("Anomalies", float(len(anomalies)), "Count"),
    ]
    if drift is not None:
        published.append(("SchemaDriftDetected", float(bool(drift)), "Count"))
    if scores["record_count"][1].z is not None:
        published.append(("RecordCountZScore", float(scores["record_count"][1].z or 0.0), "None"))
    (metrics or EmfMetrics()).publish({"Kind": kind}, published)

    if result.problems:
        raise DataQualityFailed("; ".join(result.problems))
    return {
        **out,
        "report_key": key,
        "metrics_key": metrics_key,
        "partitions": [f["partition"] for f in manifest["files"]],
    }
