"""S3 Object Lock as AWS applies it, where moto (5.2.5) differs: copies, retention changes, versioning.

Each test locks in GOVERNANCE mode so it can clean up with BypassGovernanceRetention.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ..conftest import REGION


@pytest.fixture
def locked_bucket(aws, unique) -> Iterator[str]:
    s3 = aws("s3")
    s3.create_bucket(
        Bucket=unique, CreateBucketConfiguration={"LocationConstraint": REGION}, ObjectLockEnabledForBucket=True
    )
    s3.put_object_lock_configuration(Bucket=unique, ObjectLockConfiguration=_retention("GOVERNANCE", 1))
    yield unique
    _empty(s3, unique)
    s3.delete_bucket(Bucket=unique)


def _retention(mode: str, days: int) -> dict[str, Any]:
    return {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": mode, "Days": days}}}


def _empty(s3: Any, bucket: str) -> None:
    listed = s3.list_object_versions(Bucket=bucket)
    entries = listed.get("Versions", []) + listed.get("DeleteMarkers", [])
    objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in entries]
    if objects:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": objects}, BypassGovernanceRetention=True)


def test_copy_into_a_default_retention_bucket_is_locked_without_content_md5(aws, unique, locked_bucket) -> None:
    s3 = aws("s3")
    source = f"{unique}-src"
    s3.create_bucket(Bucket=source, CreateBucketConfiguration={"LocationConstraint": REGION})
    try:
        s3.put_object(Bucket=source, Key="a.csv", Body=b"x,y\n1,2\n", ContentType="text/csv")
        # CopyObject has no ContentMD5 member in the S3 API model: an SDK cannot send one
        out = s3.copy_object(Bucket=locked_bucket, Key="raw/a.csv", CopySource={"Bucket": source, "Key": "a.csv"})
        head = s3.head_object(Bucket=locked_bucket, Key="raw/a.csv", VersionId=out["VersionId"])
        assert (head["ObjectLockMode"], head["ContentType"]) == ("GOVERNANCE", "text/csv")
        assert head["ObjectLockRetainUntilDate"] > head["LastModified"]
        assert s3.get_object(Bucket=locked_bucket, Key="raw/a.csv")["Body"].read() == b"x,y\n1,2\n"
        with pytest.raises(ClientError, match="AccessDenied"):
            s3.delete_object(Bucket=locked_bucket, Key="raw/a.csv", VersionId=out["VersionId"])
    finally:
        s3.delete_object(Bucket=source, Key="a.csv")
        s3.delete_bucket(Bucket=source)


def test_default_retention_changes_and_goes_while_the_bucket_holds_objects(aws, locked_bucket) -> None:
    s3 = aws("s3")
    s3.put_object(Bucket=locked_bucket, Key="held", Body=b"1")
    s3.put_object_lock_configuration(Bucket=locked_bucket, ObjectLockConfiguration=_retention("GOVERNANCE", 3))
    rule = s3.get_object_lock_configuration(Bucket=locked_bucket)["ObjectLockConfiguration"]["Rule"]
    assert rule["DefaultRetention"]["Days"] == 3
    # what the provider sends when aws_s3_bucket_object_lock_configuration is destroyed
    s3.put_object_lock_configuration(Bucket=locked_bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    s3.put_object(Bucket=locked_bucket, Key="free", Body=b"2")
    assert "ObjectLockMode" not in s3.head_object(Bucket=locked_bucket, Key="free")
    assert s3.head_object(Bucket=locked_bucket, Key="held")["ObjectLockMode"] == "GOVERNANCE"


def test_versioning_of_a_lock_enabled_bucket_cannot_be_suspended(aws, locked_bucket) -> None:
    s3 = aws("s3")
    version = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"1")["VersionId"]
    with pytest.raises(ClientError) as refused:
        s3.put_bucket_versioning(Bucket=locked_bucket, VersioningConfiguration={"Status": "Suspended"})
    assert refused.value.response["Error"]["Code"] == "InvalidBucketState"
    assert "Object Lock configuration is present" in refused.value.response["Error"]["Message"]
    assert s3.get_bucket_versioning(Bucket=locked_bucket)["Status"] == "Enabled"
    # so a retained version stays protected, and only a governance bypass removes it
    denied = s3.delete_objects(Bucket=locked_bucket, Delete={"Objects": [{"Key": "k", "VersionId": version}]})
    assert [e["Code"] for e in denied["Errors"]] == ["AccessDenied"]
    bypassed = s3.delete_objects(
        Bucket=locked_bucket,
        Delete={"Objects": [{"Key": "k", "VersionId": version}]},
        BypassGovernanceRetention=True,
    )
    assert [d["VersionId"] for d in bypassed["Deleted"]] == [version]
