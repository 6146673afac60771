"""EventBridge input transformation semantics (pure function, no server)."""

from __future__ import annotations

import pytest

from localaws.events import _json_path, transform

EVENT = {
    "id": "e1",
    "time": "2026-11-25T00:00:00Z",
    "detail": {"object": {"key": "incoming/a b.csv", "size": 5}, "tags": [1, 2]},
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{"key": <key>}', {"key": "incoming/a b.csv"}),  # outside quotes: a JSON value
        ('{"key": "s3://b/<key>"}', {"key": "s3://b/incoming/a b.csv"}),  # inside quotes: text
        ('{"size": <size>, "tags": <tags>}', {"size": 5, "tags": [1, 2]}),
        ('"<key> is <size> bytes"', "incoming/a b.csv is 5 bytes"),  # AWS's string-template example
        ('{"rule": "<aws.events.rule-name>"}', {"rule": "landing"}),
        ('{"whole": <aws.events.event.json>}', {"whole": EVENT}),
    ],
)
def test_input_transformer_places_values_as_eventbridge_does(template: str, expected: object) -> None:
    paths = {"key": "$.detail.object.key", "size": "$.detail.object.size", "tags": "$.detail.tags"}
    assert transform(template, paths, EVENT, "landing") == expected


def test_json_path_misses_are_null() -> None:
    assert _json_path(EVENT, "$.detail.nothing.here") is None
    assert _json_path(EVENT, "$.detail.tags[1]") == 2
