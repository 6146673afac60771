"""Deterministic sample data for the three file kinds.

The same (kind, seed, rows, invalid share, as_of) always gives the same
records, byte for byte, in every format. Each invalid record carries exactly
one planted defect, and the generator returns the ground truth (how many
records, how many of each reject reason), so a test can hold the validator
to exact counts rather than "some rejects happened".
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from taxlake.records.checks import ABN_WEIGHTS, TFN_WEIGHTS, Reason, current_income_year
from taxlake.records.schemas import REPORT_TYPES, Schema, get_schema

Row = dict[str, str]

# Real ANZSCO occupation codes (a software engineer, a nurse, a chef...)
OCCUPATIONS = (
    "261313", "254499", "241213", "221111", "321211", "331212", "351311",
    "621111", "733111", "133111", "234111", "272511", "312111", "411411",
    "521111", "542111", "711311", "821111", "842221", "149311",
)  # fmt: skip
POSTCODES = (
    "2000", "2010", "2150", "2250", "2600", "2615", "2900", "3000", "3121",
    "3220", "3350", "4000", "4217", "4870", "5000", "5108", "6000", "6160",
    "7000", "7250", "0800", "0870", "0200",
)  # fmt: skip
BSB_PREFIXES = ("062", "063", "083", "084", "032", "033", "012", "013", "484", "633")
PARQUET_MUTATIONS = frozenset(
    {
        Reason.INVALID_TFN,
        Reason.INVALID_ABN,
        Reason.INVALID_POSTCODE,
        Reason.INVALID_UUID,
        Reason.INVALID_BSB,
        Reason.INVALID_OCCUPATION,
        Reason.INVALID_REPORT_TYPE,
        Reason.MISSING_REQUIRED,
        Reason.NEGATIVE_AMOUNT,
    }
)
FORMATS = ("csv", "csv.gz", "jsonl", "jsonl.gz", "parquet")


def make_tfn(rng: random.Random) -> str:
    """A random TFN that passes the ATO check (check digit by construction)."""
    while True:
        digits = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(7)]
        partial = sum(d * w for d, w in zip(digits, TFN_WEIGHTS, strict=False))
        # weight 10 == -1 (mod 11), so the last digit must equal partial mod 11
        last = partial % 11
        if last < 10:
            return "".join(map(str, digits)) + str(last)


def make_abn(rng: random.Random) -> str:
    """A random ABN that passes the ABR check (leading two digits solved)."""
    while True:
        tail = [rng.randrange(10) for _ in range(9)]
        partial = sum(d * w for d, w in zip(tail, ABN_WEIGHTS[2:], strict=True))
        # need 10*(d1-1) + d2 == -partial (mod 89), with 0 <= 10*(d1-1) + d2 <= 88
        x = (-partial) % 89
        first, second = x // 10 + 1, x % 10
        if first <= 9:
            return f"{first}{second}" + "".join(map(str, tail))


def tax_payable(taxable: Decimal) -> Decimal:
    """2024-25 resident rates plus the 2% Medicare levy, to the cent."""
    t = float(taxable)
    if t <= 18_200:
        base = 0.0
    elif t <= 45_000:
        base = (t - 18_200) * 0.16
    elif t <= 135_000:
        base = 4_288 + (t - 45_000) * 0.30
    elif t <= 190_000:
        base = 31_288 + (t - 135_000) * 0.37
    else:
        base = 51_638 + (t - 190_000) * 0.45
    levy = t * 0.02 if t > 27_222 else 0.0
    return Decimal(f"{base + levy:.2f}")


RING_SIZE = 6  # twice the default account_max_tfns limit of 3
BURST_SIZE = 30  # one agent, one day: 1.5x the default agent_max_daily of 20


def _money(value: float) -> str:
    return f"{max(value, 0.0):.2f}"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _date(start: dt.date, end: dt.date, rng: random.Random) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


@dataclass
class Population:
    """People and businesses shared across kinds so files cross-reference."""

    rng: random.Random
    size: int = 5_000
    tfns: list[str] = field(default_factory=list)
    abns: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tfns = [make_tfn(self.rng) for _ in range(self.size)]
        self.abns = [make_abn(self.rng) for _ in range(max(self.size // 10, 10))]
        self.agents = [f"{self.rng.randrange(10**7, 10**8)}" for _ in range(max(self.size // 100, 5))]


class _Builder:
    """Builds valid rows of one kind and plants single defects."""

    def __init__(self, schema: Schema, rng: random.Random, as_of: dt.date) -> None:
        self.schema = schema
        self.rng = rng
        self.as_of = as_of
        self.people = Population(random.Random(rng.getrandbits(64)))  # noqa: S311 - sample data
        current = current_income_year(as_of)
        # completed income years only: a return is lodged after 30 June
        self.years = [y for y in range(current - 3, current) if dt.date(y, 7, 1) <= as_of]
        self.recent_ids: list[str] = []
        self.bas_periods: set[tuple[str, dt.date]] = set()

    # -- valid rows --------------------------------------------------------
    def row(self) -> Row:
        return {"lodgement": self._lodgement, "bas": self._bas, "payer-report": self._payer}[self.schema.kind]()

    def _lodgement_date(self, year: int) -> dt.date:
        start = dt.date(year, 7, 1)
        # tax time: most returns land July-October
        peak_end = min(dt.date(year, 10, 31), self.as_of)
        end = peak_end if self.rng.random() < 0.8 else min(dt.date(year + 1, 6, 30), self.as_of)
        return _date(start, max(end, start), self.rng)

    def _lodgement(self) -> Row:
        r = self.rng
        year = r.choice(self.years)
        income = Decimal(f"{min(r.lognormvariate(11.0, 0.55), 2_500_000):.2f}")
        payable = tax_payable(income)
        withheld = Decimal(f"{float(payable) * r.uniform(0.9, 1.15):.2f}")
        lodgement_id = _uuid(r)
        amends = ""
        if self.recent_ids and r.random() < 0.02:
            amends = r.choice(self.recent_ids)
        self.recent_ids = [*self.recent_ids[-255:], lodgement_id]
        return {
            "lodgement_id": lodgement_id,
            "tfn": r.choice(self.people.tfns),
            "tax_year": str(year),
            "lodgement_date": self._lodgement_date(year).isoformat(),
            "taxable_income": f"{income:.2f}",
            "total_deductions": _money(float(income) * r.uniform(0.0, 0.15)),
            "tax_withheld": f"{withheld:.2f}",
            "refund_amount": f"{withheld - payable:.2f}",
            "occupation_code": r.choice(OCCUPATIONS),
            "postcode": r.choice(POSTCODES),
            "bank_bsb": r.choice(BSB_PREFIXES) + f"{r.randrange(1000):03d}",
            "bank_account": f"{r.randrange(10**7, 10**9)}",
            "agent_id": r.choice(self.people.agents) if r.random() < 0.7 else "",
            "amends_lodgement_id": amends,
        }

    def _bas(self) -> Row:
        r = self.rng
        year = r.choice(self.years)
        quarter = r.randrange(4)
        # quarters of the income year: Jul-Sep, Oct-Dec (year - 1), Jan-Mar, Apr-Jun (year)
        start = dt.date(year - 1 if quarter < 2 else year, (6 + quarter * 3) % 12 + 1, 1)
        end_month = start.month + 2
        end = (
            dt.date(start.year, end_month + 1, 1) - dt.timedelta(days=1)
            if end_month < 12
            else dt.date(start.year, 12, 31)
        )
        lodged = _date(end, min(end + dt.timedelta(days=56), self.as_of), r)
        if lodged > self.as_of:  # pragma: no cover - years are completed
            lodged = self.as_of
        # one statement per business and period, as lodged: a repeat would be a revision,
        # which the lake keeps only the latest of (revisions are not planted here)
        abn = r.choice(self.people.abns)
        for _ in range(8):
            if (abn, start) not in self.bas_periods:
                break
            abn = r.choice(self.people.abns)
        else:
            abn = make_abn(r)
            self.people.abns.append(abn)
        self.bas_periods.add((abn, start))
        sales = r.lognormvariate(10.5, 1.0)
        return {
            "abn": abn,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "gst_collected": _money(sales / 11),
            "gst_paid": _money(sales / 11 * r.uniform(0.2, 0.9)),
            "payg_withheld": _money(r.lognormvariate(9.0, 1.0)),
            "lodgement_date": lodged.isoformat(),
        }

    def _payer(self) -> Row:
        r = self.rng
        gross = r.lognormvariate(10.8, 0.6)
        return {
            "payer_abn": r.choice(self.people.abns),
            "payee_tfn": r.choice(self.people.tfns),
            "tax_year": str(r.choice(self.years)),
            "gross_amount": _money(gross),
            "tax_withheld": _money(gross * r.uniform(0.1, 0.35)),
            "report_type": r.choice(REPORT_TYPES),
        }

    # -- planted fraud ------------------------------------------------------
    def ring(self, rng: random.Random) -> tuple[int, str, str]:
        """(tax year, BSB, account) that a ring's refunds are paid into."""
        return (
            rng.choice(self.years),
            rng.choice(BSB_PREFIXES) + f"{rng.randrange(1000):03d}",
            f"{rng.randrange(10**8, 10**9)}",
        )

    def plant_ring_member(self, row: Row, ring: tuple[int, str, str], rng: random.Random) -> None:
        year, bsb, account = ring
        payable = tax_payable(Decimal(row["taxable_income"]))
        withheld = (payable * Decimal("1.08") + 400).quantize(Decimal("0.01"))  # a modest, plausible refund
        row.update(
            tfn=make_tfn(rng),
            tax_year=str(year),
            lodgement_date=_date(dt.date(year, 7, 1), min(dt.date(year, 10, 31), self.as_of), rng).isoformat(),
            bank_bsb=bsb,
            bank_account=account,
            tax_withheld=f"{withheld:.2f}",
            refund_amount=f"{withheld - payable:.2f}",
            amends_lodgement_id="",
        )

    def plant_deductions_outlier(self, row: Row, rng: random.Random) -> None:
        """Deductions about equal to taxable income (ratio ~0.5; honest returns stay under 0.15)."""
        income = float(row["taxable_income"])
        row.update(total_deductions=_money(income * rng.uniform(0.9, 1.5)), amends_lodgement_id="")

    def plant_income_gap(self, row: Row, rng: random.Random) -> list[Row]:
        """Declare 15-45% of what payers reported; returns the payer-report rows that say so."""
        year = int(row["tax_year"])
        total = max(float(row["taxable_income"]), 30_000.0) * rng.uniform(1.0, 1.2)
        declared = Decimal(f"{total * rng.uniform(0.15, 0.45):.2f}")
        withheld = Decimal(f"{float(tax_payable(Decimal(f'{total:.2f}'))):.2f}")  # the payers withheld on it all
        payable = tax_payable(declared)
        row.update(
            tfn=make_tfn(rng),
            taxable_income=f"{declared:.2f}",
            total_deductions=_money(float(declared) * rng.uniform(0.0, 0.15)),
            tax_withheld=f"{withheld:.2f}",
            refund_amount=f"{withheld - payable:.2f}",
            amends_lodgement_id="",
        )
        return self.payer_rows(row["tfn"], year, total, rng)

    def payer_rows(self, tfn: str, year: int, total: float, rng: random.Random) -> list[Row]:
        """One to three STP reports, from different payers, adding up to ``total``."""
        n = rng.randint(1, 3)
        shares = [rng.uniform(0.2, 1.0) for _ in range(n)]
        amounts = [round(total * s / sum(shares), 2) for s in shares]
        amounts[-1] = round(total - sum(amounts[:-1]), 2)
        return [
            {
                "payer_abn": make_abn(rng),
                "payee_tfn": tfn,
                "tax_year": str(year),
                "gross_amount": _money(amount),
                "tax_withheld": _money(amount * rng.uniform(0.15, 0.3)),
                "report_type": "STP",
            }
            for amount in amounts
        ]

    def burst(self, rng: random.Random) -> tuple[str, int, dt.date]:
        """(agent, tax year, day) of a burst: an existing agent, so it has a history."""
        year = rng.choice(self.years)
        return (
            rng.choice(self.people.agents),
            year,
            _date(dt.date(year, 7, 1), min(dt.date(year, 10, 31), self.as_of), rng),
        )

    def plant_burst_member(self, row: Row, burst: tuple[str, int, dt.date]) -> None:
        agent, year, day = burst
        row.update(agent_id=agent, tax_year=str(year), lodgement_date=day.isoformat(), amends_lodgement_id="")

    # -- defects: each changes one field and triggers exactly one reason ----
    def mutations(self) -> dict[Reason, Callable[[Row], None]]:
        r = self.rng
        k = self.schema.kind

        def bad_check_digit(col: str) -> Callable[[Row], None]:
            def mutate(row: Row) -> None:
                v = row[col]
                row[col] = v[:-1] + str((int(v[-1]) + r.randrange(1, 10)) % 10)

            return mutate

        def set_value(col: str, value: Callable[[], str]) -> Callable[[Row], None]:
            def mutate(row: Row) -> None:
                row[col] = value()

            return mutate

        def negate(col: str) -> Callable[[Row], None]:
            def mutate(row: Row) -> None:
                if Decimal(row[col]) == 0:
                    row[col] = "1.00"
                row[col] = "-" + row[col]

            return mutate

        first_amount = {"lodgement": "total_deductions", "bas": "gst_paid", "payer-report": "gross_amount"}[k]
        required_col = {"lodgement": "bank_account", "bas": "payg_withheld", "payer-report": "report_type"}[k]
        m: dict[Reason, Callable[[Row], None]] = {
            Reason.MISSING_REQUIRED: set_value(required_col, lambda: ""),
            Reason.NEGATIVE_AMOUNT: negate(first_amount),
            Reason.INVALID_AMOUNT: set_value(first_amount, lambda: r.choice(["12,345.00", "85000.001", "1e5", "abc"])),
        }
        if k == "lodgement":
            m |= {
                Reason.INVALID_TFN: bad_check_digit("tfn"),
                Reason.INVALID_UUID: set_value("lodgement_id", lambda: _uuid(r)[:-4]),
                Reason.INVALID_DATE: lambda row: row.__setitem__(
                    "lodgement_date", row["lodgement_date"][:5] + r.choice(["02-30", "13-01", "06-31"])
                ),
                Reason.DATE_OUT_OF_RANGE: set_value(
                    "lodgement_date", lambda: (self.as_of + dt.timedelta(days=r.randrange(1, 90))).isoformat()
                ),
                Reason.INVALID_POSTCODE: set_value(
                    "postcode", lambda: f"{r.choice([r.randrange(0, 200), r.randrange(300, 800)]):04d}"
                ),
                Reason.INVALID_OCCUPATION: set_value("occupation_code", lambda: "9" + f"{r.randrange(10**5):05d}"),
                Reason.INVALID_BSB: set_value("bank_bsb", lambda: f"{r.randrange(10**4, 10**5)}"),
                Reason.INVALID_TAX_YEAR: set_value("tax_year", lambda: "1999"),
            }
        elif k == "bas":
            m |= {
                Reason.INVALID_ABN: bad_check_digit("abn"),
                Reason.INVALID_DATE: lambda row: row.__setitem__("period_start", row["period_start"][:5] + "02-30"),
                Reason.INVALID_PERIOD: lambda row: row.__setitem__(
                    "period_start",
                    (dt.date.fromisoformat(row["period_end"]) + dt.timedelta(days=1)).isoformat(),
                ),
            }
        else:
            m |= {
                Reason.INVALID_ABN: bad_check_digit("payer_abn"),
                Reason.INVALID_TFN: bad_check_digit("payee_tfn"),
                Reason.INVALID_REPORT_TYPE: set_value("report_type", lambda: r.choice(["SALARY", "stp", "BONUS"])),
                Reason.INVALID_TAX_YEAR: set_value("tax_year", lambda: "1999"),
            }
        return m


