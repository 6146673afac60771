"""Vectorised field checks (pyarrow compute) and their scalar twins.

Every check takes a string array whose empty values are already null and
returns a boolean array that is True where the value is *bad*; nulls are
never bad here (missing values are MISSING_REQUIRED, decided elsewhere).
The scalar functions (``tfn_is_valid``...) are the readable specification
the vectorised code is tested against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum

import pyarrow as pa
import pyarrow.compute as pc

from taxlake.records.schemas import REPORT_TYPES, Rule


class Reason(StrEnum):
    """Machine-readable reject and quarantine reasons."""

    # record level
    MISSING_REQUIRED = "MISSING_REQUIRED"
    INVALID_UUID = "INVALID_UUID"
    INVALID_TFN = "INVALID_TFN"
    INVALID_ABN = "INVALID_ABN"
    INVALID_TAX_YEAR = "INVALID_TAX_YEAR"
    INVALID_DATE = "INVALID_DATE"
    DATE_OUT_OF_RANGE = "DATE_OUT_OF_RANGE"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    NEGATIVE_AMOUNT = "NEGATIVE_AMOUNT"
    INVALID_OCCUPATION = "INVALID_OCCUPATION"
    INVALID_POSTCODE = "INVALID_POSTCODE"
    INVALID_BSB = "INVALID_BSB"
    INVALID_ACCOUNT = "INVALID_ACCOUNT"
    INVALID_AGENT = "INVALID_AGENT"
    INVALID_REPORT_TYPE = "INVALID_REPORT_TYPE"
    INVALID_PERIOD = "INVALID_PERIOD"
    LODGED_BEFORE_YEAR_START = "LODGED_BEFORE_YEAR_START"
    LODGED_BEFORE_PERIOD_END = "LODGED_BEFORE_PERIOD_END"
    MALFORMED_ROW = "MALFORMED_ROW"
    EMPTY_ROW = "EMPTY_ROW"
    INVALID_ENCODING = "INVALID_ENCODING"
    INVALID_JSON = "INVALID_JSON"
    INVALID_TYPE = "INVALID_TYPE"
    UNEXPECTED_FIELD = "UNEXPECTED_FIELD"
    # file level (quarantine_reason)
    EMPTY_FILE = "EMPTY_FILE"
    SCHEMA_DRIFT = "SCHEMA_DRIFT"
    UNKNOWN_KIND = "UNKNOWN_KIND"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    DECOMPRESSION_ERROR = "DECOMPRESSION_ERROR"
    ENCODING_ERROR = "ENCODING_ERROR"
    PARSE_ERROR = "PARSE_ERROR"
    REJECT_RATE_EXCEEDED = "REJECT_RATE_EXCEEDED"
    # a limit (readers.Limits) was reached: the rest of the file is not read
    DECOMPRESSION_LIMIT = "DECOMPRESSION_LIMIT"
    LINE_TOO_LONG = "LINE_TOO_LONG"
    ROW_LIMIT = "ROW_LIMIT"


MIN_TAX_YEAR = 2000
MIN_DATE = dt.date(2000, 1, 1)
TFN_WEIGHTS = (1, 4, 3, 7, 5, 8, 6, 9, 10)
ABN_WEIGHTS = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)


def current_income_year(as_of: dt.date) -> int:
    """Australian income years end on 30 June: 2025-07-01 is in 2026."""
    return as_of.year + 1 if as_of.month >= 7 else as_of.year


# --- scalar specification ---------------------------------------------------


def tfn_is_valid(tfn: str) -> bool:
    """ATO check: 9 digits, weighted sum (1,4,3,7,5,8,6,9,10) divisible by 11."""
    if len(tfn) != 9 or not tfn.isascii() or not tfn.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(tfn, TFN_WEIGHTS, strict=True)) % 11 == 0


def abn_is_valid(abn: str) -> bool:
    """ABR check: 11 digits, first minus 1, weighted sum divisible by 89."""
    if len(abn) != 11 or not abn.isascii() or not abn.isdigit():
        return False
    digits = [int(d) for d in abn]
    digits[0] -= 1
    return sum(d * w for d, w in zip(digits, ABN_WEIGHTS, strict=True)) % 89 == 0


def postcode_is_valid(postcode: str) -> bool:
    """Australian postcodes: 0200-0299 (ACT), 0800-0999 (NT), 1000-9999."""
    if len(postcode) != 4 or not postcode.isascii() or not postcode.isdigit():
        return False
    n = int(postcode)
    return 200 <= n <= 299 or n >= 800


# --- vectorised -------------------------------------------------------------


def digits_of_length(values: pa.Array, low: int, high: int | None = None) -> pa.Array:
    """True where the value is ASCII digits only, ``low``..``high`` long (null: False).

    Length + character-class kernels run ~10x faster than an RE2 regex.
    """
    length = pc.binary_length(values)
    in_range = pc.and_(pc.greater_equal(length, low), pc.less_equal(length, high or low))
    return pc.fill_null(pc.and_(pc.ascii_is_decimal(values), in_range), False)


def _digits_bad(values: pa.Array, low: int, high: int | None = None) -> pa.Array:
    return pc.and_(pc.invert(digits_of_length(values, low, high)), pc.is_valid(values))


def _not_matching(values: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.invert(pc.match_substring_regex(values, pattern)), False)


def _checksum_bad(values: pa.Array, length: int, weights: tuple[int, ...], modulus: int, offset: int = 0) -> pa.Array:
    shape_ok = digits_of_length(values, length)
    # one string->int cast, then digits by integer arithmetic: ~8x faster
    # than slicing the string once per digit
    number = pc.cast(pc.if_else(shape_ok, values, "0"), pa.int64())
    total = pa.scalar(-offset, pa.int64())
    for i, w in enumerate(weights):
        digit = pc.remainder(pc.divide(number, 10 ** (length - 1 - i)), 10)
        total = pc.add(total, pc.multiply(digit, w))
    checksum_ok = pc.equal(pc.remainder(total, modulus), 0)
    bad = pc.or_(pc.invert(shape_ok), pc.invert(checksum_ok))
    return pc.and_(bad, pc.is_valid(values))


def tfn_bad(values: pa.Array) -> pa.Array:
    return _checksum_bad(values, 9, TFN_WEIGHTS, 11)


def abn_bad(values: pa.Array) -> pa.Array:
    # subtracting 1 from the first digit == subtracting its weight (10)
    return _checksum_bad(values, 11, ABN_WEIGHTS, 89, offset=ABN_WEIGHTS[0])


_LEAP_MONTH_DAYS = pa.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], pa.int32())


def parse_iso_dates(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Return (bad, date32) for ISO YYYY-MM-DD text; 2025-02-30 is bad.

    Checked with integer arithmetic rather than strptime, which silently
    rolls 02-30 over to 03-02 and is ~10x slower.
    """
    shape_ok = pc.fill_null(pc.match_substring_regex(values, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), False)
    safe = pc.if_else(shape_ok, values, "2000-01-01")
    year = pc.cast(pc.utf8_slice_codeunits(safe, 0, 4), pa.int32())
    month = pc.cast(pc.utf8_slice_codeunits(safe, 5, 7), pa.int32())
    day = pc.cast(pc.utf8_slice_codeunits(safe, 8, 10), pa.int32())
    month_ok = pc.and_(pc.greater_equal(month, 1), pc.less_equal(month, 12))
    leap = pc.or_(
        pc.and_(pc.equal(pc.remainder(year, 4), 0), pc.not_equal(pc.remainder(year, 100), 0)),
        pc.equal(pc.remainder(year, 400), 0),
    )
    max_day = pc.take(_LEAP_MONTH_DAYS, pc.if_else(month_ok, month, 0))
    max_day = pc.if_else(pc.and_(pc.equal(month, 2), pc.invert(leap)), 28, max_day)
    ok = pc.and_(pc.and_(shape_ok, month_ok), pc.and_(pc.greater_equal(day, 1), pc.less_equal(day, max_day)))
    dates = pc.cast(pc.if_else(ok, values, pa.scalar(None, pa.string())), pa.date32())
    return pc.and_(pc.invert(ok), pc.is_valid(values)), dates


