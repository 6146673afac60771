"""Ingest one landed object: validate it, route it, report it, start the pipeline.

Routing never deletes and never rewrites: the object under ``incoming/``
stays as landed; an accepted file is copied byte for byte to
``validated/``, a quarantined one to ``quarantine/``, each with a sidecar
report (``<dest>.report.json``). Rejected rows of any file are written to
``quarantine/<rel>.rejects.jsonl.gz`` with their line numbers and reasons,
so every record read is either valid in ``validated/`` or listed there. An
accepted file with rejected rows also gets ``<dest>.rejected-lines.gz``, their
line numbers alone: the verdicts every curation engine applies instead of
checking every row again.

With a raw bucket configured, the landed version is first copied there as
landed (``raw/<rel>/<source version>/<file name>``), before validation can
fail, and the report and pipeline input name that copy.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from taxlake.quality.drift import DRIFT_DETAIL_TYPE, VALIDATOR_SOURCE, EventPublisher, SchemaDrift, drift_detail
from taxlake.records.checks import Reason
from taxlake.records.readers import Limits
from taxlake.records.schemas import kind_from_path
from taxlake.records.validation import ValidationConfig, ValidationReport, validate_stream


class ObjectStore(Protocol):
    def resolve_key(self, bucket: str, key: str, version_id: str | None) -> tuple[str, int, str | None]: ...
    def open(self, bucket: str, key: str, version_id: str | None, size: int) -> Any: ...
    def copy(
        self, bucket: str, key: str, version_id: str | None, size: int, dest_bucket: str, dest_key: str
    ) -> str | None: ...
    def head_version(self, bucket: str, key: str) -> str | None: ...
    def put_json(self, bucket: str, key: str, doc: Any) -> str | None: ...
    def put_bytes(self, bucket: str, key: str, body: bytes, content_type: str) -> str | None: ...
    def upload_file(self, bucket: str, key: str, path: str, content_type: str) -> None: ...


class Starter(Protocol):
    def start(self, name: str, payload: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class ObjectRef:
    """One version of one landed object, as the S3 event names it."""

    bucket: str
    key: str
    version_id: str | None = None
    size: int | None = None
    etag: str | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> ObjectRef:
        """Parse an EventBridge ``Object Created`` event from S3.

        Raises ``ValueError`` naming the missing field for anything else.
        """
        if event.get("source") != "aws.s3" or event.get("detail-type") != "Object Created":
            raise ValueError(
                f"not an S3 Object Created event: source={event.get('source')!r} "
                f"detail-type={event.get('detail-type')!r}"
            )
        detail = event.get("detail") or {}
        bucket = (detail.get("bucket") or {}).get("name")
        obj = detail.get("object") or {}
        if not bucket or not obj.get("key"):
            raise ValueError("event detail lacks bucket.name or object.key")
        return cls(
            bucket=bucket,
            key=obj["key"],
            version_id=obj.get("version-id"),
            size=obj.get("size"),
            etag=obj.get("etag"),
        )

    def idempotency_doc(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "key": self.key,
            "version_id": self.version_id or "null",
            "etag": self.etag,
        }


@dataclass(frozen=True)
class IngestConfig:
    incoming_prefix: str = "incoming/"
    validated_prefix: str = "validated/"
    quarantine_prefix: str = "quarantine/"
    output_bucket: str | None = None  # default: the landing bucket
    raw_bucket: str | None = None  # None: no raw-zone copy
    raw_prefix: str = "raw/"
    validation: ValidationConfig = field(default_factory=ValidationConfig)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> IngestConfig:
        return cls(
            incoming_prefix=env.get("INCOMING_PREFIX", "incoming/"),
            validated_prefix=env.get("VALIDATED_PREFIX", "validated/"),
            quarantine_prefix=env.get("QUARANTINE_PREFIX", "quarantine/"),
            output_bucket=env.get("OUTPUT_BUCKET") or None,
            raw_bucket=env.get("RAW_BUCKET") or None,
            raw_prefix=env.get("RAW_PREFIX", "raw/"),
            validation=ValidationConfig(
                reject_threshold=float(env.get("REJECT_THRESHOLD", "0.01")), limits=Limits.from_env(env)
            ),
        )


@dataclass
class IngestResult:
    source: ObjectRef
    report: ValidationReport
    destination_key: str | None = None
    destination_version_id: str | None = None
    report_key: str | None = None
    rejects_key: str | None = None
    rejected_lines_key: str | None = None
    execution_arn: str | None = None
    skipped: str | None = None
    raw: dict[str, str | None] | None = None  # bucket, key, version_id of the raw-zone copy

    def to_dict(self) -> dict[str, Any]:
        r = self.report
        return {
            "source": self.source.idempotency_doc(),
            "status": "skipped" if self.skipped else r.status,
            "skipped": self.skipped,
            "kind": r.kind,
            "records_read": r.records_read,
            "records_valid": r.records_valid,
            "records_rejected": r.records_rejected,
            "quarantine_reason": r.quarantine_reason,
            "destination_key": self.destination_key,
            "report_key": self.report_key,
            "rejects_key": self.rejects_key,
            "execution_arn": self.execution_arn,
            "raw": self.raw,
        }


_EXECUTION_NAME_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def execution_name(ref: ObjectRef, kind: str | None) -> str:
    """Deterministic, <= 80 chars: one object version -> one execution name."""
    digest = hashlib.sha256(f"{ref.bucket}/{ref.key}#{ref.version_id or ref.etag}".encode()).hexdigest()[:40]
    return _EXECUTION_NAME_SAFE.sub("-", f"{kind or 'file'}-{digest}")[:80]


def pipeline_input(ref: ObjectRef, result: IngestResult, bucket: str) -> dict[str, Any]:
    """The state machine's input contract (see statemachines/README.md)."""
    r = result.report
    return {
        "bucket": bucket,
        "key": result.destination_key,
        "version_id": result.destination_version_id,
        "size_bytes": ref.size,
        "decoded_bytes": r.bytes_decoded,
        "kind": r.kind,
        "format": r.format,
        "compression": r.compression,
        "structured": r.structured,
        "record_count": r.records_valid,
        "records_rejected": r.records_rejected,
        "report_key": result.report_key,
        "source": ref.idempotency_doc(),
        "raw": result.raw,
    }


