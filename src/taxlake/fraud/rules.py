"""Fraud rules over curated lodgements, each with a reason code and a score in 0..1.

Runs per landed file (near real time): every statistic below is taken over
the batch (the file), except the payer-report totals, which come from the
lake. Each rule is two steps, so the Spark job (``taxlake.spark.fraud``)
computes the same statistics in a distributed way and shares the last step:

1. *hits*: the statistics and the rows that break the rule (``HIT_COLUMNS``),
   vectorised here in pyarrow/numpy, in Spark over DataFrames;
2. ``shape``: hits -> ``FLAG_SCHEMA`` rows (score and human-readable detail),
   one function for both engines, so their flags compare equal.

Rules:

- ACCOUNT_MANY_TFNS: one bank account receiving refunds for more than N
  distinct TFNs in an income year (refund farming).
- REFUND_EXCEEDS_WITHHELD: a refund larger than the tax withheld by more
  than a ratio: refund = withheld - payable, so without offsets a refund
  can never exceed withholding.
- DEDUCTIONS_OUTLIER: deductions ratio far above occupation peers, robust
  z = 0.6745 (x - median) / MAD. Peers are the 6-digit ANZSCO occupation when
  it has at least ``deductions_min_peers`` returns in the batch, else the
  ANZSCO major group (first digit), else the row is not judged; a group whose
  MAD is 0 judges nobody (no spread, no scale). Only high outliers flag.
- INCOME_BELOW_THIRD_PARTY: taxable income below ``income_ratio`` x the gross
  that payers reported for the same TFN and income year, and the gap above
  ``income_gap_floor`` dollars (small gaps are deductions, not concealment).
  Assumes one return per TFN and year; amended returns are resolved upstream.
- AGENT_BURST: an agent lodging more than ``agent_max_daily`` returns on one
  day *and* that day's count a robust z above ``agent_z`` against the agent's
  own daily counts in the batch (days it lodged; MAD floored at 1 return, as
  most agents lodge a steady 1-3 a day and MAD 0 would make any second return
  infinite). The floor keeps a small agent's busy morning quiet; the z keeps
  a large practice's normal volume quiet. Every return of a burst day flags.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from taxlake.fraud.dimensions import MAJOR_GROUPS, OCCUPATIONS, postcode_state

FLAG_SCHEMA = pa.schema(
    [
        pa.field("lodgement_id", pa.string(), nullable=False),
        pa.field("tfn", pa.string(), nullable=False),
        pa.field("tax_year", pa.int32(), nullable=False),
        pa.field("rule", pa.string(), nullable=False),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("detail", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
    ]
)
PAYER_TOTALS_SCHEMA = pa.schema(
    [
        pa.field("tfn", pa.string(), nullable=False),
        pa.field("tax_year", pa.int32(), nullable=False),
        pa.field("gross_total", pa.decimal128(38, 2), nullable=False),
    ]
)
MAD_SCALE = 0.6745  # MAD / 0.6745 estimates the standard deviation of a normal sample

BASE = ["lodgement_id", "tfn", "tax_year", "source_file"]
# what each rule's engine computes; ``shape`` turns these rows into flags
HIT_COLUMNS: dict[str, list[str]] = {
    "ACCOUNT_MANY_TFNS": [*BASE, "tfns"],
    "REFUND_EXCEEDS_WITHHELD": [*BASE, "refund_amount", "tax_withheld"],
    "DEDUCTIONS_OUTLIER": [
        *BASE,
        "deductions_ratio",
        "peer_level",
        "peer_group",
        "peer_title",
        "peer_count",
        "peer_median",
        "peer_mad",
        "robust_z",
    ],
    "INCOME_BELOW_THIRD_PARTY": [*BASE, "taxable_income", "gross_total"],
    "AGENT_BURST": [
        *BASE,
        "agent_id",
        "lodgement_date",
        "day_count",
        "agent_median",
        "agent_mad",
        "robust_z",
        "states",
    ],
}
RULES = tuple(HIT_COLUMNS)


@dataclass(frozen=True)
class FraudConfig:
    """The rules' thresholds, defined here only. Wherever they travel they are one JSON
    object keyed by these field names: the pipeline functions' ``FRAUD_CONFIG``
    environment variable, the Spark jobs' ``--fraud-config`` and the manifest's record of
    what a Spark path applied. A missing key keeps its default; an unknown key, or a value
    that is not a number of the field's type, is refused."""

    account_max_tfns: int = 3
    refund_ratio: float = 1.5
    high_score: float = 0.8
    deductions_z: float = 3.5
    deductions_min_peers: int = 30
    income_ratio: float = 0.6
    income_gap_floor: float = 10_000.0
    agent_max_daily: int = 20
    agent_z: float = 3.5

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> FraudConfig:
        """The config a JSON object describes; its fields (names, types) say what is read."""
        types = typing.get_type_hints(cls)
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(doc) - set(known))
        if unknown:
            raise ValueError(f"unknown fraud settings {unknown}; known: {', '.join(known)}")
        values: dict[str, int | float] = {}
        for name, value in doc.items():
            whole = isinstance(value, float) and value.is_integer()
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"fraud setting {name} must be a number, not {value!r}")
            if types[name] is int and not (isinstance(value, int) or whole):
                raise ValueError(f"fraud setting {name} must be a whole number, not {value!r}")
            values[name] = types[name](value)
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def from_json(cls, text: str) -> FraudConfig:
        """``from_mapping`` of a JSON object; empty text is the defaults."""
        doc = json.loads(text) if text.strip() else {}
        if not isinstance(doc, dict):
            raise ValueError(f"the fraud settings must be a JSON object, not {text!r}")
        return cls.from_mapping(doc)

    def to_json(self) -> str:
        """Every field, keys sorted: what ``from_json`` reads back."""
        return json.dumps(asdict(self), sort_keys=True)


