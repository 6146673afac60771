"""The platform on the local AWS endpoint: start it, apply terraform/local, run data, tear down.

Shared by ``nox -s up`` (tools/local_up.py) and the integration tests, so the
two exercise exactly the same path: ``python -m localaws`` on 127.0.0.1,
``terraform apply`` of terraform/platform with terraform/local's settings (the
root dev/staging/prod apply, its endpoints pointed at the emulator and its state in
the emulator's S3), then files dropped into the landing bucket and followed
through EventBridge and the validator Lambda.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from terraform_cli import terraform_env  # noqa: E402

REGION = "ap-southeast-2"
# One root for every environment; local differs only by its tfvars (the emulator endpoint)
# and its backend (state in the emulator's S3).
TF_ROOT = ROOT / "terraform" / "platform"
LOCAL_ENV = ROOT / "terraform" / "local"
LOCAL_BACKEND = LOCAL_ENV / "local.s3.tfbackend"


def state_bucket(backend: Path = LOCAL_BACKEND) -> str:
    """The state bucket the backend file names (the one place it is written)."""
    match = re.search(r'^bucket\s*=\s*"([^"]+)"', backend.read_text(), re.M)
    if not match:
        raise StepFailed(f"reading the state bucket from {backend}", 'the file has no bucket = "..." line')
    return match.group(1)


def listed(client: Any, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated listing (``key`` names the items in each page)."""
    return [item for page in client.get_paginator(operation).paginate(**params) for item in page.get(key, [])]


