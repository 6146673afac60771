"""Fraud rules: each rule on hand-made rows, planted generator cases found, clean data quiet."""

from __future__ import annotations

import dataclasses
import io
import json
import random
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from taxlake.adapters.s3 import S3Store
from taxlake.fraud.rules import FLAG_SCHEMA, RULES, FraudConfig, detect, group_median, payer_totals
from taxlake.generate import (
    BURST_SIZE,
    EVERY_RULE_PLANTED,
    GenerateSpec,
    Truth,
    generate_rows,
    make_tfn,
    write_payer_reports,
    write_sample,
)
from taxlake.lake.curate import curate_batch, curate_chunks
from taxlake.pipeline.fraud import fraud
from taxlake.pipeline.process import process
from taxlake.pipeline.settings import Settings
from taxlake.pipeline.validate_input import validate_input
from taxlake.records.readers import iter_chunks, open_source
from taxlake.records.schemas import get_schema

from .aws import BUCKET, REGION, Aws
from .conftest import AS_OF, GOOD_LODGEMENT, GOOD_PAYER, csv_bytes

NEW_RULES = ("DEDUCTIONS_OUTLIER", "INCOME_BELOW_THIRD_PARTY", "AGENT_BURST")


def lodgements(rows: list[dict[str, str]]) -> pa.Table:
    names = get_schema("lodgement").names
    return curate_batch(pa.table({c: [r[c] for r in rows] for c in names}), "lodgement", source_file="t", as_of=AS_OF)


def lodgement(i: int, **fields: str) -> dict[str, str]:
    return {**GOOD_LODGEMENT, "lodgement_id": f"{i:08d}-1a2b-4c3d-8e9f-0a1b2c3d4e5f", **fields}


def by_rule(flags: pa.Table) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for rule, lid in zip(flags.column("rule").to_pylist(), flags.column("lodgement_id").to_pylist(), strict=True):
        out[rule].add(lid)
    return out


def curated_sample(tmp_path: Path, spec: GenerateSpec) -> tuple[pa.Table, pa.Table, Truth]:
    """The spec's lodgements and the payer reports it implies, curated as the lake holds them."""
    truth = write_sample(tmp_path / "l.csv", spec)
    write_payer_reports(tmp_path / "p.csv", truth)
    tables = []
    for name, kind in (("l.csv", "lodgement"), ("p.csv", "payer-report")):
        with open(tmp_path / name, "rb") as fh:
            source, _ = open_source(fh, name)
            tables.append(
                curate_chunks(iter_chunks(source, get_schema(kind).names), kind, source_file=name, as_of=AS_OF)
            )
    return tables[0], tables[1], truth


# --- the rules on hand-made rows --------------------------------------------------------


def peers(n: int, occupation: str = "261313", start: int = 0) -> list[dict[str, str]]:
    rng = random.Random(n)
    return [
        lodgement(start + i, occupation_code=occupation, total_deductions=f"{85000 * rng.uniform(0.02, 0.12):.2f}")
        for i in range(n)
    ]


def test_deductions_far_above_occupation_peers_are_flagged() -> None:
    outlier = lodgement(999, total_deductions="80000.00")  # ratio 0.48 against peers at 0.02-0.11
    flags = detect(lodgements([*peers(40), outlier]), "lodgement")
    assert by_rule(flags) == {"DEDUCTIONS_OUTLIER": {outlier["lodgement_id"]}}
    detail = flags.column("detail")[0].as_py()
    assert "occupation 261313 (Software Engineer) peers" in detail and "41 returns" in detail  # itself included
    assert 0.5 < flags.column("score")[0].as_py() <= 0.95


def test_small_occupations_are_judged_against_their_major_group_or_not_at_all() -> None:
    # 20 software engineers + 20 accountants: neither code has 30 peers, major group 2 has 41
    outlier = lodgement(999, occupation_code="221111", total_deductions="80000.00")
    rows = [*peers(20), *peers(20, "221111", start=100), outlier]
    flags = detect(lodgements(rows), "lodgement")
    assert by_rule(flags) == {"DEDUCTIONS_OUTLIER": {outlier["lodgement_id"]}}
    assert "major group 2 (Professionals) peers" in flags.column("detail")[0].as_py()
    # below the minimum everywhere: nobody is judged
    assert detect(lodgements(rows), "lodgement", FraudConfig(deductions_min_peers=42)).num_rows == 0


