"""EMR Serverless in localaws: applications and job runs behave as the service does.

Only the first job run test starts Spark (a JVM, ~10-20 s here); the others
run plain Python entry points through the same machinery.
"""

from __future__ import annotations

import gzip
import io
import json

import pyarrow.parquet as pq
import pytest

from ..conftest import REGION, TEST_BUCKET_DATA, allow, ensure_role, follow, wait_for

ROLE = "arn:aws:iam::123456789012:role/emr-serverless-job"
FINAL = {"SUCCESS", "FAILED", "CANCELLED"}

ENTRY = """
import sys
from pyspark.sql import SparkSession, functions as F
from helpers import totals  # from --py-files

source, target = sys.argv[1], sys.argv[2]
spark = SparkSession.builder.getOrCreate()
rows = spark.read.option("header", True).csv(source)
out = totals(rows)
out.write.parquet(target)
print("parallelism", spark.sparkContext.defaultParallelism, "groups", out.count())
spark.stop()
"""
HELPERS = """
from pyspark.sql import functions as F
def totals(df):
    return df.groupBy("entity").agg(F.sum(F.col("amount").cast("int")).alias("total"))
"""
FAILING = """
raise RuntimeError("ledger does not balance")
"""
SLEEPING = """
import time
time.sleep(60)
"""
WRITER = """
import sys
with open(sys.argv[1], "w") as out:  # an s3:// argument arrives as a local path
    out.write("done")
"""


@pytest.fixture(scope="module", autouse=True)
def _role(aws) -> None:
    """ROLE is each run's execution role and the role of the state machines that start runs."""
    ensure_role(
        aws, ROLE.rsplit("/", 1)[1], "emr-serverless", *TEST_BUCKET_DATA,
        allow(["emr-serverless:StartJobRun", "emr-serverless:GetJobRun", "emr-serverless:CancelJobRun"],
              f"arn:aws:emr-serverless:{REGION}:123456789012:/applications/*"),
    )  # fmt: skip


@pytest.fixture
def bucket(aws, unique: str) -> str:
    aws("s3").create_bucket(Bucket=unique, CreateBucketConfiguration={"LocationConstraint": REGION})
    return unique


@pytest.fixture
def application(aws, unique: str) -> str:
    return str(
        aws("emr-serverless").create_application(name=unique, releaseLabel="emr-7.5.0", type="SPARK")["applicationId"]
    )


def upload(aws, bucket: str, key: str, body: str) -> str:
    aws("s3").put_object(Bucket=bucket, Key=key, Body=body.encode())
    return f"s3://{bucket}/{key}"


def wait_run(aws, application: str, run_id: str, timeout: float = 120) -> tuple[dict, list[str]]:
    emr = aws("emr-serverless")
    return follow(
        lambda: emr.get_job_run(applicationId=application, jobRunId=run_id)["jobRun"], "state", FINAL, timeout
    )


def test_application_states_follow_aws(aws, unique: str) -> None:
    emr = aws("emr-serverless")
    # Terraform sends the engine in lower case and waits for CREATED
    app_id = emr.create_application(name=unique, releaseLabel="emr-7.5.0", type="spark")["applicationId"]
    app = emr.get_application(applicationId=app_id)["application"]
    assert (app["state"], app["type"], app["architecture"]) == ("CREATED", "Spark", "X86_64")

    emr.update_application(applicationId=app_id, architecture="ARM64", releaseLabel="emr-7.6.0")
    app = emr.get_application(applicationId=app_id)["application"]
    assert (app["architecture"], app["releaseLabel"]) == ("ARM64", "emr-7.6.0")

    emr.start_application(applicationId=app_id)
    assert emr.get_application(applicationId=app_id)["application"]["state"] == "STARTED"
    with pytest.raises(emr.exceptions.ValidationException):
        emr.delete_application(applicationId=app_id)  # a started application must be stopped first
    emr.stop_application(applicationId=app_id)
    emr.delete_application(applicationId=app_id)
    assert emr.get_application(applicationId=app_id)["application"]["state"] == "TERMINATED"


