"""Published on-demand prices per region, and the cost of one run of each processing path.

The table is versioned with the code: a price change is a reviewed commit, and
``Prices.checked`` says when (and how) the figures were last compared with AWS's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Prices:
    """USD, on demand, first usage tier, x86. Sources: aws.amazon.com/{lambda,glue,emr}/pricing."""

    region: str
    checked: str
    lambda_gb_second: float
    lambda_request: float
    lambda_ephemeral_gb_second: float  # configured /tmp above the free 512 MB
    glue_dpu_hour: float
    glue_flex_dpu_hour: float
    emr_vcpu_hour: float
    emr_gb_hour: float
    emr_storage_gb_hour: float  # above the free 20 GB a worker
    # billing rules (the same in every region)
    glue_minimum_seconds: int = 60  # Glue 2.0 and later, standard and Flex
    glue_minimum_workers: int = 2
    emr_minimum_seconds: int = 60  # per worker
    lambda_free_ephemeral_mb: int = 512
    emr_free_storage_gb: int = 20


AP_SOUTHEAST_2 = Prices(
    region="ap-southeast-2",
    checked=(
        "2026-12-03, entered without network access from the providers' published rates; "
        "compare with the AWS Price List API (aws pricing get-products) before budgeting on them"
    ),
    lambda_gb_second=0.0000166667,
    lambda_request=0.20 / 1_000_000,
    lambda_ephemeral_gb_second=0.0000000352,
    glue_dpu_hour=0.44,
    glue_flex_dpu_hour=0.29,
    emr_vcpu_hour=0.06565,
    emr_gb_hour=0.00721,
    emr_storage_gb_hour=0.000137,
)

PRICES = {p.region: p for p in (AP_SOUTHEAST_2,)}
DPUS_PER_WORKER = {"G.1X": 1, "G.2X": 2}


def lambda_cost(seconds: float, memory_mb: int, *, ephemeral_mb: int = 512, prices: Prices = AP_SOUTHEAST_2) -> float:
    """One invocation: duration (billed per ms) at the configured memory, the request, and /tmp above 512 MB."""
    billed = math.ceil(seconds * 1000) / 1000
    extra_tmp_gb = max(0, ephemeral_mb - prices.lambda_free_ephemeral_mb) / 1024
    return (
        billed * memory_mb / 1024 * prices.lambda_gb_second
        + billed * extra_tmp_gb * prices.lambda_ephemeral_gb_second
        + prices.lambda_request
    )


def glue_cost(
    seconds: float, workers: int, *, worker_type: str = "G.1X", flex: bool = False, prices: Prices = AP_SOUTHEAST_2
) -> float:
    """One job run: DPU-seconds (per second, one-minute minimum, at least two workers) at the standard or Flex rate."""
    dpus = max(workers, prices.glue_minimum_workers) * DPUS_PER_WORKER[worker_type]
    billed = max(math.ceil(seconds), prices.glue_minimum_seconds)
    rate = prices.glue_flex_dpu_hour if flex else prices.glue_dpu_hour
    return dpus * billed / 3600 * rate


def emr_cost(
    seconds: float,
    workers: int,
    *,
    vcpus: int = 4,
    memory_gb: int = 16,
    storage_gb: int = 20,
    prices: Prices = AP_SOUTHEAST_2,
) -> float:
    """One job run on ``workers`` equal workers (driver included) alive for ``seconds``: vCPU-, GB- and
    storage-hours, per second with a one-minute minimum a worker."""
    hours = max(math.ceil(seconds), prices.emr_minimum_seconds) / 3600
    per_worker = (
        vcpus * prices.emr_vcpu_hour
        + memory_gb * prices.emr_gb_hour
        + max(0, storage_gb - prices.emr_free_storage_gb) * prices.emr_storage_gb_hour
    )
    return workers * per_worker * hours
