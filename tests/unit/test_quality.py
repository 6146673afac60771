"""Data quality: drift against the catalog, robust z-score anomalies, the analytics tables,
and the SchemaDriftDetected events the quality step and the validator put (moto)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from taxlake.adapters.events import EventBridgePublisher
from taxlake.adapters.s3 import S3Store
from taxlake.fraud.rules import FLAG_SCHEMA
from taxlake.lake.curate import curated_glue_type, curated_schema, glue_tables
from taxlake.pipeline.process import process
from taxlake.pipeline.quality import history_key, quality
from taxlake.pipeline.settings import Settings
from taxlake.pipeline.validate_input import validate_input
from taxlake.quality.anomaly import AnomalyConfig, profile_metrics, robust_z
from taxlake.quality.drift import SchemaDrift, glue_type, schema_drift
from taxlake.quality.profile import DataQualityFailed, profile_table
from taxlake.quality.tables import analytics_glue_tables
from taxlake.records.ingest import IngestConfig, ObjectRef, process_object

from .aws import BUCKET, REGION, Aws
from .conftest import GOOD_LODGEMENT, csv_bytes
from .test_handler import Context, emf, land
from .test_handler import handler as handler
from .test_pipeline import ANALYTICS, ROUTING, landed
from .test_pipeline import lake as lake

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


def registered(kind: str) -> dict[str, str]:
    spec = glue_tables()[kind]
    return {c["name"]: c["type"] for c in spec["columns"] + spec["partition_keys"]}


# --- drift: pure ------------------------------------------------------------------------


def test_glue_type_agrees_with_the_curated_catalog_mapping() -> None:
    for kind in glue_tables():
        for f in curated_schema(kind):
            assert glue_type(f.type) == curated_glue_type(f.type)


def test_curated_schema_has_no_drift_from_its_registered_table() -> None:
    for kind in glue_tables():
        drift = schema_drift(curated_schema(kind), registered(kind))
        assert not drift and drift == SchemaDrift()


def test_new_missing_and_retyped_columns_are_drift() -> None:
    schema = curated_schema("lodgement").remove(curated_schema("lodgement").get_field_index("tfn"))
    schema = schema.append(pa.field("agent_note", pa.string()))
    schema = schema.set(schema.get_field_index("tax_year"), pa.field("tax_year", pa.int64()))
    drift = schema_drift(schema, registered("lodgement"))
    assert drift.new == ["agent_note"]
    assert drift.missing == ["tfn"]
    assert drift.retyped == [{"name": "tax_year", "registered": "int", "found": "bigint"}]
    assert drift.to_table().to_pylist() == [
        {"column": "agent_note", "change": "new", "registered_type": None, "found_type": None},
        {"column": "tax_year", "change": "retyped", "registered_type": "int", "found_type": "bigint"},
        {"column": "tfn", "change": "missing", "registered_type": None, "found_type": None},
    ]


def test_type_spelling_is_not_drift_but_precision_is() -> None:
    reg = {"amount": "DECIMAL(15, 2)"}
    assert not schema_drift(pa.schema([pa.field("amount", pa.decimal128(15, 2))]), reg)
    assert schema_drift(pa.schema([pa.field("amount", pa.decimal128(17, 2))]), reg).retyped == [
        {"name": "amount", "registered": "DECIMAL(15, 2)", "found": "decimal(17,2)"}
    ]


def test_column_names_alone_can_be_new_or_missing_never_retyped() -> None:
    drift = schema_drift(["abn", "period_start", "surprise"], {"abn": "string", "period_start": "date", "gone": "int"})
    assert drift == SchemaDrift(new=["surprise"], missing=["gone"], retyped=[])


# --- anomalies: pure --------------------------------------------------------------------


STEADY = [1000.0, 1010.0, 990.0, 1005.0, 995.0, 1002.0, 998.0, 1008.0, 992.0, 1001.0]


def test_a_planted_spike_is_flagged() -> None:
    score = robust_z(1500.0, STEADY)
    assert score.anomaly and score.z is not None and score.z > 3.5
    assert (score.history_size, score.median) == (10, 1000.5)
    assert robust_z(400.0, STEADY).z < -3.5  # a drop is as anomalous as a spike


def test_steady_history_is_not_flagged() -> None:
    for value in STEADY:
        assert not robust_z(value, STEADY).anomaly
    assert not robust_z(1012.0, STEADY).anomaly


def test_short_history_never_flags() -> None:
    score = robust_z(1e9, STEADY[:4])
    assert score == type(score)(4, None, None, None, False)
    assert robust_z(1e9, STEADY[:5]).anomaly  # the default minimum is 5
    assert not robust_z(1e9, STEADY, AnomalyConfig(min_history=11)).anomaly


def test_zero_mad_falls_back_to_the_mean_absolute_deviation() -> None:
    history = [100.0] * 6 + [90.0, 130.0]  # MAD 0: most files have the usual size
    score = robust_z(131.0, history)
    assert score.mad == 0.0
    mean_ad = (10 + 30) / 8
    assert score.z == pytest.approx(31 / (1.253314 * mean_ad))
    assert score.anomaly
    assert not robust_z(104.0, history).anomaly


def test_a_constant_history_flags_any_change_without_a_z_score() -> None:
    same, other = robust_z(7.0, [7.0] * 6), robust_z(8.0, [7.0] * 6)
    assert (same.z, same.anomaly) == (None, False)
    assert (other.z, other.anomaly) == (None, True)


def test_profile_metrics_are_record_count_and_key_sums() -> None:
    table = pa.table(
        {"net_gst": pa.array([100, 250, None], pa.float64()).cast(pa.decimal128(15, 2))},
    )
    assert profile_metrics(profile_table(table, "bas"), "bas") == {"record_count": 3.0, "sum_net_gst": 350.0}
    empty = curated_schema("lodgement").empty_table()
    assert profile_metrics(profile_table(empty, "lodgement"), "lodgement") == {
        "record_count": 0.0,
        "sum_taxable_income": 0.0,
        "sum_refund_amount": 0.0,
    }


# --- the analytics tables -----------------------------------------------------------------


def test_the_analytics_catalog_file_matches_the_python_schemas() -> None:
    committed = json.loads((ROOT / "modules" / "data-lake" / "analytics_tables.json").read_text())
    assert committed == analytics_glue_tables(), (
        "regenerate modules/data-lake/analytics_tables.json (see taxlake.quality.tables.analytics_glue_tables)"
    )
    assert [c["name"] for c in committed["fraud_flags"]["columns"]] == FLAG_SCHEMA.names
    assert [(c["name"], c["type"]) for c in committed["fraud_flags"]["columns"]] == [
        (f.name, curated_glue_type(f.type)) for f in FLAG_SCHEMA
    ]


# --- the quality step on moto -----------------------------------------------------------


class Recorded:
    """A MetricSink that keeps what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], dict[str, tuple[float, str]]]] = []

    def publish(self, dimensions: Any, metrics: Any) -> None:
        self.calls.append((dict(dimensions), {name: (value, unit) for name, value, unit in metrics}))

    def values(self) -> dict[str, float]:
        ((_dims, metrics),) = self.calls
        return {k: v for k, (v, _u) in metrics.items()}