@dataclass(frozen=True)
class GenerateSpec:
    """What to generate: kind, how many rows, seed, and share of bad rows."""

    kind: str = "lodgement"
    rows: int = 1_000
    seed: int = 0
    invalid_share: float = 0.0
    as_of: dt.date = dt.date(2026, 11, 1)  # fixed, so output never drifts with the clock
    parquet_safe: bool = False  # only defects that typed parquet columns can carry
    # lodgement only: groups of RING_SIZE valid returns, distinct TFNs, refunds paid into
    # one bank account in one year (the ACCOUNT_MANY_TFNS pattern fraud detection must find)
    fraud_rings: int = 0
    # lodgement only, each on its own random stream (rows not chosen stay as they were):
    # returns with deductions ~equal to income (DEDUCTIONS_OUTLIER)
    deductions_outliers: int = 0
    # returns declaring 15-45% of what payers reported, with those payer reports in
    # Truth.payer_rows (INCOME_BELOW_THIRD_PARTY)
    income_gaps: int = 0
    # BURST_SIZE returns from one agent on one day (AGENT_BURST)
    agent_bursts: int = 0
    # share of the other (valid, not planted) returns given honest payer reports in Truth.payer_rows
    # (gross within -15%..+10% of income + deductions; only one return per TFN and year)
    third_party_share: float = 0.0

    @property
    def planted(self) -> int:
        return (
            self.fraud_rings * RING_SIZE + self.deductions_outliers + self.income_gaps + self.agent_bursts * BURST_SIZE
        )

    def __post_init__(self) -> None:
        if not 0.0 <= self.invalid_share <= 1.0:
            raise ValueError(f"invalid_share must be within [0, 1], got {self.invalid_share}")
        if self.rows < 0:
            raise ValueError(f"rows must be >= 0, got {self.rows}")
        if self.fraud_rings and (self.kind != "lodgement" or self.fraud_rings * RING_SIZE > self.rows):
            raise ValueError(f"fraud_rings needs lodgement rows, {RING_SIZE} per ring")
        if self.planted and (self.kind != "lodgement" or self.planted > self.rows):
            raise ValueError(f"planted fraud needs {self.planted} lodgement rows ({BURST_SIZE} per agent burst)")
        if not 0.0 <= self.third_party_share <= 1.0 or (self.third_party_share and self.kind != "lodgement"):
            raise ValueError("third_party_share must be within [0, 1], for lodgement rows")
        get_schema(self.kind)


