"""DynamoDB adapter: the pipeline's health record (one item per fact, conditional writes)."""

from __future__ import annotations

from typing import Any

from taxlake.adapters import LazyClient
from taxlake.adapters.errors import aws_error_code

STREAK_KEY = "streak"


class HealthTable(LazyClient):
    """The consecutive-failure streak, the executions already counted, and the newest
    curated file per kind, in one table keyed by ``pk``."""

    service = "dynamodb"

    def __init__(self, table_name: str, client: Any = None, remember_seconds: int = 7 * 86400) -> None:
        super().__init__(client)
        self.table_name = table_name
        self.remember_seconds = remember_seconds

    def first_sight(self, execution_arn: str, now_seconds: int) -> bool:
        """True the first time an execution's final status is seen (EventBridge delivers at
        least once); the marker expires with the table's TTL."""
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    "pk": {"S": f"execution#{execution_arn}"},
                    "expires_at": {"N": str(now_seconds + self.remember_seconds)},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except Exception as exc:
            if aws_error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def add_failure(self) -> int:
        out = self.client.update_item(
            TableName=self.table_name,
            Key={"pk": {"S": STREAK_KEY}},
            UpdateExpression="ADD failures :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(out["Attributes"]["failures"]["N"])

    def reset_streak(self) -> int:
        self.client.update_item(
            TableName=self.table_name,
            Key={"pk": {"S": STREAK_KEY}},
            UpdateExpression="SET failures = :zero",
            ExpressionAttributeValues={":zero": {"N": "0"}},
        )
        return 0

    def streak(self) -> int:
        item = self.client.get_item(TableName=self.table_name, Key={"pk": {"S": STREAK_KEY}}, ConsistentRead=True)
        return int(item.get("Item", {}).get("failures", {}).get("N", "0"))

    def curated(self, kind: str, at_ms: int) -> None:
        """Record a file of ``kind`` curated at ``at_ms`` unless a newer one is recorded."""
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"pk": {"S": f"curated#{kind}"}},
                UpdateExpression="SET newest_ms = :at",
                ConditionExpression="attribute_not_exists(newest_ms) OR newest_ms < :at",
                ExpressionAttributeValues={":at": {"N": str(at_ms)}},
            )
        except Exception as exc:
            if aws_error_code(exc) != "ConditionalCheckFailedException":  # an older file: keep the newer
                raise

    def newest_curated(self, kind: str) -> int | None:
        item = self.client.get_item(
            TableName=self.table_name, Key={"pk": {"S": f"curated#{kind}"}}, ConsistentRead=True
        )
        found = item.get("Item", {}).get("newest_ms")
        return int(found["N"]) if found else None