def _landing(ref: ObjectRef) -> str | None:
    """What tells one landing of a key from another: the version id, else the ETag."""
    if ref.version_id and ref.version_id != "null":
        return ref.version_id
    return f"etag-{ref.etag}" if ref.etag else None


def raw_key(ref: ObjectRef, relative: str, prefix: str = "raw/") -> str:
    """``raw/<relative>/<landing>/<file name>``, ``<landing>`` the source version id.

    One key per landed version: a file landed again under the same name gets its own
    key, a retry finds its earlier copy, and the file name (hence the format suffix)
    is kept. Without versioning the ETag stands in for the version.
    """
    return f"{prefix}{relative}/{_landing(ref) or 'unversioned'}/{relative.rsplit('/', 1)[-1]}"


def keep_raw(
    ref: ObjectRef, relative: str, size: int, store: ObjectStore, bucket: str, prefix: str = "raw/"
) -> dict[str, str | None]:
    """Copy the landed version to the raw zone as landed (server-side, metadata kept).

    The raw bucket's Object Lock default retention locks the copy on write. A copy
    already there (a retried event) is reused: versions are immutable, so the same key
    holds the same bytes, and a second locked copy would only be billed for years.
    """
    key = raw_key(ref, relative, prefix)
    version = store.head_version(bucket, key) if _landing(ref) else None
    if version is None:
        version = store.copy(ref.bucket, ref.key, ref.version_id, size, bucket, key)
    return {"bucket": bucket, "key": key, "version_id": version}


