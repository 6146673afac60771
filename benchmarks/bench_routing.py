"""Measure the numbers behind the pipeline's routing thresholds.

For lodgement CSVs of growing size, in fresh subprocesses (peak RSS is the
child's own, from VmHWM): the Lambda path (stream, curate, keep one row per
key, write parquet partitions) against the Spark path on local[2]
(the same work through Spark, JVM start included) as the named baseline.
The Lambda-path threshold is chosen so the largest file it takes finishes
well inside Lambda's 15 minutes and 10 GB: see modules/orchestrator/README.md.

Usage: python benchmarks/bench_routing.py [--sizes 16MB,64MB,256MB,1GB] [--no-spark]
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import machine  # noqa: E402
from bench_validator import CACHE, parse_size, verdicts  # noqa: E402

LAMBDA_PATH = """
import json, time, io
import taxlake.lake.curate as curate
from taxlake.records.readers import open_source, iter_chunks
from taxlake.records.schemas import get_schema
spilled = 0
_append = curate._Spill.append
def counting(self, values, buffer):  # what the run puts in the Lambda's /tmp
    global spilled
    spilled += buffer.size
    _append(self, values, buffer)
curate._Spill.append = counting
import numpy as np
rejected = np.load(PATH + ".rejected-lines.npy")  # the validator's verdicts, as process gets them
started = time.perf_counter()
with open(PATH, "rb") as fh:
    source, _ = open_source(fh, PATH)
    written = curate.curate_stream(iter_chunks(source, get_schema("lodgement").names), "lodgement",
                                   source_file="s3://b/k", prefix="curated", source="bench", put=lambda k, b: None,
                                   rejected=rejected)
rows = sum(w["rows"] for w in written)
extra = {"spill_mb": spilled / 1e6}
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
extra = {}
"""
WRAPPER = """
PATH = {path!r}
{body}
seconds = time.perf_counter() - started
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({{"seconds": seconds, "rows": rows, "peak_rss_mb": hwm / 1024, **extra}}))
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
    from taxlake.cost.prices import emr_cost, glue_cost, lambda_cost

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None, allow_abbrev=False)
    parser.add_argument("--sizes", default="16MB,64MB,256MB,1GB")
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument(
        "--lambda-memory-mb", type=int, default=3008, help="the process function's memory (lambda_path.memory_mb)"
    )
    machine.add_argument(parser)
    args, ignored = parser.parse_known_args()
    if ignored:
        print(f"bench_routing: ignoring {' '.join(ignored)}")
    guard = machine.Guard(allow_busy=args.allow_busy)
    head = ("file", "rows", "lambda s", "MB/s", "RSS MB", "RSS/file", "/tmp MB", "$/GB lambda", "spark s", "vs spark")
    widths = (10, 11, 10, 7, 8, 9, 9, 13, 9, 14)
    print("".join(f"{h:>{w}}" for h, w in zip(head, widths, strict=True)))
    for text in args.sizes.split(","):
        size = parse_size(text)
        path = sample(size)
        verdicts(path)
        mb = path.stat().st_size / 1e6
        lam = guard.case(f"lambda {text}", functools.partial(run, LAMBDA_PATH, path))
        spark = None if args.no_spark else guard.case(f"spark {text}", functools.partial(run, SPARK_PATH, path))
        ratio = (
            guard.ratio(spark["seconds"] / lam["seconds"], f"lambda {text}", f"spark {text}", unit="x faster")
            if spark
            else "-"
        )
        spark_s = spark["seconds"] if spark else float("nan")
        # /tmp billed as at least the spill measured (the module configures 1.25x the threshold)
        tmp_mb = max(512, math.ceil(lam["spill_mb"]))
        per_gb = lambda_cost(lam["seconds"], args.lambda_memory_mb, ephemeral_mb=tmp_mb) / (mb / 1000)
        print(
            f"{mb:>8.0f}MB{lam['rows']:>11,}{lam['seconds']:>10.1f}{mb / lam['seconds']:>7.1f}"
            f"{lam['peak_rss_mb']:>8.0f}{lam['peak_rss_mb'] / mb:>9.1f}{lam['spill_mb']:>9.0f}"
            f"{per_gb:>13.5f}{spark_s:>9.1f}{ratio:>14}"
        )
    floor, flex_floor = glue_cost(0, 2), glue_cost(0, 2, flex=True)
    print(
        f"Glue's floor (2 x G.1X, 60 s minimum): ${floor:.4f} standard, ${flex_floor:.4f} Flex a run;"
        f" Lambda at {args.lambda_memory_mb} MB costs the Flex floor in"
        f" {flex_floor / lambda_cost(1, args.lambda_memory_mb):.0f} s; EMR Serverless's (driver + 2 workers of"
        f" 4 vCPU / 16 GB, 60 s minimum): ${emr_cost(0, 3):.4f}"
    )
    return guard.exit_code(0)


if __name__ == "__main__":
    sys.exit(main())
