"""EMR Serverless: applications that Terraform can manage, job runs that run the entry point.

moto's EMR Serverless keeps applications and job runs as records only: a job
run is SUCCESS the moment it is submitted, and an application is STARTED
from birth. What AWS does instead, reproduced here:

- Applications are CREATED after CreateApplication (the Terraform provider
  waits for exactly that state), STARTED by StartApplication or by the first
  job run when auto-start is on (a job run on a stopped application without
  auto-start is refused), and STOPPED again by StopApplication or after
  ``autoStopConfiguration.idleTimeoutMinutes`` without running jobs.
- ``type`` is accepted in any case (``spark``, ``SPARK``) and read back as
  ``Spark``; ``architecture`` (default X86_64), ``imageConfiguration``,
  ``runtimeConfiguration``, ``monitoringConfiguration``,
  ``interactiveConfiguration``, ``schedulerConfiguration`` and the other
  settings moto drops are stored and read back (Terraform plans drift
  otherwise), on create and on update.
- StartJobRun with ``jobDriver.sparkSubmit`` runs ``entryPoint`` (a Python
  script in S3) as ``python <entryPoint> <entryPointArguments...>`` on local
  PySpark (see ``localaws.spark`` for staging: entry point arguments that
  are one S3 URI become local paths, outputs go back to S3).
  ``sparkSubmitParameters``: ``--py-files``, ``--files``, ``--jars`` and
  ``--archives`` from S3 are downloaded and passed as local files, ``--conf``
  is kept (but not ``spark.master``), ``spark.executor.instances`` x
  ``spark.executor.cores`` sets N in ``local[N]`` (capped to the cores here).
- GetJobRun reports SUBMITTED, PENDING, SCHEDULED, RUNNING, then SUCCESS,
  FAILED (``stateDetails`` with the exit code and the exception) or
  CANCELLED (CancelJobRun, or past ``executionTimeoutMinutes``), with
  startedAt, endedAt and totalExecutionDurationSeconds. The state turns
  final only after outputs are in S3 and logs written.
- Driver logs go where the job's (or the application's)
  ``monitoringConfiguration`` says: ``s3MonitoringConfiguration.logUri``
  gets ``applications/<app>/jobs/<run>/SPARK_DRIVER/stdout.gz`` and
  ``stderr.gz``; ``cloudWatchLoggingConfiguration`` (enabled) gets streams
  ``[<prefix>/]applications/<app>/jobs/<run>/SPARK_DRIVER/stdout|stderr`` in
  its log group (default ``/aws/emr-serverless``).

Step Functions: moto's interpreter rejects every ``emr-serverless`` task.
Here ``arn:aws:states:::emr-serverless:<action>[.sync]`` works for
startJobRun (``.sync`` output: the GetJobRun job run, keys in Step
Functions' PascalCase; FAILED or CANCELLED is States.TaskFailed with the job
run as the cause), cancelJobRun, createApplication, startApplication,
stopApplication and deleteApplication (``.sync`` waits for the target
state). AWS offers no ``.sync:2`` or ``.waitForTaskToken`` for this service.
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import shlex
import threading
import time
from pathlib import Path
from typing import Any

from localaws import iam, spark

log = logging.getLogger("localaws.emr_serverless")
WORKDIR = spark.STATE / "emr-serverless"
ACTIVE = frozenset({"SUBMITTED", "PENDING", "SCHEDULED", "RUNNING", "CANCELLING", "QUEUED"})
DEFAULT_LOG_GROUP = "/aws/emr-serverless"
# request member -> attribute read back by GetApplication (moto drops them)
APPLICATION_SETTINGS = {
    "architecture": "architecture",
    "imageConfiguration": "image_configuration",
    "workerTypeSpecifications": "worker_type_specifications",
    "runtimeConfiguration": "runtime_configuration",
    "monitoringConfiguration": "monitoring_configuration",
    "diskEncryptionConfiguration": "disk_encryption_configuration",
    "interactiveConfiguration": "interactive_configuration",
    "schedulerConfiguration": "scheduler_configuration",
    "identityCenterConfiguration": "identity_center_configuration",
    "jobLevelCostAllocationConfiguration": "job_level_cost_allocation_configuration",
}
# sparkSubmitParameters whose values are files: S3 ones are downloaded
FILE_PARAMETERS = {"--py-files", "--files", "--jars", "--archives"}
# spark-submit options with no value
FLAG_PARAMETERS = {"--verbose", "--supervise"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _idle_minutes(application: Any) -> float | None:
    config = application.auto_stop_configuration or {}
    if not config.get("enabled", True):
        return None
    return float(config.get("idleTimeoutMinutes", 15))


class EmrRun(spark.SparkRun):
    """The real execution behind one moto JobRun."""

    def __init__(self, application: Any, job_run: Any, account_id: str, region: str) -> None:
        self.application = application
        self.job_run = job_run
        self.account_id = account_id
        self.region = region
        self.state = "SUBMITTED"
        self.process: spark.JobProcess | None = None
        self.stopping = threading.Event()
        self.thread_name = f"emr-{job_run.id}"
        self.active = ACTIVE
        self._lock = threading.Lock()
        now = _now()
        job_run.created_at = job_run.updated_at = now
        job_run.created_by = f"arn:aws:iam::{account_id}:root"
        job_run.attempt = 1
        job_run.mode = "BATCH"

    def _set(self, state: str, details: str | None = None) -> None:
        with self._lock:
            if self.state == "CANCELLING" and state not in {"CANCELLED"}:
                return
            self.state = state
            now = _now()
            self.job_run.updated_at = now
            if details is not None:
                self.job_run.state_details = details[:256]
            if state == "RUNNING":
                self.job_run.started_at = now
            if state not in ACTIVE:
                self.job_run.ended_at = now
                started = getattr(self.job_run, "started_at", None) or now
                seconds = int((now - started).total_seconds())
                self.job_run.total_execution_duration_seconds = seconds
                # nominal: per local core 1 vCPU and 4 GB, plus a default worker's 20 GB disk
                self.job_run.total_resource_utilization = {
                    "vCPUHour": round(seconds / 3600 * self._cores(), 3),
                    "memoryGBHour": round(seconds / 3600 * 4 * self._cores(), 3),
                    "storageGBHour": round(seconds / 3600 * 20, 3),
                }
                self.application.localaws_idle_since = time.time()

    def _running(self) -> None:
        self._set("RUNNING")

    def _touch(self) -> None:
        self.job_run.updated_at = _now()

    def cancel(self) -> bool:
        return self._halt("CANCELLING")

    # --- the run itself ---

    def _submit(self) -> dict[str, Any]:
        return dict((self.job_run.job_driver or {}).get("sparkSubmit") or {})

    def _cores(self) -> int:
        conf = _confs(str(self._submit().get("sparkSubmitParameters") or ""))
        try:
            wanted = int(conf.get("spark.executor.instances", 0)) * int(conf.get("spark.executor.cores", 0))
        except ValueError:
            wanted = 0
        return max(1, min(wanted or spark.max_cores(), spark.max_cores()))

    def _run(self) -> None:
        minutes = int(self.job_run.execution_timeout_minutes or 720)
        deadline = time.time() + minutes * spark.minute_seconds()
        root = WORKDIR / self.job_run.id
        outcome: spark.Outcome | None = None
        staging: spark.Staging | None = None
        error: str | None = None
        try:
            self._set("PENDING")
            if self.job_run.job_driver and "sparkSubmit" not in self.job_run.job_driver:
                raise ValueError("only sparkSubmit job drivers run locally (not Hive)")
            submit = self._submit()
            entry = str(submit.get("entryPoint") or "")
            if not entry.endswith(".py"):
                raise ValueError(f"entryPoint {entry!r}: only Python entry points run locally")
            missing = spark.pyspark_missing()
            if missing:
                raise RuntimeError(missing)
            credentials = self._credentials()
            client = spark.s3_client(self.region, credentials)
            script = spark.download(client, entry, root / "script") if entry.startswith("s3://") else Path(entry)
            submit_args, python_path = self._submit_args(client, str(submit.get("sparkSubmitParameters") or ""), root)
            staging = spark.Staging(client, root / "s3")
            argv = [staging.rewrite(str(arg)) for arg in submit.get("entryPointArguments") or []]
            self._set("SCHEDULED")
            outcome = self._execute(script, argv, root, (python_path, submit_args), credentials, deadline)
        except Exception as exc:
            log.warning("emr-serverless run %s could not run: %r", self.job_run.id, exc)
            error = f"{type(exc).__name__}: {exc}"
        synced = spark.sync_outputs(staging, f"emr-serverless run {self.job_run.id}")
        error = error or synced
        stdout = outcome.stdout if outcome else []
        stderr = outcome.stderr if outcome else [(int(time.time() * 1000), error or "")]
        try:
            self._publish_logs(stdout, stderr)
        except Exception:  # pragma: no cover - telemetry never decides the outcome
            log.exception("emr-serverless run %s: logs not published", self.job_run.id)
        if self.stopping.is_set():  # cancelled while staging or running: whatever else happened
            self._set("CANCELLED", "Job run cancelled by user")
        elif outcome is not None and outcome.timed_out:
            self.state = "CANCELLING"
            self._set("CANCELLED", f"Job run exceeded the execution timeout of {minutes} minutes")
        elif error is None and outcome is not None and outcome.exit_code == 0:
            self._set("SUCCESS", "")
        else:
            code = outcome.exit_code if outcome is not None else 1
            cause = error or spark.error_message((line for _, line in stderr), code)
            self._set(
                "FAILED",
                "Job failed, please check complete logs in configured logging destination. "
                f"ExitCode: {code}. Last few exceptions: {cause}",
            )
        log.info("emr-serverless run %s: %s", self.job_run.id, self.state)
        spark.clean(root)

    def _submit_args(self, client: Any, parameters: str, root: Path) -> tuple[list[str], list[Path]]:
        """sparkSubmitParameters for a local run: S3 files downloaded, cluster settings dropped."""
        tokens = shlex.split(parameters)
        out: list[str] = []
        python_path: list[Path] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            value = tokens[i + 1] if i + 1 < len(tokens) and token not in FLAG_PARAMETERS else None
            i += 1 if value is None else 2
            if token == "--conf" and value is not None:  # noqa: S105 - an option, not a password
                key = value.split("=", 1)[0]
                if key not in {"spark.master", "spark.submit.deployMode"}:
                    out += [token, value]
            elif token in FILE_PARAMETERS and value is not None:
                local = []
                for item in value.split(","):
                    path, _, alias = item.partition("#")
                    fetched = spark.download(client, path, root / "files") if path.startswith("s3://") else Path(path)
                    local.append(str(fetched.resolve()) + (f"#{alias}" if alias else ""))
                    if token == "--py-files":  # noqa: S105
                        python_path.append(fetched.parent if fetched.suffix == ".py" else fetched)
                out += [token, ",".join(local)]
            elif token in {"--master", "--deploy-mode", "--class"}:
                continue  # the local master is ours; JVM classes don't run a Python entry point
            elif value is not None:
                out += [token, value]
            else:
                out.append(token)
        return out, python_path

    def _credentials(self) -> iam.Credentials:
        """The run's execution role: it stages the data, runs the job and writes its logs."""
        return iam.role_credentials(self.job_run.execution_role_arn, "EMRServerlessSession")

    def _monitoring(self) -> dict[str, Any]:
        job = ((self.job_run.configuration_overrides or {}).get("monitoringConfiguration")) or {}
        app = getattr(self.application, "monitoring_configuration", None) or {}
        return {**app, **job}

    def _publish_logs(self, stdout: list[tuple[int, str]], stderr: list[tuple[int, str]]) -> None:
        monitoring = self._monitoring()
        where = f"applications/{self.application.id}/jobs/{self.job_run.id}/SPARK_DRIVER"
        log_uri = (monitoring.get("s3MonitoringConfiguration") or {}).get("logUri")
        if log_uri:
            # the job's role writes its logs, as in AWS
            client = spark.s3_client(self.region, self._credentials())
            bucket, key = spark.split_uri(log_uri)
            for name, lines in (("stdout", stdout), ("stderr", stderr)):
                body = gzip.compress("".join(f"{line}\n" for _, line in lines).encode())
                client.put_object(Bucket=bucket, Key=f"{key.rstrip('/')}/{where}/{name}.gz".lstrip("/"), Body=body)
        cloudwatch = monitoring.get("cloudWatchLoggingConfiguration") or {}
        if cloudwatch.get("enabled"):
            group = cloudwatch.get("logGroupName") or DEFAULT_LOG_GROUP
            prefix = cloudwatch.get("logStreamNamePrefix")
            for name, lines in (("stdout", stdout), ("stderr", stderr)):
                stream = f"{prefix}/{where}/{name}" if prefix else f"{where}/{name}"
                spark.publish_logs(self.account_id, self.region, group, stream, lines)


