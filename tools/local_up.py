"""Bring the platform up on the local AWS endpoint and run sample data through it.

    python tools/local_up.py up [--rows N] [--port 4566] [--no-keep-running]
    python tools/local_up.py down

``up``: starts localaws (moto server plus the project's extensions) on
127.0.0.1:4566, ``terraform apply``s terraform/local (the same modules as
dev/staging/prod), uploads deterministic sample files (clean, partly bad,
truncated, drifted, empty) to the landing bucket, follows each through
S3 -> EventBridge -> the validator Lambda (the packaged zip and layer,
running on Python 3.12) -> the pipeline state machine (Lambda, Glue or EMR
Serverless path, chosen by size; the Spark paths run the real job on local
PySpark) -> the curated lake and catalog, redelivers one event to show
idempotency, and prints a summary. The endpoint keeps running for inspection; ``down``
stops it and forgets the Terraform state that described it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "src"))

from local_platform import (  # noqa: E402
    Alerts,
    CurrentTables,
    Emulator,
    Landing,
    Pipeline,
    StepFailed,
    Terraform,
    clients,
    percentiles,
)

STATE = ROOT / ".local"


def sample_files(workdir: Path, rows: int, large_bytes: int = 0) -> list[tuple[str, Path, str]]:
    """(key, local file, what it shows) for the demo; the same bytes every run.

    ``large_bytes``: when set, one more clean lodgement file of about that size (sized
    just over the environment's EMR threshold so that path runs too).
    """
    from taxlake.generate import GenerateSpec, rows_for_size, write_sample

    workdir.mkdir(parents=True, exist_ok=True)
    plan = [
        ("lodgement", rows, 0.004, 2, "lodgements-001.csv.gz", "accepted, a few rejects, 2 refund rings"),
        ("lodgement", rows // 4, 0.0, 0, "lodgements-002.jsonl", "accepted, clean"),
        ("lodgement", rows // 4, 0.06, 0, "lodgements-003.csv", "6% bad: quarantined"),
        ("bas", rows // 2, 0.002, 0, "bas-2025-q1.csv", "accepted, a few rejects"),
        ("payer-report", rows // 2, 0.0, 0, "stp-2025-001.parquet", "accepted, structured"),
    ]
    out = []
    for i, (kind, n, bad, rings, name, note) in enumerate(plan):
        path = workdir / name
        # dated today: the deployed validator checks dates against the real clock
        spec = GenerateSpec(
            kind=kind, rows=n, seed=100 + i, invalid_share=bad, fraud_rings=rings, as_of=dt.date.today()
        )
        write_sample(path, spec)
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
    if large_bytes:
        large = workdir / "lodgements-007-large.csv"
        spec = GenerateSpec(rows=rows_for_size("lodgement", large_bytes), seed=107, as_of=dt.date.today())
        write_sample(large, spec)
        out.append(("incoming/lodgement/2025/lodgements-007-large.csv", large, "accepted, large"))
    return out


def _why(report: dict[str, Any]) -> str:
    if report["quarantine_reason"]:
        return str(report["quarantine_reason"])
    top = sorted(report["reasons"].items(), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {v}" for k, v in top[:3]) + (f", +{len(top) - 3} more" if len(top) > 3 else "")


def up(rows: int, port: int, keep_running: bool, timings: dict[str, float]) -> bool:
    """One run; ``timings`` (seconds per step) is filled in as the steps finish."""
    started = time.perf_counter()
    emulator = Emulator(port=port, state=STATE)
    # whatever an earlier run left, finished or failed: its endpoint, Lambda workers, Spark jobs, state
    if stale := emulator.recover():
        print(f"stopped {len(stale)} process(es) an earlier run left running", flush=True)
    shutil.rmtree(STATE / "terraform", ignore_errors=True)
    t = time.perf_counter()
    emulator.start()
    timings["start local AWS"] = time.perf_counter() - t
    print(f"local AWS (localaws) on {emulator.endpoint}", flush=True)

    tf = Terraform(emulator.endpoint, STATE / "terraform", emulator_log=emulator.log)
    t = time.perf_counter()
    print("terraform apply terraform/local ...", flush=True)
    tf.init()
    outputs = tf.apply()
    timings["terraform apply"] = time.perf_counter() - t
    landing_bucket, validator = outputs["buckets"]["landing"]["name"], outputs["validator"]["function_name"]
    print(f"  landing bucket s3://{landing_bucket}, function {validator}")

    aws = clients(emulator.endpoint)
    landing = Landing(aws, outputs)
    t = time.perf_counter()
    emr_min = int(outputs["pipeline"]["routing"].get("emr_min_bytes", 0))
    # only where the threshold is demo-sized (terraform/local), never a 1 GB file
    samples = sample_files(STATE / "samples", rows, int(emr_min * 1.1) if 0 < emr_min <= 50_000_000 else 0)
    keys = landing.upload((key, path) for key, path, _ in samples)
    timings["generate + upload"] = time.perf_counter() - t
    print(f"uploaded {len(keys)} files to s3://{landing.bucket}/incoming/; waiting for the validator:", flush=True)

    def progress(key: str, doc: dict[str, Any], done: int, total: int) -> None:
        print(f"  [{done}/{total}] {doc['status']:<12} {key}", flush=True)

    t = time.perf_counter()
    reports = landing.wait_for_reports(keys, progress=progress)
    timings["validate"] = time.perf_counter() - t
    landing.redeliver(keys[0])

    pipeline = Pipeline(aws, outputs)
    accepted = sum(1 for r in reports.values() if r["status"] == "accepted")
    print(f"following {accepted} pipeline executions (Lambda / Glue / EMR Serverless by size):", flush=True)

    def pipeline_progress(described: dict[str, Any], done: int, total: int) -> None:
        doc = json.loads(described.get("output") or described.get("input") or "{}")
        engine = doc.get("processing", {}).get("engine", "-")
        seconds = (described["stopDate"] - described["startDate"]).total_seconds()
        print(
            f"  [{done}/{total}] {described['status']:<10} {engine:<15} {doc.get('key', '?')} ({seconds:.0f}s)",
            flush=True,
        )

    t = time.perf_counter()
    executions = pipeline.wait_all(accepted, timeout=900, progress=pipeline_progress)
    timings["pipeline"] = time.perf_counter() - t
    duplicates = 0.0
    deadline = time.time() + 60
    while time.time() < deadline and not duplicates:
        duplicates = landing.metric_sum("DuplicateEventsSkipped", dimensions={"service": "validator"})
        time.sleep(0.5)
    ok = summary(landing, samples, reports, duplicates, timings, started)
    ok &= pipeline_summary(pipeline, executions, reports)
    ok &= alerts_summary(Alerts(aws, outputs), executions)
    t = time.perf_counter()
    ok &= current_summary(CurrentTables(aws, outputs))
    timings["current"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    print("\nwall time: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    finish(emulator, landing, keep_running)
    print("\nresult: " + ("OK" if ok else "PROBLEMS FOUND (see above)"))
    return ok


def summary(
    landing: Landing,
    samples: list[tuple[str, Path, str]],
    reports: dict[str, dict[str, Any]],
    duplicates: float,
    timings: dict[str, float],
    started: float,
) -> bool:
    """The validator's side: verdicts, record conservation, objects, metrics."""
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
    return ok


def pipeline_summary(pipeline: Pipeline, executions: list[dict[str, Any]], reports: dict[str, dict[str, Any]]) -> bool:
    """The state machine's side: path, curated records, quality, fraud, per file and stage."""
    ok = True
    valid_by_key = {
        "validated/" + key.removeprefix("incoming/"): r["records_valid"]
        for key, r in reports.items()
        if r["status"] == "accepted"
    }
    print(f"\n{'pipeline: file':<50}{'path':<16}{'valid':>8}{'curated':>9}{'dup':>5}{'quality':>9}{'fraud':>7}  status")
    stages: dict[str, float] = {}
    curated = valid = 0
    for described in sorted(executions, key=lambda d: json.loads(d["input"])["key"]):
        doc = json.loads(described.get("output") or described["input"])
        history = pipeline.history(described["executionArn"])
        for state, seconds in pipeline.state_seconds(history).items():
            stages[state] = stages.get(state, 0.0) + seconds
        quality = doc.get("quality", {}).get("result", {})
        fraud = doc.get("fraud", {}).get("result", {})
        key = doc.get("key") or json.loads(described["input"])["key"]
        n_valid = valid_by_key.get(key, 0)
        valid += n_valid
        curated += quality.get("records_curated", 0)
        # the quality step counted the rows actually written: never more than the validator
        # passed, none lost but duplicates (it fails the execution otherwise)
        n_curated = quality.get("records_curated", -1)
        ok &= described["status"] == "SUCCEEDED" and 0 < n_curated <= n_valid
        print(
            f"{key.removeprefix('validated/'):<50}{doc.get('processing', {}).get('engine', '-'):<16}{n_valid:>8}"
            f"{quality.get('records_curated', 0):>9}{quality.get('duplicates_removed', 0):>5}"
            f"{quality.get('score', 0):>9.3f}{fraud.get('flags', 0):>7}  {described['status']}"
            + (
                f" ({described.get('error')}: {described.get('cause', '')[:80]})"
                if described["status"] != "SUCCEEDED"
                else ""
            )
        )
    print(f"\nrecords: {valid:,} valid -> {curated:,} curated rows in the lake (exact duplicates dropped)")
    rules: dict[str, int] = {}
    for described in executions:
        for rule, n in (
            json.loads(described.get("output") or "{}").get("fraud", {}).get("result", {}).get("rules", {}).items()
        ):
            rules[rule] = rules.get(rule, 0) + n
    print("fraud flags: " + (", ".join(f"{r} {n}" for r, n in sorted(rules.items())) or "none"))
    ok &= rules.get("ACCOUNT_MANY_TFNS", 0) >= 12  # the two planted rings of six
    partitions = pipeline.lake_partitions()
    print("lake tables (partitions registered): " + ", ".join(f"{t} {n}" for t, n in partitions.items()))
    ok &= sum(partitions.values()) > 0
    order = ["ValidateInput", "ProcessWithLambda", "ProcessWithGlue", "ProcessWithEMR", "DataQualityCheck",
             "UpdateCatalog", "DetectFraud", "AlertFraud", "PublishMetrics", "NotifySuccess"]  # fmt: skip
    print(
        "state time summed over files: "
        + ", ".join(f"{s} {stages[s]:.1f}s" for s in order + sorted(set(stages) - set(order)) if s in stages)
    )
    return ok


def alerts_summary(alerts: Alerts, executions: list[dict[str, Any]]) -> bool:
    """Latency percentiles of the run and every alarm's state, evaluated now (after the
    freshness measurement its schedule would have made)."""
    seconds = [(d["stopDate"] - d["startDate"]).total_seconds() for d in executions if d.get("stopDate")]
    p = percentiles(seconds)
    if p:
        spread = f"p50 {p[50]:.1f}s, p90 {p[90]:.1f}s, p99 {p[99]:.1f}s"
        print(f"\npipeline execution time: {spread} ({len(seconds)} executions)")
    now = dt.datetime.now(dt.UTC)
    ages = alerts.measure_freshness(now)["ages"]
    print("curated data age: " + ", ".join(f"{k} {'never' if a is None else f'{a:.0f}s'}" for k, a in ages.items()))
    states = alerts.evaluate(now)
    print("alarms: " + ", ".join(f"{name} {state}" for name, state in sorted(states.items())))
    # a clean run leaves no failure streak and nothing dead-lettered
    return all(
        states.get(alerts.name(alert, key)) == "OK"
        for alert, key in (("consecutive_failures", None), ("dead_letters", "validator"))
    )


def current_summary(current: CurrentTables) -> bool:
    """One run of the scheduled current-tables job, as its trigger would start it."""
    job = current.outputs["jobs"]["current_tables"]["name"]
    print(f"\ncurrent tables: running {job} (its schedule, started now) ...")
    run = current.run()
    if run["JobRunState"] != "SUCCEEDED":
        print(f"  {run['JobRunState']}: {run.get('ErrorMessage', '')[:200]}")
        return False
    ok = True
    for kind in ("lodgement", "bas", "payer-report"):
        table, sources = current.read(kind), len(current.applied(kind))
        rows = table.num_rows if table is not None else 0
        print(f"  current_{kind.replace('-', '_'):<14}{rows:>8,} rows from {sources} curated source(s)")
        ok &= (rows > 0) == (sources > 0)
    print(f"  ({run.get('ExecutionTime', 0)}s; one row per TFN and year, amendments applied)")
    return ok


def finish(emulator: Emulator, landing: Landing, keep_running: bool) -> None:
    if keep_running:
        print(
            f"\nlocal AWS keeps running on {emulator.endpoint}; for example\n"
            f"  AWS_ENDPOINT_URL={emulator.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
            f"aws s3 ls --recursive s3://{landing.bucket}/quarantine/\n"
            "stop it with: nox -s down"
        )
    else:
        emulator.stop()


def down(port: int) -> int:
    emulator = Emulator(port=port, state=STATE)
    stopped = emulator.stop() | bool(emulator.recover())
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
    u.add_argument("--load", type=int, default=0, help="CPU-bound processes to run beside it (a busy machine)")
    u.add_argument("--repeat", type=int, default=1, help="runs in a row, each from scratch; all must pass")
    u.add_argument("--deadline", type=float, default=0, help="fail a run that takes longer (seconds; 0: none)")
    d = sub.add_parser("down", help="stop local AWS")
    d.add_argument("--port", type=int, default=4566)
    args = parser.parse_args()
    if args.command == "down":
        return down(args.port)
    if args.repeat < 1 or args.load < 0 or args.deadline < 0:
        parser.error("--repeat must be at least 1; --load and --deadline not negative")
    results = []
    with busy(args.load):
        for i in range(args.repeat):
            if args.repeat > 1:
                print(f"\n=== run {i + 1}/{args.repeat} (load: {args.load} CPU-bound processes) ===", flush=True)
            timings: dict[str, float] = {}
            keep = args.keep_running and i == args.repeat - 1
            began = time.perf_counter()
            ok = guarded(functools.partial(up, args.rows, args.port, keep, timings), args.deadline)
            timings.setdefault("total", time.perf_counter() - began)  # a failed run's time too
            results.append((ok, timings))
            if not ok:
                break
    if args.repeat > 1 or args.load:
        print(f"\n{len(results)} run(s), load {args.load} ({os.cpu_count()} cores):")
        for i, (ok, timings) in enumerate(results, 1):
            steps = ", ".join(f"{k} {v:.0f}s" for k, v in timings.items() if k != "total")
            print(f"  run {i}: {'OK' if ok else 'FAILED'} in {timings.get('total', 0):.0f}s ({steps})")
    return 0 if len(results) == args.repeat and all(ok for ok, _ in results) else 1


@contextlib.contextmanager
def busy(processes: int) -> Iterator[None]:
    """``processes`` CPU-bound processes beside the run, as on a laptop or CI runner doing other work."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def guarded(run: Callable[[], bool], deadline: float) -> bool:
    """Run one ``up``: a failing step prints the tool's own message, its log and what next, not a traceback."""

    def expired(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"the run took longer than its deadline of {deadline:.0f}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, deadline)
    try:
        return run()
    except StepFailed as failure:
        print(f"\n{failure}", file=sys.stderr, flush=True)
    except (TimeoutError, BotoCoreError, ClientError) as exc:
        waited = StepFailed("the local platform run", str(exc), emulator_log=STATE / "localaws.log")
        print(f"\n{waited}", file=sys.stderr)
    except Exception:  # a bug in the harness itself: keep the traceback, say where
        log = STATE / "logs" / "up-traceback.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(traceback.format_exc())
        detail = traceback.format_exc().strip().splitlines()[-1]
        print(f"\n{StepFailed('nox -s up (harness error)', detail, log, STATE / 'localaws.log')}", file=sys.stderr)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return False


if __name__ == "__main__":
    sys.exit(main())
