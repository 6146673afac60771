"""The taxlake command line: output shape and exit codes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from taxlake.cli import main, parse_size

from .conftest import GOOD_LODGEMENT, csv_bytes


def reports(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_all_accepted_exits_0_with_one_report_per_file(sample, capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = sample("lodgement", "csv", rows=100)
    b, _ = sample("bas", "jsonl.gz", rows=100)
    assert main(["validate", str(a), str(b), "--as-of", "2026-11-01"]) == 0
    docs = reports(capsys.readouterr().out)
    assert [(d["kind"], d["status"], d["records_read"]) for d in docs] == [
        ("lodgement", "accepted", 100),
        ("bas", "accepted", 100),
    ]
    for key in ("file", "records_valid", "records_rejected", "reasons", "rejected_samples"):
        assert key in docs[0]


def test_any_quarantined_exits_1(sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, _ = sample("lodgement", "csv", rows=50)
    broken = tmp_path / "lodgement-broken.csv.gz"
    broken.write_bytes(gzip.compress(csv_bytes("lodgement", [GOOD_LODGEMENT] * 200), mtime=0)[:-30])
    assert main(["validate", str(good), str(broken)]) == 1
    docs = reports(capsys.readouterr().out)
    assert [d["status"] for d in docs] == ["accepted", "quarantined"]
    assert docs[1]["quarantine_reason"] == "DECOMPRESSION_ERROR"


def test_kind_flag_overrides_detection(sample, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = sample("bas", "csv", rows=10)
    assert main(["validate", str(path), "--kind", "lodgement"]) == 1
    assert reports(capsys.readouterr().out)[0]["quarantine_reason"] == "SCHEMA_DRIFT"


@pytest.mark.parametrize(
    "argv",
    [[], ["validate"], ["validate", "/no/such/file.csv"], ["validate", "x.csv", "--kind", "nope"],
     ["validate", "x.csv", "--reject-threshold", "2"], ["validate", "x.csv", "--max-ratio", "0"],
     ["validate", "x.csv", "--max-line-size", "1 parsec"], ["frobnicate"],
     ["generate", "--out", "x.csv", "--rows", "1", "--size", "1MB"]],
)  # fmt: skip
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert main(argv) == 2


def test_rejects_dir_gets_every_rejected_row(sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, truth = sample("lodgement", "csv", rows=400, invalid_share=0.1)
    main(
        [
            "validate",
            str(path),
            "--rejects-dir",
            str(tmp_path / "rej"),
            "--reject-threshold",
            "0.5",
            "--as-of",
            "2026-11-01",
        ]
    )
    with gzip.open(tmp_path / "rej" / f"{path.name}.rejects.jsonl.gz", "rt") as fh:
        rows = [json.loads(x) for x in fh]
    assert len(rows) == truth.invalid == reports(capsys.readouterr().out)[0]["records_rejected"]


def test_generate_writes_file_and_truth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "payer.jsonl.gz"
    assert (
        main(
            [
                "generate",
                "--kind",
                "payer-report",
                "--rows",
                "300",
                "--seed",
                "4",
                "--invalid-share",
                "0.1",
                "--out",
                str(out),
                "--truth",
                str(tmp_path / "t.json"),
            ]
        )
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed == {**json.loads((tmp_path / "t.json").read_text())}
    assert printed["records"] == 300 and printed["invalid"] > 0
    assert main(["validate", str(out), "--reject-threshold", "0.5", "--as-of", "2026-11-01"]) == 0
    assert reports(capsys.readouterr().out)[0]["records_rejected"] == printed["invalid"]


def test_generate_plants_every_rule_and_writes_the_payer_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, payers = tmp_path / "l.csv", tmp_path / "p.parquet"
    argv = ["generate", "--rows", "2000", "--seed", "5", "--out", str(out), "--payers", str(payers)]
    planted = ["--fraud-rings", "1", "--deductions-outliers", "3", "--income-gaps", "4", "--agent-bursts", "1"]
    assert main([*argv, *planted, "--third-party-share", "0.5"]) == 0
    printed = json.loads(capsys.readouterr().out)
    # each planted gap has payer reports behind it, and half the other returns honest cover
    assert printed["payers"]["file"] == str(payers) and printed["payers"]["records"] > 4
    assert pq.read_metadata(payers).num_rows == printed["payers"]["records"]
    assert main(["validate", str(payers), "--as-of", "2026-11-01"]) == 0
    assert reports(capsys.readouterr().out)[0]["records_valid"] == printed["payers"]["records"]
    # payer reports belong to lodgement samples; a bad plan is a usage error, not a traceback
    assert main(["generate", "--kind", "bas", "--out", str(tmp_path / "b.csv"), "--payers", str(payers)]) == 2
    assert main([*argv, "--income-gaps", "5000"]) == 2
    assert "taxlake generate:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "value"),
    [("2000", 2000), ("1kb", 1000), ("1.5MB", 1_500_000), ("1GiB", 2**30), ("2 GB", 2 * 10**9)],
)
def test_parse_size(text: str, value: int) -> None:
    assert parse_size(text) == value
