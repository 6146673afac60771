"""The pipeline's steps, one function each, called by the state machine's Lambda tasks.

Each takes the execution document (the state machine's JSON), its
collaborators (an object store, a Glue client) and its settings, and returns
what the next state needs. Errors that retrying cannot fix are raised as
``InputContractError`` / ``DataQualityFailed`` / ``ObjectNotFound``, names
the definition's Retry lists as non-retryable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from taxlake.adapters.errors import is_missing_object
from taxlake.curate import curated_schema, manifest_key, source_id
from taxlake.fraud import FLAG_SCHEMA, FraudConfig, detect
from taxlake.ingest import ObjectStore
from taxlake.process import curate_object
from taxlake.quality import (
    DRIFT_DETAIL_TYPE,
    QUALITY_SOURCE,
    AnomalyConfig,
    DataQualityFailed,
    EventPublisher,
    MetricSink,
    Profile,
    SchemaDrift,
    Score,
    assess_profile,
    drift_detail,
    metrics_table,
    profile_metrics,
    profile_parquet,
    profile_table,
    registered_columns,
    robust_z,
    schema_drift,
)
from taxlake.schemas import KINDS


class QualityStore(ObjectStore, Protocol):
    """The object store the quality step needs: it also lists its history prefix."""

    def list_keys(self, bucket: str, prefix: str, max_keys: int, start_after: str = "") -> list[str]: ...


class InputContractError(Exception):
    """The execution input is not what the validator promises."""


class ObjectNotFound(Exception):
    """An object the pipeline needs (report, manifest) is missing."""


__all__ = ["DataQualityFailed", "InputContractError", "ObjectNotFound"]

REQUIRED_INPUT: dict[str, type | tuple[type, ...]] = {
    "bucket": str,
    "key": str,
    "size_bytes": int,
    "kind": str,
    "format": str,
    "structured": bool,
    "record_count": int,
    "report_key": str,
}


@dataclass(frozen=True)
class Settings:
    landing_bucket: str = ""
    curated_bucket: str = ""
    curated_prefix: str = "curated"
    analytics_bucket: str = ""
    quality_prefix: str = "quality"
    fraud_prefix: str = "fraud_flags"
    failure_prefix: str = "failures"
    glue_worker_type: str = "G.1X"
    glue_min_workers: int = 2
    glue_max_workers: int = 10
    glue_bytes_per_worker: int = 1 << 30
    glue_execution_class: str = "FLEX"
    urgent_kinds: frozenset[str] = frozenset()
    glue_database: str = ""
    tables: Mapping[str, str] | None = None
    fraud: FraudConfig = field(default_factory=FraudConfig)
    quality_metrics_prefix: str = "quality_metrics"
    quality: AnomalyConfig = field(default_factory=AnomalyConfig)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        def num(name: str, default: int) -> int:
            return int(env.get(name) or default)

        return cls(
            landing_bucket=env.get("LANDING_BUCKET", ""),
            curated_bucket=env.get("CURATED_BUCKET", ""),
            curated_prefix=env.get("CURATED_PREFIX", "curated"),
            analytics_bucket=env.get("ANALYTICS_BUCKET", ""),
            quality_prefix=env.get("QUALITY_PREFIX", "quality"),
            fraud_prefix=env.get("FRAUD_PREFIX", "fraud_flags"),
            failure_prefix=env.get("FAILURE_PREFIX", "failures"),
            glue_worker_type=env.get("GLUE_WORKER_TYPE", "G.1X"),
            glue_min_workers=num("GLUE_MIN_WORKERS", 2),
            glue_max_workers=num("GLUE_MAX_WORKERS", 10),
            glue_bytes_per_worker=num("GLUE_BYTES_PER_WORKER", 1 << 30),
            glue_execution_class=env.get("GLUE_EXECUTION_CLASS", "FLEX"),
            urgent_kinds=frozenset(k for k in env.get("URGENT_KINDS", "").split(",") if k),
            glue_database=env.get("GLUE_DATABASE", ""),
            tables=json.loads(env["TABLES"]) if env.get("TABLES") else None,
            fraud=FraudConfig(
                account_max_tfns=num("FRAUD_ACCOUNT_MAX_TFNS", 3),
                refund_ratio=float(env.get("FRAUD_REFUND_RATIO") or 1.5),
                high_score=float(env.get("FRAUD_HIGH_SCORE") or 0.8),
                deductions_z=float(env.get("FRAUD_DEDUCTIONS_Z") or 3.5),
                deductions_min_peers=num("FRAUD_DEDUCTIONS_MIN_PEERS", 30),
                income_ratio=float(env.get("FRAUD_INCOME_RATIO") or 0.6),
                income_gap_floor=float(env.get("FRAUD_INCOME_GAP_FLOOR") or 10_000),
                agent_max_daily=num("FRAUD_AGENT_MAX_DAILY", 20),
                agent_z=float(env.get("FRAUD_AGENT_Z") or 3.5),
            ),
            quality_metrics_prefix=env.get("QUALITY_METRICS_PREFIX", "quality_metrics"),
            quality=AnomalyConfig(
                history_size=num("QUALITY_HISTORY_SIZE", 30),
                min_history=num("QUALITY_MIN_HISTORY", 5),
                threshold=float(env.get("QUALITY_Z_THRESHOLD") or 3.5),
            ),
        )


def _get_json(store: ObjectStore, bucket: str, key: str) -> dict[str, Any]:
    try:
        with store.open(bucket, key, None, store.resolve_key(bucket, key, None)[1]) as fh:
            doc: dict[str, Any] = json.load(fh)
            return doc
    except Exception as exc:
        # by error code: AccessDenied (also S3's answer to a caller without s3:ListBucket)
        # is a permissions fault and keeps its name, so it is never mistaken for "missing"
        if is_missing_object(exc):
            raise ObjectNotFound(f"s3://{bucket}/{key} does not exist") from None
        raise


# --- ValidateInput ------------------------------------------------------------------


def validate_input(payload: Mapping[str, Any], store: ObjectStore, settings: Settings) -> dict[str, Any]:
    """Check the contract, confirm the validation report, add routing and job inputs."""
    obj = payload.get("object")
    if not isinstance(obj, Mapping):
        raise InputContractError("payload.object must be the validated object's description")
    problems = [
        f"{name} must be {getattr(kind, '__name__', kind)}"
        for name, kind in REQUIRED_INPUT.items()
        if not isinstance(obj.get(name), kind) or (kind is int and isinstance(obj.get(name), bool))
    ]
    if problems:
        raise InputContractError("; ".join(problems))
    if obj["kind"] not in KINDS:
        raise InputContractError(f"kind {obj['kind']!r} is not one of {', '.join(KINDS)}")
    if settings.landing_bucket and obj["bucket"] != settings.landing_bucket:
        raise InputContractError(f"only objects of the landing bucket enter the pipeline, not {obj['bucket']!r}")
    if not str(obj["key"]).startswith("validated/"):
        raise InputContractError("only objects under validated/ enter the pipeline")
    report = _get_json(store, obj["bucket"], obj["report_key"])
    if report.get("status") != "accepted":
        raise InputContractError(f"validation report says {report.get('status')!r}, not accepted")
    if report.get("records_valid") != obj["record_count"]:
        raise InputContractError(
            f"record_count {obj['record_count']} disagrees with the report's {report.get('records_valid')}"
        )
    routing = payload.get("routing") or {}
    if not all(isinstance(routing.get(k), int) for k in ("emr_min_bytes", "lambda_max_bytes")):
        raise InputContractError("routing thresholds must be whole numbers of bytes")
    version = obj.get("version_id") or ""
    sid = source_id(obj["key"], version or None)
    urgent = obj["kind"] in settings.urgent_kinds
    # Gzip text is routed and sized by its decompressed bytes: memory and Spark work
    # follow those, not the bytes S3 stores (the validator counted them).
    processing_bytes = max(obj["size_bytes"], int(report.get("bytes_decoded") or 0))
    workers = math.ceil(processing_bytes / settings.glue_bytes_per_worker)
    args = {
        "--source-bucket": obj["bucket"],
        "--source-key": obj["key"],
        "--source-version": version,
        "--input": f"s3://{obj['bucket']}/{obj['key']}",
        "--kind": obj["kind"],
        "--format": obj["format"],
        "--lake-bucket": settings.curated_bucket,
        "--lake-prefix": settings.curated_prefix,
    }
    if obj["kind"] == "lodgement":
        # the Spark paths run the fraud rules on the rows they hold (see ``fraud``)
        args["--fraud-config"] = json.dumps(dataclasses.asdict(settings.fraud), sort_keys=True)
        args["--payer-reports"] = f"s3://{settings.curated_bucket}/{settings.curated_prefix}/payer-report"
    return {
        **{k: obj[k] for k in REQUIRED_INPUT},
        "version_id": version,
        "compression": obj.get("compression"),
        "processing_bytes": processing_bytes,
        "source_id": sid,
        "execution": payload.get("execution"),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "routing": {k: routing[k] for k in ("emr_min_bytes", "lambda_max_bytes")},
        "urgent": urgent,
        "glue": {
            "execution_class": "STANDARD" if urgent else settings.glue_execution_class,
            "worker_type": settings.glue_worker_type,
            "workers": max(settings.glue_min_workers, min(settings.glue_max_workers, workers)),
        },
        "job_arguments": args,
        "emr_arguments": [part for pair in args.items() for part in pair],
        "manifest_key": manifest_key(settings.curated_prefix, obj["kind"], sid),
    }


# --- ProcessWithLambda --------------------------------------------------------------


def process(doc: Mapping[str, Any], store: ObjectStore, settings: Settings) -> dict[str, Any]:
    result = curate_object(
        store,
        bucket=doc["bucket"],
        key=doc["key"],
        version_id=doc.get("version_id") or None,
        kind=doc["kind"],
        lake_bucket=settings.curated_bucket,
        prefix=settings.curated_prefix,
    )
    return {"engine": "lambda", **result.to_dict()}


# --- DataQualityCheck ---------------------------------------------------------------


def _manifest_table(manifest: Mapping[str, Any], kind: str, store: ObjectStore, settings: Settings) -> pa.Table:
    tables = []
    for entry in manifest["files"]:
        size = store.resolve_key(settings.curated_bucket, entry["key"], None)[1]
        with store.open(settings.curated_bucket, entry["key"], None, size) as fh:
            tables.append(pq.read_table(pa.BufferReader(fh.read())))
    schema = curated_schema(kind)
    return pa.concat_tables([t.select(schema.names).cast(schema) for t in tables]) if tables else schema.empty_table()


def _profile_manifest(
    doc: Mapping[str, Any], store: ObjectStore, settings: Settings
) -> tuple[dict[str, Any], list[pa.Schema], Profile]:
    """The manifest, each file's schema as written (drift is judged on these, before any
    cast) and the batch's profile: footers and the key-sum columns, read with ranged GETs,
    so a file from the Glue or EMR path costs this step no more memory than a small one."""
    kind = doc["kind"]
    manifest = _get_json(store, settings.curated_bucket, doc["manifest_key"])
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


def _table_name(kind: str, settings: Settings) -> str:
    return (settings.tables or {}).get(kind) or f"curated_{kind.replace('-', '_')}"


def _registered_table(glue: Any, kind: str, settings: Settings) -> dict[str, Any]:
    """The curated table of ``kind`` as the Glue catalog holds it (glue:GetTable)."""
    table: dict[str, Any] = glue.get_table(DatabaseName=settings.glue_database, Name=_table_name(kind, settings))[
        "Table"
    ]
    return table


def _merge_drift(drifts: list[SchemaDrift]) -> SchemaDrift:
    retyped = {(r["name"], r["found"]): r for d in drifts for r in d.retyped}
    return SchemaDrift(
        new=sorted({c for d in drifts for c in d.new}),
        missing=sorted({c for d in drifts for c in d.missing}),
        retyped=[retyped[k] for k in sorted(retyped)],
    )


def _history_prefix(settings: Settings, kind: str) -> str:
    return f"{settings.quality_prefix}/history/{kind}/"


def _history_key(settings: Settings, kind: str, source: str, at: dt.datetime) -> str:
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
        entry = _get_json(store, settings.analytics_bucket, key)
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
        registered = registered_columns(_registered_table(glue or glue_client(), kind, settings))
        drift = _merge_drift([schema_drift(schema, registered) for schema in schemas])

    at = dt.datetime.fromisoformat(doc["started_at"]) if doc.get("started_at") else dt.datetime.now(dt.UTC)
    at = at.astimezone(dt.UTC)
    own_key = _history_key(settings, kind, source, at)
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
            drift, kind=kind, table=_table_name(kind, settings), source_key=doc["key"], against="catalog"
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


# --- UpdateCatalog ------------------------------------------------------------------


def catalog(doc: Mapping[str, Any], glue: Any, settings: Settings) -> dict[str, Any]:
    """Register the partitions this file wrote (already registered ones are fine)."""
    table_name = _table_name(doc["kind"], settings)
    table = _registered_table(glue, doc["kind"], settings)
    partitions = doc.get("quality", {}).get("result", {}).get("partitions") or []
    keys = [k["Name"] for k in table.get("PartitionKeys", [])]
    inputs = []
    for partition in partitions:
        values = [str(partition[k]) for k in keys]
        descriptor = dict(table["StorageDescriptor"])
        descriptor["Location"] = (
            descriptor["Location"].rstrip("/")
            + "/"
            + "/".join(f"{k}={v}" for k, v in zip(keys, values, strict=True))
            + "/"
        )
        inputs.append({"Values": values, "StorageDescriptor": descriptor})
    created = existing = 0
    for start in range(0, len(inputs), 100):  # BatchCreatePartition takes 100 at a time
        batch = inputs[start : start + 100]
        errors = glue.batch_create_partition(
            DatabaseName=settings.glue_database, TableName=table_name, PartitionInputList=batch
        ).get("Errors", [])
        already = [e for e in errors if e.get("ErrorDetail", {}).get("ErrorCode") == "AlreadyExistsException"]
        if len(already) != len(errors):
            raise RuntimeError(f"could not register partitions: {errors[:3]}")
        existing += len(already)
        created += len(batch) - len(already)
    return {"table": table_name, "registered": created, "already_registered": existing}


# --- DetectFraud --------------------------------------------------------------------


PAYER_COLUMNS = ("payer_abn", "payee_tfn", "tax_year", "report_type", "gross_amount", "source_file", "source_line")


def lake_payer_totals(table: pa.Table, store: Any, settings: Settings, batch_rows: int = 65_536) -> pa.Table | None:
    """Third-party gross per (tfn, tax_year) for the batch's TFNs, from the curated
    payer reports (``<curated_prefix>/payer-report/tax_year=YYYY/``) of its tax years.

    Memory is bounded by the batch, not the lake: files are read one row group at
    a time (ranged GETs) and only rows for the batch's TFNs are kept. The bytes
    *scanned* still grow with the lake's payer reports for those years, so at
    national scale this lookup belongs in Athena or the Spark fraud job
    (``taxlake.spark_fraud``: a skew-aware join); here it serves the per-file,
    near-real-time path. None (the rule is skipped) if the store cannot list.
    """

    from taxlake.curate import deduplicate
    from taxlake.fraud import PAYER_TOTALS_SCHEMA, payer_totals

    list_keys = getattr(store, "list_keys", None)
    if list_keys is None:
        return None
    if table.num_rows == 0:
        return PAYER_TOTALS_SCHEMA.empty_table()
    schema = curated_schema("payer-report")
    columns = pa.schema([schema.field(c) for c in PAYER_COLUMNS])
    tfns = pc.unique(table.column("tfn"))
    kept = []
    for year in sorted(set(table.column("tax_year").to_pylist())):
        prefix = f"{settings.curated_prefix.rstrip('/')}/payer-report/tax_year={year}/"
        after = ""
        while True:
            keys = list_keys(settings.curated_bucket, prefix, 1000, after)
            for key in (k for k in keys if k.endswith(".parquet")):
                size = store.resolve_key(settings.curated_bucket, key, None)[1]
                with store.open(settings.curated_bucket, key, None, size) as fh:
                    for batch in pq.ParquetFile(fh).iter_batches(batch_size=batch_rows, columns=list(PAYER_COLUMNS)):
                        mine = batch.filter(pc.is_in(batch.column("payee_tfn"), value_set=tfns))
                        if mine.num_rows:
                            kept.append(pa.Table.from_batches([mine]).cast(columns))
            if len(keys) < 1000:
                break
            after = keys[-1]
    if not kept:
        return PAYER_TOTALS_SCHEMA.empty_table()
    # a report in two payer files (a resubmission) counts once, as the lake's key says
    return payer_totals(deduplicate(pa.concat_tables(kept), "payer-report"))


def fraud(doc: Mapping[str, Any], store: ObjectStore, settings: Settings) -> dict[str, Any]:
    """Apply the fraud rules to the batch, write its flags to ``fraud_flags``, summarise them.

    A Spark path (Glue, EMR Serverless) has already run the same rules
    (``taxlake.spark_fraud``) on the rows it held and named its flags in the manifest:
    those are published as they are, so this step never reads a Spark-sized file back.
    If the rules' settings changed since (the manifest records them), the rules run here.
    """
    manifest = _get_json(store, settings.curated_bucket, doc["manifest_key"])
    done = manifest.get("fraud")
    totals: pa.Table | None = None
    if done and done.get("config") == dataclasses.asdict(settings.fraud):
        engine = str(done.get("engine", "spark"))
        flags = FLAG_SCHEMA.empty_table()
        if done.get("flags_key"):
            size = store.resolve_key(settings.curated_bucket, done["flags_key"], None)[1]
            with store.open(settings.curated_bucket, done["flags_key"], None, size) as fh:
                flags = pq.read_table(pa.BufferReader(fh.read())).select(FLAG_SCHEMA.names).cast(FLAG_SCHEMA)
    else:
        engine = "lambda"
        table = _manifest_table(manifest, doc["kind"], store, settings)
        totals = lake_payer_totals(table, store, settings) if doc["kind"] == "lodgement" else None
        flags = detect(table, doc["kind"], settings.fraud, payer_totals=totals)
    high = [f for f in flags.to_pylist() if f["score"] >= settings.fraud.high_score]
    key = None
    if flags.num_rows:
        key = f"{settings.fraud_prefix}/{doc['kind']}/{doc['source_id']}.parquet"
        sink = io.BytesIO()
        pq.write_table(flags, sink, compression="zstd")
        store.put_bytes(settings.analytics_bucket, key, sink.getvalue(), "application/vnd.apache.parquet")
    rules: dict[str, int] = {}
    for rule in flags.column("rule").to_pylist():
        rules[rule] = rules.get(rule, 0) + 1
    return {
        "flags": flags.num_rows,
        "high_risk": len(high),
        "rules": rules,
        "flags_key": key,
        "third_party_totals": None if totals is None else totals.num_rows,
        "engine": engine,
        # alerts carry ids and scores, never TFNs
        "top": [{"lodgement_id": f["lodgement_id"], "rule": f["rule"], "score": f["score"]} for f in high[:10]],
    }


# --- RecordFailure ------------------------------------------------------------------


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
