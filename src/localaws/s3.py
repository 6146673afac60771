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
    from moto.s3.models import FakeBucket
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

    setattr(S3Response, "get_bucket_notification", get_bucket_notification)  # noqa: B010 - a patch
    setattr(FakeBucket, "get_permission", get_permission)  # noqa: B010
    setattr(notifications, "_send_event_bridge_message", send_event_bridge_message)  # noqa: B010
