"""The platform applied to the local endpoint once per session: terraform/local."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))

from local_platform import Alerts, CurrentTables, Landing, Pipeline, Terraform, clients  # noqa: E402


@dataclass
class Platform:
    terraform: Terraform
    outputs: dict[str, Any]
    landing: Landing
    aws: dict[str, Any]


@pytest.fixture(scope="session")
def platform(endpoint: str, emulator_log: Path | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    if not (ROOT / "dist" / "lambdas" / "validator.zip").exists():
        pytest.fail("dist/ is missing: run `nox -s package` (the integration session does) first")
    tf = Terraform(endpoint, tmp_path_factory.mktemp("terraform-local"), emulator_log=emulator_log)
    tf.init()
    outputs = tf.apply()
    aws = clients(endpoint)
    try:
        yield Platform(tf, outputs, Landing(aws, outputs), aws)
    finally:
        # leave nothing behind: destroy must succeed, or the session errors
        tf.destroy()


__all__ = ["Alerts", "CurrentTables", "Pipeline", "Platform"]


# Run last: its hundred files start a hundred pipeline executions, which would otherwise
# keep the emulator busy under every later scenario (the Spark job runs above all).
LAST = ("test_a_hundred_files_at_once_are_all_processed_and_records_conserved",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.name in LAST)
