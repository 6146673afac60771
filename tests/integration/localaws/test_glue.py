"""Glue job runs in localaws run the job's script, as the Glue service does.

Spark starts a JVM per run (~10-20 s here), so only the first test uses
Spark; the others run plain Python scripts, which exercise the same run
machinery (states, errors, logs, timeouts, Step Functions) in a second.
"""

from __future__ import annotations

import io
import json
import time
import urllib.request
from collections.abc import Iterator

import pyarrow.parquet as pq
import pytest

from ..conftest import REGION, TEST_BUCKET_DATA, TEST_RESOURCES, allow, ensure_role, follow, wait_for

ROLE = "arn:aws:iam::123456789012:role/glue"
FINAL = {"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR"}

# what a project Glue job looks like: plain pyspark when awsglue is absent, local paths
ETL = """
import argparse
from pyspark.sql import SparkSession, functions as F
from helpers import with_tax  # from --extra-py-files

parser = argparse.ArgumentParser()
for name in ("--JOB_NAME", "--JOB_RUN_ID", "--input", "--output"):
    parser.add_argument(name)
args, _ = parser.parse_known_args()
spark = SparkSession.builder.appName(args.JOB_NAME).getOrCreate()
rows = spark.read.option("header", True).csv(args.input)
out = with_tax(rows.filter(F.col("amount").cast("int") > 0))
out.coalesce(1).write.mode("overwrite").parquet(args.output)
print(f"run {args.JOB_RUN_ID} wrote {out.count()} rows")
spark.stop()
"""
HELPERS = """
from pyspark.sql import functions as F
def with_tax(df):
    return df.withColumn("tax", F.col("amount").cast("double") * 0.1)
"""
FAILING = """
import sys
print("starting", sys.argv[1:])
raise ValueError("bad input row 7")
"""
SLEEPING = """
import time
time.sleep(60)
"""
# proves the run's environment: the emulator's endpoint and fake credentials reach boto3
MARKER = """
import argparse, boto3
parser = argparse.ArgumentParser()
parser.add_argument("--JOB_NAME"); parser.add_argument("--JOB_RUN_ID"); parser.add_argument("--bucket")
args, _ = parser.parse_known_args()
boto3.client("s3").put_object(Bucket=args.bucket, Key=f"markers/{args.JOB_RUN_ID}", Body=args.JOB_NAME.encode())
"""


@pytest.fixture(scope="module", autouse=True)
def _role(aws) -> None:
    """ROLE runs the jobs (their scripts and data) and the state machines that start them."""
    jobs = f"arn:aws:glue:{REGION}:123456789012:job/{TEST_RESOURCES}"
    ensure_role(
        aws, ROLE.rsplit("/", 1)[1], "glue", *TEST_BUCKET_DATA,
        allow(["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"], jobs),
    )  # fmt: skip


@pytest.fixture
def bucket(aws, unique: str) -> str:
    aws("s3").create_bucket(Bucket=unique, CreateBucketConfiguration={"LocationConstraint": REGION})
    return unique


def make_job(aws, bucket: str, name: str, script: str, role: str = ROLE, **spec) -> str:
    aws("s3").put_object(Bucket=bucket, Key=f"scripts/{name}.py", Body=script.encode())
    aws("glue").create_job(
        Name=name,
        Role=role,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/scripts/{name}.py", "PythonVersion": "3"},
        GlueVersion="5.0",
        **spec,
    )
    return name


def wait_run(aws, job: str, run_id: str, timeout: float = 120) -> tuple[dict, list[str]]:
    """The finished run and every state seen on the way."""
    glue = aws("glue")
    return follow(lambda: glue.get_job_run(JobName=job, RunId=run_id)["JobRun"], "JobRunState", FINAL, timeout)


def log_lines(aws, group: str, stream: str) -> list[str]:
    return [e["message"] for e in aws("logs").get_log_events(logGroupName=group, logStreamName=stream)["events"]]


