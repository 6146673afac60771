"""ProcessWithLambda: curate a small file inside the Lambda."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taxlake.lake.process import curate_object
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
    )
    return {"engine": "lambda", **result.to_dict()}
