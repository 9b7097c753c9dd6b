"""Store-test fixtures: group commit forced on (to cover its path on PostgreSQL too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models.store import group_commit


@pytest.fixture
def grouped() -> Iterator[None]:
    """Group commit on whatever the database (by default it is on for SQLite only)."""
    group_commit.configure(True)
    try:
        yield
    finally:
        group_commit.configure(None)