# --- shape: hits -> flags (shared by every engine) -------------------------------------

Shaper = Callable[[dict[str, Any], FraudConfig], tuple[float, str]]


def _account_many_tfns_flag(row: dict[str, Any], config: FraudConfig) -> tuple[float, str]:
    tfns, limit = int(row["tfns"]), config.account_max_tfns
    # more payees per account, more suspicious: max_tfns+1 scores 0.7, twice the limit 0.95+
    score = min(0.99, 0.6 + 0.35 * (tfns - limit) / limit)
    return score, f"account receives refunds for {tfns} TFNs in one year (limit {limit})"


def _refund_exceeds_withheld_flag(row: dict[str, Any], config: FraudConfig) -> tuple[float, str]:
    ratio = float(row["refund_amount"]) / max(float(row["tax_withheld"]), 1.0)
    return min(0.99, 0.5 + 0.1 * ratio), f"refund {row['refund_amount']} is {ratio:.1f}x the tax withheld"


def _deductions_outlier_flag(row: dict[str, Any], config: FraudConfig) -> tuple[float, str]:
    z = float(row["robust_z"])
    title = f" ({row['peer_title']})" if row["peer_title"] else ""
    detail = (
        f"deductions ratio {row['deductions_ratio']:.3f} is robust z {z:.1f} above {row['peer_level']} "
        f"{row['peer_group']}{title} peers: median {row['peer_median']:.3f}, MAD {row['peer_mad']:.3f}, "
        f"{row['peer_count']} returns (limit z {config.deductions_z:g})"
    )
    return min(0.95, 0.5 + 0.05 * (z - config.deductions_z)), detail


def _income_below_third_party_flag(row: dict[str, Any], config: FraudConfig) -> tuple[float, str]:
    income, total = float(row["taxable_income"]), float(row["gross_total"])
    share = income / total
    detail = (
        f"taxable income {row['taxable_income']} is {share:.0%} of the {row['gross_total']} gross payers "
        f"reported (limit {config.income_ratio:.0%}, gap {total - income:.2f})"
    )
    return min(0.99, 0.5 + 0.5 * (config.income_ratio - share) / config.income_ratio), detail


