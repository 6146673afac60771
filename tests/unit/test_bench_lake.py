"""The lake benchmark's helpers: input rekeying, the byte-counting filesystem, DuckDB's curate SQL."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from taxlake.generate import GenerateSpec, write_sample
from taxlake.lake.curate import curate_chunks
from taxlake.records.readers import iter_chunks, open_source
from taxlake.records.schemas import get_schema

from .conftest import AS_OF, GOOD_LODGEMENT, csv_bytes

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_lake

UUID = re.compile(rb"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ID_A = "3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
ID_B = "ff2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def test_rekeyed_copies_keep_valid_distinct_ids_and_their_amendment_links() -> None:
    amended = f"{ID_B},123456782,2025,2025-08-02,1,2,3,4,261313,2000,062000,12345678,,{ID_A}\n".encode()
    plain = f"{ID_A},123456782,2025,2025-08-01,1,2,3,4,261313,2000,062000,12345678,,\r\n".encode()
    # an unamended row whose 37th-last byte is a comma: nothing there to rekey
    unamended = b"8c33ac93-c9d7-490d-a984-952061998aab,756947651,2025,2025-10-11,89635.37,11937.10,19402.45,"
    unamended += b"-68.87,621111,2000,063788,41858695,,\n"
    assert bench_lake.rekey(unamended, 7) == b"93" + unamended[2:]
    assert bench_lake.rekey(plain, 0) == plain
    ids = set()
    for copy in range(1, 40):
        first, second = bench_lake.rekey(plain, copy), bench_lake.rekey(amended, copy)
        assert first.endswith(b",,\r\n") and first[36:] == plain[36:]
        own, original = second[:36], second.rstrip(b"\n")[-36:]
        assert UUID.match(own) and original == first[:36]  # the amendment still names its copy's original
        assert second[36:-37] == amended[36:-37]
        ids |= {first[:36], own}
    assert len(ids) == 78  # no copy reuses another copy's key
    assert bench_lake.rekey(plain, 1)[:2] == b"40" and bench_lake.rekey(amended, 1)[:2] == b"00"  # 0xff + 1 wraps


def test_counting_filesystem_counts_the_bytes_read_not_the_file_size(tmp_path: Path) -> None:
    table = pa.table({"a": pa.array(range(100_000)), "b": pa.array([f"text-{i}" for i in range(100_000)])})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, compression="none")
    fs, handler = bench_lake.counting_filesystem()

    with fs.open_input_file(str(path)) as fh:
        assert fh.read_at(100, 4) == path.read_bytes()[4:104]
    assert handler.bytes_read[0] == 100 and handler.files_opened == 1

    handler.bytes_read[0] = 0
    got = ds.dataset(str(path), filesystem=fs, format="parquet").to_table(columns=["a"])
    assert got.column("a").equals(table.column("a"))
    column_a = pq.ParquetFile(path).metadata.row_group(0).column(0).total_compressed_size
    # the projected column and the footer, never column b
    assert column_a < handler.bytes_read[0] < path.stat().st_size - 500_000


def test_counting_filesystem_refuses_writes(tmp_path: Path) -> None:
    fs, _ = bench_lake.counting_filesystem()
    with pytest.raises(OSError, match="read-only"):
        fs.open_output_stream(str(tmp_path / "x"))


def test_duckdb_curate_sql_gives_the_same_table_as_taxlake_curate(tmp_path: Path) -> None:
    path = tmp_path / "lodgement.csv"
    write_sample(path, GenerateSpec(rows=2_000, seed=11, as_of=AS_OF))
    # the edges: a later lodgement of one id wins; the same date twice keeps the later line;
    # zero income gives null ratios; blank optional fields become null
    later = {**GOOD_LODGEMENT, "lodgement_date": "2025-09-15", "refund_amount": "10.00"}
    zero = {
        **GOOD_LODGEMENT,
        "lodgement_id": ID_B,
        "taxable_income": "0.00",
        "total_deductions": "0.00",
        "tax_withheld": "0.00",
        "refund_amount": "0.00",
        "agent_id": "",
        "amends_lodgement_id": "",
    }
    tie = {**zero, "postcode": "3000"}
    extra = csv_bytes("lodgement", [later, GOOD_LODGEMENT, zero, tie]).split(b"\n", 1)[1]
    with open(path, "ab") as fh:
        fh.write(extra)

    with open(path, "rb") as fh:
        source, _ = open_source(fh, str(path))
        expected = curate_chunks(
            iter_chunks(source, get_schema("lodgement").names),
            "lodgement",
            source_file=bench_lake.SOURCE_FILE,
            as_of=AS_OF,
        )
    got = bench_lake.duckdb_curate(str(path))

    assert expected.num_rows == 2_002
    assert got.schema.equals(expected.schema)
    assert got.equals(expected)
    by_id = {r["lodgement_id"]: r for r in got.to_pylist()}
    assert str(by_id[ID_A]["refund_amount"]) == "10.00"
    assert by_id[ID_B]["postcode"] == "3000" and by_id[ID_B]["effective_tax_rate"] is None
