"""Fraud rules over curated lodgements, each with a reason code and a score.

Runs per landed file (near real time). Rules here look within the batch;
rules that need history or other kinds (peer outliers, payer-report
mismatches, agent bursts) join the lake and arrive with the fraud job.

- ACCOUNT_MANY_TFNS: one bank account receiving refunds for more than N
  distinct TFNs in an income year (refund farming).
- REFUND_EXCEEDS_WITHHELD: a refund larger than the tax withheld by more
  than a ratio: refund = withheld - payable, so without offsets a refund
  can never exceed withholding.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

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


@dataclass(frozen=True)
class FraudConfig:
    account_max_tfns: int = 3
    refund_ratio: float = 1.5
    high_score: float = 0.8


def _account_many_tfns(table: pa.Table, config: FraudConfig) -> list[dict[str, object]]:
    refunds = table.filter(
        pc.greater(table.column("refund_amount"), pa.scalar(0, table.schema.field("refund_amount").type))
    )
    if refunds.num_rows == 0:
        return []
    grouped = refunds.group_by(["bank_bsb", "bank_account", "tax_year"]).aggregate([("tfn", "count_distinct")])
    busy = grouped.filter(pc.greater(grouped.column("tfn_count_distinct"), config.account_max_tfns))
    flags = []
    for account in busy.to_pylist():
        tfns = account["tfn_count_distinct"]
        # more payees per account, more suspicious: max_tfns+1 scores 0.7, twice the limit 0.95+
        score = round(min(0.99, 0.6 + 0.35 * (tfns - config.account_max_tfns) / config.account_max_tfns), 4)
        mask = pc.and_(
            pc.and_(
                pc.equal(refunds.column("bank_bsb"), account["bank_bsb"]),
                pc.equal(refunds.column("bank_account"), account["bank_account"]),
            ),
            pc.equal(refunds.column("tax_year"), account["tax_year"]),
        )
        detail = f"account receives refunds for {tfns} TFNs in one year (limit {config.account_max_tfns})"
        for row in refunds.filter(mask).to_pylist():
            flags.append(
                {
                    "lodgement_id": row["lodgement_id"],
                    "tfn": row["tfn"],
                    "tax_year": row["tax_year"],
                    "rule": "ACCOUNT_MANY_TFNS",
                    "score": score,
                    "detail": detail,
                    "source_file": row["source_file"],
                }
            )
    return flags


def _refund_exceeds_withheld(table: pa.Table, config: FraudConfig) -> list[dict[str, object]]:
    refund = pc.cast(table.column("refund_amount"), pa.float64())
    withheld = pc.cast(table.column("tax_withheld"), pa.float64())
    limit = pc.multiply(pc.max_element_wise(withheld, 1.0), config.refund_ratio)
    hits = table.filter(pc.greater(refund, limit))
    flags = []
    for row in hits.to_pylist():
        ratio = float(row["refund_amount"]) / max(float(row["tax_withheld"]), 1.0)
        flags.append(
            {
                "lodgement_id": row["lodgement_id"],
                "tfn": row["tfn"],
                "tax_year": row["tax_year"],
                "rule": "REFUND_EXCEEDS_WITHHELD",
                "score": round(min(0.99, 0.5 + 0.1 * ratio), 4),
                "detail": f"refund {row['refund_amount']} is {ratio:.1f}x the tax withheld",
                "source_file": row["source_file"],
            }
        )
    return flags


def detect(table: pa.Table, kind: str, config: FraudConfig | None = None) -> pa.Table:
    """Every flag the batch raises, as a ``FLAG_SCHEMA`` table (empty for other kinds)."""
    config = config or FraudConfig()
    if kind != "lodgement" or table.num_rows == 0:
        return FLAG_SCHEMA.empty_table()
    flags = _account_many_tfns(table, config) + _refund_exceeds_withheld(table, config)
    flags.sort(key=lambda f: (str(f["rule"]), str(f["lodgement_id"])))
    return pa.Table.from_pylist(flags, schema=FLAG_SCHEMA)
