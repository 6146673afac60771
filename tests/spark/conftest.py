"""One local[2] Spark session for the whole run (starting a JVM costs ~6 s)."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAKE = "taxlake-test-curated"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    # executors run this interpreter, which has taxlake installed
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("taxlake-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def glue_job(name: str) -> ModuleType:
    """A job entry point from src/glue (a script, not a package module)."""
    spec = importlib.util.spec_from_file_location(f"glue_job_{name}", ROOT / "src" / "glue" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def lake_s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto S3 with the curated bucket, for what the jobs read and write through boto3."""
    from moto import mock_aws

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    with mock_aws():
        import boto3

        client = boto3.client("s3", region_name="ap-southeast-2")
        client.create_bucket(Bucket=LAKE, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"})
        yield client
