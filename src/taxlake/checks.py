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

from taxlake.schemas import REPORT_TYPES, Rule


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


def _not_matching(values: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.invert(pc.match_substring_regex(values, pattern)), False)


def _digit(values: pa.Array, i: int) -> pa.Array:
    return pc.cast(pc.utf8_slice_codeunits(values, i, i + 1), pa.int64())


def _weighted_sum(values: pa.Array, weights: tuple[int, ...]) -> pa.Array:
    total = pa.scalar(0, pa.int64())
    for i, w in enumerate(weights):
        total = pc.add(total, pc.multiply(_digit(values, i), w))
    return total


def _checksum_bad(
    values: pa.Array, length: int, weights: tuple[int, ...], modulus: int, offset: int = 0
) -> pa.Array:
    shape_ok = pc.fill_null(pc.match_substring_regex(values, rf"^[0-9]{{{length}}}$"), False)
    # digits are only cast where the shape is right; elsewhere use a dummy
    safe = pc.if_else(shape_ok, values, "0" * length)
    total = pc.subtract(_weighted_sum(safe, weights), offset)
    # integer divide truncates, so total - (total / m) * m is total mod m
    checksum_ok = pc.equal(pc.subtract(total, pc.multiply(pc.divide(total, modulus), modulus)), 0)
    bad = pc.or_(pc.invert(shape_ok), pc.invert(checksum_ok))
    return pc.and_(bad, pc.is_valid(values))


def tfn_bad(values: pa.Array) -> pa.Array:
    return _checksum_bad(values, 9, TFN_WEIGHTS, 11)


def abn_bad(values: pa.Array) -> pa.Array:
    # subtracting 1 from the first digit == subtracting its weight (10)
    return _checksum_bad(values, 11, ABN_WEIGHTS, 89, offset=ABN_WEIGHTS[0])


def date_bad(values: pa.Array) -> pa.Array:
    """Not a real ISO date (YYYY-MM-DD); 2025-02-30 is bad, not March 2."""
    shape_ok = pc.fill_null(pc.match_substring_regex(values, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), False)
    parsed = pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls 02-30 over to 03-02: a real date must round-trip
    round_trip = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), values), False)
    bad = pc.invert(pc.and_(shape_ok, round_trip))
    return pc.and_(bad, pc.is_valid(values))


def to_date(values: pa.Array) -> pa.Array:
    """Parse ISO dates to date32 (null where not a real date)."""
    ok = pc.invert(pc.fill_null(date_bad(values), True))
    parsed = pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True)
    return pc.cast(pc.if_else(ok, parsed, pa.scalar(None, parsed.type)), pa.date32())


def date_out_of_range(values: pa.Array, as_of: dt.date) -> pa.Array:
    dates = to_date(values)
    low = pc.less(dates, pa.scalar(MIN_DATE, pa.date32()))
    high = pc.greater(dates, pa.scalar(as_of, pa.date32()))
    return pc.fill_null(pc.or_(low, high), False)


def amount_bad(values: pa.Array) -> pa.Array:
    """A decimal with at most 2 dp and at most 13 integer digits."""
    return _not_matching(values, r"^-?[0-9]{1,13}(\.[0-9]{1,2})?$")


def amount_negative(values: pa.Array) -> pa.Array:
    shaped = pc.invert(amount_bad(values))
    negative = pc.fill_null(pc.starts_with(values, "-"), False)
    nonzero = pc.fill_null(pc.match_substring_regex(values, r"[1-9]"), False)
    return pc.and_(pc.and_(shaped, negative), nonzero)


def tax_year_bad(values: pa.Array, as_of: dt.date) -> pa.Array:
    shape_ok = pc.fill_null(pc.match_substring_regex(values, r"^[0-9]{4}$"), False)
    years = pc.cast(pc.if_else(shape_ok, values, "0"), pa.int64())
    in_range = pc.and_(
        pc.greater_equal(years, MIN_TAX_YEAR),
        pc.less_equal(years, current_income_year(as_of)),
    )
    return pc.and_(pc.invert(pc.and_(shape_ok, in_range)), pc.is_valid(values))


def postcode_bad(values: pa.Array) -> pa.Array:
    shape_ok = pc.fill_null(pc.match_substring_regex(values, r"^[0-9]{4}$"), False)
    n = pc.cast(pc.if_else(shape_ok, values, "0"), pa.int64())
    in_range = pc.or_(pc.and_(pc.greater_equal(n, 200), pc.less_equal(n, 299)), pc.greater_equal(n, 800))
    return pc.and_(pc.invert(pc.and_(shape_ok, in_range)), pc.is_valid(values))


def report_type_bad(values: pa.Array) -> pa.Array:
    known = pc.is_in(values, value_set=pa.array(REPORT_TYPES))
    return pc.and_(pc.invert(known), pc.is_valid(values))


Check = Callable[[pa.Array, dt.date], list[tuple[Reason, pa.Array]]]


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
    Rule.DATE: lambda v, a: [
        (Reason.INVALID_DATE, date_bad(v)),
        (Reason.DATE_OUT_OF_RANGE, date_out_of_range(v, a)),
    ],
    Rule.AMOUNT: lambda v, _a: [(Reason.INVALID_AMOUNT, amount_bad(v))],
    Rule.AMOUNT_NON_NEGATIVE: lambda v, _a: [
        (Reason.INVALID_AMOUNT, amount_bad(v)),
        (Reason.NEGATIVE_AMOUNT, amount_negative(v)),
    ],
    Rule.OCCUPATION: _pattern(Reason.INVALID_OCCUPATION, r"^[1-8][0-9]{5}$"),
    Rule.POSTCODE: lambda v, _a: [(Reason.INVALID_POSTCODE, postcode_bad(v))],
    Rule.BSB: _pattern(Reason.INVALID_BSB, r"^[0-9]{6}$"),
    Rule.ACCOUNT: _pattern(Reason.INVALID_ACCOUNT, r"^[0-9]{6,10}$"),
    Rule.AGENT: _pattern(Reason.INVALID_AGENT, r"^[0-9]{8}$"),
    Rule.REPORT_TYPE: lambda v, _a: [(Reason.INVALID_REPORT_TYPE, report_type_bad(v))],
}

if set(CHECKS) != set(Rule):  # pragma: no cover - guards against a Rule with no check
    raise RuntimeError(f"rules without a check: {set(Rule) - set(CHECKS)}")
