"""Bring the ingestion slice up on a local AWS endpoint and run sample data through it.

    python tools/local_up.py up [--rows N] [--keep-running/--no-keep-running]
    python tools/local_up.py down

``up`` starts moto server on 127.0.0.1:4566 (the LocalStack edge port, so
``AWS_ENDPOINT_URL=http://127.0.0.1:4566`` tools work against it), creates
the landing zone as modules/landing and modules/validator define it (KMS
key, versioned SSE-KMS bucket with EventBridge notifications, the
``Object Created`` rule on ``incoming/``, the idempotency table), uploads
deterministic sample files (good, partly bad, broken), and follows each
one from S3 through EventBridge to the packaged validator Lambda
(dist/lambdas/validator.zip + dist/layers/runtime.zip, run on Python 3.12
by tools/lambda_runner.py). It prints what happened to every file and
checks that every record read is accounted for.

moto's EventBridge cannot invoke Lambda targets, so the rule's target here
is an SQS queue that the runner drains into the function: the event is the
one EventBridge delivered, byte for byte.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "src"))

from localaws.lambda_runner import LocalFunction  # noqa: E402

HOST, PORT = "127.0.0.1", int(os.environ.get("TAXLAKE_LOCAL_PORT", "4566"))
ENDPOINT = f"http://{HOST}:{PORT}"
STATE = ROOT / ".local"
REGION = "ap-southeast-2"
PREFIX = "taxlake-local"
ACCOUNT = "123456789012"
BUCKET = f"{PREFIX}-landing-{ACCOUNT}"
TABLE = f"{PREFIX}-validator-idempotency"
RULE = f"{PREFIX}-landing-object-created"
QUEUE = f"{PREFIX}-validator-events"


def aws_env() -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": ENDPOINT,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


def _healthy() -> bool:
    try:
        with urllib.request.urlopen(f"{ENDPOINT}/moto-api/", timeout=1):  # noqa: S310 - fixed local URL
            return True
    except OSError:
        return False


def start_emulator() -> None:
    if _healthy():
        print(f"local AWS already answering on {ENDPOINT}")
        return
    STATE.mkdir(exist_ok=True)
    log = open(STATE / "moto.log", "ab")  # noqa: SIM115 - handed to the server process
    moto = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(moto), "-H", HOST, "-p", str(PORT)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
        start_new_session=True,
    )
    (STATE / "moto.pid").write_text(str(proc.pid))
    for _ in range(100):
        if _healthy():
            print(f"local AWS (moto server, pid {proc.pid}) on {ENDPOINT}")
            return
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"local AWS did not start; see {STATE / 'moto.log'}")


def stop_emulator() -> None:
    pid_file = STATE / "moto.pid"
    if not pid_file.exists():
        print("local AWS is not running (no .local/moto.pid)")
        return
    pid = int(pid_file.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
        print(f"stopped local AWS (pid {pid})")
    except ProcessLookupError:
        print(f"local AWS (pid {pid}) had already stopped")
    pid_file.unlink()


def deploy(clients: dict[str, Any]) -> dict[str, str]:
    """The landing zone and validator wiring, named as terraform/<env> names them."""
    kms, s3, events, sqs, ddb = (clients[k] for k in ("kms", "s3", "events", "sqs", "dynamodb"))
    key_arn = kms.create_key(Description=f"{PREFIX} platform key")["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_arn,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        ),
    )
    s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={"EventBridgeConfiguration": {}})
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [BUCKET]}, "object": {"key": [{"prefix": "incoming/"}]}},
    }
    events.put_rule(Name=RULE, EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(Rule=RULE, Targets=[{"Id": "validator", "Arn": queue_arn}])
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.update_time_to_live(TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"})
    return {"queue_url": queue_url, "key_arn": key_arn}


def sample_files(workdir: Path, rows: int) -> list[tuple[str, Path, str]]:
    """(key, local file, what it demonstrates) for the demo run; same bytes every time."""
    from taxlake.generate import GenerateSpec, write_sample

    workdir.mkdir(parents=True, exist_ok=True)
    plan = [
        ("lodgement", "csv.gz", rows, 0.004, "lodgements-001.csv.gz", "accepted, a few rejects"),
        ("lodgement", "jsonl", rows // 4, 0.0, "lodgements-002.jsonl", "accepted, clean"),
        ("lodgement", "csv", rows // 4, 0.06, "lodgements-003.csv", "6% bad: quarantined"),
        ("bas", "csv", rows // 2, 0.002, "bas-2025-q1.csv", "accepted, a few rejects"),
        ("payer-report", "parquet", rows // 2, 0.0, "stp-2025-001.parquet", "accepted, structured"),
    ]
    out = []
    for i, (kind, _fmt, n, bad, name, note) in enumerate(plan):
        path = workdir / name
        write_sample(path, GenerateSpec(kind=kind, rows=n, seed=100 + i, invalid_share=bad))
        out.append((f"incoming/{kind}/2025/{name}", path, note))
    broken = workdir / "lodgements-004-truncated.csv.gz"
    whole = (workdir / "lodgements-001.csv.gz").read_bytes()
    broken.write_bytes(whole[: len(whole) // 2])
    out.append(("incoming/lodgement/2025/lodgements-004-truncated.csv.gz", broken, "gzip cut in half"))
    drift = workdir / "lodgements-005-drift.csv"
    lines = (workdir / "lodgements-003.csv").read_text().splitlines()[:50]
    drift.write_text("\n".join([lines[0] + ",favourite_colour"] + [row + ",blue" for row in lines[1:]]) + "\n")
    out.append(("incoming/lodgement/2025/lodgements-005-drift.csv", drift, "unexpected column"))
    empty = workdir / "lodgements-006-empty.csv"
    empty.write_bytes(b"")
    out.append(("incoming/lodgement/2025/lodgements-006-empty.csv", empty, "zero bytes"))
    return out


def drain(sqs: Any, queue_url: str, expected: int, timeout: float = 60) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    deadline = time.time() + timeout
    while len(events) < expected and time.time() < deadline:
        msgs = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for m in msgs:
            events.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return events


def up(rows: int, keep_running: bool) -> int:
    started = time.perf_counter()
    os.environ.update(aws_env())
    start_emulator()
    import boto3

    clients = {n: boto3.client(n) for n in ("kms", "s3", "events", "sqs", "dynamodb")}
    timings: dict[str, float] = {}
    t = time.perf_counter()
    deployed = deploy(clients)
    timings["deploy"] = time.perf_counter() - t
    print(f"deployed: s3://{BUCKET}, rule {RULE}, table {TABLE}")

    t = time.perf_counter()
    samples = sample_files(STATE / "samples", rows)
    for key, path, _note in samples:
        clients["s3"].upload_file(str(path), BUCKET, key)
    timings["generate + upload"] = time.perf_counter() - t
    print(f"uploaded {len(samples)} files to s3://{BUCKET}/incoming/")

    dist = ROOT / "dist"
    fn = LocalFunction(
        name=f"{PREFIX}-validator",
        zip_path=dist / "lambdas" / "validator.zip",
        layer_paths=[dist / "layers" / "runtime.zip"],
        environment={
            **aws_env(),
            "POWERTOOLS_SERVICE_NAME": "validator",
            "POWERTOOLS_METRICS_NAMESPACE": "Taxlake",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "IDEMPOTENCY_TABLE": TABLE,
            "REJECT_THRESHOLD": "0.01",
        },
        workdir=STATE / "lambda",
        log_path=STATE / "validator.log",
    )
    t = time.perf_counter()
    events = drain(clients["sqs"], deployed["queue_url"], len(samples))
    results = []
    try:
        for i, event in enumerate(events, 1):
            key = event["detail"]["object"]["key"]
            print(f"  [{i}/{len(events)}] validating {key}", flush=True)
            results.append(fn.invoke(event))
        # EventBridge delivers at least once: a redelivery must change nothing
        replay = fn.invoke({**events[0], "id": "redelivered"}) if events else None
    finally:
        fn.close()
    timings["validate"] = time.perf_counter() - t
    return report(clients["s3"], samples, events, results, replay, timings, started, keep_running)


def report(
    s3: Any,
    samples: list[tuple[str, Path, str]],
    events: list[dict[str, Any]],
    results: list[dict[str, Any]],
    replay: dict[str, Any] | None,
    timings: dict[str, float],
    started: float,
    keep_running: bool,
) -> int:
    notes = {key: note for key, _p, note in samples}
    ok = len(events) == len(samples)
    print(f"\n{'file':<50}{'kind':<14}{'status':<13}{'read':>8}{'valid':>8}{'rejected':>9}  why")
    totals = {"read": 0, "valid": 0, "rejected": 0}
    for res in results:
        if not res.get("ok"):
            print(f"  FAILED: {res.get('errorType')}: {res.get('errorMessage')}")
            ok = False
            continue
        p = res["payload"]
        key = p["source"]["key"]
        why = p["quarantine_reason"] or ""
        if p["records_rejected"] and not why:
            report_doc = json.loads(s3.get_object(Bucket=BUCKET, Key=p["report_key"])["Body"].read())
            top = sorted(report_doc["reasons"].items(), key=lambda kv: -kv[1])
            why = ", ".join(f"{k} {v}" for k, v in top[:3]) + (f", +{len(top) - 3} more" if len(top) > 3 else "")
        print(
            f"{key.removeprefix('incoming/'):<50}{p['kind'] or '-':<14}{p['status']:<13}{p['records_read']:>8}"
            f"{p['records_valid']:>8}{p['records_rejected']:>9}  {why}  ({notes.get(key, '')})"
        )
        for k in totals:
            totals[k] += p[f"records_{k}"]
        ok &= p["records_read"] == p["records_valid"] + p["records_rejected"]
    listing = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    by_prefix: dict[str, int] = {}
    for obj in listing:
        by_prefix[obj["Key"].split("/", 1)[0]] = by_prefix.get(obj["Key"].split("/", 1)[0], 0) + 1
    rejects_rows = 0
    for obj in listing:
        if obj["Key"].endswith(".rejects.jsonl.gz"):
            body = s3.get_object(Bucket=BUCKET, Key=obj["Key"])["Body"].read()
            rejects_rows += len(gzip.decompress(body).splitlines())
    conserved = totals["read"] == totals["valid"] + totals["rejected"] == totals["valid"] + rejects_rows
    ok &= conserved
    print(
        f"\nrecords: {totals['read']:,} read = {totals['valid']:,} valid + {totals['rejected']:,} rejected; "
        f"{rejects_rows:,} rows in quarantine rejects files: {'conserved' if conserved else 'NOT CONSERVED'}"
    )
    print("objects: " + ", ".join(f"{k}/ {v}" for k, v in sorted(by_prefix.items())) + "  (incoming/ is never deleted)")
    if replay is not None:
        same = replay.get("ok") and replay["payload"] == results[0].get("payload")
        ok &= bool(same)
        print(
            f"redelivered event: {'answered from the idempotency table, processed once' if same else 'PROCESSED AGAIN'}"
        )
    timings["total"] = time.perf_counter() - started
    print("wall time: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    if keep_running:
        print(
            f"\nlocal AWS keeps running on {ENDPOINT}; try\n"
            f"  AWS_ENDPOINT_URL={ENDPOINT} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
            f"aws s3 ls --recursive s3://{BUCKET}/quarantine/\n"
            "stop it with: nox -s down"
        )
    else:
        stop_emulator()
    print("\nresult: " + ("OK" if ok else "PROBLEMS FOUND (see above)"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description="local ingestion slice")
    sub = parser.add_subparsers(dest="command", required=True)
    u = sub.add_parser("up", help="start local AWS, deploy, run samples")
    u.add_argument("--rows", type=int, default=20_000, help="records in the largest sample file")
    u.add_argument("--keep-running", action=argparse.BooleanOptionalAction, default=True)
    sub.add_parser("down", help="stop local AWS")
    args = parser.parse_args()
    if args.command == "down":
        stop_emulator()
        return 0
    if _healthy():
        if not (STATE / "moto.pid").exists():
            raise SystemExit(f"something else answers on {ENDPOINT}; stop it or set TAXLAKE_LOCAL_PORT")
        print("restarting local AWS for a clean run")
        stop_emulator()
        time.sleep(0.5)
    return up(args.rows, args.keep_running)


if __name__ == "__main__":
    sys.exit(main())
