"""Glue job: merge newly curated sources into the current tables.

    current.py --lake-bucket lake [--curated-prefix curated] [--current-prefix current]
               [--curated-root s3://lake/curated] [--current-root s3://lake/current]
               [--kinds lodgement,bas,payer-report] [--format delta|parquet] [--max-sources 500]

The per-file pipeline curates many files at once; the current tables (one row per
TFN and year, amendments applied: ``taxlake.lake.amend``) have exactly one writer, this
job, scheduled and limited to one run at a time, so two merges never race on a tax
year. Each run, per kind: the sources curated since the last run
(``taxlake.lake.current.pending_sources``), merged in one commit that replaces only
the tax years they touch (``spark_upsert``), then marked applied.

``--*-prefix`` name S3 keys (manifests and markers, read with boto3); ``--*-root``
are where Spark reads and writes the same data (default ``s3://<bucket>/<prefix>``).
No awsglue here: on Glue the builder returns Glue's session, and Delta is configured
by the job's ``--datalake-formats``/``--conf`` parameters.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

KINDS = ("lodgement", "bas", "payer-report")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lake-bucket", required=True)
    parser.add_argument("--curated-prefix", default="curated")
    parser.add_argument("--current-prefix", default="current")
    parser.add_argument("--curated-root", help="where Spark reads curated files (default s3://bucket/curated-prefix)")
    parser.add_argument(
        "--current-root", help="where Spark keeps the current tables (default s3://bucket/current-prefix)"
    )
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--format", default="delta", choices=["delta", "parquet"])
    parser.add_argument("--max-sources", type=int, default=500, help="per kind and run; the rest wait for the next run")
    parser.add_argument("--JOB_RUN_ID", dest="run_id", default="")
    args, _unknown = parser.parse_known_args(argv)  # Glue adds its own arguments
    unknown_kinds = set(args.kinds.split(",")) - set(KINDS)
    if unknown_kinds:
        parser.error(f"--kinds: unknown {sorted(unknown_kinds)}; known: {', '.join(KINDS)}")
    if args.max_sources < 1:
        parser.error("--max-sources must be at least 1")
    return args


def merge_kind(spark: Any, s3: Any, args: argparse.Namespace, kind: str) -> dict[str, Any]:
    from taxlake.adapters.s3 import S3Store
    from taxlake.lake.curate import curated_schema
    from taxlake.lake.current import mark_applied, pending_sources, spark_upsert
    from taxlake.spark.curate import spark_schema

    bucket, curated_prefix = args.lake_bucket, args.curated_prefix.strip("/")
    curated_root = (args.curated_root or f"s3://{bucket}/{curated_prefix}").rstrip("/")
    current_root = (args.current_root or f"s3://{bucket}/{args.current_prefix.strip('/')}").rstrip("/")
    store = S3Store(s3)
    todo = pending_sources(
        store, bucket, kind, curated_prefix=curated_prefix, current_prefix=args.current_prefix, limit=args.max_sources
    )
    # manifest keys are bucket keys under the curated prefix; Spark reads them under the root
    paths = [curated_root + str(f["key"])[len(curated_prefix) :] for doc in todo for f in doc["files"]]
    outcome: dict[str, Any] = {"sources": len(todo), "files": len(paths)}
    if paths:
        incoming = spark.read.schema(spark_schema(curated_schema(kind))).parquet(*paths)
        outcome |= spark_upsert(spark, incoming, kind, f"{current_root}/{kind}", fmt=args.format)
    if todo:
        run = {"run_id": args.run_id, "format": args.format, "batch_sources": len(todo)}
        mark_applied(store, bucket, kind, todo, current_prefix=args.current_prefix, run=run)
    return outcome


def main(argv: list[str]) -> int:
    import boto3
    from pyspark.sql import SparkSession

    args = parse(argv)
    spark = SparkSession.builder.appName("taxlake-current").getOrCreate()
    s3 = boto3.client("s3")
    summary = {kind: merge_kind(spark, s3, args, kind) for kind in args.kinds.split(",")}
    print(json.dumps({"current_tables": summary}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
