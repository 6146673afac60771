"""EventBridge adapter: put one domain event on a bus (the default bus unless told)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from taxlake.adapters import LazyClient


class EventNotPublished(Exception):
    """EventBridge answered but refused the entry (PutEvents reports failures per entry)."""


class EventBridgePublisher(LazyClient):
    """``taxlake.quality.drift.EventPublisher`` on EventBridge."""

    service = "events"

    def __init__(self, bus_name: str = "default", client: Any = None) -> None:
        super().__init__(client)
        self.bus_name = bus_name

    def put(self, source: str, detail_type: str, detail: Mapping[str, Any]) -> str:
        entry = {
            "Source": source,
            "DetailType": detail_type,
            "Detail": json.dumps(detail, sort_keys=True, default=str),
            "EventBusName": self.bus_name,
        }
        out = self.client.put_events(Entries=[entry])
        (result,) = out["Entries"]
        if out.get("FailedEntryCount") or "EventId" not in result:
            raise EventNotPublished(
                f"{detail_type} from {source}: {result.get('ErrorCode')} {result.get('ErrorMessage')}"
            )
        return str(result["EventId"])
