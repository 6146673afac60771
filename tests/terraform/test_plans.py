"""What each environment would deploy, read from its real plan (conftest.py), generically:
every resource of a type is checked, so a new bucket, log group or queue is covered as
soon as it is added.

Values a plan cannot know yet (a key ARN of a key still to be created) are "unknown":
a setting counts as set when it is a known non-empty value or unknown (wired to a
resource), and as missing when it is null.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

# The retention floors this platform promises (taxlake keeps lodgements 7 years): stated
# here once, as policy, because a test that only compared the plan with the tfvars that
# drive it would pass a tfvars edit that breaks the promise.
PROD_MIN_LOG_RETENTION_DAYS = 365
PROD_RAW_LOCK = {"mode": "COMPLIANCE", "min_days": 2555}
PROD_MIN_KMS_DELETION_WINDOW = 30
# force_destroy is allowed only where everything is disposable: the emulator, and dev,
# whose dev.tfvars makes every bucket disposable on purpose
DISPOSABLE = {"dev", "local"}
KMS_KEY_ARN = re.compile(r"^arn:aws:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")


def changes(plan: dict[str, Any], type_: str, mode: str = "managed") -> list[dict[str, Any]]:
    """Planned creations/updates of every resource of a type: [{address, after, unknown}]."""
    out = []
    for rc in plan.get("resource_changes", []):
        if rc["type"] == type_ and rc["mode"] == mode and rc["change"]["actions"] != ["delete"]:
            out.append(
                {
                    "address": rc["address"],
                    "after": rc["change"]["after"] or {},
                    "unknown": rc["change"]["after_unknown"] or {},
                }
            )
    return out


def planned(plan: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    found = changes(plan, type_)
    assert found, f"{plan['environment']}: the plan has no {type_} (did the composition change?)"
    return found


def is_set(resource: dict[str, Any], key: str) -> bool:
    """Known and non-empty, or unknown until apply (a reference to a resource)."""
    return bool(resource["after"].get(key)) or resource["unknown"].get(key) is True


def tfvar(plan: dict[str, Any], name: str) -> dict[str, Any]:
    value: dict[str, Any] = plan["variables"][name]["value"]
    return value


def test_no_bucket_can_be_destroyed_with_its_objects_outside_local(plan: dict[str, Any]) -> None:
    buckets = planned(plan, "aws_s3_bucket")
    if plan["environment"] in DISPOSABLE:
        return
    assert [b["address"] for b in buckets if b["after"].get("force_destroy") is not False] == []


def test_raw_bucket_locks_landed_files_as_the_environment_requires(plan: dict[str, Any]) -> None:
    locks = planned(plan, "aws_s3_bucket_object_lock_configuration")
    raw = [r for r in locks if ".raw." in r["address"]]
    assert len(raw) == 1, [r["address"] for r in locks]
    retention = raw[0]["after"]["rule"][0]["default_retention"][0]
    wanted = tfvar(plan, "raw")
    assert (retention["mode"], retention["days"]) == (wanted["object_lock_mode"], wanted["retention_days"])
    if plan["environment"] == "prod":
        assert retention["mode"] == PROD_RAW_LOCK["mode"] and retention["days"] >= PROD_RAW_LOCK["min_days"]
    # the bucket the lock applies to is created with Object Lock on
    buckets = [b for b in planned(plan, "aws_s3_bucket") if ".raw." in b["address"]]
    assert [b["after"]["object_lock_enabled"] for b in buckets] == [True]


def test_stateful_resources_are_protected_from_deletion(plan: dict[str, Any]) -> None:
    env = plan["environment"]
    keys = planned(plan, "aws_kms_key")
    window = tfvar(plan, "kms").get("deletion_window_in_days", PROD_MIN_KMS_DELETION_WINDOW)
    assert {k["address"]: k["after"]["deletion_window_in_days"] for k in keys} == {k["address"]: window for k in keys}
    tables = planned(plan, "aws_dynamodb_table")
    protected = tfvar(plan, "validator").get("deletion_protection", True)
    if env == "prod":
        assert window >= PROD_MIN_KMS_DELETION_WINDOW and protected is True
    assert {t["address"]: t["after"]["deletion_protection_enabled"] for t in tables} == {
        t["address"]: protected for t in tables
    }


def test_every_log_group_keeps_logs_for_a_bounded_positive_time(plan: dict[str, Any]) -> None:
    groups = planned(plan, "aws_cloudwatch_log_group")
    days = {g["address"]: g["after"].get("retention_in_days") for g in groups}
    assert [a for a, d in days.items() if not d or d <= 0] == []
    if plan["environment"] == "prod":
        assert [a for a, d in days.items() if d < PROD_MIN_LOG_RETENTION_DAYS] == []


# S3 server access logging delivers only to a bucket encrypted with SSE-S3 (AES256), not SSE-KMS
SSE_S3_ONLY = ("module.access_logs",)


def test_every_bucket_encrypts_with_the_environment_key(plan: dict[str, Any]) -> None:
    buckets = {b["address"].removesuffix(".aws_s3_bucket.this") for b in planned(plan, "aws_s3_bucket")}
    buckets -= set(SSE_S3_ONLY)
    encrypted = set()
    for sse in planned(plan, "aws_s3_bucket_server_side_encryption_configuration"):
        if sse["address"].startswith(SSE_S3_ONLY):
            continue
        rule = sse["after"]["rule"][0]["apply_server_side_encryption_by_default"][0]
        unknown = sse["unknown"].get("rule", [{}])[0].get("apply_server_side_encryption_by_default", [{}])[0]
        # the algorithm follows the key (aws:kms once a key ARN is given): unknown together
        # with a key still to be created, a known AES256 when no key is wired
        algorithm = "aws:kms (key known after apply)" if unknown.get("sse_algorithm") is True else rule["sse_algorithm"]
        assert algorithm.startswith("aws:kms"), sse["address"]
        assert rule.get("kms_master_key_id") or unknown.get("kms_master_key_id") is True, sse["address"]
        encrypted.add(sse["address"].removesuffix(".aws_s3_bucket_server_side_encryption_configuration.this"))
    assert buckets - encrypted == set()


@pytest.mark.parametrize(
    ("type_", "key"),
    [
        ("aws_cloudwatch_log_group", "kms_key_id"),
        ("aws_sqs_queue", "kms_master_key_id"),
        ("aws_sns_topic", "kms_master_key_id"),
    ],
)
def test_every_resource_of_a_type_is_encrypted_with_a_customer_key(plan: dict[str, Any], type_: str, key: str) -> None:
    resources = planned(plan, type_)
    assert [r["address"] for r in resources if not is_set(r, key)] == []
    # a known value must be a KMS key, not the AWS-managed alias/aws/<service>
    known = [r["after"][key] for r in resources if r["after"].get(key)]
    assert [k for k in known if not KMS_KEY_ARN.match(k) or "alias/aws/" in k] == []


def test_every_table_and_state_machine_is_encrypted_with_a_customer_key(plan: dict[str, Any]) -> None:
    for table in planned(plan, "aws_dynamodb_table"):
        sse, unknown = table["after"]["server_side_encryption"], table["unknown"].get("server_side_encryption", [{}])
        assert sse and sse[0]["enabled"] is True, table["address"]
        assert sse[0].get("kms_key_arn") or unknown[0].get("kms_key_arn") is True, table["address"]
    for machine in planned(plan, "aws_sfn_state_machine"):
        enc, unknown = (
            machine["after"]["encryption_configuration"],
            machine["unknown"].get("encryption_configuration", [{}]),
        )
        assert enc and enc[0]["type"] == "CUSTOMER_MANAGED_KMS_KEY", machine["address"]
        assert enc[0].get("kms_key_id") or unknown[0].get("kms_key_id") is True, machine["address"]


POLICY_ATTRIBUTES = {
    "aws_iam_policy": ("policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_iam_role": ("assume_role_policy",),
    "aws_s3_bucket_policy": ("policy",),
    "aws_kms_key": ("policy",),
    "aws_sqs_queue_policy": ("policy",),
    "aws_sqs_queue": ("policy",),
    "aws_sns_topic_policy": ("policy",),
    "aws_sns_topic": ("policy",),
    "aws_lambda_layer_version_permission": (),
}


def _actions(statements: list[dict[str, Any]]) -> Iterator[str]:
    """The actions statements grant: Allow only (a Deny of s3:* over plain HTTP is a guard
    rail, not a grant); an Allow with NotAction grants nearly everything, so it counts as *."""
    for s in statements:
        if str(s.get("Effect", s.get("effect")) or "Allow").lower() != "allow":
            continue
        if s.get("NotAction") or s.get("not_actions"):
            yield "*"
        value = s.get("Action") or s.get("actions") or []
        yield from [value] if isinstance(value, str) else value


def policy_actions(plan: dict[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
    """{address: actions} of every policy document in the plan, and those only known after apply."""
    found: dict[str, list[str]] = {}
    unknown: list[str] = []
    for type_, attributes in POLICY_ATTRIBUTES.items():
        for r in changes(plan, type_):
            for attribute in attributes:
                if r["unknown"].get(attribute) is True:
                    unknown.append(f"{r['address']}.{attribute}")
                elif doc := r["after"].get(attribute):
                    found[f"{r['address']}.{attribute}"] = list(_actions(json.loads(doc)["Statement"]))
            for inline in r["after"].get("inline_policy") or []:
                if inline.get("policy"):
                    found[f"{r['address']}.inline_policy"] = list(_actions(json.loads(inline["policy"])["Statement"]))
    # aws_iam_policy_document: read during plan (prior_state) or deferred to apply, whose
    # statement blocks (the actions) are known even when the resources are not
    for rc in changes(plan, "aws_iam_policy_document", mode="data"):
        found[rc["address"]] = list(_actions(rc["after"].get("statement") or []))
    for r in _state_resources(plan.get("prior_state", {}).get("values", {}).get("root_module", {})):
        if r["type"] == "aws_iam_policy_document":
            found[r["address"]] = list(_actions(json.loads(r["values"]["json"])["Statement"]))
    # a document read only at apply shows no statements in the plan: take the literal
    # actions of its configuration (dynamic or computed action lists are not visible)
    for address, statements in _configured_documents(plan["configuration"]["root_module"], ""):
        found.setdefault(f"{address} (configuration)", list(_actions(statements)))
    return found, unknown


def _configured_documents(module: dict[str, Any], prefix: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for r in module.get("resources", []):
        if r["type"] == "aws_iam_policy_document":
            statements = [
                {k: v.get("constant_value") for k, v in s.items() if isinstance(v, dict)}
                for s in r.get("expressions", {}).get("statement", [])
            ]
            yield f"{prefix}{r['address']}", statements
    for name, call in module.get("module_calls", {}).items():
        yield from _configured_documents(call.get("module", {}), f"{prefix}module.{name}.")


def _state_resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _state_resources(child)


def test_no_policy_grants_every_action_of_a_service(plan: dict[str, Any]) -> None:
    found, unknown = policy_actions(plan)
    assert found, "no policy documents found in the plan"
    wild = {a: [x for x in acts if x == "*" or x.endswith(":*")] for a, acts in found.items()}
    assert {a: w for a, w in wild.items() if w} == {}
    print(f"{plan['environment']}: {len(found)} policy documents checked, {len(unknown)} known only after apply")
