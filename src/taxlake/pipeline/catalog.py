"""UpdateCatalog: register the partitions a file wrote."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taxlake.pipeline.common import curated_table_name, registered_table
from taxlake.pipeline.settings import Settings


def catalog(doc: Mapping[str, Any], glue: Any, settings: Settings) -> dict[str, Any]:
    """Register the partitions this file wrote (already registered ones are fine)."""
    table_name = curated_table_name(doc["kind"], settings)
    table = registered_table(glue, doc["kind"], settings)
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
