"""What Glue and EMR Serverless job runs share: a job script run for real on local PySpark.

AWS runs a job's script on a Spark cluster that reads and writes S3
directly. Locally the script runs in its own process (one per run, as in
AWS) on ``local[N]`` Spark from the pyspark wheel, and that wheel has no
``s3a`` connector, so data is *staged*:

- Staging rule: an argument whose value is a single S3 URI
  (``s3://bucket`` or ``s3://bucket/key...``, also the ``--name=s3://...``
  form) is rewritten to a local path in the run's S3 mirror,
  ``<run dir>/s3/<bucket>/<key>``. Before the run, the object at exactly
  that key (then the path is a file) or else every object under
  ``<key>/`` (then the path is a directory) is downloaded there. A prefix
  with no objects is not created, as it doesn't exist in S3 either, so
  Spark's default ``errorifexists`` write mode behaves as on S3.
  Arguments that configure the service rather than carry data (Glue's
  ``--extra-py-files`` and the like, EMR's ``--py-files``) are not staged.
- After the run, whatever its outcome, every file new or changed anywhere
  in the mirror is uploaded to the same bucket and key, and objects that
  were staged but whose file was deleted (Spark's ``overwrite`` mode) are
  deleted, so S3 ends up as the job would have left it. Local-filesystem
  artefacts S3 never sees are skipped: ``.*.crc`` checksum files and
  ``_temporary`` directories. The mirror is removed after the run; the
  driver's ``stdout.log`` and ``stderr.log`` stay in the run directory
  (``$LOCALAWS_STATE/glue/<run id>``, ``.../emr-serverless/<run id>``).

The process gets fake credentials and ``AWS_ENDPOINT_URL`` pointing at the
emulator (boto3 in a script works), ``PYSPARK_SUBMIT_ARGS`` with the master
``local[N]`` (N capped to this machine's cores or LOCALAWS_SPARK_CORES) and
the Spark UI off, and ``PYTHONPATH`` holding only the job's extra Python
files, as a Glue or EMR Serverless driver would. A run that outlives its
timeout is killed, as is every run when the emulator exits.

Job timeouts are in minutes in both APIs (Glue at least 1, EMR at least 5);
``LOCALAWS_JOB_MINUTE_SECONDS`` (or ``POST /moto-api/config`` with
``{"localaws": {"job_minute_seconds": 2}}``) says how long a minute is here,
so timeouts can be exercised in seconds.

The Step Functions fix that ``.sync`` tasks of both services need is here
too (``install_sync_fix``).
"""

from __future__ import annotations

import abc
import datetime as dt
import importlib.util
import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localaws import iam

log = logging.getLogger("localaws.spark")
STATE = Path(os.environ.get("LOCALAWS_STATE", ".local"))
# runtime settings, changeable through POST /moto-api/config {"localaws": {...}}
SETTINGS: dict[str, Any] = {"job_minute_seconds": float(os.environ.get("LOCALAWS_JOB_MINUTE_SECONDS", "60"))}

# short-lived local JVMs start faster on the client compiler (override for long runs)
JAVA_OPTIONS = os.environ.get("LOCALAWS_SPARK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")

S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<key>.*))?$")
# a --name=s3://... argument: the URI part is staged, the name kept
NAMED_S3_URI = re.compile(r"^(?P<name>--?[\w.\-]+=)(?P<uri>s3://.+)$")

# the driver: dies with the emulator (the pyspark JVM exits when its driver does),
# then runs the script as ``python <script> <args>`` would
BOOTSTRAP = r"""
import ctypes, os, runpy, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except Exception:
    pass
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(os.path.abspath(script))
runpy.run_path(script, run_name="__main__")
"""


def endpoint() -> str:
    return os.environ.get("LOCALAWS_ENDPOINT", f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '4566')}")


def minute_seconds() -> float:
    return float(SETTINGS["job_minute_seconds"])


def max_cores() -> int:
    cores = os.cpu_count() or 1
    return max(1, min(cores, int(os.environ.get("LOCALAWS_SPARK_CORES", str(cores)))))


def pyspark_missing() -> str | None:
    """Why a job can't run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return f"pyspark is not installed for {sys.executable}: pip install pyspark==3.5.4 (the glue dependency group)"
    return None


def s3_client(region: str, credentials: iam.Credentials) -> Any:
    """S3 as the run's role: the service fetches the script and stages data with it, as AWS does."""
    import boto3

    # a session per thread: runs stage concurrently
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint(), region_name=region, **credentials.client_arguments()
    )


def split_uri(uri: str) -> tuple[str, str]:
    match = S3_URI.match(uri)
    if not match:
        raise ValueError(f"not an s3 URI: {uri}")
    return match.group("bucket"), match.group("key") or ""


