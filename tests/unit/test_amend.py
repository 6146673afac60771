"""The current view: amendments and later lodgements replace, re-applying is a no-op."""

from __future__ import annotations

import pyarrow as pa
import pytest

from taxlake.generate import GenerateSpec, generate_rows
from taxlake.lake.amend import affected_years, merge_current
from taxlake.lake.curate import curate_batch, curated_schema

from .conftest import AS_OF, GOOD_BAS, GOOD_LODGEMENT, GOOD_PAYER

FIRST = "3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
SECOND = "4f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def curated(kind: str, rows: list[dict[str, str]], source: str) -> pa.Table:
    return curate_batch(pa.Table.from_pylist(rows), kind, source_file=source, as_of=AS_OF)


def lodgement(**change: str) -> dict[str, str]:
    return {**GOOD_LODGEMENT, **change}


def ids(table: pa.Table) -> list[str]:
    return sorted(table.column("lodgement_id").to_pylist())


EMPTY = curated_schema("lodgement").empty_table()


def test_an_amendment_replaces_the_return_it_names() -> None:
    current = merge_current(EMPTY, curated("lodgement", [lodgement()], "s3://l/a.csv"), "lodgement")
    amended = lodgement(lodgement_id=SECOND, amends_lodgement_id=FIRST, taxable_income="80000.00")
    out = merge_current(current, curated("lodgement", [amended], "s3://l/b.csv"), "lodgement")
    assert ids(out) == [SECOND] and str(out.column("taxable_income")[0]) == "80000.00"


def test_an_amendment_arriving_before_its_original_still_wins() -> None:
    amended = lodgement(lodgement_id=SECOND, amends_lodgement_id=FIRST, lodgement_date="2025-07-15")
    current = merge_current(EMPTY, curated("lodgement", [amended], "s3://l/b.csv"), "lodgement")
    # the original is later-dated, but it has been amended away
    out = merge_current(current, curated("lodgement", [lodgement()], "s3://l/a.csv"), "lodgement")
    assert ids(out) == [SECOND]


@pytest.mark.parametrize(("date", "kept"), [("2025-09-01", SECOND), ("2025-07-20", FIRST), ("2025-08-01", SECOND)])
def test_the_later_return_for_a_taxpayer_and_year_wins(date: str, kept: str) -> None:
    current = merge_current(EMPTY, curated("lodgement", [lodgement()], "s3://l/a.csv"), "lodgement")
    again = lodgement(lodgement_id=SECOND, lodgement_date=date)
    out = merge_current(current, curated("lodgement", [again], "s3://l/b.csv"), "lodgement")
    assert ids(out) == [kept]  # equal dates: the incoming return wins


def test_other_taxpayers_and_years_are_untouched() -> None:
    current = merge_current(EMPTY, curated("lodgement", [lodgement()], "s3://l/a.csv"), "lodgement")
    other_year = lodgement(lodgement_id=SECOND, tax_year="2024", lodgement_date="2024-08-01")
    out = merge_current(current, curated("lodgement", [other_year], "s3://l/b.csv"), "lodgement")
    assert ids(out) == [FIRST, SECOND]


def test_merging_the_same_batch_twice_is_merging_it_once() -> None:
    rows = list(generate_rows(GenerateSpec(rows=3000, seed=4, as_of=AS_OF)))
    first = curated("lodgement", rows[:2000], "s3://l/1.csv")
    second = curated("lodgement", rows[1500:], "s3://l/2.csv")
    once = merge_current(merge_current(EMPTY, first, "lodgement"), second, "lodgement")
    twice = merge_current(once, second, "lodgement")
    assert twice.equals(once)
    # one row per taxpayer and year, none invented
    keys = {(r["tfn"], r["tax_year"]) for r in once.select(["tfn", "tax_year"]).to_pylist()}
    assert once.num_rows == len(keys) <= first.num_rows + second.num_rows


def test_merge_order_of_independent_batches_does_not_matter() -> None:
    rows = list(generate_rows(GenerateSpec(rows=2000, seed=5, as_of=AS_OF)))
    a, b = curated("lodgement", rows[:1000], "s3://l/a.csv"), curated("lodgement", rows[1000:], "s3://l/b.csv")
    ab = merge_current(merge_current(EMPTY, a, "lodgement"), b, "lodgement")
    ba = merge_current(merge_current(EMPTY, b, "lodgement"), a, "lodgement")
    # the "incoming wins" tie-break can differ only on equal dates for the same key
    assert ab.num_rows == ba.num_rows


def test_a_revised_bas_replaces_the_earlier_statement() -> None:
    kind = "bas"
    first = curated(kind, [GOOD_BAS], "s3://l/a.csv")
    revised = curated(kind, [{**GOOD_BAS, "gst_collected": "999.00", "lodgement_date": "2025-11-20"}], "s3://l/b.csv")
    out = merge_current(merge_current(curated_schema(kind).empty_table(), first, kind), revised, kind)
    assert out.num_rows == 1 and str(out.column("gst_collected")[0]) == "999.00"


def test_a_later_payer_report_replaces_the_same_report() -> None:
    kind = "payer-report"
    first = curated(kind, [GOOD_PAYER], "s3://l/a.csv")
    again = curated(kind, [{**GOOD_PAYER, "gross_amount": "1.00"}], "s3://l/b.csv")
    out = merge_current(merge_current(curated_schema(kind).empty_table(), first, kind), again, kind)
    assert out.num_rows == 1 and str(out.column("gross_amount")[0]) == "1.00"


def test_affected_years_are_the_incoming_tax_years() -> None:
    rows = [lodgement(), lodgement(lodgement_id=SECOND, tax_year="2024", lodgement_date="2024-08-01")]
    assert affected_years(curated("lodgement", rows, "s3://l/a.csv")) == [2024, 2025]
