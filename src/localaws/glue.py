"""Glue: job runs execute the job's script, as the Glue service would.

moto stores jobs faithfully, but a job run runs nothing: its state walks
STARTING -> RUNNING -> SUCCEEDED on reads whatever the script would do.
Here StartJobRun of a job whose ``Command.ScriptLocation`` is an ``s3://``
object runs that script for real (see ``localaws.spark`` for the process,
the staging of S3 data arguments and the timeout clock):

- ``python <script> --JOB_NAME <name> --JOB_RUN_ID <id> --key value...``
  with the job's DefaultArguments, the run's Arguments over them and the
  NonOverridableArguments last, as Glue merges them. Every argument is
  passed, as Glue passes them; only data arguments (values that are one S3
  URI) are rewritten to staged local paths. Glue's own arguments are not
  staged: ``--extra-py-files`` (downloaded and put on PYTHONPATH and
  ``--py-files``), ``--extra-files`` (downloaded into the working
  directory), ``--extra-jars``, ``--additional-python-modules``,
  ``--spark-event-logs-path``, ``--scriptLocation``.
- ``local[N]``: N is the run's NumberOfWorkers (or MaxCapacity), capped to
  this machine's cores.
- GetJobRun/GetJobRuns report STARTING, RUNNING, then SUCCEEDED, FAILED
  (ErrorMessage: the script's exception), TIMEOUT (after the run's or
  job's Timeout minutes, default 2880) or STOPPED (BatchStopJobRun, which
  moto lacks); StartedOn, CompletedOn, ExecutionTime and LogGroupName are
  set. The state turns final only once outputs are in S3 and logs in
  CloudWatch, so a poller that sees SUCCEEDED finds the data.
- The driver's stdout goes to CloudWatch Logs ``/aws-glue/jobs/output`` and
  its stderr (Spark's log4j included) to ``/aws-glue/jobs/error``, stream =
  run id, as Glue writes them.
- MaxConcurrentRuns (default 1) counts runs still starting, running or
  stopping: one more is ConcurrentRunsExceededException.

Step Functions: ``arn:aws:states:::glue:startJobRun.sync`` works (moto's
interpreter failed every ``.sync`` task of Glue; see
``spark.install_sync_fix``), its output timestamps in epoch milliseconds as
Step Functions writes them. Glue has no ``.sync:2`` integration in AWS.

Jobs whose script is not in S3 keep moto's behaviour.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from pathlib import Path
from typing import Any

from localaws import iam, spark

log = logging.getLogger("localaws.glue")
WORKDIR = spark.STATE / "glue"
OUTPUT_GROUP = "/aws-glue/jobs/output"
ERROR_GROUP = "/aws-glue/jobs/error"
DEFAULT_TIMEOUT_MINUTES = 2880
ACTIVE = frozenset({"STARTING", "RUNNING", "STOPPING", "WAITING"})
# arguments Glue consumes itself: never staged as data
SERVICE_ARGUMENTS = {
    "--extra-py-files",
    "--extra-files",
    "--extra-jars",
    "--additional-python-modules",
    "--python-modules-installer-option",
    "--spark-event-logs-path",
    "--scriptLocation",
}
_start_lock = threading.Lock()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class GlueRun(spark.SparkRun):
    """The real execution behind one moto FakeJobRun."""

    def __init__(self, job: Any, job_run: Any) -> None:
        self.job = job
        self.job_run = job_run
        self.run_id: str = job_run.job_run_id
        self.account_id: str = job.backend.account_id
        self.region: str = job.backend.region_name
        self.state = "STARTING"
        self.error_message: str | None = None
        self.started_on = _now()
        self.modified_on = self.started_on
        self.completed_on: dt.datetime | None = None
        self.timeout_minutes = int(job_run.timeout or job.timeout or DEFAULT_TIMEOUT_MINUTES)
        self.process: spark.JobProcess | None = None
        self.stopping = threading.Event()
        self.thread_name = f"glue-{self.run_id[:12]}"
        self.active = ACTIVE
        self._lock = threading.Lock()

    def _set(self, state: str, error: str | None = None) -> None:
        with self._lock:
            self.state = state
            self._touch()
            if error is not None:
                self.error_message = error
            if state not in ACTIVE:
                self.completed_on = self.modified_on

    def _touch(self) -> None:
        self.modified_on = _now()

    def stop(self) -> bool:
        return self._halt("STOPPING")

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "JobRunState": self.state,
            "StartedOn": self.started_on,
            "LastModifiedOn": self.modified_on,
            "ExecutionTime": int(((self.completed_on or _now()) - self.started_on).total_seconds()),
            "Timeout": self.timeout_minutes,
            "LogGroupName": "/aws-glue/jobs",
            "GlueVersion": self.job.glue_version or "0.9",
        }
        if self.completed_on is not None:
            out["CompletedOn"] = self.completed_on
        if self.error_message:
            out["ErrorMessage"] = self.error_message
        return out

    # --- the run itself ---

    def _cores(self) -> int:
        wanted = self.job_run.number_of_workers or self.job_run.max_capacity or self.job.number_of_workers or 2
        return max(1, min(int(wanted), spark.max_cores()))

    def _run(self) -> None:
        deadline = time.time() + self.timeout_minutes * spark.minute_seconds()
        root = WORKDIR / self.run_id
        outcome: spark.Outcome | None = None
        staging: spark.Staging | None = None
        try:
            missing = spark.pyspark_missing()
            if missing:
                raise RuntimeError(missing)
            credentials = iam.role_credentials(self.job.role, "GlueJobRunnerSession")
            client = spark.s3_client(self.region, credentials)
            script = spark.download(client, self.job.command["ScriptLocation"], root / "script")
            arguments = dict(self.job_run.arguments or {})
            python = self._extra_python(client, arguments.get("--extra-py-files"), root)
            if arguments.get("--additional-python-modules"):  # pip installs need the network: not done here
                log.warning("glue run %s: --additional-python-modules not installed locally", self.run_id)
            for uri in _split(arguments.get("--extra-files")):
                spark.download(client, uri, root / "work")
            staging = spark.Staging(client, root / "s3")
            argv = ["--JOB_NAME", self.job.name, "--JOB_RUN_ID", self.run_id]
            for key, value in arguments.items():
                flag = key if key.startswith("--") else f"--{key}"
                staged = value if flag in SERVICE_ARGUMENTS else staging.rewrite(str(value))
                argv += [flag, staged]
            outcome = self._execute(script, argv, root, python, credentials, deadline)
        except Exception as exc:
            log.warning("glue run %s of %s could not run: %r", self.run_id, self.job.name, exc)
            self._finish(None, staging, f"{type(exc).__name__}: {exc}")
            return
        self._finish(outcome, staging, None)

    def _running(self) -> None:
        with self._lock:
            if self.state == "STARTING":  # not when a stop came first
                self.state = "RUNNING"
                self._touch()

    def _extra_python(self, client: Any, extra: str | None, root: Path) -> tuple[list[Path], list[str]]:
        paths: list[Path] = []
        for uri in _split(extra):
            path = spark.download(client, uri, root / "py")
            # a .py module is imported from its directory; zips and wheels from themselves
            entry = path.parent if path.suffix == ".py" else path
            if entry not in paths:
                paths.append(entry)
        submit = ["--py-files", ",".join(str(p.resolve()) for p in (root / "py").iterdir())] if paths else []
        return paths, submit

    def _finish(self, outcome: spark.Outcome | None, staging: spark.Staging | None, error: str | None) -> None:
        synced = spark.sync_outputs(staging, f"glue run {self.run_id}")
        error = error or synced
        stdout = outcome.stdout if outcome is not None else []
        stderr = outcome.stderr if outcome is not None else [(int(time.time() * 1000), error or "")]
        try:
            spark.publish_logs(self.account_id, self.region, OUTPUT_GROUP, self.run_id, stdout)
            spark.publish_logs(self.account_id, self.region, ERROR_GROUP, self.run_id, stderr)
        except Exception:  # pragma: no cover - telemetry never decides the outcome
            log.exception("glue run %s: logs not published", self.run_id)
        if self.stopping.is_set():  # stopped while staging or running: whatever else happened
            self._set("STOPPED")
        elif outcome is not None and outcome.timed_out:
            self._set("TIMEOUT", f"Job run timed out after {self.timeout_minutes} minutes")
        elif error is not None:
            self._set("FAILED", error)
        elif outcome is not None and outcome.exit_code == 0:
            self._set("SUCCEEDED")
        else:
            assert outcome is not None
            self._set("FAILED", spark.error_message((line for _, line in outcome.stderr), outcome.exit_code))
        log.info("glue run %s of %s: %s", self.run_id, self.job.name, self.state)
        spark.clean(WORKDIR / self.run_id)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


# --- moto patches -----------------------------------------------------------------------


def install() -> None:
    from moto.core.responses import ActionResult
    from moto.glue.exceptions import ConcurrentRunsExceededException
    from moto.glue.models import FakeJob, FakeJobRun
    from moto.glue.responses import GlueResponse
    from moto.moto_api._internal.managed_state_model import ManagedState
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue import (
        StateTaskServiceGlue,
    )

    spark.install()
    original_start = FakeJob.start_job_run
    original_as_dict = FakeJobRun.as_dict
    managed_status: Any = ManagedState.status  # a property: its fget/fset are reused

    def start_job_run(self: Any, **kwargs: Any) -> str:
        with _start_lock:  # the concurrency check and the new run are one step
            active = [run for run in self.job_runs if run.status in ACTIVE]
            limit = int((self.execution_property or {}).get("MaxConcurrentRuns", 1))
            if len(active) >= limit:
                raise ConcurrentRunsExceededException(f"Concurrent runs exceeded for {self.name}")
            run_id: str = original_start(self, **kwargs)
            job_run = next(run for run in self.job_runs if run.job_run_id == run_id)
            script = (self.command or {}).get("ScriptLocation") or ""
            if script.startswith("s3://"):
                job_run.localaws_run = GlueRun(self, job_run)
                job_run.localaws_run.start()
        return run_id

    def get_status(self: Any) -> str | None:
        run = getattr(self, "localaws_run", None)
        return run.state if run is not None else managed_status.fget(self)  # type: ignore[no-any-return]

    def set_status(self: Any, value: str) -> None:
        managed_status.fset(self, value)

    def as_dict(self: Any) -> dict[str, Any]:
        out: dict[str, Any] = original_as_dict(self)
        run = getattr(self, "localaws_run", None)
        if run is not None:
            out.pop("CompletedOn", None)
            out.update(run.describe())
        return out

    def batch_stop_job_run(self: Any) -> ActionResult:
        name = self._get_param("JobName")
        job = self.glue_backend.get_job(name)
        submitted, errors = [], []
        for run_id in self._get_param("JobRunIds") or []:
            job_run = next((r for r in job.job_runs if r.job_run_id == run_id), None)
            run = getattr(job_run, "localaws_run", None)
            if run is not None and run.stop():
                submitted.append({"JobName": name, "JobRunId": run_id})
                continue
            code, message = (
                ("EntityNotFoundException", f"Job Run {run_id} not found")
                if job_run is None
                else ("InvalidInputException", f"Job Run {run_id} is not running")
            )
            errors.append(
                {"JobName": name, "JobRunId": run_id, "ErrorDetail": {"ErrorCode": code, "ErrorMessage": message}}
            )
        return ActionResult({"SuccessfulSubmissions": submitted, "Errors": errors})

    original_sync: Any = StateTaskServiceGlue._sync_to_start_job_run

    def _sync_to_start_job_run(self: Any, *args: Any, **kwargs: Any) -> Any:
        resolver = original_sync(self, *args, **kwargs)

        def resolve() -> Any:
            return spark.to_epoch_millis(resolver())

        return resolve

    setattr(FakeJob, "start_job_run", start_job_run)  # noqa: B010 - a patch
    setattr(FakeJobRun, "status", property(get_status, set_status))  # noqa: B010
    setattr(FakeJobRun, "as_dict", as_dict)  # noqa: B010
    setattr(GlueResponse, "batch_stop_job_run", batch_stop_job_run)  # noqa: B010
    setattr(StateTaskServiceGlue, "_sync_to_start_job_run", _sync_to_start_job_run)  # noqa: B010
