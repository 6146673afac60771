"""DetectFraud: the fraud rules over the batch (or the flags a Spark path already wrote)."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from taxlake.fraud.rules import FLAG_SCHEMA, detect
from taxlake.lake.curate import curated_schema
from taxlake.pipeline.common import get_json
from taxlake.pipeline.settings import Settings
from taxlake.records.ingest import ObjectStore


def _manifest_table(manifest: Mapping[str, Any], kind: str, store: ObjectStore, settings: Settings) -> pa.Table:
    """Every curated file a manifest names, read whole into one table of ``kind``'s schema."""
    tables = []
    for entry in manifest["files"]:
        size = store.resolve_key(settings.curated_bucket, entry["key"], None)[1]
        with store.open(settings.curated_bucket, entry["key"], None, size) as fh:
            tables.append(pq.read_table(pa.BufferReader(fh.read())))
    schema = curated_schema(kind)
    return pa.concat_tables([t.select(schema.names).cast(schema) for t in tables]) if tables else schema.empty_table()


PAYER_COLUMNS = ("payer_abn", "payee_tfn", "tax_year", "report_type", "gross_amount", "source_file", "source_line")


def lake_payer_totals(table: pa.Table, store: Any, settings: Settings, batch_rows: int = 65_536) -> pa.Table | None:
    """Third-party gross per (tfn, tax_year) for the batch's TFNs, from the curated
    payer reports (``<curated_prefix>/payer-report/tax_year=YYYY/``) of its tax years.

    Memory is bounded by the batch, not the lake: files are read one row group at
    a time (ranged GETs) and only rows for the batch's TFNs are kept. The bytes
    *scanned* still grow with the lake's payer reports for those years, so at
    national scale this lookup belongs in Athena or the Spark fraud job
    (``taxlake.spark.fraud``: a skew-aware join); here it serves the per-file,
    near-real-time path. None (the rule is skipped) if the store cannot list.
    """

    from taxlake.fraud.rules import PAYER_TOTALS_SCHEMA, payer_totals
    from taxlake.lake.curate import deduplicate

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
    (``taxlake.spark.fraud``) on the rows it held and named its flags in the manifest:
    those are published as they are, so this step never reads a Spark-sized file back.
    If the rules' settings changed since (the manifest records them), the rules run here.
    """
    manifest = get_json(store, settings.curated_bucket, doc["manifest_key"])
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
