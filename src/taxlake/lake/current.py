"""The current tables (``taxlake.lake.amend``) in a table format: Delta Lake, or plain parquet.

Every writer does the same three things: read the current rows of the tax
years the batch touches, ``merge_current`` them with the batch, and replace
exactly those years in one commit. The merge is idempotent, so a re-run that
slips past the "already applied" check rewrites identical rows; the check only
saves the rewrite.

- ``DeltaRsCurrent``: delta-rs (``deltalake``), no JVM. Verified here, locally
  and against S3 (``storage_options``). The commit carries ``taxlake.source_id``
  in its commit info; the last ``HISTORY_WINDOW`` commits are checked for it.
- ``spark_upsert``: the same on Spark, ``fmt="delta"`` on Glue 5 / EMR
  Serverless (Delta built in: ``--datalake-formats delta``; replaceWhere on the
  years), ``fmt="parquet"`` anywhere (dynamic partition overwrite). Only the
  parquet mode runs here: the Delta Spark jars can't be fetched offline.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

import pyarrow as pa

from taxlake.lake.amend import CURRENT_KEYS, affected_years, merge_current
from taxlake.lake.curate import ORDER, curated_schema

SOURCE_ID = "taxlake.source_id"
HISTORY_WINDOW = 200
PARTITION = "tax_year"


def _years_predicate(years: list[int]) -> str:
    return f"{PARTITION} IN ({', '.join(str(y) for y in years)})"


class DeltaRsCurrent:
    """A kind's current table as a Delta table written by delta-rs."""

    def __init__(self, uri: str, kind: str, storage_options: dict[str, str] | None = None) -> None:
        self.uri, self.kind, self.storage_options = uri, kind, storage_options

    def _table(self) -> Any:
        from deltalake import DeltaTable
        from deltalake.exceptions import TableNotFoundError

        try:
            return DeltaTable(self.uri, storage_options=self.storage_options)
        except TableNotFoundError:
            return None

    def applied(self, source_id: str) -> bool:
        table = self._table()
        return table is not None and any(h.get(SOURCE_ID) == source_id for h in table.history(HISTORY_WINDOW))

    def read(self, years: list[int] | None = None) -> pa.Table:
        table = self._table()
        schema = curated_schema(self.kind)
        if table is None or years == []:
            return schema.empty_table()
        if years is None:
            data = table.to_pyarrow_table()
        else:
            data = table.to_pyarrow_table(filters=[(PARTITION, "in", [str(y) for y in years])])
        return data.select(schema.names).cast(schema)

    def upsert(self, incoming: pa.Table, source_id: str) -> dict[str, Any]:
        """Apply a curated batch; returns what happened (version, rows, applied or skipped)."""
        from deltalake import CommitProperties, write_deltalake

        table = self._table()
        if table is not None and self.applied(source_id):
            return {"source_id": source_id, "applied": False, "version": table.version(), "reason": "already applied"}
        years = affected_years(incoming)
        merged = merge_current(self.read(years), incoming, self.kind)
        commit = CommitProperties(custom_metadata={SOURCE_ID: source_id})
        if table is None:
            write_deltalake(
                self.uri, merged, partition_by=[PARTITION], commit_properties=commit,
                storage_options=self.storage_options,
            )  # fmt: skip
        else:
            write_deltalake(
                self.uri, merged, mode="overwrite", predicate=_years_predicate(years), partition_by=[PARTITION],
                commit_properties=commit, storage_options=self.storage_options,
            )  # fmt: skip
        version = self._table().version()
        return {"source_id": source_id, "applied": True, "version": version, "years": years, "rows": merged.num_rows}


# --- which curated sources a current table still lacks ---------------------------------
#
# Every curation writes a manifest (``taxlake.lake.curate.manifest_key``); after a merge commits,
# the current-table job leaves one marker per source it applied. Pending = manifests
# without a marker. The markers, not Glue job bookmarks, say what is applied: they work the
# same on Glue, EMR Serverless and local Spark, in both table formats, and they answer
# "is source X in the current table?" with one HEAD. A run that dies between the commit
# and its markers applies those sources again next time; the merge makes that harmless.


def applied_key(prefix: str, kind: str, source: str) -> str:
    return f"{prefix.rstrip('/')}/_applied/{kind}/{source}.json"


class MarkerStore(Protocol):
    """What the markers need of an object store (``taxlake.adapters.s3.S3Store``)."""

    def list_objects(self, bucket: str, prefix: str) -> list[dict[str, Any]]: ...

    def get_bytes(self, bucket: str, key: str) -> bytes: ...

    def put_bytes(self, bucket: str, key: str, body: bytes, content_type: str) -> str | None: ...