# A lodgement file in which every fraud rule has planted cases to find, honest payer
# reports beside them and a few bad rows: the fraud rules' ground truth on every engine
# (vary the seed with dataclasses.replace).
EVERY_RULE_PLANTED = GenerateSpec(
    rows=5_000,
    invalid_share=0.01,
    fraud_rings=2,
    deductions_outliers=6,
    income_gaps=6,
    agent_bursts=2,
    third_party_share=0.8,
)


@dataclass
class Truth:
    """What the generator planted: the validator must find exactly this."""

    records: int = 0
    invalid: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    ring_members: list[str] = field(default_factory=list)  # lodgement_ids of planted rings
    deductions_outliers: list[str] = field(default_factory=list)  # lodgement_ids
    income_gaps: list[str] = field(default_factory=list)  # lodgement_ids
    burst_members: list[str] = field(default_factory=list)  # lodgement_ids
    payer_rows: list[Row] = field(default_factory=list)  # payer-report rows (planted gaps, honest cover)

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "valid": self.records - self.invalid,
            "invalid": self.invalid,
            "reasons": dict(sorted(self.reasons.items())),
        }


def generate_rows(spec: GenerateSpec, truth: Truth | None = None) -> Iterator[Row]:
    """Yield ``spec.rows`` rows (all values as text), recording defects in ``truth``."""
    rng = random.Random(f"taxlake:{spec.kind}:{spec.seed}")  # noqa: S311 - sample data, not secrets
    builder = _Builder(get_schema(spec.kind), rng, spec.as_of)
    mutations = builder.mutations()
    reasons = sorted(r for r in mutations if not spec.parquet_safe or r in PARQUET_MUTATIONS)
    # a separate stream, so planting rings leaves every other row as it was
    ring_rng = random.Random(f"taxlake:rings:{spec.seed}")  # noqa: S311 - sample data
    members = ring_rng.sample(range(spec.rows), spec.fraud_rings * RING_SIZE) if spec.fraud_rings else []
    ring_of = {index: n // RING_SIZE for n, index in enumerate(members)}
    rings = [builder.ring(ring_rng) for _ in range(spec.fraud_rings)]
    # the other patterns: another stream, and rows no ring took
    plant_rng = random.Random(f"taxlake:plant:{spec.seed}")  # noqa: S311 - sample data
    plant: dict[int, tuple[str, int]] = {}
    if spec.planted > len(members):
        free = sorted(set(range(spec.rows)) - set(members))
        chosen = iter(plant_rng.sample(free, spec.planted - len(members)))
        for pattern, count in (("outlier", spec.deductions_outliers), ("gap", spec.income_gaps)):
            plant |= {next(chosen): (pattern, 0) for _ in range(count)}
        plant |= {next(chosen): ("burst", b) for b in range(spec.agent_bursts) for _ in range(BURST_SIZE)}
    bursts = [builder.burst(plant_rng) for _ in range(spec.agent_bursts)]
    cover_rng = random.Random(f"taxlake:third-party:{spec.seed}")  # noqa: S311 - sample data
    covered: dict[tuple[str, str], list[Row]] = {}
    returns: Counter[tuple[str, str]] = Counter()
    for i in range(spec.rows):
        row = builder.row()
        valid = True
        if i in ring_of:
            builder.plant_ring_member(row, rings[ring_of[i]], ring_rng)
            if truth is not None:
                truth.ring_members.append(row["lodgement_id"])
        elif i in plant:
            pattern, n = plant[i]
            if pattern == "outlier":
                builder.plant_deductions_outlier(row, plant_rng)
            elif pattern == "gap":
                reports = builder.plant_income_gap(row, plant_rng)
            else:
                builder.plant_burst_member(row, bursts[n])
            if truth is not None:
                {"outlier": truth.deductions_outliers, "gap": truth.income_gaps, "burst": truth.burst_members}[
                    pattern
                ].append(row["lodgement_id"])
                if pattern == "gap":
                    truth.payer_rows.extend(reports)
        elif spec.invalid_share and rng.random() < spec.invalid_share:
            valid = False
            reason = reasons[rng.randrange(len(reasons))]
            mutations[reason](row)
            if truth is not None:
                truth.invalid += 1
                truth.reasons[str(reason)] += 1
        if spec.third_party_share and valid:
            key = (row["tfn"], row["tax_year"])
            returns[key] += 1
            # planted rows get no honest cover: deductions ~= income would halve the ratio
            if cover_rng.random() < spec.third_party_share and i not in plant:
                gross = (float(row["taxable_income"]) + float(row["total_deductions"])) * cover_rng.uniform(0.85, 1.1)
                covered[key] = builder.payer_rows(row["tfn"], int(row["tax_year"]), gross, cover_rng)
        if truth is not None:
            truth.records += 1
        yield row
    if truth is not None:
        # payers report a year's income once: a TFN with two returns in the file would
        # seem to have its reports twice, so honest cover goes only to single returns
        truth.payer_rows.extend(r for key, rows in covered.items() if returns[key] == 1 for r in rows)


def _arrow_type(schema: Schema, name: str) -> pa.DataType:
    rule = schema.column(name).rule.value
    if rule == "tax_year":
        return pa.int32()
    if rule == "date":
        return pa.date32()
    if rule.startswith("amount"):
        return pa.decimal128(15, 2)
    return pa.string()


def _typed_table(schema: Schema, rows: list[Row]) -> pa.Table:
    arrays = {}
    for name in schema.names:
        values = [row[name] or None for row in rows]
        target = _arrow_type(schema, name)
        if pa.types.is_date32(target):
            arrays[name] = pa.array([dt.date.fromisoformat(v) if v else None for v in values], target)
        elif pa.types.is_decimal(target):
            arrays[name] = pa.array([Decimal(v) if v else None for v in values], target)
        elif pa.types.is_int32(target):
            arrays[name] = pa.array([int(v) if v else None for v in values], target)
        else:
            arrays[name] = pa.array(values, target)
    return pa.table(arrays)


def _text_writer(fh: IO[bytes], fmt: str, schema: Schema) -> Callable[[list[Row]], None]:
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
    if fmt.startswith("csv"):
        writer = csv.DictWriter(text, fieldnames=list(schema.names), lineterminator="\n")
        writer.writeheader()

        def write_csv(rows: list[Row]) -> None:
            writer.writerows(rows)
            text.flush()

        return write_csv

    def write_jsonl(rows: list[Row]) -> None:
        for row in rows:
            text.write(json.dumps({k: (v if v != "" else None) for k, v in row.items()}, separators=(",", ":")))
            text.write("\n")
        text.flush()

    return write_jsonl


def write_sample(path: str | Path, spec: GenerateSpec, fmt: str | None = None, batch_rows: int = 20_000) -> Truth:
    """Write a sample file; format from ``fmt`` or the file name. Returns the truth."""
    path = Path(path)
    fmt = _format_of(path, fmt)
    if fmt == "parquet" and spec.invalid_share and not spec.parquet_safe:
        spec = GenerateSpec(**{**spec.__dict__, "parquet_safe": True})
    truth = Truth()
    _write_rows(path, generate_rows(spec, truth), get_schema(spec.kind), fmt, batch_rows)
    return truth


def write_payer_reports(path: str | Path, truth: Truth, fmt: str | None = None) -> int:
    """Write the payer reports a lodgement sample implies (``truth.payer_rows``: the planted
    income gaps' and the honest cover) as a payer-report file; returns how many."""
    path = Path(path)
    _write_rows(path, iter(truth.payer_rows), get_schema("payer-report"), _format_of(path, fmt), 20_000)
    return len(truth.payer_rows)


def _format_of(path: Path, fmt: str | None) -> str:
    fmt = fmt or next((f for f in sorted(FORMATS, key=len, reverse=True) if path.name.endswith("." + f)), None)
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format of {path.name}; use one of {', '.join(FORMATS)}")
    return fmt


def _write_rows(path: Path, rows: Iterator[Row], schema: Schema, fmt: str, batch_rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw:
        if fmt == "parquet":
            writer = None
            batch: list[Row] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= batch_rows:
                    table = _typed_table(schema, batch)
                    writer = writer or pq.ParquetWriter(raw, table.schema, compression="zstd")
                    writer.write_table(table)
                    batch = []
            table = _typed_table(schema, batch)
            writer = writer or pq.ParquetWriter(raw, table.schema, compression="zstd")
            writer.write_table(table)
            writer.close()
            return
        # mtime=0 and no file name in the gzip header: same input, same bytes
        sink: Any = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if fmt.endswith(".gz") else raw
        write = _text_writer(sink, fmt, schema)
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_rows:
                write(batch)
                batch = []
        write(batch)
        if sink is not raw:
            sink.close()


def rows_for_size(kind: str, size_bytes: int, fmt: str = "csv") -> int:
    """Estimate how many rows make a file of about ``size_bytes`` (uncompressed text)."""
    probe = 2_000
    buf = io.BytesIO()
    write = _text_writer(buf, "csv" if fmt.startswith("csv") else "jsonl", get_schema(kind))
    write(list(generate_rows(GenerateSpec(kind=kind, rows=probe, seed=1))))
    return max(1, int(size_bytes / (len(buf.getvalue()) / probe)))
