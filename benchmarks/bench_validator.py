"""Validator throughput and memory against pyarrow's raw CSV read of the same file.

Baselines, measured in the same run on the same file:
  pyarrow-stream  pyarrow.csv.open_csv, one thread, 1 MiB blocks, all columns
                  as strings: the validator's own reader with no checks, so the
                  ratio is the cost of validation itself.
  pyarrow-read    pyarrow.csv.read_csv, all threads, whole file in memory: the
                  fastest way pyarrow can read it (and what it costs in RAM).
Peer, same file: pandera 0.35 on pandas reading 16k-row chunks, with every lodgement
rule the validator applies (benchmarks/peer_pandera.py); both reject counts print.

Each case runs in a fresh subprocess so its peak RSS is its own. The memory
check validates a 2 GB stream (the 1 GB file twice, through a pipe, never on
disk) and fails the session if peak RSS reaches 256 MB.

Each case prints the load average before and after it (benchmarks/machine.py); a
ratio involving a case that started at a load above the core count is refused (exit 3)
unless --allow-busy.

Usage: python benchmarks/bench_validator.py [--size 1GB] [--stream-size 2GB] [--rss-limit-mb 256] [--allow-busy]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import machine

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench"

CHILD = {
    "pyarrow-stream": """
import pyarrow as pa, pyarrow.csv as pacsv
from taxlake.records.schemas import get_schema
names = get_schema("lodgement").names
reader = pacsv.open_csv(PATH, read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 20),
    convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}))
rows = sum(b.num_rows for b in reader)
""",
    "pyarrow-read": """
import pyarrow as pa, pyarrow.csv as pacsv
from taxlake.records.schemas import get_schema
names = get_schema("lodgement").names
rows = pacsv.read_csv(PATH, convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names})).num_rows
""",
    "validator": """
from taxlake.records.validation import ValidationConfig, use_arrow_pool, validate_path
use_arrow_pool()  # as the validator function does at cold start
report = validate_path(PATH, config=ValidationConfig(reject_threshold=1.0, threads=THREADS))
rows, rejected = report.records_read, report.records_rejected
assert rejected > 0, "the bench file carries planted defects"
""",
    "pandera": """
import sys
sys.path.insert(0, BENCH)
import peer_pandera
rows, rejected = peer_pandera.validate(PATH)
""",
    "validator-stream": """
