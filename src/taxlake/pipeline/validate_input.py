"""ValidateInput: check the execution input's contract, add routing and the Spark jobs' arguments."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from taxlake.lake.curate import manifest_key, source_id
from taxlake.pipeline.common import InputContractError, get_json
from taxlake.pipeline.settings import Settings
from taxlake.records.ingest import ObjectStore
from taxlake.records.schemas import KINDS

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
    if not str(obj["key"]).startswith(settings.validated_prefix):
        raise InputContractError(f"only objects under {settings.validated_prefix} enter the pipeline")
    report = get_json(store, obj["bucket"], obj["report_key"])
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
    judged = verdicts(report)
    if judged is not None:  # the Spark paths apply the validator's verdicts too
        args["--records-rejected"] = str(judged["records_rejected"])
        if judged["rejected_lines_key"]:
            args["--rejected-lines"] = f"s3://{obj['bucket']}/{judged['rejected_lines_key']}"
    if obj["kind"] == "lodgement":
        # the Spark paths run the fraud rules on the rows they hold (see ``fraud``)
        args["--fraud-config"] = settings.fraud.to_json()
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
        "verdicts": judged,
    }


def verdicts(report: Mapping[str, Any]) -> dict[str, Any] | None:
    """Where the validator's per-row verdicts are, for every curation engine to apply instead
    of checking again: the rejected lines' key (null: none rejected) and how many; None for a
    report from a validator that did not write them (curation then checks every row)."""
    if "rejected_lines_key" not in report:
        return None
    return {"rejected_lines_key": report["rejected_lines_key"], "records_rejected": int(report["records_rejected"])}