@pytest.fixture
def fast_minutes(endpoint: str) -> Iterator[None]:
    """Glue timeouts are whole minutes: here a minute lasts 2 s for the test."""

    def post(config: dict) -> dict:
        request = urllib.request.Request(f"{endpoint}/moto-api/config", data=json.dumps(config).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    before = post({})["localaws"]["job_minute_seconds"]
    post({"localaws": {"job_minute_seconds": 2}})
    try:
        yield
    finally:
        post({"localaws": {"job_minute_seconds": before}})


def test_job_run_runs_the_pyspark_script_on_s3_data(aws, bucket: str, unique: str) -> None:
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="in/a.csv", Body=b"id,amount\n1,100\n2,0\n3,250\n")
    s3.put_object(Bucket=bucket, Key="in/b.csv", Body=b"id,amount\n4,40\n")
    s3.put_object(Bucket=bucket, Key="lib/helpers.py", Body=HELPERS.encode())
    job = make_job(
        aws,
        bucket,
        unique,
        ETL,
        DefaultArguments={"--input": f"s3://{bucket}/in/", "--extra-py-files": f"s3://{bucket}/lib/helpers.py"},
        WorkerType="G.1X",
        NumberOfWorkers=2,
    )
    run_id = aws("glue").start_job_run(JobName=job, Arguments={"--output": f"s3://{bucket}/curated/sales"})["JobRunId"]

    run, seen = wait_run(aws, job, run_id)

    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert seen[0] in {"STARTING", "RUNNING"} and "RUNNING" in seen
    assert run["CompletedOn"] >= run["StartedOn"] and run["ExecutionTime"] >= 1
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="curated/sales/")["Contents"]]
    parquet = [k for k in keys if k.endswith(".parquet")]
    assert parquet and "curated/sales/_SUCCESS" in keys
    assert not [k for k in keys if k.endswith(".crc") or "_temporary" in k]  # local-filesystem artefacts
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=parquet[0])["Body"].read()))
    assert table.num_rows == 3 and sorted(table.column("id").to_pylist()) == ["1", "3", "4"]
    assert table.column("tax").to_pylist()[0] == pytest.approx(10.0)
    # driver output and Spark's log4j lines land where Glue puts them
    assert f"run {run_id} wrote 3 rows" in log_lines(aws, "/aws-glue/jobs/output", run_id)
    assert log_lines(aws, "/aws-glue/jobs/error", run_id)


WRITER = """
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument("--JOB_NAME"); parser.add_argument("--JOB_RUN_ID"); parser.add_argument("--output")
args, _ = parser.parse_known_args()
os.makedirs(args.output, exist_ok=True)
open(os.path.join(args.output, "part-0.txt"), "w").write(args.JOB_RUN_ID)
"""


def test_the_run_reads_and_writes_s3_as_the_jobs_role(aws, bucket: str, unique: str, role) -> None:
    arn = f"arn:aws:s3:::{bucket}"
    # its script and its output prefix, nothing else: no s3:ListBucket anywhere
    writer = role("glue", allow("s3:GetObject", f"{arn}/scripts/*"), allow("s3:PutObject", f"{arn}/out/*"))
    job = make_job(aws, bucket, unique, WRITER, role=writer)
    run_id = aws("glue").start_job_run(JobName=job, Arguments={"--output": f"s3://{bucket}/out/"})["JobRunId"]
    run, _ = wait_run(aws, job, run_id)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert aws("s3").get_object(Bucket=bucket, Key="out/part-0.txt")["Body"].read() == run_id.encode()

    # a role that may not read the script: the run fails as Glue's does, nothing is written
    blind = role("glue", allow("s3:PutObject", f"{arn}/out/*"))
    job = make_job(aws, bucket, f"{unique}-blind", WRITER, role=blind)
    run_id = aws("glue").start_job_run(JobName=job, Arguments={"--output": f"s3://{bucket}/blind/"})["JobRunId"]
    run, _ = wait_run(aws, job, run_id)
    # (a HEAD has no body: S3's refusal is a bare 403 Forbidden)
    assert run["JobRunState"] == "FAILED" and "(403)" in run["ErrorMessage"], run
    assert "Contents" not in aws("s3").list_objects_v2(Bucket=bucket, Prefix="blind/")