import sys
from taxlake.records.validation import ValidationConfig, use_arrow_pool, validate_stream
use_arrow_pool()  # as the validator function does at cold start
config = ValidationConfig(reject_threshold=1.0, threads=THREADS)
report = validate_stream(sys.stdin.buffer, "incoming/lodgement/stream.csv", config=config)
rows = report.records_read
""",
}
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork+exec, so a child
# would report its parent's peak; VmHWM belongs to the child's own memory map.
WRAPPER = """
import json, time
PATH, THREADS, BENCH = {path!r}, {threads}, {bench!r}
rejected = None
started = time.perf_counter()
{body}
seconds = time.perf_counter() - started
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({{"seconds": seconds, "rows": rows, "rejected": rejected, "peak_rss_mb": hwm / 1024}}))
"""


def verdicts(path: Path) -> Path:
    """The validator's verdicts on ``path`` as the process step receives them: the rejected
    lines, sorted (numpy .npy beside the file, remade when the file is newer)."""
    import numpy as np

    from taxlake.records.validation import ValidationConfig, validate_path

    out = path.with_name(path.name + ".rejected-lines.npy")
    if not out.exists() or out.stat().st_mtime < path.stat().st_mtime:
        lines: list[int] = []
        validate_path(
            path,
            config=ValidationConfig(reject_threshold=1.0),
            on_rejects=lambda rows: lines.extend(r["line"] for r in rows),
        )
        np.save(out, np.sort(np.array(lines, dtype=np.int64)))
    return out


def parse_size(text: str) -> int:
    from taxlake.cli import parse_size as parse

    return parse(text)


def bench_file(size: int) -> Path:
    """A lodgement CSV of ~``size`` bytes: 100 MB generated, then its rows repeated.

    Repetition keeps set-up fast; validation cost per byte is the same.
    """
    from taxlake.generate import GenerateSpec, rows_for_size, write_sample

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"lodgement-{size}.csv"
    if path.exists():
        return path
    seed_size = min(size, 100 * 10**6)
    seed = CACHE / f"lodgement-seed-{seed_size}.csv"
    if not seed.exists():
        print(f"generating {seed_size / 1e6:.0f} MB of lodgements (seed 0, 0.5% defects)...", flush=True)
        spec = GenerateSpec(rows=rows_for_size("lodgement", seed_size), seed=0, invalid_share=0.005)
        write_sample(seed, spec)
    tmp = path.with_suffix(".tmp")
    with open(seed, "rb") as src, open(tmp, "wb") as out:
        header = src.readline()
        out.write(header)
        written = len(header)
        while written < size:
            src.seek(len(header))
            for line in src:
                if written >= size:
                    break
                out.write(line)
                written += len(line)
    tmp.replace(path)
    return path


def run_case(name: str, path: Path, threads: int = 1, stdin_copies: int = 0) -> dict[str, float]:
    code = WRAPPER.format(path=str(path), threads=threads, bench=str(ROOT / "benchmarks"), body=CHILD[name])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    if not stdin_copies:
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env)
        return json.loads(out.stdout)
    # feed the file N times (header once) through a pipe: a big input that never touches disk
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert child.stdin is not None
    with open(path, "rb") as fh:
        header = fh.readline()
        child.stdin.write(header)
        for _ in range(stdin_copies):
            fh.seek(len(header))
            while block := fh.read(1 << 20):
                child.stdin.write(block)
    child.stdin.close()
    stdout = child.stdout.read() if child.stdout else b""
    if child.wait() != 0:
        raise SystemExit(f"{name} failed")
    return json.loads(stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None, allow_abbrev=False)
    parser.add_argument("--size", default="1GB", help="bench file size (default 1GB)")
    parser.add_argument("--stream-size", default="2GB", help="size of the piped memory check (default 2GB)")
    parser.add_argument("--rss-limit-mb", type=float, default=256.0)
    machine.add_argument(parser)
    # `nox -s bench -- ARGS` hands the same ARGS to every bench: what is not ours is ignored
    args, ignored = parser.parse_known_args()
    if ignored:
        print(f"bench_validator: ignoring {' '.join(ignored)}")
    guard = machine.Guard(allow_busy=args.allow_busy)
    size = parse_size(args.size)
    path = bench_file(size)
    mb = path.stat().st_size / 1e6
    cpus = os.cpu_count() or 1
    print(f"\nfile: {path.name}  {mb:,.0f} MB  cpus: {cpus}\n")
    cases = [
        ("pyarrow-stream", "pyarrow-stream", 1),
        ("pyarrow-read", "pyarrow-read", 1),
        ("validator (1 thread)", "validator", 1),
        (f"validator ({cpus} threads)", "validator", cpus),
        ("pandera (peer)", "pandera", 1),
    ]
    results = {}
    for label, name, threads in cases:
        results[label] = guard.case(label, functools.partial(run_case, name, path, threads))
    base = results["pyarrow-stream"]
    read = results["pyarrow-read"]
    header = (
        f"{'case':<24}{'MB/s':>9}{'records/s':>13}{'peak RSS MB':>13}{'vs pyarrow-stream':>19}{'vs pyarrow-read':>17}"
        f"{'rejected':>10}{'load':>12}"
    )
    print(header)
    print("-" * len(header))
    for label, r in results.items():
        print(
            f"{label:<24}{mb / r['seconds']:>9.1f}{r['rows'] / r['seconds']:>13,.0f}{r['peak_rss_mb']:>13.0f}"
            f"{guard.ratio(base['seconds'] / r['seconds'], 'pyarrow-stream', label):>19}"
            f"{guard.ratio(read['seconds'] / r['seconds'], 'pyarrow-read', label):>17}"
            f"{'-' if r['rejected'] is None else format(r['rejected'], ','):>10}{guard.loads[label]!s:>12}"
        )
    copies = max(1, round(parse_size(args.stream_size) / path.stat().st_size))
    stream = guard.case(
        "validator-stream", functools.partial(run_case, "validator-stream", path, cpus, stdin_copies=copies)
    )
    ok = stream["peak_rss_mb"] < args.rss_limit_mb
    print(
        f"\nmemory: {copies * mb / 1000:.1f} GB streamed through a pipe, {stream['rows']:,} records, "
        f"{copies * mb / stream['seconds']:.1f} MB/s, peak RSS {stream['peak_rss_mb']:.0f} MB "
        f"(limit {args.rss_limit_mb:.0f} MB): {'PASS' if ok else 'FAIL'}"
    )
    return guard.exit_code(0 if ok else 1)


if __name__ == "__main__":
    sys.exit(main())
