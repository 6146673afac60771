"""Measure the numbers behind the pipeline's routing thresholds.

For lodgement CSVs of growing size, in fresh subprocesses (peak RSS is the
child's own, from VmHWM): the Lambda path (stream, curate, keep one row per
key, write parquet partitions) against the Spark path on local[2]
(the same work through Spark, JVM start included) as the named baseline.
The Lambda-path threshold is chosen so the largest file it takes finishes
well inside Lambda's 15 minutes and 10 GB: see modules/orchestrator/README.md.

Usage: python benchmarks/bench_routing.py [--sizes 16MB,64MB,256MB] [--no-spark]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import machine  # noqa: E402
from bench_validator import CACHE, parse_size  # noqa: E402

LAMBDA_PATH = """
import json, time, io
from taxlake.records.readers import open_source, iter_chunks
from taxlake.lake.curate import curate_chunks, write_partitions
from taxlake.records.schemas import get_schema
started = time.perf_counter()
with open(PATH, "rb") as fh:
    source, _ = open_source(fh, PATH)
    table = curate_chunks(list(iter_chunks(source, get_schema("lodgement").names)), "lodgement", source_file="s3://b/k")
sink = {}
write_partitions(table, "lodgement", prefix="curated", source="bench", put=sink.__setitem__)
rows = table.num_rows
"""
SPARK_PATH = """
import json, time, os, sys
os.environ["PYSPARK_PYTHON"] = sys.executable
started = time.perf_counter()
from pyspark.sql import SparkSession
from taxlake.spark.curate import curate_file, write_curated
spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
df = curate_file(spark, PATH, "lodgement", source_file="s3://b/k", fmt="csv")
written = write_curated(df, "lodgement", prefix="curated", source="bench", put_factory=lambda: (lambda k, b: None))
rows = sum(w["rows"] for w in written)
"""
WRAPPER = """
PATH = {path!r}
{body}
seconds = time.perf_counter() - started
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({{"seconds": seconds, "rows": rows, "peak_rss_mb": hwm / 1024}}))
"""


def sample(size: int) -> Path:
    from taxlake.generate import GenerateSpec, rows_for_size, write_sample

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"routing-{size}.csv"
    if not path.exists():
        write_sample(path, GenerateSpec(rows=rows_for_size("lodgement", size), seed=3, invalid_share=0.002))
    return path


def run(body: str, path: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    code = WRAPPER.format(path=str(path), body=body)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None, allow_abbrev=False)
    parser.add_argument("--sizes", default="16MB,64MB,256MB")
    parser.add_argument("--no-spark", action="store_true")
    machine.add_argument(parser)
    args, ignored = parser.parse_known_args()
    if ignored:
        print(f"bench_routing: ignoring {' '.join(ignored)}")
    guard = machine.Guard(allow_busy=args.allow_busy)
    head = ("file", "rows", "lambda s", "MB/s", "RSS MB", "RSS/file", "spark s", "lambda vs spark")
    widths = (10, 11, 10, 7, 8, 9, 9, 16)
    print("".join(f"{h:>{w}}" for h, w in zip(head, widths, strict=True)))
    for text in args.sizes.split(","):
        size = parse_size(text)
        path = sample(size)
        mb = path.stat().st_size / 1e6
        lam = guard.case(f"lambda {text}", functools.partial(run, LAMBDA_PATH, path))
        spark = None if args.no_spark else guard.case(f"spark {text}", functools.partial(run, SPARK_PATH, path))
        ratio = (
            guard.ratio(spark["seconds"] / lam["seconds"], f"lambda {text}", f"spark {text}", unit="x faster")
            if spark
            else "-"
        )
        spark_s = spark["seconds"] if spark else float("nan")
        print(
            f"{mb:>8.0f}MB{lam['rows']:>11,}{lam['seconds']:>10.1f}{mb / lam['seconds']:>7.1f}"
            f"{lam['peak_rss_mb']:>8.0f}{lam['peak_rss_mb'] / mb:>9.1f}{spark_s:>9.1f}{ratio:>16}"
        )
    return guard.exit_code(0)


if __name__ == "__main__":
    sys.exit(main())
