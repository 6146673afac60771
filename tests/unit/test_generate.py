"""The sample generator: deterministic, realistic enough, truthful about its defects."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.compute as pc
import pytest

from taxlake.generate import FORMATS, GenerateSpec, generate_rows, rows_for_size, tax_payable, write_sample
from taxlake.records.checks import abn_is_valid, tfn_is_valid
from taxlake.records.schemas import KINDS

from .conftest import AS_OF


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_seed_same_bytes(tmp_path: Path, fmt: str) -> None:
    spec = GenerateSpec(kind="lodgement", rows=800, seed=42, invalid_share=0.05, as_of=AS_OF)
    a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    assert write_sample(a, spec).to_dict() == write_sample(b, spec).to_dict()
    assert digest(a) == digest(b)


def test_different_seed_different_data(tmp_path: Path) -> None:
    a = write_sample(tmp_path / "a.csv", GenerateSpec(rows=50, seed=1))
    b = write_sample(tmp_path / "b.csv", GenerateSpec(rows=50, seed=2))
    assert a.records == b.records
    assert digest(tmp_path / "a.csv") != digest(tmp_path / "b.csv")


@pytest.mark.parametrize("kind", KINDS)
def test_clean_rows_carry_valid_identifiers(kind: str) -> None:
    for row in generate_rows(GenerateSpec(kind=kind, rows=300, seed=3, as_of=AS_OF)):
        for col, value in row.items():
            if "tfn" in col:
                assert tfn_is_valid(value)
            if "abn" in col:
                assert abn_is_valid(value)


def test_invalid_share_is_respected_roughly() -> None:
    from taxlake.generate import Truth

    truth = Truth()
    list(generate_rows(GenerateSpec(rows=10_000, seed=9, invalid_share=0.03), truth))
    assert 0.025 < truth.invalid / truth.records < 0.035
    assert sum(truth.reasons.values()) == truth.invalid


def test_tax_payable_follows_the_brackets() -> None:
    from decimal import Decimal

    assert tax_payable(Decimal("18200")) == Decimal("0.00")
    assert tax_payable(Decimal("45000")) == Decimal("4288.00") + Decimal("900.00")
    assert tax_payable(Decimal("100000")) > tax_payable(Decimal("90000"))


def test_rows_for_size_lands_near_the_target(tmp_path: Path) -> None:
    rows = rows_for_size("lodgement", 2_000_000)
    write_sample(tmp_path / "s.csv", GenerateSpec(rows=rows, seed=0))
    size = (tmp_path / "s.csv").stat().st_size
    assert 1_700_000 < size < 2_300_000


@pytest.mark.parametrize(
    ("spec", "message"),
    [({"invalid_share": 1.5}, "invalid_share"), ({"rows": -1}, "rows"), ({"kind": "x"}, "unknown kind")],
)
def test_bad_specs_say_what_is_wrong(spec: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GenerateSpec(**spec)


def test_planted_fraud_rings_are_exactly_what_detection_flags(tmp_path) -> None:
    from taxlake.fraud.rules import detect
    from taxlake.lake.curate import curate_chunks
    from taxlake.records.readers import iter_chunks, open_source
    from taxlake.records.schemas import get_schema

    def flagged(rings: int) -> tuple[set[str], list[str]]:
        path = tmp_path / f"rings{rings}.csv"
        truth = write_sample(path, GenerateSpec(rows=3000, seed=9, invalid_share=0.01, fraud_rings=rings))
        with open(path, "rb") as fh:
            source, _ = open_source(fh, str(path))
            table = curate_chunks(iter_chunks(source, get_schema("lodgement").names), "lodgement", source_file="f")
        flags = detect(table, "lodgement")
        flags = flags.filter(pc.equal(flags.column("rule"), "ACCOUNT_MANY_TFNS"))
        return set(flags.column("lodgement_id").to_pylist()), truth.ring_members

    found, planted = flagged(3)
    assert len(planted) == 18 and found == set(planted)
    assert flagged(0) == (set(), [])


def test_fraud_rings_need_enough_lodgement_rows() -> None:
    with pytest.raises(ValueError, match="6 per ring"):
        GenerateSpec(kind="bas", rows=100, fraud_rings=1)
    with pytest.raises(ValueError, match="6 per ring"):
        GenerateSpec(rows=5, fraud_rings=1)