def test_failing_script_is_failed_with_its_error(aws, bucket: str, unique: str) -> None:
    job = make_job(aws, bucket, unique, FAILING, DefaultArguments={"--mode": "strict"})
    run_id = aws("glue").start_job_run(JobName=job)["JobRunId"]

    run, _ = wait_run(aws, job, run_id)

    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"].startswith("ValueError: bad input row 7")
    assert "CompletedOn" in run
    errors = "\n".join(log_lines(aws, "/aws-glue/jobs/error", run_id))
    assert "Traceback" in errors and "bad input row 7" in errors
    # Glue passes the job name, run id and arguments to the script
    output = log_lines(aws, "/aws-glue/jobs/output", run_id)[0]
    assert all(part in output for part in ("--JOB_NAME", job, "--JOB_RUN_ID", run_id, "--mode", "strict"))


def test_run_past_its_timeout_is_timeout(aws, bucket: str, unique: str, fast_minutes: None) -> None:
    job = make_job(aws, bucket, unique, SLEEPING, Timeout=10)
    started = time.time()
    run_id = aws("glue").start_job_run(JobName=job, Timeout=1)["JobRunId"]

    run, _ = wait_run(aws, job, run_id, timeout=30)

    assert run["JobRunState"] == "TIMEOUT" and run["Timeout"] == 1
    assert time.time() - started < 20  # killed at the run's timeout, not the job's nor the script's end


def test_max_concurrent_runs_and_stopping_a_run(aws, bucket: str, unique: str) -> None:
    glue = aws("glue")
    job = make_job(aws, bucket, unique, SLEEPING, ExecutionProperty={"MaxConcurrentRuns": 1})
    first = glue.start_job_run(JobName=job)["JobRunId"]

    with pytest.raises(glue.exceptions.ConcurrentRunsExceededException):
        glue.start_job_run(JobName=job)

    stopped = glue.batch_stop_job_run(JobName=job, JobRunIds=[first, "jr_missing"])
    assert stopped["SuccessfulSubmissions"] == [{"JobName": job, "JobRunId": first}]
    assert stopped["Errors"][0]["ErrorDetail"]["ErrorCode"] == "EntityNotFoundException"
    run, _ = wait_run(aws, job, first, timeout=30)
    assert run["JobRunState"] == "STOPPED"
    glue.start_job_run(JobName=job)  # the slot is free again
    glue.batch_stop_job_run(JobName=job, JobRunIds=[r["Id"] for r in glue.get_job_runs(JobName=job)["JobRuns"]])


def _execute(aws, unique: str, payload: dict, **task: object) -> dict:
    """Runs a one-task machine whose task starts a Glue job .sync (a Catch goes to a Pass)."""
    states: dict = {"Run": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "End": True, **task}}
    if "Catch" in task:
        states["Handled"] = {"Type": "Pass", "End": True}
    definition = {"StartAt": "Run", "States": states}
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(name=unique, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name=unique, input=json.dumps(payload))["executionArn"]
    return wait_for(
        lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d, timeout=90
    )


def test_step_functions_glue_sync_waits_for_the_run(aws, bucket: str, unique: str) -> None:
    job = make_job(aws, bucket, unique, MARKER)
    execution = _execute(
        aws, unique, {"bucket": bucket}, Parameters={"JobName": job, "Arguments": {"--bucket.$": "$.bucket"}}
    )

    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    output = json.loads(execution["output"])
    assert output["JobRunState"] == "SUCCEEDED" and output["JobName"] == job
    assert isinstance(output["CompletedOn"], int)  # Step Functions writes epoch milliseconds
    # .sync returned after the run: its output is already in S3
    marker = aws("s3").get_object(Bucket=bucket, Key=f"markers/{output['Id']}")["Body"].read()
    assert marker == job.encode()


def test_step_functions_glue_sync_failure_is_task_failed(aws, bucket: str, unique: str) -> None:
    job = make_job(aws, bucket, unique, FAILING)
    execution = _execute(
        aws,
        unique,
        {},
        Parameters={"JobName": job},
        Catch=[{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Handled"}],
    )

    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    error = json.loads(execution["output"])["error"]
    assert error["Error"] == "States.TaskFailed"
    cause = json.loads(error["Cause"])
    assert cause["JobRunState"] == "FAILED" and "bad input row 7" in cause["ErrorMessage"]
