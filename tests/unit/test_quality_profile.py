"""The quality step's streaming profile: from footers and the key-sum columns it gives
exactly what the whole conformed table gives, drifted files included, and reads a
fraction of a normal file."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from taxlake.generate import GenerateSpec, generate_rows
from taxlake.lake.curate import curate_batch, curated_schema
from taxlake.quality.profile import Profile, assess_profile, profile_parquet, profile_table

AS_OF = dt.date(2026, 11, 1)


def curated(kind: str = "lodgement", rows: int = 3000, seed: int = 5) -> pa.Table:
    data = list(generate_rows(GenerateSpec(kind=kind, rows=rows, seed=seed, as_of=AS_OF)))
    return curate_batch(pa.Table.from_pylist(data), kind, source_file="s3://l/f", as_of=AS_OF)


def parquet(table: pa.Table, **options) -> io.BytesIO:
    sink = io.BytesIO()
    pq.write_table(table, sink, **options)
    sink.seek(0)
    return sink


def conformed(table: pa.Table, kind: str) -> pa.Table:
    """The curated schema read of a file, spelled out: missing or uncastable -> nulls."""
    cols = []
    for f in curated_schema(kind):
        try:
            cols.append(pc.cast(table.column(f.name), f.type) if f.name in table.column_names else None)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            cols.append(None)
        if cols[-1] is None:
            cols[-1] = pa.nulls(table.num_rows, f.type)
    return pa.table(cols, schema=curated_schema(kind))


def with_column(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    return table.set_column(table.column_names.index(name), name, values)


@pytest.mark.parametrize("kind", ["lodgement", "bas", "payer-report"])
def test_a_curated_file_profiles_as_its_table(kind: str) -> None:
    table = curated(kind)
    # several row groups: footer counts and streamed sums must add up across them
    got = profile_parquet(parquet(table, row_group_size=700), kind, batch_rows=500)
    assert got == profile_table(table, kind)
    assert got.rows == table.num_rows and sum(got.sums.values()) != 0


def test_drifted_files_profile_as_their_conformed_read() -> None:
    table = curated()
    n = table.num_rows
    retyped_ok = with_column(table, "refund_amount", pc.cast(table.column("refund_amount"), pa.string()))
    retyped_bad = with_column(table, "taxable_income", pa.array(["n/a"] * n))
    missing = table.drop_columns(["occupation_code", "refund_amount"])
    no_stats = parquet(table, write_statistics=False)
    for variant, source in [
        (retyped_ok, parquet(retyped_ok)),
        (retyped_bad, parquet(retyped_bad)),
        (missing, parquet(missing)),
        (table, no_stats),
    ]:
        expected = profile_table(conformed(variant, "lodgement"), "lodgement")
        assert profile_parquet(source, "lodgement") == expected
    # and the checks see it: an uncastable required money column is a gap, a missing one all gaps
    bad = assess_profile(profile_parquet(parquet(retyped_bad), "lodgement"), "lodgement", n)
    assert bad.completeness["taxable_income"] == 0.0 and "required column taxable_income has gaps" in bad.problems
    assert profile_parquet(parquet(missing), "lodgement").sums["refund_amount"] == Decimal(0)


def test_profiles_add_up_and_assess_as_the_table() -> None:
    first, second = curated(seed=1), curated(seed=2)
    both = profile_parquet(parquet(first), "lodgement") + profile_parquet(parquet(second), "lodgement")
    whole = pa.concat_tables([first, second])
    assert both == profile_table(whole, "lodgement")
    assert assess_profile(both, "lodgement", whole.num_rows) == assess_profile(
        profile_table(whole, "lodgement"), "lodgement", whole.num_rows
    )
    assert Profile(0, {}, {}) + both == both


class CountingFile(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        out = super().read(size)
        self.bytes_read += len(out)
        return out

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = super().readinto(buffer)
        self.bytes_read += n
        return n


def test_a_normal_file_is_profiled_from_its_footer_and_two_columns() -> None:
    data = parquet(curated(rows=6000), compression="zstd").getvalue()
    counted = CountingFile(data)
    profile_parquet(counted, "lodgement")
    # footer + taxable_income + refund_amount of ~30 columns
    assert counted.bytes_read < 0.35 * len(data), (counted.bytes_read, len(data))
