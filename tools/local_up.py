"""Bring the platform up on the local AWS endpoint and run sample data through it.

    python tools/local_up.py up [--rows N] [--port 4566] [--no-keep-running]
    python tools/local_up.py down

``up``: starts localaws (moto server plus the project's extensions) on
127.0.0.1:4566, ``terraform apply``s terraform/local (the same modules as
dev/staging/prod), uploads deterministic sample files (clean, partly bad,
truncated, drifted, empty) to the landing bucket, follows each through
S3 -> EventBridge -> the validator Lambda (the packaged zip and layer,
running on Python 3.12), redelivers one event to show idempotency, and
prints a summary. The endpoint keeps running for inspection; ``down``
stops it and forgets the Terraform state that described it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "src"))

from local_platform import Emulator, Landing, Terraform, clients  # noqa: E402

STATE = ROOT / ".local"


def sample_files(workdir: Path, rows: int) -> list[tuple[str, Path, str]]:
    """(key, local file, what it shows) for the demo; the same bytes every run."""
    from taxlake.generate import GenerateSpec, write_sample

    workdir.mkdir(parents=True, exist_ok=True)
    plan = [
        ("lodgement", rows, 0.004, "lodgements-001.csv.gz", "accepted, a few rejects"),
        ("lodgement", rows // 4, 0.0, "lodgements-002.jsonl", "accepted, clean"),
        ("lodgement", rows // 4, 0.06, "lodgements-003.csv", "6% bad: quarantined"),
        ("bas", rows // 2, 0.002, "bas-2025-q1.csv", "accepted, a few rejects"),
        ("payer-report", rows // 2, 0.0, "stp-2025-001.parquet", "accepted, structured"),
    ]
    out = []
    for i, (kind, n, bad, name, note) in enumerate(plan):
        path = workdir / name
        # dated today: the deployed validator checks dates against the real clock
        write_sample(path, GenerateSpec(kind=kind, rows=n, seed=100 + i, invalid_share=bad, as_of=dt.date.today()))
        out.append((f"incoming/{kind}/2025/{name}", path, note))
    whole = (workdir / "lodgements-001.csv.gz").read_bytes()
    broken = workdir / "lodgements-004-truncated.csv.gz"
    broken.write_bytes(whole[: len(whole) // 2])
    out.append(("incoming/lodgement/2025/lodgements-004-truncated.csv.gz", broken, "gzip cut in half"))
    lines = (workdir / "lodgements-003.csv").read_text().splitlines()[:50]
    drift = workdir / "lodgements-005-drift.csv"
    drift.write_text("\n".join([lines[0] + ",favourite_colour"] + [row + ",blue" for row in lines[1:]]) + "\n")
    out.append(("incoming/lodgement/2025/lodgements-005-drift.csv", drift, "unexpected column"))
    empty = workdir / "lodgements-006-empty.csv"
    empty.write_bytes(b"")
    out.append(("incoming/lodgement/2025/lodgements-006-empty.csv", empty, "zero bytes"))
    return out


def _why(report: dict[str, Any]) -> str:
    if report["quarantine_reason"]:
        return str(report["quarantine_reason"])
    top = sorted(report["reasons"].items(), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {v}" for k, v in top[:3]) + (f", +{len(top) - 3} more" if len(top) > 3 else "")


def up(rows: int, port: int, keep_running: bool) -> int:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    emulator = Emulator(port=port, state=STATE)
    emulator.stop()  # a previous run's endpoint, if any
    shutil.rmtree(STATE / "terraform", ignore_errors=True)
    t = time.perf_counter()
    emulator.start()
    timings["start local AWS"] = time.perf_counter() - t
    print(f"local AWS (localaws) on {emulator.endpoint}", flush=True)

    tf = Terraform(emulator.endpoint, STATE / "terraform")
    t = time.perf_counter()
    print("terraform apply terraform/local ...", flush=True)
    tf.init()
    outputs = tf.apply()
    timings["terraform apply"] = time.perf_counter() - t
    print(f"  landing bucket s3://{outputs['landing_bucket_name']}, function {outputs['validator_function_name']}")

    aws = clients(emulator.endpoint)
    landing = Landing(aws, outputs)
    t = time.perf_counter()
    samples = sample_files(STATE / "samples", rows)
    keys = landing.upload((key, path) for key, path, _ in samples)
    timings["generate + upload"] = time.perf_counter() - t
    print(f"uploaded {len(keys)} files to s3://{landing.bucket}/incoming/; waiting for the validator:", flush=True)

    def progress(key: str, doc: dict[str, Any], done: int, total: int) -> None:
        print(f"  [{done}/{total}] {doc['status']:<12} {key}", flush=True)

    t = time.perf_counter()
    reports = landing.wait_for_reports(keys, progress=progress)
    timings["validate"] = time.perf_counter() - t
    landing.redeliver(keys[0])
    duplicates = 0.0
    deadline = time.time() + 60
    while time.time() < deadline and not duplicates:
        duplicates = landing.metric_sum("DuplicateEventsSkipped", dimensions={"service": "validator"})
        time.sleep(0.5)
    return summary(landing, samples, reports, duplicates, timings, started, emulator, keep_running)


def summary(
    landing: Landing,
    samples: list[tuple[str, Path, str]],
    reports: dict[str, dict[str, Any]],
    duplicates: float,
    timings: dict[str, float],
    started: float,
    emulator: Emulator,
    keep_running: bool,
) -> int:
    ok = True
    print(f"\n{'file':<50}{'kind':<14}{'status':<13}{'read':>8}{'valid':>8}{'rejected':>9}  why")
    totals = {"read": 0, "valid": 0, "rejected": 0}
    for key, _path, note in samples:
        r = reports[key]
        print(
            f"{key.removeprefix('incoming/'):<50}{r['kind'] or '-':<14}{r['status']:<13}{r['records_read']:>8}"
            f"{r['records_valid']:>8}{r['records_rejected']:>9}  {_why(r)}  ({note})"
        )
        for k in totals:
            totals[k] += r[f"records_{k}"]
        ok &= r["records_read"] == r["records_valid"] + r["records_rejected"]
    rejects = landing.rejects_rows()
    conserved = totals["read"] == totals["valid"] + totals["rejected"] == totals["valid"] + rejects
    ok &= conserved
    print(
        f"\nrecords: {totals['read']:,} read = {totals['valid']:,} valid + {totals['rejected']:,} rejected; "
        f"{rejects:,} rows in quarantine rejects files: {'conserved' if conserved else 'NOT CONSERVED'}"
    )
    print(
        "objects: " + ", ".join(f"{k}/ {v}" for k, v in landing.objects_by_prefix().items()) + "  (incoming/ is kept)"
    )
    accepted = landing.metric_sum("FilesAccepted", dimensions={"service": "validator", "Kind": "lodgement"})
    print(
        f"metrics (CloudWatch, from the function's EMF logs): FilesAccepted[lodgement]={accepted:.0f}, "
        f"DuplicateEventsSkipped={duplicates:.0f}"
    )
    ok &= duplicates >= 1
    print(
        "redelivered event: "
        + ("answered from the idempotency table, processed once" if duplicates else "NOT DEDUPLICATED")
    )
    timings["total"] = time.perf_counter() - started
    print("wall time: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    if keep_running:
        print(
            f"\nlocal AWS keeps running on {emulator.endpoint}; for example\n"
            f"  AWS_ENDPOINT_URL={emulator.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
            f"aws s3 ls --recursive s3://{landing.bucket}/quarantine/\n"
            "stop it with: nox -s down"
        )
    else:
        emulator.stop()
    print("\nresult: " + ("OK" if ok else "PROBLEMS FOUND (see above)"))
    return 0 if ok else 1


def down(port: int) -> int:
    stopped = Emulator(port=port, state=STATE).stop()
    shutil.rmtree(STATE / "terraform", ignore_errors=True)  # it described the stopped endpoint
    print("stopped local AWS" if stopped else "local AWS was not running")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    u = sub.add_parser("up", help="start local AWS, apply terraform/local, run samples")
    u.add_argument("--rows", type=int, default=20_000, help="records in the largest sample file")
    u.add_argument("--port", type=int, default=4566)
    u.add_argument("--keep-running", action=argparse.BooleanOptionalAction, default=True)
    d = sub.add_parser("down", help="stop local AWS")
    d.add_argument("--port", type=int, default=4566)
    args = parser.parse_args()
    if args.command == "down":
        return down(args.port)
    return up(args.rows, args.port, args.keep_running)


if __name__ == "__main__":
    sys.exit(main())
