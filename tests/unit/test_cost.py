"""The billing rules that turn measured use into dollars (taxlake.cost.prices)."""

from __future__ import annotations

import dataclasses

import pytest

from taxlake.cost.prices import AP_SOUTHEAST_2, PRICES, Prices, emr_cost, glue_cost, lambda_cost

P = Prices(
    region="test-1",
    checked="test",
    lambda_gb_second=1.0,
    lambda_request=0.5,
    lambda_ephemeral_gb_second=0.25,
    glue_dpu_hour=3600.0,  # a dollar a DPU-second
    glue_flex_dpu_hour=1800.0,
    emr_vcpu_hour=3600.0,
    emr_gb_hour=360.0,
    emr_storage_gb_hour=36.0,
)


def test_a_lambda_invocation_bills_milliseconds_at_its_memory_plus_the_request() -> None:
    assert lambda_cost(2.0, 1024, prices=P) == pytest.approx(2.0 + 0.5)
    assert lambda_cost(1.0, 3008, prices=P) == pytest.approx(3008 / 1024 + 0.5)
    # a partial millisecond is a whole one
    assert lambda_cost(0.0001, 1024, prices=P) == pytest.approx(0.001 + 0.5)


def test_lambda_bills_only_the_tmp_above_the_free_512_mb() -> None:
    base = lambda_cost(4.0, 1024, prices=P)
    assert lambda_cost(4.0, 1024, ephemeral_mb=512, prices=P) == base
    assert lambda_cost(4.0, 1024, ephemeral_mb=512 + 2048, prices=P) == pytest.approx(base + 4.0 * 2 * 0.25)


def test_a_glue_run_bills_at_least_a_minute_on_at_least_two_workers() -> None:
    assert glue_cost(10, 1, prices=P) == pytest.approx(2 * 60)
    assert glue_cost(90.2, 4, prices=P) == pytest.approx(4 * 91)
    assert glue_cost(90, 4, worker_type="G.2X", prices=P) == pytest.approx(8 * 90)
    assert glue_cost(90, 4, flex=True, prices=P) == pytest.approx(4 * 90 / 2)


def test_an_emr_serverless_run_bills_each_worker_a_minute_at_least_and_storage_over_20_gb() -> None:
    per_second = (4 * 3600.0 + 16 * 360.0) / 3600
    assert emr_cost(5, 3, prices=P) == pytest.approx(3 * 60 * per_second)
    assert emr_cost(120, 1, storage_gb=30, prices=P) == pytest.approx(120 * (per_second + 10 * 36.0 / 3600))


def test_the_region_table_has_every_price_and_says_when_it_was_checked() -> None:
    assert PRICES["ap-southeast-2"] is AP_SOUTHEAST_2
    for field in dataclasses.fields(Prices):
        value = getattr(AP_SOUTHEAST_2, field.name)
        assert value, field.name
        if isinstance(value, float):
            assert 0 < value < 1, field.name  # a unit price, not a total
    # Flex is the cheaper class, as the routing's default relies on
    assert AP_SOUTHEAST_2.glue_flex_dpu_hour < AP_SOUTHEAST_2.glue_dpu_hour
