"""The pipeline state machine on the local AWS, through each path and the failure branch.

terraform/local sets small routing thresholds (see local.tfvars) so that a few
megabytes exercise every branch: at most lambda_max_bytes -> Lambda, parquet ->
Glue, over emr_min_bytes -> EMR Serverless. The Glue and EMR paths run the real
job script on local PySpark; every path must land the same curated rows.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import uuid
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from taxlake.adapters.s3 import S3Store
from taxlake.fraud.rules import detect
from taxlake.generate import GenerateSpec, rows_for_size, write_sample
from taxlake.lake.curate import canonical, curate_chunks, curated_schema
from taxlake.pipeline.fraud import lake_payer_totals
from taxlake.pipeline.settings import Settings
from taxlake.records.ingest import ObjectRef, execution_name
from taxlake.records.readers import iter_chunks, open_source
from taxlake.records.schemas import get_schema

from ..conftest import wait_for
from .conftest import Pipeline

TODAY = dt.date.today()


@pytest.fixture
def prefix() -> str:
    return f"pl-{uuid.uuid4().hex[:8]}"


def _execution(platform, key: str, version: str | None, kind: str) -> str:
    arn = platform.outputs["pipeline"]["state_machine"]["arn"].replace(":stateMachine:", ":execution:")
    return f"{arn}:{execution_name(ObjectRef(platform.landing.bucket, key, version), kind)}"


def land_and_follow(platform, key: str, path: Path, kind: str, timeout: float = 300) -> tuple[dict, list[dict]]:
    """Upload, let the validator start the pipeline, wait for the execution to finish."""
    version = platform.aws["s3"].put_object(Bucket=platform.landing.bucket, Key=key, Body=path.read_bytes())[
        "VersionId"
    ]
    sfn = platform.aws["stepfunctions"]
    arn = _execution(platform, key, version, kind)

    def finished() -> dict | None:
        try:
            described = sfn.describe_execution(executionArn=arn)
        except sfn.exceptions.ExecutionDoesNotExist:
            return None
        return described if described["status"] != "RUNNING" else None

    done = wait_for(finished, timeout, 1.0)
    return done, sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]


# the states entered, in order: the helper `nox -s up` prints them with
path_taken = Pipeline.path


def lake_rows(platform, kind: str, manifest_key: str) -> pa.Table:
    s3, bucket = platform.aws["s3"], platform.outputs["buckets"]["curated"]["name"]
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=manifest_key)["Body"].read())
    tables = [
        pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=f["key"])["Body"].read())) for f in manifest["files"]
    ]
    schema = curated_schema(kind)
    return canonical(pa.concat_tables([t.select(schema.names).cast(schema) for t in tables]), kind)


def local_curation(path: Path, kind: str, source_file: str) -> pa.Table:
    with open(path, "rb") as fh:
        source, _ = open_source(fh, str(path))
        return canonical(
            curate_chunks(iter_chunks(source, get_schema(kind).names), kind, source_file=source_file), kind
        )


def ghost(platform, key: str) -> dict:
    """An execution input naming a validated file (and report) that does not exist."""
    return {
        "bucket": platform.landing.bucket, "key": key, "version_id": None, "size_bytes": 10, "kind": "lodgement",
        "format": "csv", "compression": None, "structured": False, "record_count": 1, "records_rejected": 0,
        "report_key": f"{key}.report.json",
    }  # fmt: skip


def output(done: dict) -> dict:
    return json.loads(done["output"])


def test_a_small_file_takes_the_lambda_path_to_the_lake(platform, tmp_path: Path, prefix: str) -> None:
    path = tmp_path / "small.csv"
    write_sample(path, GenerateSpec(rows=300, seed=31, invalid_share=0.005, as_of=TODAY))
    key = f"incoming/lodgement/{prefix}/small.csv"
    done, history = land_and_follow(platform, key, path, "lodgement")
    assert done["status"] == "SUCCEEDED", done.get("cause")
    taken = path_taken(history)
    assert "ProcessWithLambda" in taken and "ProcessWithGlue" not in taken and taken[-1] == "NotifySuccess"
    doc = output(done)
    assert doc["processing"]["engine"] == "lambda"
    got = lake_rows(platform, "lodgement", doc["manifest_key"])
    source = f"s3://{platform.landing.bucket}/validated/lodgement/{prefix}/small.csv"
    assert got.equals(local_curation(path, "lodgement", source))
    assert doc["quality"]["result"]["records_curated"] == got.num_rows
    catalog = doc["catalog"]["result"]
    partitions = platform.aws["glue"].get_partitions(
        DatabaseName=platform.outputs["catalog"]["database"], TableName=catalog["table"]
    )
    assert len(partitions["Partitions"]) >= catalog["registered"] + catalog["already_registered"] >= 1
    dims = {"service": "pipeline-metrics", "Kind": "lodgement", "Engine": "lambda"}
    wait_for(lambda: platform.landing.metric_sum("PipelineSucceeded", dimensions=dims) >= 1, 30)


def test_a_structured_file_takes_the_glue_path_and_lands_the_same_rows(platform, tmp_path: Path, prefix: str) -> None:
    path = tmp_path / "payers.parquet"
    write_sample(path, GenerateSpec(kind="payer-report", rows=2000, seed=32, as_of=TODAY))
    key = f"incoming/payer-report/{prefix}/payers.parquet"
    done, history = land_and_follow(platform, key, path, "payer-report")
    assert done["status"] == "SUCCEEDED", done.get("cause")
    assert "ProcessWithGlue" in path_taken(history)
    doc = output(done)
    assert doc["processing"]["engine"] == "glue" and doc["processing"]["state"] == "SUCCEEDED"
    source = f"s3://{platform.landing.bucket}/validated/payer-report/{prefix}/payers.parquet"
    assert lake_rows(platform, "payer-report", doc["manifest_key"]).equals(local_curation(path, "payer-report", source))


def test_a_file_above_the_emr_threshold_takes_the_emr_path(platform, tmp_path: Path, prefix: str) -> None:
    threshold = int(platform.outputs["pipeline"]["routing"].get("emr_min_bytes", 5_000_000))
    path = tmp_path / "big.csv"
    # two planted refund rings: the Spark-side fraud pass has something to find
    rows = rows_for_size("lodgement", int(threshold * 1.3))
    write_sample(path, GenerateSpec(rows=rows, seed=33, as_of=TODAY, fraud_rings=2))
    assert path.stat().st_size > threshold
    key = f"incoming/lodgement/{prefix}/big.csv"
    done, history = land_and_follow(platform, key, path, "lodgement", timeout=600)
    assert done["status"] == "SUCCEEDED", done.get("cause")
    assert "ProcessWithEMR" in path_taken(history)
    doc = output(done)
    assert doc["processing"]["engine"] == "emr-serverless"
    source = f"s3://{platform.landing.bucket}/validated/lodgement/{prefix}/big.csv"
    rows = lake_rows(platform, "lodgement", doc["manifest_key"])
    assert rows.equals(local_curation(path, "lodgement", source))
    # the job ran the fraud rules on its rows; the fraud step published them as they were
    fraud = doc["fraud"]["result"]
    assert fraud["engine"] == "spark"
    # default rules, as local deploys
    settings = Settings(curated_bucket=platform.outputs["buckets"]["curated"]["name"])
    totals = lake_payer_totals(rows, S3Store(platform.aws["s3"]), settings)
    expected = detect(rows, "lodgement", settings.fraud, payer_totals=totals)
    assert fraud["flags"] == expected.num_rows >= 12
    assert fraud["rules"] == dict(Counter(expected.column("rule").to_pylist()))


def test_a_failing_step_takes_the_failure_branch_and_raises_the_alert(platform, prefix: str) -> None:
    sfn, sqs, sns = platform.aws["stepfunctions"], platform.aws["sqs"], platform.aws["sns"]
    queue = sqs.create_queue(QueueName=f"{prefix}-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=platform.outputs["pipeline"]["topics"]["alerts"], Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"RawMessageDelivery": "true"})  # fmt: skip
    arn = sfn.start_execution(
        stateMachineArn=platform.outputs["pipeline"]["state_machine"]["arn"],
        name=prefix,
        input=json.dumps(ghost(platform, f"validated/lodgement/{prefix}/ghost.csv")),
    )["executionArn"]
    done = wait_for(lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d, 120)
    assert (done["status"], done["error"]) == ("FAILED", "ObjectNotFound")
    history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    assert path_taken(history) == ["ValidateInput", "RecordFailure", "NotifyFailure", "PipelineFailed"]
    # ObjectNotFound is declared non-retryable: one attempt only
    assert sum(1 for e in history if e["type"] == "TaskScheduled") == 3
    (alert,) = wait_for(lambda: sqs.receive_message(QueueUrl=queue).get("Messages"), 30)
    assert json.loads(alert["Body"])["Error"] == "ObjectNotFound"
    analytics = platform.outputs["buckets"]["analytics"]["name"]
    reports = platform.aws["s3"].list_objects_v2(Bucket=analytics, Prefix="failures/").get("Contents", [])
    assert any(o["Key"].endswith(f"/{prefix}.json") for o in reports)


def test_a_transient_failure_is_retried_as_the_definition_declares(platform, tmp_path: Path, prefix: str) -> None:
    """Two structured files at once against a Glue job that runs one at a time: the second
    start fails with ConcurrentRunsExceededException and is retried with backoff."""
    paths = []
    for i in range(2):
        path = tmp_path / f"p{i}.parquet"
        write_sample(path, GenerateSpec(kind="payer-report", rows=500, seed=40 + i, as_of=TODAY))
        paths.append(path)
    s3, sfn = platform.aws["s3"], platform.aws["stepfunctions"]
    arns = []
    for i, path in enumerate(paths):
        key = f"incoming/payer-report/{prefix}/p{i}.parquet"
        version = s3.put_object(Bucket=platform.landing.bucket, Key=key, Body=path.read_bytes())["VersionId"]
        arns.append(_execution(platform, key, version, "payer-report"))

    def all_done() -> list[dict] | None:
        out = []
        for arn in arns:
            try:
                d = sfn.describe_execution(executionArn=arn)
            except sfn.exceptions.ExecutionDoesNotExist:
                return None
            if d["status"] == "RUNNING":
                return None
            out.append(d)
        return out

    done = wait_for(all_done, 600, 1.0)
    assert [d["status"] for d in done] == ["SUCCEEDED", "SUCCEEDED"]
    histories = [sfn.get_execution_history(executionArn=a, maxResults=1000)["events"] for a in arns]
    failures = [
        e["taskFailedEventDetails"]["error"]
        for h in histories
        for e in h
        if e["type"] == "TaskFailed" and e.get("taskFailedEventDetails", {}).get("resourceType") == "glue"
    ]
    assert "Glue.ConcurrentRunsExceededException" in failures
    retried = max(histories, key=lambda h: sum(1 for e in h if e["type"] == "TaskScheduled"))
    starts = [
        e["timestamp"]
        for e in retried
        if e["type"] == "TaskScheduled" and e["taskScheduledEventDetails"]["resourceType"] == "glue"
    ]
    assert len(starts) >= 2
    # JitterStrategy FULL waits a random time in [0, min(10 * 2**n, 300)] before retry n:
    # no lower bound holds (a first retry 0.8 s later is correct), the upper one must;
    # 15 s of slack covers the failed attempt's own StartJobRun on a loaded machine
    waits = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert all(w <= min(10 * 2**n, 300) + 15 for n, w in enumerate(waits)), waits


def test_the_role_grants_exactly_what_the_deployed_definition_calls(platform) -> None:
    """The deployed role policy (the rendered policy template) against a derivation of the deployed definition."""
    from taxlake.asl.policy import derive_statements

    sfn, iam = platform.aws["stepfunctions"], platform.aws["iam"]
    machine = sfn.describe_state_machine(stateMachineArn=platform.outputs["pipeline"]["state_machine"]["arn"])
    role = machine["roleArn"].rsplit("/", 1)[-1]
    granted: set[tuple[str, str]] = set()
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        document = json.loads(document) if isinstance(document, str) else document
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            granted |= {(a, r) for a in actions for r in resources}
    account, region = "123456789012", "ap-southeast-2"
    needed = {
        (a, r)
        for s in derive_statements(json.loads(machine["definition"]), region=region, account=account)
        for a in s["Action"]
        for r in s["Resource"]
    }
    task_services = {a.split(":")[0] for a, _ in needed}
    granted_for_tasks = {
        (a, r) for a, r in granted if a.split(":")[0] in task_services and not r.startswith("arn:aws:kms")
    }
    assert needed - granted == set(), "a Task calls something the role cannot"
    assert granted_for_tasks - needed == set(), "the role grants more than the Tasks use"
