"""File kinds the platform accepts and the rule each column must satisfy.

The schemas are data, not code: validation (pyarrow), curation (Spark and
pyarrow) and the sample generator all read them, so a column added here is
validated, curated and generated everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Rule(StrEnum):
    """How a column's text is checked; each maps to a vectorised check."""

    UUID = "uuid"
    TFN = "tfn"
    ABN = "abn"
    TAX_YEAR = "tax_year"
    DATE = "date"
    AMOUNT = "amount"  # signed decimal, at most 2 dp
    AMOUNT_NON_NEGATIVE = "amount_non_negative"
    OCCUPATION = "occupation"  # ANZSCO 6-digit code, major group 1-8
    POSTCODE = "postcode"
    BSB = "bsb"
    ACCOUNT = "account"
    AGENT = "agent"  # tax agent registration number, 8 digits
    REPORT_TYPE = "report_type"


@dataclass(frozen=True)
class Column:
    """One column of a file kind."""

    name: str
    rule: Rule
    required: bool = True
    sensitive: bool = False  # masked in reports and logs


@dataclass(frozen=True)
class Schema:
    """The columns of one file kind plus its cross-field checks."""

    kind: str
    columns: tuple[Column, ...]
    key: str | None = None  # natural identifier, used for dedup downstream
    cross_checks: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


REPORT_TYPES = ("STP", "INTEREST", "DIVIDEND", "GOVERNMENT_PAYMENT", "CONTRACTOR")

LODGEMENT = Schema(
    kind="lodgement",
    key="lodgement_id",
    columns=(
        Column("lodgement_id", Rule.UUID),
        Column("tfn", Rule.TFN, sensitive=True),
        Column("tax_year", Rule.TAX_YEAR),
        Column("lodgement_date", Rule.DATE),
        Column("taxable_income", Rule.AMOUNT_NON_NEGATIVE),
        Column("total_deductions", Rule.AMOUNT_NON_NEGATIVE),
        Column("tax_withheld", Rule.AMOUNT_NON_NEGATIVE),
        Column("refund_amount", Rule.AMOUNT),  # negative = debt owed
        Column("occupation_code", Rule.OCCUPATION),
        Column("postcode", Rule.POSTCODE),
        Column("bank_bsb", Rule.BSB, sensitive=True),
        Column("bank_account", Rule.ACCOUNT, sensitive=True),
        Column("agent_id", Rule.AGENT, required=False),
        Column("amends_lodgement_id", Rule.UUID, required=False),
    ),
    cross_checks=("lodged_within_income_year",),
)

BAS = Schema(
    kind="bas",
    columns=(
        Column("abn", Rule.ABN),
        Column("period_start", Rule.DATE),
        Column("period_end", Rule.DATE),
        Column("gst_collected", Rule.AMOUNT_NON_NEGATIVE),
        Column("gst_paid", Rule.AMOUNT_NON_NEGATIVE),
        Column("payg_withheld", Rule.AMOUNT_NON_NEGATIVE),
        Column("lodgement_date", Rule.DATE),
    ),
    cross_checks=("bas_period",),
)

PAYER_REPORT = Schema(
    kind="payer-report",
    columns=(
        Column("payer_abn", Rule.ABN),
        Column("payee_tfn", Rule.TFN, sensitive=True),
        Column("tax_year", Rule.TAX_YEAR),
        Column("gross_amount", Rule.AMOUNT_NON_NEGATIVE),
        Column("tax_withheld", Rule.AMOUNT_NON_NEGATIVE),
        Column("report_type", Rule.REPORT_TYPE),
    ),
)

SCHEMAS: dict[str, Schema] = {s.kind: s for s in (LODGEMENT, BAS, PAYER_REPORT)}
KINDS: tuple[str, ...] = tuple(SCHEMAS)


def get_schema(kind: str) -> Schema:
    """Return the schema for ``kind`` or raise ``ValueError`` naming the valid kinds."""
    try:
        return SCHEMAS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}") from None


def kind_from_path(path: str) -> str | None:
    """Infer a kind from a key or path: a path segment or file name naming it.

    ``incoming/bas/2025/q1.csv`` -> ``bas``; ``payer_report_jan.csv.gz`` ->
    ``payer-report``. Returns None when nothing names a kind.
    """
    parts = path.replace("\\", "/").lower().split("/")
    for part in parts[:-1]:
        norm = part.replace("_", "-")
        if norm in SCHEMAS:
            return norm
    stem = parts[-1].replace("_", "-")
    # longest first, so "payer-report" wins over any shorter overlap
    for kind in sorted(SCHEMAS, key=len, reverse=True):
        if stem.startswith(kind + "-") or stem.startswith(kind + "."):
            return kind
    return None


def kind_from_header(header: list[str]) -> str | None:
    """Pick the kind whose required columns a header covers best (ties: None)."""
    cols = set(header)
    scored = sorted(
        ((len(s.required & cols) / len(s.required), k) for k, s in SCHEMAS.items()),
        reverse=True,
    )
    best, runner_up = scored[0], scored[1]
    if best[0] >= 0.5 and best[0] > runner_up[0]:
        return best[1]
    return None