def _agent_burst_flag(row: dict[str, Any], config: FraudConfig) -> tuple[float, str]:
    count, limit = int(row["day_count"]), config.agent_max_daily
    detail = (
        f"agent {row['agent_id']} lodged {count} returns on {row['lodgement_date']} (limit {limit}; "
        f"its median {row['agent_median']:g} a day, MAD {row['agent_mad']:g}, robust z {row['robust_z']:.1f}); "
        f"clients in {row['states']} states"
    )
    return min(0.95, 0.5 + 0.1 * (count / limit - 1)), detail


SHAPERS: dict[str, Shaper] = {
    "ACCOUNT_MANY_TFNS": _account_many_tfns_flag,
    "REFUND_EXCEEDS_WITHHELD": _refund_exceeds_withheld_flag,
    "DEDUCTIONS_OUTLIER": _deductions_outlier_flag,
    "INCOME_BELOW_THIRD_PARTY": _income_below_third_party_flag,
    "AGENT_BURST": _agent_burst_flag,
}


def shape(rule: str, hits: pa.Table | pa.RecordBatch, config: FraudConfig) -> pa.Table:
    """Flags (``FLAG_SCHEMA``) of one rule's hit rows: score (4 places) and detail."""
    flags = []
    for row in hits.select(HIT_COLUMNS[rule]).to_pylist():
        score, detail = SHAPERS[rule](row, config)
        flags.append(
            {
                "lodgement_id": row["lodgement_id"],
                "tfn": row["tfn"],
                "tax_year": row["tax_year"],
                "rule": rule,
                "score": round(min(max(score, 0.0), 1.0), 4),
                "detail": detail,
                "source_file": row["source_file"],
            }
        )
    return pa.Table.from_pylist(flags, schema=FLAG_SCHEMA)


# --- hits: the statistics, vectorised ---------------------------------------------------


def _f64(column: pa.ChunkedArray | pa.Array) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _group_index(keys: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray[Any, np.dtype[np.int64]], int]:
    encoded = pc.dictionary_encode(keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys)
    return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64), len(encoded.dictionary)


