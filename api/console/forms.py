"""Reading the console's flat form fields, the same whether they come as a query string
(an htmx count or preview as the form changes) or as JSON (the write): one reading, so
what the page counts or previews is what the write gets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api import validation as v


def whole(source: Mapping[str, Any], name: str, default: int, high: int) -> int:
    """A whole number from a query (digits) or JSON (an integer), 0..``high``."""
    if name not in source:
        return default
    raw = source[name]
    if isinstance(raw, str):
        if not raw.isdigit():
            raise v.invalid(name, "not-an-integer")
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= high:
        raise v.invalid(name, "out-of-range")
    return raw


def text(source: Mapping[str, Any], name: str, limit: int = 64) -> str:
    """A trimmed text of at most ``limit`` characters ('' when absent or null)."""
    raw = source.get(name, "")
    if raw is None:
        return ""
    if not isinstance(raw, str) or len(raw) > limit:
        raise v.invalid(name, "length")
    return raw.strip()