def process_object(
    ref: ObjectRef,
    store: ObjectStore,
    config: IngestConfig,
    starter: Starter | None = None,
    events: EventPublisher | None = None,
) -> IngestResult:
    """Validate ``ref`` and route it; start the pipeline when it is accepted.

    A file quarantined for ``SCHEMA_DRIFT`` also puts a ``SchemaDriftDetected`` event
    (source ``taxlake.validator``) once its report is written, the same event type the
    quality step puts for drift against the catalog.
    """
    if not ref.key.startswith(config.incoming_prefix):
        empty = ValidationReport(ref.key, None, "skipped", 0, 0, 0, {}, [])
        return IngestResult(ref, empty, skipped=f"key is outside {config.incoming_prefix}")
    key, size, etag = store.resolve_key(ref.bucket, ref.key, ref.version_id)
    ref = ObjectRef(ref.bucket, key, ref.version_id, size, ref.etag or etag)
    relative = key[len(config.incoming_prefix) :]
    out_bucket = config.output_bucket or ref.bucket
    # before validation, so a file that breaks the validator is still kept as landed
    raw = keep_raw(ref, relative, size, store, config.raw_bucket, config.raw_prefix) if config.raw_bucket else None

    with tempfile.TemporaryDirectory(prefix="taxlake-") as tmp:
        rejects_path = os.path.join(tmp, "rejects.jsonl.gz")
        rejects = gzip.open(rejects_path, "wt", encoding="utf-8")  # noqa: SIM115 - closed in finally
        # the verdicts curation trusts (line numbers only: no record text leaves quarantine/)
        lines_path = os.path.join(tmp, "rejected-lines.gz")
        lines = gzip.GzipFile(lines_path, "wb", mtime=0)

        def sink(rows: list[dict[str, Any]]) -> None:
            for row in rows:
                rejects.write(json.dumps(row, separators=(",", ":")) + "\n")
            lines.write("".join(f"{row['line']}\n" for row in rows).encode())

        try:
            with store.open(ref.bucket, key, ref.version_id, size) as stream:
                report = validate_stream(
                    stream, key, kind=kind_from_path(relative), config=config.validation, on_rejects=sink
                )
        finally:
            rejects.close()
            lines.close()

        result = IngestResult(ref, report, raw=raw)
        prefix = config.validated_prefix if report.accepted else config.quarantine_prefix
        result.destination_key = prefix + relative
        result.destination_version_id = store.copy(
            ref.bucket, key, ref.version_id, size, out_bucket, result.destination_key
        )
        if report.records_rejected:
            result.rejects_key = f"{config.quarantine_prefix}{relative}.rejects.jsonl.gz"
            store.upload_file(out_bucket, result.rejects_key, rejects_path, "application/gzip")
            if report.accepted:
                result.rejected_lines_key = f"{result.destination_key}.rejected-lines.gz"
                store.upload_file(out_bucket, result.rejected_lines_key, lines_path, "application/gzip")

    result.report_key = f"{result.destination_key}.report.json"
    store.put_json(
        out_bucket,
        result.report_key,
        {
            **report.to_dict(),
            "source": ref.idempotency_doc() | {"size": size},
            "destination": {
                "bucket": out_bucket,
                "key": result.destination_key,
                "version_id": result.destination_version_id,
            },
            "rejects_key": result.rejects_key,
            # accepted files: the line numbers of the rows the validator rejected (null: none)
            "rejected_lines_key": result.rejected_lines_key,
            "raw": raw,
            "processed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )
    if events is not None and report.quarantine_reason == Reason.SCHEMA_DRIFT:
        # a text header has names only: nothing is "retyped" against the input schema
        drift = SchemaDrift(new=report.schema_drift["unexpected"], missing=report.schema_drift["missing"])
        detail = drift_detail(drift, kind=report.kind or "unknown", table=None, source_key=key, against="input-schema")
        events.put(VALIDATOR_SOURCE, DRIFT_DETAIL_TYPE, {**detail, "report_key": result.report_key})
    if starter is not None and report.accepted and report.records_valid > 0:
        result.execution_arn = starter.start(execution_name(ref, report.kind), pipeline_input(ref, result, out_bucket))
    return result