@pytest.fixture
def drift_events(aws: Aws) -> Callable[[], list[dict[str, Any]]]:
    """SchemaDriftDetected events on the default bus, delivered to a queue as a rule would."""
    url = aws.sqs.create_queue(QueueName="drift")["QueueUrl"]
    arn = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = boto3.client("events", region_name=REGION)
    events.put_rule(Name="drift", EventPattern=json.dumps({"detail-type": ["SchemaDriftDetected"]}))
    events.put_targets(Rule="drift", Targets=[{"Id": "q", "Arn": arn}])

    def read() -> list[dict[str, Any]]:
        msgs = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in msgs]

    return read


def lodgements(n: int, income: str = "85000.00") -> bytes:
    rows = [{**GOOD_LODGEMENT, "lodgement_id": f"{i:08d}-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "taxable_income": income}
            for i in range(n)]  # fmt: skip
    return csv_bytes("lodgement", rows)


def curated(aws: Aws, settings: Settings, body: bytes, name: str, at: dt.datetime) -> dict[str, Any]:
    """Validate and curate one file; the document the quality step receives."""
    store = S3Store(aws.s3)
    obj = landed(aws, f"incoming/lodgement/{name}.csv", body)
    doc = validate_input({"object": obj, "routing": ROUTING, "execution": "arn:exec:1"}, store, settings)
    doc["processing"] = process(doc, store, settings)
    return {**doc, "started_at": at.isoformat()}


def check(aws: Aws, settings: Settings, doc: dict[str, Any], sink: Recorded | None = None) -> dict[str, Any]:
    return quality(
        doc,
        S3Store(aws.s3),
        settings,
        glue=boto3.client("glue", region_name=REGION),
        events=EventBridgePublisher(client=boto3.client("events", region_name=REGION)),
        metrics=sink or Recorded(),
    )


def plant_history(aws: Aws, settings: Settings, counts: list[float], income: float) -> None:
    """Earlier files of the kind, as the quality step records them, one hour apart before T0."""
    for i, count in enumerate(counts):
        at = T0 - dt.timedelta(hours=len(counts) - i)
        metrics = {"record_count": count, "sum_taxable_income": count * income, "sum_refund_amount": count * -350.25}
        entry = {"source_id": f"old{i:03d}", "processed_at": at.isoformat(), "metrics": metrics}
        key = history_key(settings, "lodgement", f"old{i:03d}", at)
        aws.s3.put_object(Bucket=ANALYTICS, Key=key, Body=json.dumps(entry).encode())


def test_matching_schemas_put_no_event(aws: Aws, lake: Settings, drift_events) -> None:
    sink = Recorded()
    out = check(aws, lake, curated(aws, lake, lodgements(3), "a", T0), sink)
    assert out["schema_drift"] == {"new": [], "missing": [], "retyped": []}
    assert drift_events() == []
    assert sink.calls[0][0] == {"Kind": "lodgement"}
    assert sink.values()["SchemaDriftDetected"] == 0


def test_drift_from_the_registered_table_is_reported_with_an_event(
    aws: Aws,
    lake: Settings,
    drift_events,
) -> None:
    glue = boto3.client("glue", region_name=REGION)
    table = glue.get_table(DatabaseName="lake", Name="curated_lodgement")["Table"]
    columns = [c for c in table["StorageDescriptor"]["Columns"] if c["Name"] != "tfn"]
    columns = [{**c, "Type": "double"} if c["Name"] == "taxable_income" else c for c in columns]
    columns.append({"Name": "risk_band", "Type": "string"})
    glue.update_table(
        DatabaseName="lake",
        TableInput={"Name": "curated_lodgement", "PartitionKeys": table["PartitionKeys"],
                    "StorageDescriptor": {**table["StorageDescriptor"], "Columns": columns}},
    )  # fmt: skip
    sink = Recorded()
    doc = curated(aws, lake, lodgements(3), "a", T0)
    out = check(aws, lake, doc, sink)  # drift is reported, not fatal
    expected = {
        "new": ["tfn"],
        "missing": ["risk_band"],
        "retyped": [{"name": "taxable_income", "registered": "double", "found": "decimal(15,2)"}],
    }
    assert out["schema_drift"] == expected
    (event,) = drift_events()
    assert (event["source"], event["detail-type"]) == ("taxlake.quality", "SchemaDriftDetected")
    assert event["detail"] == {
        **expected,
        "kind": "lodgement",
        "table": "curated_lodgement",
        "source_key": "validated/lodgement/a.csv",
        "source_id": doc["source_id"],
        "against": "catalog",
    }
    assert sink.values()["SchemaDriftDetected"] == 1
    report = json.loads(aws.s3.get_object(Bucket=ANALYTICS, Key=out["report_key"])["Body"].read())
    assert report["schema_drift"] == expected
    rows = pq.read_table(io.BytesIO(aws.s3.get_object(Bucket=ANALYTICS, Key=out["metrics_key"])["Body"].read()))
    assert set(rows.column("schema_drift").to_pylist()) == {True}


def test_a_planted_record_count_spike_is_flagged_and_written(aws: Aws, lake: Settings) -> None:
    plant_history(aws, lake, [3, 4, 3, 4, 5, 3, 4, 4], 85000.0)
    sink = Recorded()
    out = check(aws, lake, curated(aws, lake, lodgements(40), "big", T0), sink)
    assert out["anomalies"] == ["record_count", "sum_refund_amount", "sum_taxable_income"]
    assert out["metrics"]["record_count"]["history_size"] == 8
    assert out["metrics"]["record_count"]["z_score"] > 3.5
    values = sink.values()
    assert values["Anomalies"] == 3 and values["RecordCountZScore"] > 3.5 and values["QualityScore"] == out["score"]
    assert out["metrics_key"] == f"quality_metrics/kind=lodgement/{out['source_id']}.parquet"
    rows = pq.read_table(io.BytesIO(aws.s3.get_object(Bucket=ANALYTICS, Key=out["metrics_key"])["Body"].read()))
    assert rows.schema.names[-1] == "kind" and set(rows.column("kind").to_pylist()) == {"lodgement"}
    flagged = {r["metric"]: (r["value"], r["anomaly"]) for r in rows.to_pylist()}
    assert flagged == {
        "record_count": (40.0, True),
        "sum_taxable_income": (40 * 85000.0, True),
        "sum_refund_amount": (40 * -350.25, True),
    }


def test_a_file_like_its_history_is_not_flagged(aws: Aws, lake: Settings) -> None:
    plant_history(aws, lake, [3, 4, 3, 4, 5, 3, 4, 4], 85000.0)
    sink = Recorded()
    out = check(aws, lake, curated(aws, lake, lodgements(4), "usual", T0), sink)
    assert out["metrics"]["record_count"]["anomaly"] is False
    assert out["anomalies"] == []


def test_a_short_history_never_flags(aws: Aws, lake: Settings) -> None:
    plant_history(aws, lake, [3, 4, 3, 4], 85000.0)
    sink = Recorded()
    out = check(aws, lake, curated(aws, lake, lodgements(40), "big", T0), sink)
    assert out["anomalies"] == []
    assert out["metrics"]["record_count"] == {"value": 40.0, "z_score": None, "anomaly": False, "history_size": 4}
    assert "RecordCountZScore" not in sink.values() and sink.values()["Anomalies"] == 0


def test_each_file_joins_the_history_of_later_files_once(aws: Aws, lake: Settings) -> None:
    first = curated(aws, lake, lodgements(3), "one", T0)
    check(aws, lake, first)
    check(aws, lake, first)  # a retried step rewrites its entry
    second = check(aws, lake, curated(aws, lake, lodgements(5), "two", T0 + dt.timedelta(minutes=5)))
    assert second["metrics"]["record_count"]["history_size"] == 1
    earlier = check(aws, lake, {**first, "started_at": (T0 - dt.timedelta(minutes=5)).isoformat()})
    assert earlier["metrics"]["record_count"]["history_size"] == 0  # later files are not its history
    keys = aws.s3.list_objects_v2(Bucket=ANALYTICS, Prefix="quality/history/lodgement/")["Contents"]
    assert len(keys) == 3  # one, two, and the replay of one at another time


def test_a_failed_batch_is_reported_but_kept_out_of_history(aws: Aws, lake: Settings) -> None:
    doc = curated(aws, lake, lodgements(3), "a", T0)
    with pytest.raises(DataQualityFailed):
        check(aws, lake, {**doc, "record_count": 0})
    assert "Contents" not in aws.s3.list_objects_v2(Bucket=ANALYTICS, Prefix="quality/history/")
    assert aws.s3.list_objects_v2(Bucket=ANALYTICS, Prefix="quality_metrics/")["KeyCount"] == 1


def test_settings_read_the_anomaly_configuration() -> None:
    env = {"QUALITY_HISTORY_SIZE": "60", "QUALITY_MIN_HISTORY": "10", "QUALITY_Z_THRESHOLD": "4"}
    assert Settings.from_env(env).quality == AnomalyConfig(history_size=60, min_history=10, threshold=4.0)
    assert Settings.from_env({}).quality == AnomalyConfig()


# --- the validator ------------------------------------------------------------------------


def test_a_drifted_header_puts_a_schema_drift_event(aws: Aws, drift_events) -> None:
    names = [n for n in GOOD_LODGEMENT if n != "tfn"] + ["favourite_colour"]
    body = (",".join(names) + "\n" + ",".join("x" for _ in names) + "\n").encode()
    version = aws.put("incoming/lodgement/drifted.csv", body)
    publisher = EventBridgePublisher(client=boto3.client("events", region_name=REGION))
    result = process_object(ObjectRef(BUCKET, "incoming/lodgement/drifted.csv", version), S3Store(aws.s3),
                            IngestConfig(), events=publisher)  # fmt: skip
    assert result.report.quarantine_reason == "SCHEMA_DRIFT"
    (event,) = drift_events()
    assert (event["source"], event["detail-type"]) == ("taxlake.validator", "SchemaDriftDetected")
    assert event["detail"] == {
        "kind": "lodgement",
        "table": None,
        "source_key": "incoming/lodgement/drifted.csv",
        "against": "input-schema",
        "new": ["favourite_colour"],
        "missing": ["tfn"],
        "retyped": [],
        "report_key": "quarantine/lodgement/drifted.csv.report.json",
    }


def test_an_accepted_or_otherwise_quarantined_file_puts_no_event(aws: Aws, drift_events) -> None:
    publisher = EventBridgePublisher(client=boto3.client("events", region_name=REGION))
    bad = {**GOOD_LODGEMENT, "tfn": "123456789"}
    for key, body in [("incoming/lodgement/ok.csv", lodgements(2)),
                      ("incoming/lodgement/bad.csv", csv_bytes("lodgement", [GOOD_LODGEMENT, bad]))]:  # fmt: skip
        version = aws.put(key, body)
        process_object(ObjectRef(BUCKET, key, version), S3Store(aws.s3), IngestConfig(), events=publisher)
    assert drift_events() == []


def test_the_validator_lambda_counts_and_announces_drift(
    aws: Aws,
    handler: ModuleType,
    drift_events,
    capsys,
) -> None:
    event = land(aws, "incoming/lodgement/d.csv", b"lodgement_id,tfn,colour\n1,2,3\n")
    result = handler.lambda_handler(event, Context())
    assert result["quarantine_reason"] == "SCHEMA_DRIFT"
    (drift,) = drift_events()
    assert drift["detail"]["new"] == ["colour"] and drift["source"] == "taxlake.validator"
    (doc,) = [d for d in emf(capsys.readouterr().out) if "SchemaDriftDetected" in d]
    assert (doc["SchemaDriftDetected"], doc["Kind"], doc["FilesQuarantined"]) == (1, "lodgement", 1)
