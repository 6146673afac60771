"""Curate one validated object in-process (the Lambda path of the pipeline).

For files small enough for one Lambda invocation (the routing threshold in
modules/orchestrator says how small): stream the object with the same
readers as validation, curate every chunk, keep one row per key, and write
one parquet file per partition named after the source object version, so
re-processing the same version overwrites rather than duplicates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from taxlake.lake.curate import curate_stream, manifest, manifest_key, source_id
from taxlake.records.ingest import ObjectStore
from taxlake.records.readers import Chunk, FileRejected, iter_chunks, open_source
from taxlake.records.schemas import get_schema


@dataclass(frozen=True)
class CurateResult:
    kind: str
    source_key: str
    source_id: str
    records_in: int
    records_curated: int
    files: list[dict[str, Any]]
    manifest_key: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def curate_object(
    store: ObjectStore,
    *,
    bucket: str,
    key: str,
    version_id: str | None,
    kind: str,
    lake_bucket: str,
    prefix: str = "curated",
    as_of: dt.date | None = None,
    rejected: np.ndarray | None = None,
) -> CurateResult:
    """Read s3://bucket/key (that version), curate it, write the partitions to the lake
    (``rejected``: the validator's verdicts, see ``curate_chunk``)."""
    _, size, _ = store.resolve_key(bucket, key, version_id)
    names = get_schema(kind).names
    counted = [0]

    def counting(chunks: Iterable[Chunk]) -> Iterator[Chunk]:
        for chunk in chunks:  # raw chunks are dropped as soon as they are curated
            counted[0] += chunk.num_rows
            yield chunk

    sid = source_id(key, version_id)
    source_file = f"s3://{bucket}/{key}"

    def put(out_key: str, body: bytes) -> None:
        store.put_bytes(lake_bucket, out_key, body, "application/vnd.apache.parquet")

    with store.open(bucket, key, version_id, size) as stream:
        source, _counter = open_source(stream, key)
        # partitions are written once the file is read: a rejected file writes nothing
        files = curate_stream(
            counting(iter_chunks(source, names)),
            kind,
            source_file=source_file,
            prefix=prefix,
            source=sid,
            put=put,
            as_of=as_of,
            rejected=rejected,
        )
    records_in = counted[0]
    doc = manifest(kind, sid, source_file, "lambda", files)
    mkey = manifest_key(prefix, kind, sid)
    store.put_bytes(lake_bucket, mkey, json.dumps(doc, indent=2, sort_keys=True).encode(), "application/json")
    return CurateResult(kind, key, sid, records_in, int(str(doc["records_curated"])), files, mkey)


__all__ = ["CurateResult", "FileRejected", "curate_object"]
