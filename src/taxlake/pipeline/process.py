"""ProcessWithLambda: curate a small file inside the Lambda."""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from typing import Any

import numpy as np

from taxlake.lake.curate import verdict_lines
from taxlake.lake.process import curate_object
from taxlake.pipeline.common import InputContractError, get_bytes
from taxlake.pipeline.settings import Settings
from taxlake.records.ingest import ObjectStore


def process(doc: Mapping[str, Any], store: ObjectStore, settings: Settings) -> dict[str, Any]:
    result = curate_object(
        store,
        bucket=doc["bucket"],
        key=doc["key"],
        version_id=doc.get("version_id") or None,
        kind=doc["kind"],
        lake_bucket=settings.curated_bucket,
        prefix=settings.curated_prefix,
        rejected=rejected_lines(store, doc["bucket"], doc.get("verdicts")),
    )
    return {"engine": "lambda", **result.to_dict()}


def rejected_lines(store: ObjectStore, bucket: str, verdicts: Mapping[str, Any] | None) -> np.ndarray | None:
    """The line numbers the validator rejected, sorted (None: no verdicts, check every row).

    Applying the validator's verdicts keeps one decision per row, made once with the
    validator's date: each row read is curated or in quarantine, never both or neither.
    """
    if verdicts is None:
        return None
    key = verdicts.get("rejected_lines_key")
    text = gzip.decompress(get_bytes(store, bucket, key)) if key else b""
    try:
        return verdict_lines(text, int(verdicts.get("records_rejected", -1)))
    except ValueError as exc:
        raise InputContractError(str(exc)) from None