def download(client: Any, uri: str, dest: Path) -> Path:
    """One object to ``dest`` (a directory): its basename kept."""
    bucket, key = split_uri(uri)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / Path(key).name
    client.download_file(bucket, key, str(target))
    return target


# --- staging ---------------------------------------------------------------------


def _skipped(relative: Path) -> bool:
    name = relative.name
    return "_temporary" in relative.parts or (name.startswith(".") and name.endswith(".crc"))


class Staging:
    """A run's S3 mirror: data arguments in, everything new or changed back out."""

    def __init__(self, client: Any, root: Path) -> None:
        self.client = client
        self.root = root
        self._seen: dict[Path, tuple[int, int]] = {}  # file -> (size, mtime_ns) as staged

    def _local(self, bucket: str, key: str) -> Path:
        return self.root / bucket / key

    def _fetch(self, bucket: str, key: str) -> None:
        path = self._local(bucket, key)
        if path in self._seen:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.client.download_file(bucket, key, str(path))
        stat = path.stat()
        self._seen[path] = (stat.st_size, stat.st_mtime_ns)

    def stage(self, uri: str) -> str:
        """Download what ``uri`` names; return the local path that stands for it."""
        from botocore.exceptions import ClientError

        bucket, key = split_uri(uri)
        local = self._local(bucket, key.rstrip("/"))
        if key and not key.endswith("/"):
            try:
                self.client.head_object(Bucket=bucket, Key=key)
                self._fetch(bucket, key)
                return str(local)
            except ClientError as exc:
                # 403: a missing key to a role that may not list the bucket (S3's answer)
                if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchKey", "NotFound", "403"}:
                    raise
        prefix = f"{key.rstrip('/')}/" if key else ""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    if not item["Key"].endswith("/"):  # "folder" markers are not files
                        self._fetch(bucket, item["Key"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in {"AccessDenied", "403"}:
                raise
            # staging reads ahead of the job; a place the role may only write to (a TempDir,
            # an output prefix) starts empty here, and what the job writes is uploaded as it
            log.info("staging %s: the role may not list it; staged empty (%s)", uri, exc)
        # S3 needs no directories: a script may write straight into the path
        local.parent.mkdir(parents=True, exist_ok=True)
        return f"{local}/" if uri.endswith("/") and key else str(local)

    def rewrite(self, value: str) -> str:
        """The staged local path for an argument value, or the value unchanged."""
        if S3_URI.match(value):
            return self.stage(value)
        named = NAMED_S3_URI.match(value)
        if named and S3_URI.match(named.group("uri")):
            return named.group("name") + self.stage(named.group("uri"))
        return value

    def sync_back(self) -> tuple[int, int]:
        """Upload new or changed files, delete objects whose files are gone: (uploaded, deleted)."""
        uploaded = deleted = 0
        if not self.root.exists():
            return 0, 0
        for bucket_dir in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for path in sorted(p for p in bucket_dir.rglob("*") if p.is_file()):
                relative = path.relative_to(bucket_dir)
                if _skipped(relative):
                    continue
                stat = path.stat()
                if self._seen.get(path) == (stat.st_size, stat.st_mtime_ns):
                    continue
                self.client.upload_file(str(path), bucket_dir.name, relative.as_posix())
                uploaded += 1
        for path in self._seen:
            if not path.exists():
                relative = path.relative_to(self.root)
                self.client.delete_object(Bucket=relative.parts[0], Key="/".join(relative.parts[1:]))
                deleted += 1
        return uploaded, deleted


# --- the process --------------------------------------------------------------------


@dataclass
class Outcome:
    exit_code: int | None
    timed_out: bool = False
    stopped: bool = False
    stdout: list[tuple[int, str]] = field(default_factory=list)  # (epoch ms, line)
    stderr: list[tuple[int, str]] = field(default_factory=list)
    started: float = 0.0


@dataclass
class JobProcess:
    """One run of a script: ``python <script> <args>`` on local[N] PySpark."""

    script: Path
    args: list[str]
    workdir: Path
    cores: int
    region: str
    python_path: list[Path] = field(default_factory=list)
    submit_args: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    credentials: iam.Credentials = iam.ADMIN
    _proc: subprocess.Popen[bytes] | None = None
    _stopped: threading.Event = field(default_factory=threading.Event)

    def env(self) -> dict[str, str]:
        tmp = self.workdir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        submit = [
            "--master",
            f"local[{self.cores}]",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.ui.showConsoleProgress=false",  # progress bars are for terminals, not log streams
            "--conf",
            f"spark.local.dir={tmp}",
            "--driver-java-options",
            JAVA_OPTIONS,
            *self.submit_args,
            "pyspark-shell",
        ]
        keep = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "USER"}
        return {
            **{k: v for k, v in os.environ.items() if k in keep},
            **self.credentials.environment(),
            "AWS_ENDPOINT_URL": endpoint(),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "PYSPARK_PYTHON": sys.executable,
            "PYSPARK_DRIVER_PYTHON": sys.executable,
            "PYSPARK_SUBMIT_ARGS": shlex.join(submit),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "TMPDIR": str(tmp),
            "PYTHONPATH": os.pathsep.join(str(p.resolve()) for p in self.python_path),
            "PYTHONUNBUFFERED": "1",
            **self.environment,
        }

    def stop(self) -> None:
        self._stopped.set()
        self._kill()

    def _kill(self) -> None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

    def run(self, timeout_seconds: float, on_start: Callable[[], None] | None = None) -> Outcome:
        outcome = Outcome(exit_code=None)
        cwd = self.workdir / "work"
        cwd.mkdir(parents=True, exist_ok=True)
        if self._stopped.is_set():
            outcome.stopped = True
            return outcome
        outcome.started = time.time()
        self._proc = subprocess.Popen(
            [sys.executable, "-c", BOOTSTRAP, str(self.script.resolve()), *self.args],
            cwd=cwd,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # one process group: the JVM is killed with the driver
        )
        if on_start:
            on_start()
        readers = [
            threading.Thread(target=_pump, args=(self._proc.stdout, outcome.stdout, self.workdir / "stdout.log")),
            threading.Thread(target=_pump, args=(self._proc.stderr, outcome.stderr, self.workdir / "stderr.log")),
        ]
        for reader in readers:
            reader.start()
        try:
            outcome.exit_code = self._proc.wait(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            outcome.timed_out = True
            self._kill()
            outcome.exit_code = self._proc.wait()
        for reader in readers:
            reader.join(timeout=10)
        outcome.stopped = self._stopped.is_set()
        return outcome


class SparkRun(abc.ABC):
    """What a Glue job run and an EMR Serverless job run share: one local PySpark process,
    stopped when the run is, and its staged outputs written back to S3 when it ends."""

    region: str
    state: str
    process: JobProcess | None
    stopping: threading.Event  # set by StopJobRun / CancelJobRun
    _lock: threading.Lock
    thread_name: str
    active: frozenset[str]  # the service's states of a run that has not ended

    def start(self) -> None:
        threading.Thread(target=self._run, name=self.thread_name, daemon=True).start()

    @abc.abstractmethod
    def _run(self) -> None:
        """The run, from staging its inputs to its final state."""

    def _halt(self, state: str) -> bool:
        """Move a run that has not ended to ``state`` (STOPPING, CANCELLING) and stop its process."""
        with self._lock:
            if self.state not in self.active:
                return False
            self.state = state
            self._touch()
        self.stopping.set()
        if self.process is not None:
            self.process.stop()
        return True

    @abc.abstractmethod
    def _touch(self) -> None:
        """Record that the run changed now."""

    @abc.abstractmethod
    def _cores(self) -> int:
        """The local cores the run gets, from its capacity settings."""

    @abc.abstractmethod
    def _running(self) -> None:
        """Set the run's state once its process has started."""

    def _execute(
        self,
        script: Path,
        args: list[str],
        workdir: Path,
        python: tuple[list[Path], list[str]],
        credentials: iam.Credentials,
        deadline: float,
    ) -> Outcome:
        """Run ``script`` with ``python`` = (python_path, submit_args) until done or ``deadline``."""
        python_path, submit_args = python
        self.process = JobProcess(
            script, args, workdir, self._cores(), self.region, python_path, submit_args, credentials=credentials
        )
        if self.stopping.is_set():  # stopped while staging: the process never starts
            self.process.stop()
        return self.process.run(timeout_seconds=max(0.1, deadline - time.time()), on_start=self._running)


def sync_outputs(staging: Staging | None, label: str) -> str | None:
    """Write a run's outputs back to S3; the error that fails the run if they can't get there."""
    if staging is None:
        return None
    try:
        uploaded, deleted = staging.sync_back()
    except Exception as exc:  # outputs that can't reach S3 fail the run, as a failed write would
        log.exception("%s: outputs not synced", label)
        return f"Could not write outputs to S3: {exc!r}"
    log.info("%s: %d objects uploaded, %d deleted", label, uploaded, deleted)
    return None


def clean(root: Path) -> None:
    """Staged data and scratch space can be large: keep only a run's logs."""
    for sub in ("s3", "tmp"):
        shutil.rmtree(root / sub, ignore_errors=True)


def _pump(stream: Any, into: list[tuple[int, str]], copy: Path) -> None:
    with copy.open("ab") as out:
        for raw in iter(stream.readline, b""):
            out.write(raw)
            line = raw.decode("utf-8", "replace").rstrip("\n")
            into.append((int(time.time() * 1000), line))
    stream.close()


def error_message(stderr: Iterable[str], exit_code: int | None, limit: int = 2048) -> str:
    """What the run died of: the last Python exception, else the last stderr lines."""
    lines = [line for line in stderr if line.strip()]
    last = max((i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")), default=-1)
    if last >= 0:
        tail = [line for line in lines[last + 1 :] if not line.startswith((" ", "\t"))]
        if tail:
            head, sep, rest = tail[0].partition(": ")
            # pyspark.errors.exceptions.captured.AnalysisException -> AnalysisException
            message = head.rsplit(".", 1)[-1] + sep + rest
            return "\n".join([message, *tail[1:3]])[:limit]
    if lines:
        return "\n".join(lines[-3:])[:limit]
    return f"Command failed with exit code {exit_code}"


# --- CloudWatch Logs -------------------------------------------------------------------


def publish_logs(account_id: str, region: str, group: str, stream: str, lines: list[tuple[int, str]]) -> None:
    """Put ``lines`` in ``group``/``stream`` (both created as the service would)."""
    from moto.logs.models import logs_backends

    backend = logs_backends[account_id][region]
    if group not in backend.groups:
        backend.create_log_group(group, {})
    if stream not in backend.groups[group].streams:
        backend.create_log_stream(group, stream)
    events = [{"timestamp": stamp, "message": line} for stamp, line in lines if line.strip()]
    for start in range(0, len(events), 5000):  # under PutLogEvents' batch limit
        backend.put_log_events(group, stream, events[start : start + 5000])


def to_epoch_millis(value: Any) -> Any:
    """Timestamps as Step Functions writes them in task outputs (epoch milliseconds)."""
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return int(stamp.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: to_epoch_millis(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_epoch_millis(v) for v in value]
    return value


# --- moto patches shared by both services -----------------------------------------------


def install_config() -> None:
    """``POST /moto-api/config {"localaws": {...}}`` sets SETTINGS at run time."""
    from moto.moto_api._internal.models import MotoAPIBackend

    original_get, original_set = MotoAPIBackend.get_config, MotoAPIBackend.set_config

    def get_config(self: Any) -> dict[str, Any]:
        config: dict[str, Any] = original_get(self)
        config["localaws"] = dict(SETTINGS)
        return config

    def set_config(self: Any, config: dict[str, Any]) -> None:
        original_set(self, config)
        for key, value in (config.get("localaws") or {}).items():
            if key in SETTINGS:
                SETTINGS[key] = type(SETTINGS[key])(value)

    setattr(MotoAPIBackend, "get_config", get_config)  # noqa: B010 - a patch
    setattr(MotoAPIBackend, "set_config", set_config)  # noqa: B010


def install_sync_fix() -> None:
    """``.sync`` tasks of services without ``.waitForTaskToken`` (Glue, Batch, EMR Serverless).

    moto's ``StateTaskServiceCallback._eval_integration_pattern`` ends with
    ``callback_endpoint.interrupt_all()``, but only services that support
    task tokens get an endpoint: for the others it is None and every
    ``.sync`` task fails with States.Runtime "'NoneType' object has no
    attribute 'interrupt_all'". For those services this runs the same
    steps (timeout, sync resolver, poll) without the endpoint.
    """
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import ResourceCondition
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
        StateTaskServiceCallback,
    )

    original = StateTaskServiceCallback._eval_integration_pattern

    def _eval_integration_pattern(
        self: Any, env: Any, resource_runtime_part: Any, normalised_parameters: dict[str, Any], state_credentials: Any
    ) -> None:
        if ResourceCondition.WaitForTaskToken in self._supported_integration_patterns:
            original(self, env, resource_runtime_part, normalised_parameters, state_credentials)
            return
        task_output = env.stack.pop()
        self.timeout.eval(env=env)
        timeout_seconds = env.stack.pop()
        env.stack.append(task_output)  # the resolver builders read the submission output
        build = self._build_sync_resolver
        if self.resource.condition != ResourceCondition.Sync:
            build = self._build_sync2_resolver
        resolver = build(
            env=env,
            resource_runtime_part=resource_runtime_part,
            normalised_parameters=normalised_parameters,
            state_credentials=state_credentials,
        )
        outcome = self._eval_sync(
            env=env,
            sync_resolver=resolver,
            timeout_seconds=timeout_seconds,
            callback_endpoint=None,
            heartbeat_endpoint=None,
        )
        env.stack.append(outcome)

    setattr(StateTaskServiceCallback, "_eval_integration_pattern", _eval_integration_pattern)  # noqa: B010


_installed_shared = False


def install() -> None:
    global _installed_shared
    if _installed_shared:
        return
    install_config()
    install_sync_fix()
    _installed_shared = True