def _confs(parameters: str) -> dict[str, str]:
    tokens = shlex.split(parameters)
    return dict(
        tokens[i + 1].split("=", 1) for i in range(len(tokens) - 1) if tokens[i] == "--conf" and "=" in tokens[i + 1]
    )


# --- Step Functions -------------------------------------------------------------------

_SFN_PARAMETERS = {
    "createapplication": {
        "Name",
        "ReleaseLabel",
        "Type",
        "ClientToken",
        "InitialCapacity",
        "MaximumCapacity",
        "Tags",
        "AutoStartConfiguration",
        "AutoStopConfiguration",
        "NetworkConfiguration",
        "Architecture",
        "ImageConfiguration",
        "WorkerTypeSpecifications",
        "RuntimeConfiguration",
        "MonitoringConfiguration",
    },
    "startapplication": {"ApplicationId"},
    "stopapplication": {"ApplicationId"},
    "deleteapplication": {"ApplicationId"},
    "startjobrun": {
        "ApplicationId",
        "ClientToken",
        "ExecutionRoleArn",
        "JobDriver",
        "ConfigurationOverrides",
        "Tags",
        "ExecutionTimeoutMinutes",
        "Name",
    },
    "canceljobrun": {"ApplicationId", "JobRunId"},
}
# .sync: the application state each action waits for
_APPLICATION_TARGETS = {
    "createapplication": "CREATED",
    "startapplication": "STARTED",
    "stopapplication": "STOPPED",
    "deleteapplication": "TERMINATED",
}