def pending_sources(
    store: MarkerStore, bucket: str, kind: str, *, curated_prefix: str, current_prefix: str, limit: int
) -> list[dict[str, Any]]:
    """Manifests of curated sources not yet in ``kind``'s current table, oldest first.

    ``limit`` bounds one run (the rest wait for the next), so a tax-time backlog gives
    several runs of known size rather than one that outlives its timeout.
    """
    manifests_prefix = f"{curated_prefix.rstrip('/')}/_manifests/{kind}/"
    applied_prefix = applied_key(current_prefix, kind, "")[: -len(".json")]
    done = {o["Key"][len(applied_prefix) : -len(".json")] for o in store.list_objects(bucket, applied_prefix)}
    todo = [
        o for o in store.list_objects(bucket, manifests_prefix)
        if o["Key"].endswith(".json") and o["Key"][len(manifests_prefix) : -len(".json")] not in done
    ]  # fmt: skip
    todo.sort(key=lambda o: (o["LastModified"], o["Key"]))
    return [json.loads(store.get_bytes(bucket, o["Key"])) for o in todo[:limit]]


def mark_applied(
    store: MarkerStore,
    bucket: str,
    kind: str,
    manifests: list[dict[str, Any]],
    *,
    current_prefix: str,
    run: dict[str, Any],
) -> list[str]:
    """After the commit: one marker per applied source, naming the run that applied it."""
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    keys = []
    for doc in manifests:
        key = applied_key(current_prefix, kind, str(doc["source_id"]))
        body = {"source_id": doc["source_id"], "source_file": doc.get("source_file"), "applied_at": at, **run}
        doc_bytes = json.dumps(body, sort_keys=True).encode()
        store.put_bytes(bucket, key, doc_bytes, "application/json")
        keys.append(key)
    return keys


# --- Spark -----------------------------------------------------------------------------


def merge_current_df(current: Any, incoming: Any, kind: str) -> Any:
    """``taxlake.lake.amend.merge_current`` on Spark DataFrames (same rules, same ties)."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    names = curated_schema(kind).names
    both = current.select(*names).withColumn("_incoming", F.lit(False))
    both = both.unionByName(incoming.select(*names).withColumn("_incoming", F.lit(True)))
    if kind == "lodgement":
        amended = (
            both.select(F.col("amends_lodgement_id").alias("_amended"))
            .where(F.col("_amended").isNotNull() & (F.col("_amended") != ""))
            .distinct()
        )
        # amendments are few: broadcast them rather than shuffle every return
        both = both.join(F.broadcast(amended), both["lodgement_id"] == amended["_amended"], "left_anti")
    order = [F.col(c).desc() for c in ORDER[kind]]
    order += [F.col("_incoming").desc(), F.col("source_file").desc(), F.col("source_line").desc()]
    window = Window.partitionBy(*CURRENT_KEYS[kind]).orderBy(*order)
    ranked = both.withColumn("_rank", F.row_number().over(window))
    return ranked.filter("_rank = 1").drop("_rank", "_incoming").select(*names)


def spark_upsert(spark: Any, incoming: Any, kind: str, path: str, *, fmt: str = "delta") -> dict[str, Any]:
    """Merge a curated DataFrame into the current table at ``path``, replacing its tax years."""
    from pyspark.sql import functions as F

    from taxlake.adapters.errors import is_missing_path
    from taxlake.spark.curate import spark_schema

    years = sorted(int(r[PARTITION]) for r in incoming.select(PARTITION).distinct().collect() if r[PARTITION])
    try:
        current = spark.read.format(fmt).load(path).where(F.col(PARTITION).isin(years))
    except Exception as exc:  # AnalysisException: no table yet (by its error class)
        if not is_missing_path(exc):
            raise
        current = spark.createDataFrame([], spark_schema(curated_schema(kind)))
    # read and write the same table: materialise first (Delta's snapshot isolation makes
    # this unnecessary there, plain parquet needs it)
    merged = merge_current_df(current, incoming, kind).localCheckpoint(eager=True)
    writer = merged.write.format(fmt).mode("overwrite").partitionBy(PARTITION)
    if fmt == "delta":
        writer = writer.option("replaceWhere", _years_predicate(years))
    else:
        writer = writer.option("partitionOverwriteMode", "dynamic")
    writer.save(path)
    return {"years": years, "rows": merged.count()}


__all__ = ["DeltaRsCurrent", "applied_key", "mark_applied", "merge_current_df", "pending_sources", "spark_upsert"]