def test_no_spread_among_peers_judges_nobody() -> None:
    same = [lodgement(i) for i in range(40)]  # every ratio equal: MAD 0
    flags = detect(lodgements([*same, lodgement(999, total_deductions="80000.00")]), "lodgement")
    assert flags.num_rows == 0


def totals(rows: list[tuple[str, int, str]]) -> pa.Table:
    return payer_totals(
        pa.table(
            {
                "payee_tfn": [r[0] for r in rows],
                "tax_year": pa.array([r[1] for r in rows], pa.int32()),
                "gross_amount": pa.array([Decimal(r[2]) for r in rows], pa.decimal128(15, 2)),
            }
        )
    )


def test_income_far_below_payer_totals_is_flagged_above_the_dollar_floor() -> None:
    tfns = [make_tfn(random.Random(i)) for i in range(4)]
    rows = [
        lodgement(1, tfn=tfns[0], taxable_income="30000.00"),  # 30k of 100k: flagged
        lodgement(2, tfn=tfns[1], taxable_income="70000.00"),  # 70% of 100k: above the ratio
        lodgement(3, tfn=tfns[2], taxable_income="3000.00"),  # 3k of 12k: 25%, but a 9k gap
        lodgement(4, tfn=tfns[3], taxable_income="30000.00"),  # no payer reports at all
    ]
    payers = totals([(tfns[0], 2025, "60000.00"), (tfns[0], 2025, "40000.00"), (tfns[1], 2025, "100000.00")])
    payers = pa.concat_tables([payers, totals([(tfns[2], 2025, "12000.00"), (tfns[0], 2024, "1.00")])])
    flags = detect(lodgements(rows), "lodgement", payer_totals=payers)
    assert by_rule(flags) == {"INCOME_BELOW_THIRD_PARTY": {rows[0]["lodgement_id"]}}
    assert "taxable income 30000.00 is 30% of the 100000.00 gross payers reported" in flags.column("detail")[0].as_py()
    assert flags.column("score")[0].as_py() == 0.75
    # without payer totals the rule cannot run
    assert detect(lodgements(rows), "lodgement").num_rows == 0


def agent_days(agent: str, counts: dict[str, int], start: int) -> list[dict[str, str]]:
    rows, i = [], start
    for day, n in counts.items():
        for _ in range(n):
            rows.append(lodgement(i, agent_id=agent, lodgement_date=day, postcode=["2000", "3000", "4000"][i % 3]))
            i += 1
    return rows


def test_an_agent_burst_needs_both_the_daily_limit_and_its_own_history() -> None:
    history = {f"2025-08-{d:02d}": 2 for d in range(1, 21)}
    burst = agent_days("11111111", {**history, "2025-09-01": 25}, 0)
    # a large practice: 30 a day is its normal, so 31 is no burst
    steady = agent_days("22222222", {f"2025-08-{d:02d}": 30 for d in range(1, 11)} | {"2025-09-01": 31}, 10_000)
    flags = detect(lodgements([*burst, *steady]), "lodgement")
    burst_ids = {r["lodgement_id"] for r in burst if r["lodgement_date"] == "2025-09-01"}
    assert by_rule(flags) == {"AGENT_BURST": burst_ids}
    assert "lodged 25 returns on 2025-09-01 (limit 20; its median 2 a day" in flags.column("detail")[0].as_py()
    assert "clients in 3 states" in flags.column("detail")[0].as_py()
    assert detect(lodgements(burst), "lodgement", FraudConfig(agent_max_daily=25)).num_rows == 0


def test_group_median_is_the_exact_median_of_each_group() -> None:
    rng = np.random.default_rng(5)
    groups = rng.integers(0, 7, 1000)
    values = rng.normal(size=1000)
    counts, medians = group_median(groups, values, 7)
    assert counts.tolist() == [int((groups == g).sum()) for g in range(7)]
    assert medians.tolist() == [float(np.median(values[groups == g])) for g in range(7)]


def test_flags_keep_their_schema_and_scores_stay_within_0_and_1() -> None:
    outlier = lodgement(999, total_deductions="2000000.00", refund_amount="90000.00", tax_withheld="10.00")
    flags = detect(lodgements([*peers(40), outlier]), "lodgement", FraudConfig(deductions_z=-100))
    assert flags.schema == FLAG_SCHEMA
    assert set(flags.column("rule").to_pylist()) <= set(RULES)
    assert pc.all(pc.and_(pc.greater_equal(flags.column("score"), 0), pc.less_equal(flags.column("score"), 1))).as_py()


