"""The OpenAPI document describes every webhook; real bodies match their schema."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from api.openapi import document
from models.delivery.webhooks import EVENT_TYPES, TEST_EVENT

_PY = {"integer": int, "string": str, "null": type(None), "array": list, "object": dict}


def _matches(value: Any, schema: dict[str, Any]) -> bool:
    kinds = schema.get("type")
    if kinds is None:
        return "const" not in schema or value == schema["const"]
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if isinstance(value, bool):
        return False
    ok = any(isinstance(value, _PY[k]) for k in kinds)
    if ok and schema.get("format") == "date-time" and isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return ok and ("enum" not in schema or value in schema["enum"])


def assert_body_documented(raw: str) -> None:
    """``raw`` (a stored webhook body) has exactly the documented fields and types."""
    body = json.loads(raw)
    hook = document()["webhooks"][body["type"]]["post"]
    schema = hook["requestBody"]["content"]["application/json"]["schema"]
    assert set(body) == set(schema["properties"])
    assert _matches(body["timestamp"], schema["properties"]["timestamp"])
    data_schema = schema["properties"]["data"]
    assert set(body["data"]) == set(data_schema["properties"]), body["type"]
    for key, value in body["data"].items():
        assert _matches(value, data_schema["properties"][key]), (body["type"], key, value)


def test_every_event_type_is_documented_with_the_signature_headers() -> None:
    hooks = document()["webhooks"]
    assert set(hooks) == {*EVENT_TYPES, TEST_EVENT}
    for hook in hooks.values():
        names = {p["name"] for p in hook["post"]["parameters"]}
        assert names == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert document()["openapi"].startswith("3.1")


def test_a_body_with_an_undocumented_field_is_caught() -> None:
    good = '{"type":"points.adjusted","timestamp":"2025-03-03T10:00:00Z",'
    assert_body_documented(good + '"data":{"member_id":1,"entry_id":2,"points":-3,"balance":4}}')
    try:
        assert_body_documented(
            good + '"data":{"member_id":1,"entry_id":2,"points":-3,"balance":4,"name":"Alice"}}'
        )
    except AssertionError:
        return
    raise AssertionError("an undocumented field passed")