def group_median(
    groups: np.ndarray[Any, np.dtype[np.int64]], values: np.ndarray[Any, np.dtype[np.float64]], n_groups: int
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """(count, exact median) per group 0..n_groups-1, as Spark's ``median`` computes it.

    Every group must be non-empty. One lexsort; an even count averages the two
    middle values ((a + b) / 2 equals Spark's 0.5 a + 0.5 b: halving is exact).
    """
    order = np.lexsort((values, groups))
    ordered = values[order]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    lo, hi = starts + (counts - 1) // 2, starts + counts // 2
    return counts, (ordered[lo] + ordered[hi]) / 2


def _peer_stats(
    groups: np.ndarray[Any, np.dtype[np.int64]], n_groups: int, x: np.ndarray[Any, np.dtype[np.float64]]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Per row: its group's count, median and MAD (median absolute deviation)."""
    counts, median = group_median(groups, x, n_groups)
    _, mad = group_median(groups, np.abs(x - median[groups]), n_groups)
    return counts[groups], median[groups], mad[groups]


def _robust_z(x: np.ndarray[Any, Any], median: np.ndarray[Any, Any], mad: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    with np.errstate(divide="ignore", invalid="ignore"):
        z: np.ndarray[Any, Any] = MAD_SCALE * (x - median) / mad
    return z


def _account_many_tfns_hits(table: pa.Table, config: FraudConfig) -> pa.Table:
    refunds = table.filter(pc.greater(pc.cast(table.column("refund_amount"), pa.float64()), 0.0))
    accounts = ["bank_bsb", "bank_account", "tax_year"]
    counts = refunds.group_by(accounts).aggregate([("tfn", "count_distinct")])
    busy = counts.filter(pc.greater(counts.column("tfn_count_distinct"), config.account_max_tfns))
    hits = refunds.select([*BASE, *accounts[:2]]).join(busy, keys=accounts, join_type="inner")
    return hits.append_column("tfns", pc.cast(hits.column("tfn_count_distinct"), pa.int64()))


def _refund_exceeds_withheld_hits(table: pa.Table, config: FraudConfig) -> pa.Table:
    refund = pc.cast(table.column("refund_amount"), pa.float64())
    limit = pc.multiply(
        pc.max_element_wise(pc.cast(table.column("tax_withheld"), pa.float64()), 1.0), config.refund_ratio
    )
    return table.filter(pc.fill_null(pc.greater(refund, limit), False))


def _deductions_outlier_hits(table: pa.Table, config: FraudConfig) -> pa.Table:
    rows = table.filter(
        pc.and_(pc.is_valid(table.column("deductions_ratio")), pc.is_valid(table.column("occupation_code")))
    )
    if rows.num_rows == 0:
        return rows
    x = _f64(rows.column("deductions_ratio"))
    codes = rows.column("occupation_code")
    majors = pc.utf8_slice_codeunits(codes, 0, 1)  # the ANZSCO major group (validated: 1-8)
    code_idx, n_codes = _group_index(codes)
    major_idx, n_majors = _group_index(majors)
    c_count, c_median, c_mad = _peer_stats(code_idx, n_codes, x)
    m_count, m_median, m_mad = _peer_stats(major_idx, n_majors, x)
    by_code = c_count >= config.deductions_min_peers
    by_major = ~by_code & (m_count >= config.deductions_min_peers)
    median, mad = np.where(by_code, c_median, m_median), np.where(by_code, c_mad, m_mad)
    z = _robust_z(x, median, mad)
    hit = (by_code | by_major) & (mad > 0) & (z > config.deductions_z)
    if not hit.any():
        return rows.slice(0, 0)
    mask = pa.array(hit)
    out = rows.filter(mask)
    level = np.where(by_code, "occupation", "major group")[hit]
    group = [
        c if lv == "occupation" else c[:1]
        for c, lv in zip(out.column("occupation_code").to_pylist(), level, strict=True)
    ]
    title = [
        OCCUPATIONS.get(g) if lv == "occupation" else MAJOR_GROUPS.get(g) for g, lv in zip(group, level, strict=True)
    ]
    extra = {
        "peer_level": pa.array(level.tolist(), pa.string()),
        "peer_group": pa.array(group, pa.string()),
        "peer_title": pa.array(title, pa.string()),
        "peer_count": pa.array(np.where(by_code, c_count, m_count)[hit], pa.int64()),
        "peer_median": pa.array(median[hit], pa.float64()),
        "peer_mad": pa.array(mad[hit], pa.float64()),
        "robust_z": pa.array(z[hit], pa.float64()),
    }
    for name, values in extra.items():
        out = out.append_column(name, values)
    return out


def payer_totals(payer_reports: pa.Table) -> pa.Table:
    """Third-party gross per (tfn, tax_year) from curated payer-report rows (already one row per report)."""
    if payer_reports.num_rows == 0:
        return PAYER_TOTALS_SCHEMA.empty_table()
    totals = payer_reports.group_by(["payee_tfn", "tax_year"]).aggregate([("gross_amount", "sum")])
    return pa.table(
        {
            "tfn": totals.column("payee_tfn"),
            "tax_year": totals.column("tax_year"),
            "gross_total": pc.cast(totals.column("gross_amount_sum"), pa.decimal128(38, 2)),
        },
        schema=PAYER_TOTALS_SCHEMA,
    )


def _income_below_third_party_hits(table: pa.Table, config: FraudConfig, totals: pa.Table | None) -> pa.Table:
    if totals is None or totals.num_rows == 0:
        return table.slice(0, 0)
    joined = table.select([*BASE, "taxable_income"]).join(
        totals.select(["tfn", "tax_year", "gross_total"]), keys=["tfn", "tax_year"], join_type="inner"
    )
    income = pc.cast(joined.column("taxable_income"), pa.float64())
    total = pc.cast(joined.column("gross_total"), pa.float64())
    low = pc.less(income, pc.multiply(total, config.income_ratio))
    wide = pc.greater(pc.subtract(total, income), config.income_gap_floor)
    return joined.filter(pc.fill_null(pc.and_(low, wide), False))


def _agent_burst_hits(table: pa.Table, config: FraudConfig) -> pa.Table:
    agent = table.column("agent_id")
    rows = table.filter(pc.fill_null(pc.not_equal(agent, ""), False))
    if rows.num_rows == 0:
        return rows
    days = rows.group_by(["agent_id", "lodgement_date"]).aggregate([("lodgement_id", "count")])
    counts = _f64(days.column("lodgement_id_count"))
    agents, n_agents = _group_index(days.column("agent_id"))
    _, median, mad = _peer_stats(agents, n_agents, counts)
    z = _robust_z(counts, median, np.maximum(mad, 1.0))
    burst = (counts > config.agent_max_daily) & (z > config.agent_z)
    if not burst.any():
        return rows.slice(0, 0)
    bursts = pa.table(
        {
            "agent_id": days.column("agent_id").filter(pa.array(burst)),
            "lodgement_date": days.column("lodgement_date").filter(pa.array(burst)),
            "day_count": pa.array(counts[burst].astype(np.int64), pa.int64()),
            "agent_median": pa.array(median[burst], pa.float64()),
            "agent_mad": pa.array(mad[burst], pa.float64()),
            "robust_z": pa.array(z[burst], pa.float64()),
        }
    )
    hits = rows.select([*BASE, "agent_id", "lodgement_date", "postcode"]).join(
        bursts, keys=["agent_id", "lodgement_date"], join_type="inner"
    )
    # the postcode dimension: how widely spread the burst's clients are
    hits = hits.append_column(
        "state", pa.array([postcode_state(p) for p in hits.column("postcode").to_pylist()], pa.string())
    )
    spread = hits.group_by(["agent_id", "lodgement_date"]).aggregate([("state", "count_distinct")])
    hits = hits.join(spread, keys=["agent_id", "lodgement_date"], join_type="inner")
    return hits.append_column("states", pc.cast(hits.column("state_count_distinct"), pa.int64()))


def hits(table: pa.Table, config: FraudConfig, payer_totals: pa.Table | None = None) -> dict[str, pa.Table]:
    """Each rule's hit rows over a curated lodgement table (columns per ``HIT_COLUMNS``)."""
    found = {
        "ACCOUNT_MANY_TFNS": _account_many_tfns_hits(table, config),
        "REFUND_EXCEEDS_WITHHELD": _refund_exceeds_withheld_hits(table, config),
        "DEDUCTIONS_OUTLIER": _deductions_outlier_hits(table, config),
        "INCOME_BELOW_THIRD_PARTY": _income_below_third_party_hits(table, config, payer_totals),
        "AGENT_BURST": _agent_burst_hits(table, config),
    }
    return {rule: t for rule, t in found.items() if t.num_rows}


def sort_flags(flags: pa.Table) -> pa.Table:
    return flags.sort_by([("rule", "ascending"), ("lodgement_id", "ascending")])


def detect(
    table: pa.Table, kind: str, config: FraudConfig | None = None, payer_totals: pa.Table | None = None
) -> pa.Table:
    """Every flag the batch raises, as a ``FLAG_SCHEMA`` table (empty for other kinds).

    ``payer_totals`` (tfn, tax_year, gross_total) feeds INCOME_BELOW_THIRD_PARTY;
    without it that rule is skipped.
    """
    config = config or FraudConfig()
    if kind != "lodgement" or table.num_rows == 0:
        return FLAG_SCHEMA.empty_table()
    found = hits(table, config, payer_totals)
    if not found:
        return FLAG_SCHEMA.empty_table()
    return sort_flags(pa.concat_tables([shape(rule, t, config) for rule, t in found.items()]))