def _service_class() -> type:
    """StateTaskServiceEmrServerless, modelled on moto's StateTaskServiceGlue."""
    from botocore.exceptions import ClientError
    from moto.stepfunctions.parser.api import HistoryEventType
    from moto.stepfunctions.parser.api import TaskFailedEventDetails as _TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import ResourceCondition
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
        StateTaskServiceCallback,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails as _EventDetails
    from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    # TypedDicts of moto's Step Functions API: built with only the keys an event has
    EventDetails: Any = _EventDetails
    TaskFailedEventDetails: Any = _TaskFailedEventDetails
    sync: Any = ResourceCondition.Sync

    class StateTaskServiceEmrServerless(StateTaskServiceCallback):
        def __init__(self) -> None:
            super().__init__(supported_integration_patterns={sync})

        def _get_supported_parameters(self) -> set[str] | None:
            return _SFN_PARAMETERS.get(self.resource.api_action.lower())

        def _client(self, resource_runtime_part: Any, state_credentials: Any) -> Any:
            return boto_client_for(
                region=resource_runtime_part.region, service="emr-serverless", state_credentials=state_credentials
            )

        def _operation(self, client: Any) -> Any:
            return client.meta.service_model.operation_model(
                self.resource.api_action[:1].upper() + self.resource.api_action[1:]
            )

        def _from_error(self, env: Any, ex: Exception) -> Any:
            if isinstance(ex, ClientError):
                error_name = f"EMRServerless.{ex.response['Error']['Code']}"
                return FailureEvent(
                    env=env,
                    error_name=CustomErrorName(error_name),
                    event_type=HistoryEventType.TaskFailed,
                    event_details=EventDetails(
                        taskFailedEventDetails=TaskFailedEventDetails(
                            error=error_name,
                            cause=ex.response["Error"]["Message"],
                            resource=self._get_sfn_resource(),
                            resourceType=self._get_sfn_resource_type(),
                        )
                    ),
                )
            return super()._from_error(env=env, ex=ex)

        def _eval_service_task(
            self, env: Any, resource_runtime_part: Any, normalised_parameters: dict[str, Any], state_credentials: Any
        ) -> None:
            client = self._client(resource_runtime_part, state_credentials)
            operation = self._operation(client)
            # Step Functions' PascalCase parameters -> the API's camelCase members
            self._to_boto_request(normalised_parameters, operation.input_shape)
            response = getattr(client, self._get_boto_service_action())(**normalised_parameters)
            response.pop("ResponseMetadata", None)
            self._from_boto_response(response, operation.output_shape)
            env.stack.append(spark.to_epoch_millis(response))

        def _failed(self, env: Any, cause: Any) -> Exception:
            return FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed),
                    event_type=HistoryEventType.TaskFailed,
                    event_details=EventDetails(
                        taskFailedEventDetails=TaskFailedEventDetails(
                            resource=self._get_sfn_resource(),
                            resourceType=self._get_sfn_resource_type(),
                            error=StatesErrorNameType.StatesTaskFailed.to_name(),
                            cause=cause if isinstance(cause, str) else to_json_str(cause),
                        )
                    ),
                )
            )

        def _build_sync_resolver(
            self, env: Any, resource_runtime_part: Any, normalised_parameters: dict[str, Any], state_credentials: Any
        ) -> Any:
            submitted: dict[str, Any] = env.stack.pop()
            client = self._client(resource_runtime_part, state_credentials)
            action = self.resource.api_action.lower()
            # startApplication & co. answer {}: the id is in the request
            application_id = submitted.get("ApplicationId") or normalised_parameters.get("applicationId")
            job_run_shape = client.meta.service_model.shape_for("JobRun")

            def job_run() -> Any:
                found = client.get_job_run(applicationId=application_id, jobRunId=submitted["JobRunId"])["jobRun"]
                if found["state"] in ACTIVE:
                    return None
                self._from_boto_response(found, job_run_shape)
                found = spark.to_epoch_millis(found)
                if action == "canceljobrun":
                    if found["State"] == "CANCELLED":
                        return submitted
                    raise self._failed(env, found)
                if found["State"] == "SUCCESS":
                    return found
                raise self._failed(env, found)

            def application() -> Any:
                target = _APPLICATION_TARGETS[action]
                try:
                    state = client.get_application(applicationId=application_id)["application"]["state"]
                except ClientError as exc:
                    if target == "TERMINATED" and exc.response["Error"]["Code"] == "ResourceNotFoundException":
                        return submitted
                    raise
                if state == target:
                    return submitted
                if state == "TERMINATED":
                    raise self._failed(env, f"Application {application_id} is {state}")
                return None

            return job_run if action in {"startjobrun", "canceljobrun"} else application

    return StateTaskServiceEmrServerless