def date_bad(values: pa.Array) -> pa.Array:
    """Not a real ISO date (YYYY-MM-DD); 2025-02-30 is bad, not March 2."""
    return parse_iso_dates(values)[0]


def dates_out_of_range(dates: pa.Array, as_of: dt.date) -> pa.Array:
    low = pc.less(dates, pa.scalar(MIN_DATE, pa.date32()))
    high = pc.greater(dates, pa.scalar(as_of, pa.date32()))
    return pc.fill_null(pc.or_(low, high), False)


def amount_bad(values: pa.Array) -> pa.Array:
    """A decimal with at most 2 dp and at most 13 integer digits."""
    return _not_matching(values, r"^-?[0-9]{1,13}(\.[0-9]{1,2})?$")


def amount_negative(values: pa.Array, bad: pa.Array | None = None) -> pa.Array:
    """Well-formed and below zero ("-0.00" is zero, not negative)."""
    shaped = pc.invert(amount_bad(values) if bad is None else bad)
    negative = pc.fill_null(pc.starts_with(values, "-"), False)
    # stripping "-", "0" and "." from both ends leaves nothing only for zero
    nonzero = pc.fill_null(pc.greater(pc.binary_length(pc.utf8_trim(values, "-0.")), 0), False)
    return pc.and_(pc.and_(shaped, negative), nonzero)