def test_job_run_runs_the_entry_point_on_s3_data(aws, bucket: str, application: str) -> None:
    emr, s3 = aws("emr-serverless"), aws("s3")
    upload(aws, bucket, "raw/2026/a.csv", "entity,amount\nacme,10\nacme,5\nzeta,7\n")
    entry = upload(aws, bucket, "code/totals.py", ENTRY)
    helpers = upload(aws, bucket, "code/helpers.py", HELPERS)
    run_id = emr.start_job_run(
        applicationId=application,
        executionRoleArn=ROLE,
        name="totals",
        jobDriver={
            "sparkSubmit": {
                "entryPoint": entry,
                "entryPointArguments": [f"s3://{bucket}/raw/2026", f"s3://{bucket}/totals/2026/"],
                "sparkSubmitParameters": f"--conf spark.executor.cores=1 --conf spark.executor.instances=1 "
                f"--py-files {helpers}",
            }
        },
        configurationOverrides={
            "monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": f"s3://{bucket}/logs/"}}
        },
    )["jobRunId"]

    run, seen = wait_run(aws, application, run_id)

    assert run["state"] == "SUCCESS", run.get("stateDetails")
    assert seen[0] in {"SUBMITTED", "PENDING", "SCHEDULED"} and "RUNNING" in seen
    assert run["endedAt"] >= run["startedAt"] and "totalExecutionDurationSeconds" in run
    # auto-start: submitting a job started the CREATED application
    assert emr.get_application(applicationId=application)["application"]["state"] == "STARTED"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="totals/2026/")["Contents"]]
    totals: dict[str, int] = {}
    for key in (k for k in keys if k.endswith(".parquet")):
        table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
        totals.update(zip(table.column("entity").to_pylist(), table.column("total").to_pylist(), strict=True))
    assert totals == {"acme": 15, "zeta": 7}
    log_key = f"logs/applications/{application}/jobs/{run_id}/SPARK_DRIVER/stdout.gz"
    stdout = gzip.decompress(s3.get_object(Bucket=bucket, Key=log_key)["Body"].read()).decode()
    assert "parallelism 1 groups 2" in stdout  # local[N] from executor instances x cores


def test_failing_job_run_is_failed_with_details(aws, bucket: str, application: str) -> None:
    emr = aws("emr-serverless")
    run_id = emr.start_job_run(
        applicationId=application,
        executionRoleArn=ROLE,
        jobDriver={"sparkSubmit": {"entryPoint": upload(aws, bucket, "code/fail.py", FAILING)}},
        configurationOverrides={
            "monitoringConfiguration": {
                "cloudWatchLoggingConfiguration": {"enabled": True, "logGroupName": f"/emr/{application}"}
            }
        },
    )["jobRunId"]

    run, _ = wait_run(aws, application, run_id)

    assert run["state"] == "FAILED"
    assert "ExitCode: 1" in run["stateDetails"] and "RuntimeError: ledger does not balance" in run["stateDetails"]
    stream = f"applications/{application}/jobs/{run_id}/SPARK_DRIVER/stderr"
    events = aws("logs").get_log_events(logGroupName=f"/emr/{application}", logStreamName=stream)["events"]
    assert any("ledger does not balance" in e["message"] for e in events)


def test_cancel_job_run(aws, bucket: str, application: str) -> None:
    emr = aws("emr-serverless")
    entry = upload(aws, bucket, "code/sleep.py", SLEEPING)
    run_id = emr.start_job_run(
        applicationId=application, executionRoleArn=ROLE, jobDriver={"sparkSubmit": {"entryPoint": entry}}
    )["jobRunId"]
    wait_for(lambda: emr.get_job_run(applicationId=application, jobRunId=run_id)["jobRun"]["state"] == "RUNNING")

    emr.cancel_job_run(applicationId=application, jobRunId=run_id)

    run, _ = wait_run(aws, application, run_id, timeout=30)
    assert run["state"] == "CANCELLED"
    with pytest.raises(emr.exceptions.ValidationException):
        emr.cancel_job_run(applicationId=application, jobRunId=run_id)


def _execute(aws, unique: str, definition: dict) -> dict:
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(name=unique, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name=unique, input="{}")["executionArn"]
    return wait_for(
        lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d, timeout=90
    )


def _job_task(application: str, entry: str, arguments: list[str], **extra) -> dict:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::emr-serverless:startJobRun.sync",
        "Parameters": {
            "ApplicationId": application,
            "ExecutionRoleArn": ROLE,
            "Name": "from-step-functions",
            "JobDriver": {"SparkSubmit": {"EntryPoint": entry, "EntryPointArguments": arguments}},
        },
        **extra,
    }


def test_step_functions_start_job_run_sync(aws, bucket: str, application: str, unique: str) -> None:
    entry = upload(aws, bucket, "code/writer.py", WRITER)
    definition = {
        "StartAt": "Run",
        "States": {"Run": _job_task(application, entry, [f"s3://{bucket}/out/flag.txt"], End=True)},
    }

    execution = _execute(aws, unique, definition)

    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    output = json.loads(execution["output"])
    assert output["State"] == "SUCCESS" and output["ApplicationId"] == application and output["JobRunId"]
    assert output["Name"] == "from-step-functions" and isinstance(output["EndedAt"], int)
    # .sync returned once the job was done: its output is in S3
    assert aws("s3").get_object(Bucket=bucket, Key="out/flag.txt")["Body"].read() == b"done"


def test_step_functions_start_job_run_sync_failure(aws, bucket: str, application: str, unique: str) -> None:
    entry = upload(aws, bucket, "code/fail.py", FAILING)
    catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}]
    definition = {
        "StartAt": "Run",
        "States": {
            "Run": _job_task(application, entry, [], Catch=catch, End=True),
            "Handled": {"Type": "Pass", "End": True},
        },
    }

    execution = _execute(aws, unique, definition)

    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    error = json.loads(execution["output"])
    assert error["Error"] == "States.TaskFailed"
    cause = json.loads(error["Cause"])
    assert cause["State"] == "FAILED" and "ledger does not balance" in cause["StateDetails"]
