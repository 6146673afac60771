"""Field checks: the scalar specification, and the vectorised code held to it."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxlake.generate import make_abn, make_tfn
from taxlake.records import checks


@pytest.mark.parametrize("tfn", ["123456782", "876543210", "459599230", "112474082"])
def test_known_good_tfns_pass_the_ato_check(tfn: str) -> None:
    assert checks.tfn_is_valid(tfn)


@pytest.mark.parametrize(
    "tfn",
    ["123456789", "12345678", "1234567820", "12345678a", "", "１２３４５６７８２"],  # noqa: RUF001 - full-width digits must fail
)
def test_bad_tfns_fail_the_ato_check(tfn: str) -> None:
    assert not checks.tfn_is_valid(tfn)


@pytest.mark.parametrize("abn", ["51824753556", "53004085616", "33102417032"])
def test_known_good_abns_pass_the_abr_check(abn: str) -> None:
    assert checks.abn_is_valid(abn)


@pytest.mark.parametrize("abn", ["51824753557", "5182475355", "00000000001", "abcdefghijk"])
def test_bad_abns_fail_the_abr_check(abn: str) -> None:
    assert not checks.abn_is_valid(abn)


@pytest.mark.parametrize(
    ("postcode", "ok"),
    [("0200", True), ("0299", True), ("0800", True), ("2000", True), ("9999", True),
     ("0199", False), ("0300", False), ("0799", False), ("200", False), ("20000", False)],
)  # fmt: skip
def test_postcode_ranges(postcode: str, ok: bool) -> None:
    assert checks.postcode_is_valid(postcode) is ok
    assert checks.postcode_bad(pa.array([postcode])).to_pylist() == [not ok]


digit_strings = st.text(alphabet="0123456789", min_size=0, max_size=12)
any_text = st.one_of(digit_strings, st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(st.lists(any_text, min_size=1, max_size=50))
def test_vectorised_tfn_check_agrees_with_scalar(values: list[str]) -> None:
    got = checks.tfn_bad(pa.array(values, pa.string())).to_pylist()
    assert got == [not checks.tfn_is_valid(v) for v in values]


@settings(max_examples=300, deadline=None)
@given(st.lists(any_text, min_size=1, max_size=50))
def test_vectorised_abn_check_agrees_with_scalar(values: list[str]) -> None:
    got = checks.abn_bad(pa.array(values, pa.string())).to_pylist()
    assert got == [not checks.abn_is_valid(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)), min_size=1, max_size=20))
def test_real_dates_are_never_bad(dates: list[dt.date]) -> None:
    assert not any(checks.date_bad(pa.array([d.isoformat() for d in dates])).to_pylist())


@pytest.mark.parametrize(
    "text", ["2025-02-30", "2023-02-29", "2025-13-01", "2025-04-31", "2025-1-01", "20250101", "01/07/2025"]
)
def test_impossible_or_non_iso_dates_are_bad(text: str) -> None:
    assert checks.date_bad(pa.array([text])).to_pylist() == [True]


def test_nulls_are_never_bad_because_missing_is_its_own_reason() -> None:
    empty = pa.array([None], pa.string())
    for rule, check in checks.CHECKS.items():
        for reason, mask in check(empty, dt.date(2026, 1, 1)):
            assert mask.to_pylist() == [False], (rule, reason)


@pytest.mark.parametrize(
    ("value", "bad", "negative"),
    [("0", False, False), ("12.5", False, False), ("12.50", False, False), ("-12.50", False, True),
     ("-0.00", False, False), ("12.505", True, False), ("1,200.00", True, False), ("1e5", True, False),
     (" ", True, False), ("12.", True, False), ("99999999999999.00", True, False)],
)  # fmt: skip
def test_amount_shape_and_sign(value: str, bad: bool, negative: bool) -> None:
    assert checks.amount_bad(pa.array([value])).to_pylist() == [bad]
    assert checks.amount_negative(pa.array([value])).to_pylist() == [negative]


def test_income_year_turns_over_on_1_july() -> None:
    assert checks.current_income_year(dt.date(2025, 6, 30)) == 2025
    assert checks.current_income_year(dt.date(2025, 7, 1)) == 2026


@settings(max_examples=100, deadline=None)
@given(st.randoms(use_true_random=False))
def test_generated_identifiers_always_pass(rng) -> None:  # type: ignore[no-untyped-def]
    assert checks.tfn_is_valid(make_tfn(rng))
    assert checks.abn_is_valid(make_abn(rng))
