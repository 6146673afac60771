"""The validator's lodgement rules as a pandera schema on pandas: the peer row of bench_validator.

What a team without taxlake would reach for: pandas reads the CSV in chunks (every
field as text), each field is trimmed and a blank one is null, as taxlake.records
reads them, and one pandera ``DataFrameSchema`` holds every rule the validator applies
to a lodgement file: shapes as regexes, the TFN check digit, ranges of years, dates and
postcodes, non-negative amounts, and the lodgement-date-within-the-income-year rule.
Validation is lazy (every failure of a chunk collected, as the validator does); a row
with any failure is rejected. The constants come from taxlake.records.checks, so the
two implementations apply the same numbers; the bench prints both reject counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from taxlake.records.checks import MIN_DATE, MIN_TAX_YEAR, TFN_WEIGHTS, current_income_year
from taxlake.records.schemas import get_schema

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
AMOUNT = r"-?[0-9]{1,13}(\.[0-9]{1,2})?"
CHUNK_ROWS = 16_384  # as taxlake.records.readers


def _digits(n: int, m: int | None = None) -> pa.Check:
    return pa.Check.str_matches(rf"^[0-9]{{{n},{m or n}}}$")


def _tfn_ok(s: pd.Series) -> pd.Series:
    shaped = s.str.fullmatch(r"[0-9]{9}").fillna(False).astype(bool)
    digits = s.where(shaped, "0" * 9)
    total = sum(digits.str[i].astype(int) * w for i, w in enumerate(TFN_WEIGHTS))
    return shaped & (total % 11 == 0)


def _date_ok(as_of: dt.date) -> pa.Check:
    def ok(s: pd.Series) -> pd.Series:
        shaped = s.where(s.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"))
        dates = pd.to_datetime(shaped, format="%Y-%m-%d", errors="coerce")
        return dates.between(pd.Timestamp(MIN_DATE), pd.Timestamp(as_of))

    return pa.Check(ok, name="iso_date_in_range")


def _amount(non_negative: bool) -> list[pa.Check]:
    checks = [pa.Check.str_matches(f"^{AMOUNT}$")]
    if non_negative:  # "-0.00" is zero, not negative
        checks.append(pa.Check(lambda s: ~s.str.startswith("-") | (s.str.strip("-0.") == ""), name="non_negative"))
    return checks


def schema(as_of: dt.date) -> pa.DataFrameSchema:
    last_year = current_income_year(as_of)

    def text(*checks: pa.Check, required: bool = True) -> pa.Column:
        return pa.Column(str, list(checks), nullable=not required)

    def lodged_in_income_year(df: pd.DataFrame) -> pd.Series:
        years = pd.to_numeric(df["tax_year"], errors="coerce")
        start = pd.to_datetime((years - 1).astype("Int64").astype(str) + "-07-01", errors="coerce")
        lodged = pd.to_datetime(df["lodgement_date"], format="%Y-%m-%d", errors="coerce")
        return ~(lodged < start)

    return pa.DataFrameSchema(
        {
            "lodgement_id": text(pa.Check.str_matches(f"^{UUID}$")),
            "tfn": text(pa.Check(_tfn_ok, name="tfn_check_digit")),
            "tax_year": text(
                _digits(4), pa.Check(lambda s: pd.to_numeric(s, errors="coerce").between(MIN_TAX_YEAR, last_year))
            ),
            "lodgement_date": text(_date_ok(as_of)),
            "taxable_income": text(*_amount(True)),
            "total_deductions": text(*_amount(True)),
            "tax_withheld": text(*_amount(True)),
            "refund_amount": text(*_amount(False)),
            "occupation_code": text(pa.Check.str_matches(r"^[1-8][0-9]{5}$")),
            "postcode": text(
                _digits(4),
                pa.Check(lambda s: (lambda n: n.between(200, 299) | (n >= 800))(pd.to_numeric(s, errors="coerce"))),
            ),
            "bank_bsb": text(_digits(6)),
            "bank_account": text(_digits(6, 10)),
            "agent_id": text(_digits(8), required=False),
            "amends_lodgement_id": text(pa.Check.str_matches(f"^{UUID}$"), required=False),
        },
        checks=[pa.Check(lodged_in_income_year, name="lodged_within_income_year")],
        strict=True,
        coerce=False,
    )


def chunks(path: str) -> Iterator[pd.DataFrame]:
    names = list(get_schema("lodgement").names)
    reader = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS, usecols=names)
    for frame in reader:
        # trimmed, and blank as null: how taxlake.records reads a field
        yield frame.apply(lambda s: s.str.strip()).replace("", None)


def validate(path: str, as_of: dt.date | None = None) -> tuple[int, int]:
    """(rows read, rows rejected) of a lodgement CSV."""
    rules = schema(as_of or dt.date.today())
    rows = rejected = 0
    for frame in chunks(path):
        rows += len(frame)
        try:
            rules.validate(frame, lazy=True)
        except SchemaErrors as exc:
            index = exc.failure_cases["index"].dropna()
            rejected += index.nunique()
    return rows, rejected
