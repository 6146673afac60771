"""Lake Formation in localaws keeps what a location was registered with, as AWS does
(plain moto returns only the ARN and role, so Terraform plans a replacement each time)."""

from __future__ import annotations

import uuid


def test_a_registered_location_reads_back_as_registered(aws) -> None:
    lf = aws("lakeformation")
    hybrid = f"arn:aws:s3:::lf-{uuid.uuid4().hex[:8]}"
    role = f"arn:aws:s3:::lf-{uuid.uuid4().hex[:8]}"
    lf.register_resource(ResourceArn=hybrid, UseServiceLinkedRole=True, HybridAccessEnabled=True)
    lf.register_resource(ResourceArn=role, RoleArn="arn:aws:iam::123456789012:role/lf-access")

    info = lf.describe_resource(ResourceArn=hybrid)["ResourceInfo"]
    assert info["HybridAccessEnabled"] is True and info["WithFederation"] is False
    assert info["RoleArn"].endswith(
        ":role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess"
    )
    assert info["LastModified"] is not None

    other = lf.describe_resource(ResourceArn=role)["ResourceInfo"]
    assert other["HybridAccessEnabled"] is False and other["RoleArn"] == "arn:aws:iam::123456789012:role/lf-access"
    listed = {r["ResourceArn"]: r for r in lf.list_resources()["ResourceInfoList"]}
    assert listed[hybrid]["HybridAccessEnabled"] is True
    lf.deregister_resource(ResourceArn=hybrid)
    lf.deregister_resource(ResourceArn=role)
