"""What several steps share: the errors the state machine does not retry, objects and JSON
documents in the store, and the name of a kind's curated table."""

from __future__ import annotations

import json
from typing import Any

from taxlake.adapters.errors import is_missing_object
from taxlake.pipeline.settings import Settings
from taxlake.quality.profile import DataQualityFailed
from taxlake.records.ingest import ObjectStore


class InputContractError(Exception):
    """The execution input is not what the validator promises."""


class ObjectNotFound(Exception):
    """An object the pipeline needs (report, manifest) is missing."""


__all__ = ["DataQualityFailed", "InputContractError", "ObjectNotFound"]


def get_bytes(store: ObjectStore, bucket: str, key: str) -> bytes:
    """An object of the store; ``ObjectNotFound`` if it is missing (a refusal stays a refusal)."""
    try:
        with store.open(bucket, key, None, store.resolve_key(bucket, key, None)[1]) as fh:
            return bytes(fh.read())
    except Exception as exc:
        # by error code: AccessDenied (also S3's answer to a caller without s3:ListBucket)
        # is a permissions fault and keeps its name, so it is never mistaken for "missing"
        if is_missing_object(exc):
            raise ObjectNotFound(f"s3://{bucket}/{key} does not exist") from None
        raise


def get_json(store: ObjectStore, bucket: str, key: str) -> dict[str, Any]:
    """A JSON document of the store (see ``get_bytes``)."""
    doc: dict[str, Any] = json.loads(get_bytes(store, bucket, key))
    return doc


def curated_table_name(kind: str, settings: Settings) -> str:
    """The Glue table holding ``kind``'s curated rows (``TABLES``, else ``curated_<kind>``)."""
    return (settings.tables or {}).get(kind) or f"curated_{kind.replace('-', '_')}"


def registered_table(glue: Any, kind: str, settings: Settings) -> dict[str, Any]:
    """The curated table of ``kind`` as the Glue catalog holds it (glue:GetTable)."""
    name = curated_table_name(kind, settings)
    table: dict[str, Any] = glue.get_table(DatabaseName=settings.glue_database, Name=name)["Table"]
    return table