def tail(text: str, lines: int = 30) -> str:
    """The last ``lines`` non-empty lines of ``text``: where a tool says why it failed."""
    kept = [line for line in text.splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


class StepFailed(RuntimeError):
    """A step of the harness failed: the tool's own last words, where its full log is, what to run next.

    ``nox -s up`` prints it instead of a traceback; pytest shows it as the error of
    the fixture or test that ran the step.
    """

    def __init__(
        self,
        step: str,
        detail: str = "",
        log: Path | None = None,
        emulator_log: Path | None = None,
        next_step: str = "run `nox -s up` again: it stops whatever an earlier run left and starts from a clean state",
    ) -> None:
        self.step, self.detail, self.log, self.emulator_log, self.next_step = step, detail, log, emulator_log, next_step
        super().__init__(step)

    def __str__(self) -> str:
        out = [f"{self.step} failed"]
        if self.detail:
            out += ["--- its own last lines ---", self.detail]
        if self.emulator_log and self.emulator_log.exists():
            out += [
                f"--- the local AWS log's last lines ({self.emulator_log}) ---",
                tail(self.emulator_log.read_text(errors="replace"), 15),
            ]
        if self.log:
            out.append(f"full log: {self.log}")
            if (debug := self.log.with_suffix(".debug.log")).exists():
                out.append(f"the provider's requests and answers: {debug}")
        if self.emulator_log:
            out.append(f"local AWS log: {self.emulator_log}")
        out.append(f"next: {self.next_step}")
        return "\n".join(out)


def _proc_text(pid: str, name: str) -> str:
    try:
        return (Path("/proc") / pid / name).read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def leftovers(state: Path) -> list[int]:
    """Processes an earlier run over ``state`` left behind: its emulator, Lambda workers, Spark drivers
    and JVMs (each works in a directory under ``state`` or carries it in its environment)."""
    marker, found = str(state.resolve()), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd.startswith(marker) or f"LOCALAWS_STATE={marker}" in _proc_text(entry.name, "environ"):
            found.append(int(entry.name))
    return found


def _listener(port: int) -> int | None:
    """The pid listening on 127.0.0.1:``port`` (Linux /proc), or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 9 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{cols[9]}]")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:
            continue
    return None


def _kill(pids: Iterable[int]) -> None:
    pids = list(pids)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.time() + 5
        while time.time() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
            time.sleep(0.1)


def healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310 - local URL
            return True
    except OSError:
        return False


@dataclass
class Emulator:
    """``python -m localaws`` as a background process with a pid file."""

    port: int
    state: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.state / "localaws.pid"

    @property
    def log(self) -> Path:
        return self.state / "localaws.log"

    def recover(self) -> list[int]:
        """Stop whatever an earlier run over this state left running (even without its pid file);
        refuse, with the culprit named, when another program holds the port."""
        self.stop()
        stale = leftovers(self.state)
        _kill(stale)
        holder = _listener(self.port)
        if holder is not None:
            command = _proc_text(str(holder), "cmdline").strip()
            if "localaws" not in command:
                raise StepFailed(
                    f"starting local AWS on {self.endpoint}",
                    f"port {self.port} is held by pid {holder}: {command[:200]}",
                    next_step=f"stop that program, or run with another port: `nox -s up -- --port {self.port + 1}`",
                )
            _kill([holder])  # an emulator of another state dir or checkout on our port
            stale.append(holder)
        return stale

    def start(self) -> None:
        if healthy(self.endpoint):
            raise StepFailed(
                f"starting local AWS on {self.endpoint}",
                "something already answers there",
                next_step="run `nox -s down`, or pick another port (`nox -s up -- --port 4567`)",
            )
        self.state.mkdir(parents=True, exist_ok=True)
        log = open(self.log, "ab")  # noqa: SIM115 - handed to the server process
        # IAM enforced as in AWS: every function, job and state machine acts as its role
        # (LOCALAWS_IAM=off in the environment turns it off)
        env = {
            "LOCALAWS_IAM": "enforce",
            **os.environ,
            **self.env,
            "LOCALAWS_STATE": str(self.state),
            "PYTHONPATH": str(ROOT / "src"),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "localaws", "--port", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self.pid_file.write_text(str(self.proc.pid))
        for _ in range(300):
            if healthy(self.endpoint):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise StepFailed(
            "starting local AWS (python -m localaws)",
            f"{'it exited with ' + str(self.proc.returncode) if self.proc.poll() is not None else 'no answer in 30 s'}",
            emulator_log=self.log,
        )

    def stop(self) -> bool:
        if not self.pid_file.exists():
            return False
        pid = int(self.pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGTERM)
            for _ in range(50):
                os.killpg(pid, 0)
                time.sleep(0.1)
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.pid_file.unlink(missing_ok=True)
        return True


@dataclass
class Terraform:
    """terraform/platform with terraform/local's settings against one endpoint, with its own data dir."""

    endpoint: str
    state: Path
    artifacts_dir: Path = ROOT / "dist"
    var_file: Path = LOCAL_ENV / "local.tfvars"
    emulator_log: Path | None = None

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **terraform_env(),
            "TF_DATA_DIR": str(self.state / ".terraform"),
            "TF_VAR_artifacts_dir": str(self.artifacts_dir),
        }

    def run(self, *args: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess[str]:
        """terraform ARGS in terraform/platform; a captured run's output also goes to state/logs/.

        With ``check``, a failure raises StepFailed with terraform's own last lines."""
        env, log = self.env(), None
        if capture:
            log = self.state / "logs" / f"terraform-{args[0]}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            if args[0] in {"apply", "plan", "destroy"} and "TF_LOG" not in os.environ:
                # every request and answer of the provider, for the failure nobody can rerun
                env |= {"TF_LOG": "DEBUG", "TF_LOG_PATH": str(log.with_suffix(".debug.log"))}
        done = subprocess.run(["terraform", *args], cwd=TF_ROOT, env=env, text=True, capture_output=capture)
        if capture and log is not None:
            log.write_text(f"$ terraform {' '.join(args)}\n{done.stdout}\n--- stderr ---\n{done.stderr}")
        if check and done.returncode:
            raise self.failed(args[0], done, log)
        return done

    def failed(self, command: str, done: subprocess.CompletedProcess[str], log: Path | None) -> StepFailed:
        detail = tail(done.stderr or done.stdout or "", 30) if log else ""
        return StepFailed(
            f"terraform {command} (terraform/local, exit {done.returncode})", detail, log, self.emulator_log
        )

    def variables(self) -> tuple[str, str]:
        """local.tfvars, then this emulator's endpoint (a later -var wins over the file's)."""
        return f"-var-file={self.var_file}", f"-var=endpoint={self.endpoint}"

    def init(self) -> None:
        """The state lives in the emulator's S3, as the backend file says: make its bucket first."""
        self.state.mkdir(parents=True, exist_ok=True)
        s3, bucket = clients(self.endpoint, names=("s3",))["s3"], state_bucket()
        if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        self.run(
            "init",
            "-input=false",
            "-no-color",
            "-reconfigure",
            f"-backend-config={LOCAL_BACKEND}",
            f'-backend-config=endpoints={{s3="{self.endpoint}"}}',
            capture=True,
        )

    def apply(self) -> dict[str, Any]:
        self.run("apply", "-auto-approve", "-input=false", "-no-color", *self.variables(), capture=True)
        return self.outputs()

    def outputs(self) -> dict[str, Any]:
        out = self.run("output", "-json", capture=True).stdout
        return {k: v["value"] for k, v in json.loads(out).items()}

    def plan_changes(self) -> str:
        """'' when a plan finds nothing to do, else the plan text (drift)."""
        done = self.run(
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            *self.variables(),
            check=False,
            capture=True,
        )
        if done.returncode == 0:
            return ""
        if done.returncode == 2:
            return done.stdout
        raise self.failed("plan", done, self.state / "logs" / "terraform-plan.log")

    def destroy(self) -> None:
        # EMR Serverless refuses to delete a STARTED application, and the provider does not
        # stop it first: stop it as an operator would (AWS behaves the same until the
        # application's idle auto-stop).
        app = self.outputs()["jobs"]["emr"]["application_id"]
        if app:
            emr = clients(self.endpoint, names=("emr-serverless",))["emr-serverless"]
            if emr.get_application(applicationId=app)["application"]["state"] not in {"CREATED", "STOPPED"}:
                emr.stop_application(applicationId=app)
                deadline = time.time() + 120
                while emr.get_application(applicationId=app)["application"]["state"] != "STOPPED":
                    if time.time() > deadline:
                        raise TimeoutError(f"EMR Serverless application {app} did not stop")
                    time.sleep(1.0)
        self.run("destroy", "-auto-approve", "-input=false", "-no-color", *self.variables(), capture=True)


CLIENTS = ("s3", "lambda", "logs", "cloudwatch", "sqs", "sns", "dynamodb", "events", "stepfunctions", "glue", "iam")


def external_endpoint() -> str | None:
    """An endpoint the user started themselves (a LocalStack, another localaws), or None.

    ``TAXLAKE_ENDPOINT``, else ``AWS_ENDPOINT_URL`` or ``LOCALSTACK_HOST`` read as localstack-client reads them.
    """
    if url := os.environ.get("TAXLAKE_ENDPOINT"):
        return url
    if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("LOCALSTACK_HOST"):
        from localstack_client.config import get_service_endpoint

        return str(get_service_endpoint("s3"))
    return None


def clients(endpoint: str, names: Iterable[str] = CLIENTS) -> dict[str, Any]:
    """boto3 clients for ``endpoint``, built by localstack-client (so LocalStack's conventions hold)."""
    from localstack_client.session import Session

    # fake credentials: the local endpoint accepts any
    session = Session(
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106
        region_name=REGION,
        localstack_host=urllib.parse.urlsplit(endpoint).netloc,
    )
    return {n: session.client(n) for n in names}


@dataclass
class Deployed:
    """A part of the applied platform: the clients to reach it and the root module's outputs."""

    aws: dict[str, Any]
    outputs: dict[str, Any]

    def output(self, *path: str) -> str:
        """The output at ``path`` (e.g. buckets, landing, name)."""
        value: Any = self.outputs
        for key in path:
            value = value[key]
        return str(value)


@dataclass
class Landing(Deployed):
    """Drop files into the landing bucket and wait for the validator's verdicts."""

    incoming: str = "incoming/"
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def bucket(self) -> str:
        return self.output("buckets", "landing", "name")

    def upload(self, files: Iterable[tuple[str, Path | bytes]]) -> list[str]:
        keys = []
        for key, body in files:
            data = body.read_bytes() if isinstance(body, Path) else body
            self.aws["s3"].put_object(Bucket=self.bucket, Key=key, Body=data)
            keys.append(key)
        return keys

    def report(self, key: str) -> dict[str, Any] | None:
        """The validator's sidecar report for an uploaded key, once it exists."""
        s3 = self.aws["s3"]
        rel = key.removeprefix(self.incoming)
        for prefix in ("validated/", "quarantine/"):
            try:
                body = s3.get_object(Bucket=self.bucket, Key=f"{prefix}{rel}.report.json")["Body"].read()
            except s3.exceptions.NoSuchKey:
                continue
            doc: dict[str, Any] = json.loads(body)
            return doc
        return None

    def wait_for_reports(
        self, keys: list[str], timeout: float = 300, progress: Any = None
    ) -> dict[str, dict[str, Any]]:
        deadline = time.time() + timeout
        found: dict[str, dict[str, Any]] = {}
        while time.time() < deadline and len(found) < len(keys):
            for key in keys:
                if key not in found and (doc := self.report(key)) is not None:
                    found[key] = doc
                    if progress:
                        progress(key, doc, len(found), len(keys))
            if len(found) < len(keys):
                time.sleep(0.5)
        missing = [k for k in keys if k not in found]
        if missing:
            raise TimeoutError(f"no verdict within {timeout:.0f}s for {len(missing)} file(s): {missing[:5]}")
        return found

    def redeliver(self, key: str) -> None:
        """Send the Object Created event for ``key`` to the validator again, as an
        at-least-once EventBridge redelivery does (same object version)."""
        head = self.aws["s3"].head_object(Bucket=self.bucket, Key=key)
        event = {
            "version": "0",
            "id": "redelivery-" + key.replace("/", "-"),
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": "123456789012",
            "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [f"arn:aws:s3:::{self.bucket}"],
            "detail": {
                "version": "0",
                "bucket": {"name": self.bucket},
                "object": {
                    "key": key,
                    "size": head["ContentLength"],
                    "etag": head["ETag"].strip('"'),
                    "version-id": head.get("VersionId"),
                    "sequencer": "0",
                },
                "reason": "PutObject",
            },
        }
        self.aws["lambda"].invoke(
            FunctionName=self.output("validator", "function_name"), InvocationType="Event", Payload=json.dumps(event)
        )

    def rejects_rows(self) -> int:
        s3 = self.aws["s3"]
        total = 0
        for obj in listed(s3, "list_objects_v2", "Contents", Bucket=self.bucket, Prefix="quarantine/"):
            if obj["Key"].endswith(".rejects.jsonl.gz"):
                total += len(
                    gzip.decompress(s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()).splitlines()
                )
        return total

    def objects_by_prefix(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for obj in listed(self.aws["s3"], "list_objects_v2", "Contents", Bucket=self.bucket):
            top = obj["Key"].split("/", 1)[0]
            counts[top] = counts.get(top, 0) + 1
        return dict(sorted(counts.items()))

    def metric_sum(self, name: str, namespace: str = "Taxlake", dimensions: dict[str, str] | None = None) -> float:
        now = dt.datetime.now(dt.UTC)
        stats = self.aws["cloudwatch"].get_metric_statistics(
            Namespace=namespace,
            MetricName=name,
            Dimensions=[{"Name": k, "Value": v} for k, v in (dimensions or {}).items()],
            StartTime=now - dt.timedelta(hours=2),
            EndTime=now + dt.timedelta(hours=1),
            Period=3 * 3600,
            Statistics=["Sum"],
        )
        return float(sum(p["Sum"] for p in stats["Datapoints"]))


class Pipeline(Deployed):
    """Follow the pipeline state machine's executions started by the validator."""

    @property
    def arn(self) -> str:
        return self.output("pipeline", "state_machine", "arn")

    def executions(self) -> list[dict[str, Any]]:
        return listed(self.aws["stepfunctions"], "list_executions", "executions", stateMachineArn=self.arn)

    def wait_all(
        self,
        expected: int,
        timeout: float = 600,
        progress: Callable[[dict[str, Any], int, int], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Described executions, once ``expected`` have started and all have finished."""
        sfn = self.aws["stepfunctions"]
        finished: dict[str, dict[str, Any]] = {}
        deadline = time.time() + timeout
        while time.time() < deadline:
            listed = self.executions()
            for e in listed:
                if e["status"] != "RUNNING" and e["executionArn"] not in finished:
                    finished[e["executionArn"]] = sfn.describe_execution(executionArn=e["executionArn"])
                    if progress:
                        progress(finished[e["executionArn"]], len(finished), max(expected, len(listed)))
            if len(listed) >= expected and len(finished) == len(listed):
                return list(finished.values())
            time.sleep(1.0)
        running = [e["name"] for e in self.executions() if e["status"] == "RUNNING"]
        raise TimeoutError(f"{len(finished)}/{expected} executions finished within {timeout}s; running: {running}")

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        return listed(self.aws["stepfunctions"], "get_execution_history", "events", executionArn=execution_arn)

    @staticmethod
    def state_seconds(history: list[dict[str, Any]]) -> dict[str, float]:
        """Wall time per state (entered -> exited), summed when a state runs more than once."""
        entered: dict[str, dt.datetime] = {}
        out: dict[str, float] = {}
        for event in history:
            if event["type"].endswith("StateEntered"):
                entered[event["stateEnteredEventDetails"]["name"]] = event["timestamp"]
            elif event["type"].endswith("StateExited"):
                name = event["stateExitedEventDetails"]["name"]
                if name in entered:
                    seconds = (event["timestamp"] - entered.pop(name)).total_seconds()
                    out[name] = out.get(name, 0.0) + seconds
        return out

    @staticmethod
    def path(history: list[dict[str, Any]]) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]

    def lake_partitions(self) -> dict[str, int]:
        """Registered partitions per curated table."""
        glue, database = self.aws["glue"], self.output("catalog", "database")
        return {
            table["Name"]: len(
                listed(glue, "get_partitions", "Partitions", DatabaseName=database, TableName=table["Name"])
            )
            for table in listed(glue, "get_tables", "TableList", DatabaseName=database)
        }


class Alerts(Deployed):
    """The platform's alarms (modules/observability): evaluated by the emulator at a moment
    named, and the freshness measurement run as its schedule would run it."""

    def name(self, alert: str, key: str | None = None) -> str:
        names = self.outputs["observability"]["alarms"][alert]
        return str(names if key is None else names[key])

    def evaluate(self, at: dt.datetime | None = None) -> dict[str, str]:
        """Every alarm's state after the emulator evaluates them at ``at`` (now), by name."""
        endpoint = self.aws["cloudwatch"].meta.endpoint_url
        body = json.dumps({"time": at.isoformat()} if at else {}).encode()
        url = f"{endpoint}/moto-api/localaws/cloudwatch/evaluate"
        request = urllib.request.Request(url, body, method="POST")  # noqa: S310 - the emulator's URL
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            states = json.loads(response.read())["states"]
        return {arn.rsplit(":", 1)[-1]: str(state) for arn, state in states.items()}

    def measure_freshness(self, at: dt.datetime) -> dict[str, Any]:
        """Invoke the freshness function with the event its schedule sends at ``at``."""
        event = {"detail-type": "Scheduled Event", "source": "aws.events", "time": at.strftime("%Y-%m-%dT%H:%M:%SZ")}
        function = self.output("observability", "health", "functions", "freshness")
        out = self.aws["lambda"].invoke(FunctionName=function, Payload=json.dumps(event))
        payload = json.loads(out["Payload"].read())
        if "FunctionError" in out:
            raise RuntimeError(f"{function} failed: {payload}")
        return dict(payload)


def percentiles(values: list[float], points: tuple[int, ...] = (50, 90, 99)) -> dict[int, float]:
    """Nearest-rank percentiles, as CloudWatch's pNN statistics rank them."""
    ranked = sorted(values)
    return {p: ranked[max(1, -(-p * len(ranked) // 100)) - 1] for p in points} if ranked else {}


class CurrentTables(Deployed):
    """The current-tables job on the local platform: run it as its schedule would, read what it wrote."""

    @property
    def bucket(self) -> str:
        return self.output("buckets", "curated", "name")

    @property
    def prefix(self) -> str:
        return self.output("buckets", "curated", "prefixes", "current").rstrip("/")

    def run(self, timeout: float = 600) -> dict[str, Any]:
        """Start one run (what the scheduled trigger does) and wait for it: the finished JobRun."""
        glue, job = self.aws["glue"], self.output("jobs", "current_tables", "name")
        run_id = glue.start_job_run(JobName=job)["JobRunId"]
        deadline = time.time() + timeout
        while time.time() < deadline:
            described = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
            if described["JobRunState"] not in {"STARTING", "RUNNING", "STOPPING", "WAITING"}:
                return dict(described)
            time.sleep(1.0)
        raise TimeoutError(f"{job} run {run_id} did not finish within {timeout}s")

    def _objects(self, prefix: str) -> list[str]:
        return sorted(
            o["Key"] for o in listed(self.aws["s3"], "list_objects_v2", "Contents", Bucket=self.bucket, Prefix=prefix)
        )

    def applied(self, kind: str) -> list[dict[str, Any]]:
        """The job's markers: one per curated source in ``kind``'s current table."""
        s3 = self.aws["s3"]
        return [
            json.loads(s3.get_object(Bucket=self.bucket, Key=k)["Body"].read())
            for k in self._objects(f"{self.prefix}/_applied/{kind}/")
        ]

    def files(self, kind: str) -> list[str]:
        return [k for k in self._objects(f"{self.prefix}/{kind}/") if k.endswith(".parquet")]

    def read(self, kind: str) -> Any:
        """The parquet current table as one pyarrow table (tax_year from the Hive path)."""
        import io

        import pyarrow as pa
        import pyarrow.parquet as pq

        parts = []
        for key in self.files(kind):
            year = int(next(p for p in key.split("/") if p.startswith("tax_year="))[len("tax_year=") :])
            table = pq.read_table(io.BytesIO(self.aws["s3"].get_object(Bucket=self.bucket, Key=key)["Body"].read()))
            parts.append(table.append_column("tax_year", pa.array([year] * table.num_rows, pa.int32())))
        return pa.concat_tables(parts, promote_options="default") if parts else None
