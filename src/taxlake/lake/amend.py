"""The current view of the lake: one row per return, amendments applied.

The per-file curated layout (``taxlake.lake.curate``) keeps every version as landed,
which is what lineage and audit need. Analytics and fraud need the *current*
state: the latest return per taxpayer and year. ``merge_current`` folds a newly
curated batch into that state; it is pure, so every engine runs the same rules
(Spark: ``taxlake.lake.current.merge_current_df``; table formats: ``taxlake.lake.current``).

Rules, per kind (CURRENT_KEYS):

- lodgement: one row per (tfn, tax_year). A row naming an earlier return in
  ``amends_lodgement_id`` removes that return (within the tax year), whichever
  arrives first; otherwise the later ``lodgement_date`` wins.
- bas: one row per (abn, period_start, period_end), the later lodgement wins.
- payer-report: one row per (payer_abn, payee_tfn, tax_year, report_type).

Ties (same date) go to the incoming batch, then to the later source file and
line. Merging the same batch twice gives the same table as merging it once.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from taxlake.lake.curate import ORDER, canonical, curated_schema

CURRENT_KEYS: dict[str, tuple[str, ...]] = {
    "lodgement": ("tfn", "tax_year"),
    "bas": ("abn", "period_start", "period_end"),
    "payer-report": ("payer_abn", "payee_tfn", "tax_year", "report_type"),
}
_INCOMING = "_incoming"


def _first_per_key(ranked: pa.Table, keys: tuple[str, ...]) -> pa.Table:
    """The first row of each run of equal keys in an already sorted table."""
    n = ranked.num_rows
    if n <= 1:
        return ranked
    changed = pa.array([False] * (n - 1))
    for k in keys:
        col = pc.cast(ranked.column(k).combine_chunks(), pa.string())
        changed = pc.or_(changed, pc.fill_null(pc.not_equal(col.slice(0, n - 1), col.slice(1)), True))
    return ranked.filter(pa.concat_arrays([pa.array([True]), changed]))


def amended_ids(table: pa.Table) -> pa.Array:
    """lodgement_ids that some row amends (nulls and blanks dropped)."""
    ids = pc.drop_null(table.column("amends_lodgement_id").combine_chunks())
    return pc.unique(ids.filter(pc.not_equal(ids, "")))


def merge_current(current: pa.Table, incoming: pa.Table, kind: str) -> pa.Table:
    """``current`` with ``incoming`` applied (both curated tables of ``kind``)."""
    schema = curated_schema(kind)
    both = pa.concat_tables(
        [
            current.select(schema.names).cast(schema).append_column(_INCOMING, pa.repeat(False, current.num_rows)),
            incoming.select(schema.names).cast(schema).append_column(_INCOMING, pa.repeat(True, incoming.num_rows)),
        ]
    )
    if kind == "lodgement" and both.num_rows:
        both = both.filter(pc.invert(pc.is_in(both.column("lodgement_id"), value_set=amended_ids(both))))
    keys = CURRENT_KEYS[kind]
    sort = [(k, "ascending") for k in keys] + [(o, "descending") for o in ORDER[kind]]
    sort += [(_INCOMING, "descending"), ("source_file", "descending"), ("source_line", "descending")]
    latest = _first_per_key(both.sort_by(sort), keys).drop_columns([_INCOMING])
    return canonical(latest, kind)


def affected_years(incoming: pa.Table) -> list[int]:
    """The tax years ``incoming`` can change: the current table is rewritten per tax year.

    Only rows of these years are read back and merged, so an amendment applies
    within its own tax year (an amended return of another year stays).
    """
    return sorted({int(y) for y in pc.unique(incoming.column("tax_year")).to_pylist() if y is not None})


__all__ = ["CURRENT_KEYS", "affected_years", "amended_ids", "merge_current"]