# --- the generator's planted cases, and its clean data ----------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_planted_case_is_flagged_by_its_rule(tmp_path: Path, seed: int) -> None:
    spec = dataclasses.replace(EVERY_RULE_PLANTED, seed=seed, as_of=AS_OF)
    table, payers, truth = curated_sample(tmp_path, spec)
    found = by_rule(detect(table, "lodgement", payer_totals=payer_totals(payers)))
    assert len(truth.deductions_outliers) == len(truth.income_gaps) == 6 and len(truth.burst_members) == 2 * BURST_SIZE
    assert found["DEDUCTIONS_OUTLIER"] == set(truth.deductions_outliers)
    assert found["INCOME_BELOW_THIRD_PARTY"] == set(truth.income_gaps)
    assert found["ACCOUNT_MANY_TFNS"] == set(truth.ring_members)
    # every planted burst return, plus any the agent lodged that day anyway
    assert set(truth.burst_members) <= found["AGENT_BURST"]
    days = {(r["agent_id"], r["lodgement_date"]) for r in table.to_pylist() if r["lodgement_id"] in truth.burst_members}
    flagged_days = {
        (r["agent_id"], r["lodgement_date"]) for r in table.to_pylist() if r["lodgement_id"] in found["AGENT_BURST"]
    }
    assert flagged_days == days and len(days) == 2


@pytest.mark.parametrize(("rows", "seed"), [(5_000, 1), (5_000, 2), (20_000, 3), (20_000, 4), (20_000, 5)])
def test_clean_generated_data_raises_none_of_the_new_rules(tmp_path: Path, rows: int, seed: int) -> None:
    spec = GenerateSpec(rows=rows, seed=seed, invalid_share=0.01, as_of=AS_OF, third_party_share=1.0)
    table, payers, _ = curated_sample(tmp_path, spec)
    assert payers.num_rows > rows // 10  # the income rule really had payer reports to compare with
    flags = detect(table, "lodgement", payer_totals=payer_totals(payers))
    assert {r: len(ids) for r, ids in by_rule(flags).items() if r in NEW_RULES} == {}


def test_planting_leaves_every_other_row_as_it_was() -> None:
    plain = list(generate_rows(GenerateSpec(rows=2_000, seed=4, as_of=AS_OF)))
    truth = Truth()
    spec = GenerateSpec(
        rows=2_000, seed=4, as_of=AS_OF, deductions_outliers=3, income_gaps=3, agent_bursts=1, third_party_share=0.5
    )
    planted = list(generate_rows(spec, truth))
    touched = {*truth.deductions_outliers, *truth.income_gaps, *truth.burst_members}
    assert len(touched) == 3 + 3 + BURST_SIZE
    assert [r for r in planted if r["lodgement_id"] not in touched] == [
        r for r in plain if r["lodgement_id"] not in touched
    ]
    assert truth.payer_rows and all(r["report_type"] == "STP" for r in truth.payer_rows)


def test_planted_patterns_need_enough_lodgement_rows() -> None:
    with pytest.raises(ValueError, match="planted fraud needs 30 lodgement rows"):
        GenerateSpec(rows=10, agent_bursts=1)
    with pytest.raises(ValueError, match="planted fraud"):
        GenerateSpec(kind="payer-report", rows=100, income_gaps=1)
    with pytest.raises(ValueError, match="third_party_share"):
        GenerateSpec(rows=100, third_party_share=2.0)


# --- the DetectFraud step: payer totals from the lake -----------------------------------

LAKE, ANALYTICS = "taxlake-test-curated", "taxlake-test-analytics"


def curate_in_lake(aws: Aws, settings: Settings, kind: str, body: bytes, name: str) -> dict:
    from .test_pipeline import ROUTING, landed

    store = S3Store(aws.s3)
    obj = landed(aws, f"incoming/{kind}/{name}", body)
    doc = validate_input({"object": obj, "routing": ROUTING, "execution": "arn:exec:1"}, store, settings)
    doc["processing"] = process(doc, store, settings)
    return doc


