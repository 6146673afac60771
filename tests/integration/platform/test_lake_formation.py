"""terraform/local registers the lake's table zones with Lake Formation, in hybrid mode,
through the module's role (a second plan finding nothing is test_ingestion's check)."""

from __future__ import annotations


def test_the_table_zones_are_registered_in_hybrid_mode(platform, endpoint) -> None:
    from local_platform import clients

    lf = clients(endpoint, names=("lakeformation",))["lakeformation"]
    registered = {r["ResourceArn"]: r for r in lf.list_resources()["ResourceInfoList"]}
    wanted = platform.outputs["catalog"]["lake_formation_locations"]
    assert set(wanted) == {"curated", "analytics"}
    for arn in wanted.values():
        assert registered[arn]["HybridAccessEnabled"] is True
        assert registered[arn]["RoleArn"].endswith(":role/taxlake-local-lakeformation")
    raw = f"arn:aws:s3:::{platform.outputs['buckets']['raw']['name']}"
    assert raw not in registered  # no tables over raw files
