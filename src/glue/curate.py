"""Glue / EMR Serverless job: curate one validated file into the lake.

    curate.py --source-bucket landing --source-key validated/lodgement/x.csv.gz
              [--source-version V] --kind lodgement --format csv
              --lake-bucket lake [--lake-prefix curated] [--input s3://landing/validated/...]
              [--records-rejected N [--rejected-lines s3://landing/validated/....rejected-lines.gz]]

The only file that touches awsglue, and only if it is there: with plain
pyspark (tests, local runs, EMR Serverless) it runs the same way. The row
logic is taxlake's (shipped as --extra-py-files / --py-files).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source-bucket", required=True)
    parser.add_argument("--source-key", required=True)
    parser.add_argument("--source-version", default="")
    parser.add_argument("--input", help="where Spark reads the object (default: s3://bucket/key)")
    parser.add_argument("--kind", required=True)
    parser.add_argument("--format", default="csv", choices=["csv", "jsonl", "parquet"])
    parser.add_argument("--lake-bucket", required=True)
    parser.add_argument("--lake-prefix", default="curated")
    parser.add_argument("--compression", default="zstd")
    # lodgements: the fraud rules run here, on the rows this job holds, instead of in the
    # pipeline's fraud Lambda (which would have to read a Spark-sized file back)
    parser.add_argument("--fraud-config", default="", help="fraud.rules.FraudConfig as JSON; empty: no fraud here")
    parser.add_argument(
        "--payer-reports", default="", help="curated payer reports (default s3://lake/prefix/payer-report)"
    )
    # the validator's verdicts (pipeline.validate_input passes them): the rows it rejected are
    # dropped and the rules not checked again; without --records-rejected every row is checked
    parser.add_argument("--records-rejected", type=int, help="how many rows the validator rejected")
    parser.add_argument("--rejected-lines", default="", help="their line numbers (.rejected-lines.gz); none: none")
    # Glue adds its own arguments (--JOB_NAME, --JOB_RUN_ID, ...): ignore them
    args, _unknown = parser.parse_known_args(argv)
    return args


def spark_session(name: str) -> Any:
    try:  # on Glue, the GlueContext owns the session
        from awsglue.context import GlueContext  # type: ignore[import-not-found]
        from pyspark.context import SparkContext

        return GlueContext(SparkContext.getOrCreate()).spark_session
    except ImportError:
        from pyspark.sql import SparkSession

        return SparkSession.builder.appName(name).getOrCreate()


def s3_writer(bucket: str) -> Callable[[], Callable[[str, bytes], None]]:
    """Made on each executor: boto3 clients don't travel between processes."""

    def factory() -> Callable[[str, bytes], None]:
        import boto3

        client = boto3.client("s3")

        def put(key: str, body: bytes) -> None:
            client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/vnd.apache.parquet")

        return put

    return factory


def detect_fraud(spark: Any, df: Any, args: argparse.Namespace, source: str) -> dict[str, Any]:
    """The fraud rules over the curated rows (``taxlake.spark.fraud``); the flags go beside the
    curated files (this job's role writes only there) for the fraud step to publish."""
    import dataclasses

    import pyarrow as pa

    from taxlake.adapters.errors import is_missing_path
    from taxlake.fraud.rules import FLAG_SCHEMA, FraudConfig, sort_flags
    from taxlake.lake.curate import curated_schema, parquet_bytes
    from taxlake.spark.curate import deduplicate_df, spark_schema
    from taxlake.spark.fraud import detect_df

    config = FraudConfig.from_json(args.fraud_config)
    years = sorted(r["tax_year"] for r in df.select("tax_year").distinct().collect() if r["tax_year"] is not None)
    where = args.payer_reports or f"s3://{args.lake_bucket}/{args.lake_prefix}/payer-report"
    schema = curated_schema("payer-report")
    payer = None
    try:
        if years:  # only the file's tax years are read (partition pruning)
            lake = spark.read.schema(spark_schema(schema)).parquet(where)
            # a report resubmitted in a later file counts once, as the lake's key says
            payer = deduplicate_df(lake.where(f"tax_year IN ({','.join(map(str, years))})"), "payer-report")
    except Exception as exc:  # AnalysisException: no payer reports in the lake yet
        if not is_missing_path(exc):
            raise
    pdf = detect_df(df, config, payer).toPandas()
    flags = sort_flags(pa.Table.from_pandas(pdf, schema=FLAG_SCHEMA, preserve_index=False))
    key = None
    if flags.num_rows:
        key = f"{args.lake_prefix.rstrip('/')}/_fraud/{args.kind}/{source}.parquet"
        s3_writer(args.lake_bucket)()(key, parquet_bytes(flags))
    return {"engine": "spark", "config": dataclasses.asdict(config), "flags_key": key, "flags": flags.num_rows}


def main(argv: list[str]) -> int:
    from taxlake.lake.curate import manifest, manifest_key, source_id
    from taxlake.spark.curate import curate_file, read_verdicts, write_curated

    args = parse(argv)
    source_file = f"s3://{args.source_bucket}/{args.source_key}"
    spark = spark_session(f"taxlake-curate-{args.kind}")
    rejected = None
    if args.records_rejected is not None:
        rejected = read_verdicts(spark, args.rejected_lines or None, args.records_rejected)
    df = curate_file(
        spark, args.input or source_file, args.kind, source_file=source_file, fmt=args.format, rejected=rejected
    )
    fraud = bool(args.fraud_config) and args.kind == "lodgement"
    if fraud:  # written, then read again by the rules: curate once
        df = df.persist()
    source = source_id(args.source_key, args.source_version or None)
    written = write_curated(
        df, args.kind, prefix=args.lake_prefix, source=source, put_factory=s3_writer(args.lake_bucket),
        compression=args.compression,
    )  # fmt: skip
    doc = manifest(args.kind, source, source_file, "spark", written)
    if fraud:
        doc["fraud"] = detect_fraud(spark, df, args, source)
    # the manifest last: its presence means every file it lists is in place
    s3_writer(args.lake_bucket)()(
        manifest_key(args.lake_prefix, args.kind, source), json.dumps(doc, indent=2, sort_keys=True).encode()
    )
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