def test_the_fraud_step_compares_income_with_payer_reports_in_the_lake(aws: Aws) -> None:
    for name in (LAKE, ANALYTICS):
        aws.s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings = Settings(landing_bucket=BUCKET, curated_bucket=LAKE, analytics_bucket=ANALYTICS)
    low, fine = make_tfn(random.Random(1)), make_tfn(random.Random(2))
    payers = [
        {**GOOD_PAYER, "payee_tfn": low, "gross_amount": "60000.00"},
        {**GOOD_PAYER, "payee_tfn": low, "payer_abn": "51824753556", "gross_amount": "40000.00"},
        {**GOOD_PAYER, "payee_tfn": fine, "gross_amount": "80000.00"},
        {**GOOD_PAYER, "payee_tfn": low, "tax_year": "2024", "gross_amount": "500000.00"},  # another year
    ]
    curate_in_lake(aws, settings, "payer-report", csv_bytes("payer-report", payers), "p.csv")
    rows = [lodgement(1, tfn=low, taxable_income="25000.00"), lodgement(2, tfn=fine, taxable_income="78000.00")]
    doc = curate_in_lake(aws, settings, "lodgement", csv_bytes("lodgement", rows), "l.csv")
    out = fraud(doc, S3Store(aws.s3), settings)
    assert out["rules"] == {"INCOME_BELOW_THIRD_PARTY": 1} and out["third_party_totals"] == 2
    flags = pq.read_table(io.BytesIO(aws.s3.get_object(Bucket=ANALYTICS, Key=out["flags_key"])["Body"].read()))
    assert flags.column("lodgement_id").to_pylist() == [rows[0]["lodgement_id"]]
    assert "25% of the 100000.00 gross" in flags.column("detail")[0].as_py()


def test_fraud_thresholds_come_from_the_environment_as_one_json_object() -> None:
    # what Terraform's jsonencode(var.fraud) gives: every key, whole numbers without a point
    doc = {f.name: f.default for f in dataclasses.fields(FraudConfig)}
    doc |= {"deductions_z": 4, "deductions_min_peers": 50, "income_ratio": 0.5, "income_gap_floor": 2500}
    doc |= {"agent_max_daily": 40, "agent_z": 5}
    got = Settings.from_env({"FRAUD_CONFIG": json.dumps(doc), "FRAUD_PREFIX": "flags"}).fraud
    assert got == FraudConfig(
        deductions_z=4, deductions_min_peers=50, income_ratio=0.5, income_gap_floor=2500, agent_max_daily=40, agent_z=5
    )
    assert isinstance(got.income_gap_floor, float) and isinstance(got.agent_max_daily, int)
    assert Settings.from_env({}).fraud == FraudConfig() == Settings.from_env({"FRAUD_CONFIG": ""}).fraud
    assert Settings.from_env({"FRAUD_CONFIG": '{"agent_z": 5}'}).fraud == FraudConfig(agent_z=5)


def test_the_fraud_config_round_trips_through_its_json() -> None:
    config = FraudConfig(account_max_tfns=4, income_gap_floor=0)
    assert FraudConfig.from_json(config.to_json()) == config
    assert json.loads(config.to_json()) == dataclasses.asdict(config)
    assert FraudConfig.from_json('{"account_max_tfns": 5.0}').account_max_tfns == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"agent_zz": 4}', r"unknown fraud settings \['agent_zz'\]"),
        ('{"account_max_tfns": 2.5}', "must be a whole number"),
        ('{"refund_ratio": "1.5"}', "must be a number"),
        ('{"refund_ratio": true}', "must be a number"),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_a_fraud_config_that_is_not_the_dataclass_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env({"FRAUD_CONFIG": text})


def test_a_threshold_set_the_old_way_is_refused_not_ignored() -> None:
    with pytest.raises(
        ValueError, match=r"FRAUD_AGENT_Z, FRAUD_REFUND_RATIO: the fraud thresholds are read from FRAUD_CONFIG"
    ):
        Settings.from_env({"FRAUD_AGENT_Z": "5", "FRAUD_REFUND_RATIO": "2", "FRAUD_CONFIG": "{}"})


def test_the_orchestrator_accepts_exactly_the_thresholds_fraudconfig_reads() -> None:
    """modules/orchestrator validates fraud's names at plan time; they must be FraudConfig's fields."""
    variables = (Path(__file__).resolve().parents[2] / "modules/orchestrator/variables.tf").read_text()
    block = variables[variables.index('variable "fraud"') :]
    known = re.search(r"setsubtract\(keys\(var\.fraud\), \[([^\]]*)\]\)", block)
    assert known, "the fraud variable's name check is gone"
    assert re.findall(r'"(\w+)"', known.group(1)) == [f.name for f in dataclasses.fields(FraudConfig)]
