"""S3: EventBridge notifications as AWS sends them, and their configuration read-back.

- GetBucketNotificationConfiguration returns ``EventBridgeConfiguration``
  once EventBridge delivery is on. moto stores it but leaves it out of the
  response, so Terraform's ``aws_s3_bucket_notification { eventbridge = true }``
  plans a change forever.
- The events themselves follow AWS's shape: a unique ``id`` per event,
  ``detail.object.etag`` (moto writes ``eTag``), ``version-id`` only for
  versioned buckets, an increasing ``sequencer``, ``reason`` as the API
  call (``PutObject``, ``CopyObject``, ``CompleteMultipartUpload``), and no
  ``Object Tags Added`` event for an upload that carries no tags.
- Bucket policies: moto checks object requests against the bucket policy
  without any request context, so a statement with a Condition (TLS-only
  ``aws:SecureTransport``, encryption-header checks) matches every request
  and a Deny refuses them all. Here conditional statements are evaluated
  as AWS would for a well-behaved client of the TLS endpoint: the
  conditions of the platform's denies are not met, so they have no effect.
  Unconditional statements are enforced as moto enforces them. (The local
  endpoint is plain HTTP standing in for AWS's TLS endpoint; request
  signing and IAM are not evaluated, as in moto.)
- Object Lock: a CopyObject into a bucket with default retention needs no
  ``Content-MD5`` (moto demands it or ``x-amz-sdk-checksum-algorithm``, but
  CopyObject has no body and neither member in the S3 API model, so no SDK
  can send them), and the default retention of a versioned bucket may be
  set, changed or removed while it holds objects (moto refuses any
  PutObjectLockConfiguration on a non-empty bucket, which also fails
  ``terraform destroy`` of ``aws_s3_bucket_object_lock_configuration``).
  Versioning of a lock-enabled bucket cannot be suspended
  (``InvalidBucketState``, which the AWS provider's versioning destroy
  expects and skips); moto suspends it, after which deletes skip every lock
  check.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from typing import Any

_REASONS = {
    "ObjectCreated:Put": "PutObject",
    "ObjectCreated:Post": "PostObject",
    "ObjectCreated:Copy": "CopyObject",
    "ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
    "ObjectRemoved:Delete": "DeleteObject",
    "ObjectRemoved:DeleteMarkerCreated": "DeleteObject",
}
_sequence = itertools.count(1)
_sequence_lock = threading.Lock()


def event_for(account_id: str, bucket: Any, event_name: str, key: Any, detail_type: str) -> dict[str, Any]:
    """The EventBridge event AWS sends for ``event_name`` on ``key``."""
    from moto.core.utils import unix_time

    with _sequence_lock:
        sequencer = f"{next(_sequence):016X}"
    obj: dict[str, Any] = {"key": key.name, "size": key.size, "etag": key.etag.replace('"', "")}
    if key.version_id and key.version_id != "null":
        obj["version-id"] = key.version_id
    obj["sequencer"] = sequencer
    short = event_name.removeprefix("s3:")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.s3",
        "account": account_id,
        "time": unix_time(),
        "region": bucket.region_name,
        "resources": [bucket.arn],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket.name},
            "object": obj,
            "request-id": uuid.uuid4().hex[:16].upper(),
            "requester": account_id,
            "source-ip-address": "127.0.0.1",
            "reason": _REASONS.get(short, short.split(":")[0]),
        },
    }


def install() -> None:
    from moto.core.responses import ActionResult
    from moto.s3 import notifications
    from moto.s3.exceptions import BucketNeedsToBeNew, InvalidBucketState
    from moto.s3.models import FakeBucket, S3Backend
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self: Any) -> Any:
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        serialized = self.serialized

        def with_eventbridge(result: Any) -> Any:
            if config is not None and config.event_bridge is not None and isinstance(result, ActionResult):
                body = result.result
                if isinstance(body, dict):
                    body["EventBridgeConfiguration"] = {}
            return serialized(result)

        self.serialized = with_eventbridge
        try:
            return original(self)
        finally:
            del self.serialized

    def send_event_bridge_message(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
        from moto.events.models import events_backends
        from moto.s3.models import s3_backends

        detail_type = notifications._detail_type(event_name)
        if detail_type == "Object Tags Added":
            tags = s3_backends[account_id][key.partition].tagger.get_tag_dict_for_resource(key.arn)
            if not tags:
                return
        event = event_for(account_id, bucket, event_name, key, detail_type)
        backend = events_backends[account_id][bucket.region_name]
        for event_bus in list(backend.event_buses.values()):
            for rule in list(event_bus.rules.values()):
                try:
                    rule.send_to_targets(event, transform_input=False)  # type: ignore[arg-type]
                except Exception:  # noqa: S112 - delivery is asynchronous in AWS: never fail the upload
                    continue

    def get_permission(self: Any, action: str, resource: str) -> Any:
        import json

        from moto.iam.access_control import IAMPolicy, PermissionResult

        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = json.loads(self.policy)
        statements = policy.get("Statement", [])
        statements = [statements] if isinstance(statements, dict) else statements
        unconditional = [s for s in statements if "Condition" not in s]
        if not unconditional:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps({**policy, "Statement": unconditional})).is_action_permitted(action, resource)

    original_key_put = S3Response._key_response_put

    def key_response_put(self: Any, query: dict[str, Any], key_name: str) -> Any:
        # moto checks for Content-MD5 before it dispatches; a plain CopyObject (not
        # UploadPartCopy, not a ?retention/?tagging/... sub-resource) skips that check only.
        is_copy = "x-amz-copy-source" in self.headers and not (query.get("uploadId") and query.get("partNumber"))
        if is_copy and not {"retention", "legal-hold", "acl", "tagging"} & set(query):
            self._set_action("KEY", "PUT", query)
            self._authenticate_and_authorize_s3_action(bucket_name=self.bucket_name, key_name=key_name)
            return self.copy_object()
        return original_key_put(self, query, key_name)

    original_lock_config = S3Backend.put_object_lock_configuration

    def put_object_lock_configuration(
        self: Any,
        bucket_name: str,
        lock_enabled: bool,
        mode: str | None = None,
        days: int | None = None,
        years: int | None = None,
    ) -> None:
        try:
            original_lock_config(self, bucket_name, lock_enabled, mode, days, years)
        except BucketNeedsToBeNew:
            # the same assignments moto makes for an empty bucket (versioning already checked)
            bucket = self.get_bucket(bucket_name)
            if lock_enabled:
                bucket.object_lock_enabled = True
                bucket.versioning_status = "Enabled"
            bucket.default_lock_mode = mode
            bucket.default_lock_days = days
            bucket.default_lock_years = years

    original_versioning = S3Backend.put_bucket_versioning

    def put_bucket_versioning(self: Any, bucket_name: str, status: str) -> None:
        if self.get_bucket(bucket_name).object_lock_enabled and status != "Enabled":
            # AWS answers 409; moto's serializer sends 400 for codes outside the S3 model,
            # and clients (the provider included) match on the code and message.
            raise InvalidBucketState(
                "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."
            )
        original_versioning(self, bucket_name, status)

    setattr(S3Response, "_key_response_put", key_response_put)  # noqa: B010
    setattr(S3Backend, "put_object_lock_configuration", put_object_lock_configuration)  # noqa: B010
    setattr(S3Backend, "put_bucket_versioning", put_bucket_versioning)  # noqa: B010
    setattr(S3Response, "get_bucket_notification", get_bucket_notification)  # noqa: B010 - a patch
    setattr(FakeBucket, "get_permission", get_permission)  # noqa: B010
    setattr(notifications, "_send_event_bridge_message", send_event_bridge_message)  # noqa: B010
