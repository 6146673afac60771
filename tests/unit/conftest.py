"""Shared fixtures: fake AWS credentials, sample files, a header line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable
from pathlib import Path

# The X-Ray SDK opens a UDP socket (no traffic) when first imported; import it
# at collection time, before pytest-socket starts refusing socket creation.
import aws_xray_sdk.core  # noqa: F401
import pytest
from hypothesis import settings

from taxlake.generate import GenerateSpec, Truth, write_sample
from taxlake.records.schemas import get_schema
from taxlake.records.validation import ValidationConfig

from .aws import aws  # noqa: F401 - moto-backed fixture for every test module

AS_OF = dt.date(2026, 11, 1)

# CI runs the same examples every time (a red build must be reproducible);
# HYPOTHESIS_PROFILE=explore searches 20x wider with fresh randomness.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach real AWS: fake credentials, fixed region, no endpoint override."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-2",
        "AWS_REGION": "ap-southeast-2",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def config() -> ValidationConfig:
    return ValidationConfig(as_of=AS_OF)


@pytest.fixture
def sample(tmp_path: Path) -> Callable[..., tuple[Path, Truth]]:
    """sample("lodgement", "csv.gz", rows=..., invalid_share=...) -> (path, truth)."""

    def make(kind: str = "lodgement", fmt: str = "csv", rows: int = 500, seed: int = 1, invalid_share: float = 0.0):
        path = tmp_path / f"{kind}-{seed}-{rows}.{fmt}"
        truth = write_sample(
            path, GenerateSpec(kind=kind, rows=rows, seed=seed, invalid_share=invalid_share, as_of=AS_OF)
        )
        return path, truth

    return make


def header(kind: str = "lodgement") -> str:
    return ",".join(get_schema(kind).names)


GOOD_LODGEMENT = {
    "lodgement_id": "3f2b8c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
    "tfn": "123456782",
    "tax_year": "2025",
    "lodgement_date": "2025-08-01",
    "taxable_income": "85000.00",
    "total_deductions": "1200.50",
    "tax_withheld": "21000.00",
    "refund_amount": "-350.25",
    "occupation_code": "261313",
    "postcode": "2000",
    "bank_bsb": "062000",
    "bank_account": "12345678",
    "agent_id": "",
    "amends_lodgement_id": "",
}
GOOD_BAS = {
    "abn": "51824753556",
    "period_start": "2025-07-01",
    "period_end": "2025-09-30",
    "gst_collected": "12000.00",
    "gst_paid": "3000.00",
    "payg_withheld": "4500.00",
    "lodgement_date": "2025-10-21",
}
GOOD_PAYER = {
    "payer_abn": "53004085616",
    "payee_tfn": "876543210",
    "tax_year": "2025",
    "gross_amount": "91000.00",
    "tax_withheld": "20000.00",
    "report_type": "STP",
}
GOOD = {"lodgement": GOOD_LODGEMENT, "bas": GOOD_BAS, "payer-report": GOOD_PAYER}


def csv_bytes(kind: str, rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(get_schema(kind).names), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