# --- moto patches ------------------------------------------------------------------------


def install() -> None:
    from moto.emrserverless.exceptions import ValidationException
    from moto.emrserverless.models import Application, EMRServerlessBackend, JobRun
    from moto.emrserverless.responses import EMRServerlessResponse
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_factory

    spark.install()

    # application state: CREATED first; auto-stop applied when read
    def get_application_state(self: Any) -> str:
        state: str = self.__dict__.get("_localaws_state", "CREATED")
        idle = _idle_minutes(self)
        since = getattr(self, "localaws_idle_since", None)
        idle_for = time.time() - since if since is not None else 0.0
        expired = idle is not None and idle_for > idle * spark.minute_seconds()
        if state == "STARTED" and expired and not _has_active_runs(self):
            state = self.__dict__["_localaws_state"] = "STOPPED"
        return state

    def set_application_state(self: Any, value: str) -> None:
        # moto sets STARTED at creation; AWS creates applications in CREATED
        if "_localaws_state" not in self.__dict__ and value == "STARTED":
            value = "CREATED"
        if value == "STARTED":
            self.localaws_idle_since = time.time()
        self.__dict__["_localaws_state"] = value

    def _has_active_runs(application: Any) -> bool:
        runs = getattr(application, "localaws_runs", [])
        return any(run.state in ACTIVE for run in runs)

    original_create = EMRServerlessBackend.create_application

    def create_application(self: Any, **kwargs: Any) -> Any:
        # AWS takes the engine in any case (Terraform sends "spark")
        kwargs["application_type"] = str(kwargs.get("application_type") or "").upper()
        application: Any = original_create(self, **kwargs)
        application.architecture = "X86_64"
        return application

    def _settings(response: Any, application: Any, extra: dict[str, str]) -> None:
        for member, attribute in extra.items():
            value = response._get_param(member)
            if value is not None:
                setattr(application, attribute, value)

    original_create_response = EMRServerlessResponse.create_application
    original_update_response = EMRServerlessResponse.update_application

    def create_application_response(self: Any) -> Any:
        result: Any = original_create_response(self)
        application = self.emrserverless_backend.get_application(result.result["applicationId"])
        _settings(self, application, APPLICATION_SETTINGS)
        return result

    def update_application_response(self: Any) -> Any:
        result = original_update_response(self)
        application = self.emrserverless_backend.get_application(self._get_param("applicationId"))
        _settings(self, application, {**APPLICATION_SETTINGS, "releaseLabel": "release_label"})
        return result

    original_start_job_run = EMRServerlessBackend.start_job_run

    def start_job_run(self: Any, **kwargs: Any) -> Any:
        application = self.get_application(kwargs["application_id"])
        if application.state in {"CREATED", "STOPPED"}:
            if not (application.auto_start_configuration or {}).get("enabled", True):
                raise ValidationException(
                    f"Application {application.id} is in {application.state} state and auto-start is disabled"
                )
            application.state = "STARTED"  # auto-start, as AWS does on submission
        job_run: Any = original_start_job_run(self, **kwargs)
        run = EmrRun(application, job_run, self.account_id, self.region_name)
        job_run.localaws_run = run
        application.localaws_runs = [*getattr(application, "localaws_runs", []), run]
        run.start()
        return job_run

    def get_job_state(self: Any) -> str:
        run = self.__dict__.get("localaws_run")
        return run.state if run is not None else str(self.__dict__.get("_localaws_state"))

    def set_job_state(self: Any, value: str) -> None:
        self.__dict__["_localaws_state"] = value

    original_cancel = EMRServerlessBackend.cancel_job_run

    def cancel_job_run(self: Any, application_id: str, job_run_id: str) -> tuple[str, str]:
        job_run = self.get_job_run(application_id, job_run_id)
        run = getattr(job_run, "localaws_run", None)
        if run is None:
            return original_cancel(self, application_id=application_id, job_run_id=job_run_id)
        if not run.cancel():
            raise ValidationException(f"Job run {job_run_id} is in a final state {run.state} and cannot be cancelled")
        return application_id, job_run_id

    service = _service_class()
    factory: Any = state_task_factory  # the module that calls state_task_service_for by name
    original_factory = factory.state_task_service_for

    def state_task_service_for(service_name: str) -> Any:
        if service_name == "emr-serverless":
            return service()
        return original_factory(service_name)

    setattr(Application, "state", property(get_application_state, set_application_state))  # noqa: B010 - a patch
    setattr(JobRun, "state", property(get_job_state, set_job_state))  # noqa: B010
    setattr(EMRServerlessBackend, "create_application", create_application)  # noqa: B010
    setattr(EMRServerlessBackend, "start_job_run", start_job_run)  # noqa: B010
    setattr(EMRServerlessBackend, "cancel_job_run", cancel_job_run)  # noqa: B010
    setattr(EMRServerlessResponse, "create_application", create_application_response)  # noqa: B010
    setattr(EMRServerlessResponse, "update_application", update_application_response)  # noqa: B010
    setattr(factory, "state_task_service_for", state_task_service_for)  # noqa: B010