def _amount_checks(values: pa.Array, _as_of: dt.date) -> list[tuple[Reason, pa.Array]]:
    bad = amount_bad(values)
    return [(Reason.INVALID_AMOUNT, bad), (Reason.NEGATIVE_AMOUNT, amount_negative(values, bad))]


def occupation_bad(values: pa.Array) -> pa.Array:
    """ANZSCO: 6 digits, major group 1-8."""
    major = pc.utf8_slice_codeunits(values, 0, 1)
    ok = pc.and_(digits_of_length(values, 6), pc.fill_null(pc.is_in(major, value_set=_MAJOR_GROUPS), False))
    return pc.and_(pc.invert(ok), pc.is_valid(values))


_MAJOR_GROUPS = pa.array([str(d) for d in range(1, 9)])


def tax_year_bad(values: pa.Array, as_of: dt.date) -> pa.Array:
    shape_ok = digits_of_length(values, 4)
    years = pc.cast(pc.if_else(shape_ok, values, "0"), pa.int64())
    in_range = pc.and_(
        pc.greater_equal(years, MIN_TAX_YEAR),
        pc.less_equal(years, current_income_year(as_of)),
    )
    return pc.and_(pc.invert(pc.and_(shape_ok, in_range)), pc.is_valid(values))


def postcode_bad(values: pa.Array) -> pa.Array:
    shape_ok = digits_of_length(values, 4)
    n = pc.cast(pc.if_else(shape_ok, values, "0"), pa.int64())
    in_range = pc.or_(pc.and_(pc.greater_equal(n, 200), pc.less_equal(n, 299)), pc.greater_equal(n, 800))
    return pc.and_(pc.invert(pc.and_(shape_ok, in_range)), pc.is_valid(values))


def report_type_bad(values: pa.Array) -> pa.Array:
    known = pc.is_in(values, value_set=pa.array(REPORT_TYPES))
    return pc.and_(pc.invert(known), pc.is_valid(values))


Check = Callable[[pa.Array, dt.date], list[tuple[Reason, pa.Array]]]


def _date_checks(values: pa.Array, as_of: dt.date) -> list[tuple[Reason, pa.Array]]:
    bad, dates = parse_iso_dates(values)
    return [(Reason.INVALID_DATE, bad), (Reason.DATE_OUT_OF_RANGE, dates_out_of_range(dates, as_of))]


def _pattern(reason: Reason, pattern: str) -> Check:
    return lambda v, _as_of: [(reason, _not_matching(v, pattern))]


CHECKS: dict[Rule, Check] = {
    Rule.UUID: _pattern(
        Reason.INVALID_UUID,
        r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    ),
    Rule.TFN: lambda v, _a: [(Reason.INVALID_TFN, tfn_bad(v))],
    Rule.ABN: lambda v, _a: [(Reason.INVALID_ABN, abn_bad(v))],
    Rule.TAX_YEAR: lambda v, a: [(Reason.INVALID_TAX_YEAR, tax_year_bad(v, a))],
    Rule.DATE: _date_checks,
    Rule.AMOUNT: lambda v, _a: [(Reason.INVALID_AMOUNT, amount_bad(v))],
    Rule.AMOUNT_NON_NEGATIVE: _amount_checks,
    Rule.OCCUPATION: lambda v, _a: [(Reason.INVALID_OCCUPATION, occupation_bad(v))],
    Rule.POSTCODE: lambda v, _a: [(Reason.INVALID_POSTCODE, postcode_bad(v))],
    Rule.BSB: lambda v, _a: [(Reason.INVALID_BSB, _digits_bad(v, 6))],
    Rule.ACCOUNT: lambda v, _a: [(Reason.INVALID_ACCOUNT, _digits_bad(v, 6, 10))],
    Rule.AGENT: lambda v, _a: [(Reason.INVALID_AGENT, _digits_bad(v, 8))],
    Rule.REPORT_TYPE: lambda v, _a: [(Reason.INVALID_REPORT_TYPE, report_type_bad(v))],
}

if set(CHECKS) != set(Rule):  # pragma: no cover - guards against a Rule with no check
    raise RuntimeError(f"rules without a check: {set(Rule) - set(CHECKS)}")
