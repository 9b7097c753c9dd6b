"""Preview equals effect: the faces' fixtures, on both databases.

``rig`` (the chat against the Bot API emulator), ``mini`` (the Mini App over HTTP) and
``api`` (the POS API over HTTP) come from their own test packages; ``till`` is the chat
rig on SQLite and PostgreSQL that also honours ``@pytest.mark.settings(...)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from models.ledger import rule_versions
from tests.api.conftest import api
from tests.chat.conftest import Rig, rig, rig_settings, running_rig
from tests.conftest import database_url
from tests.miniapp.conftest import mini

__all__ = ["api", "mini", "rig", "till"]


@pytest.fixture(params=["sqlite", "postgres"])
async def till(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    """The chat rig on both databases, with the test's ``settings`` marker applied."""
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker else {}
    async for url in database_url.__wrapped__(request, tmp_path):  # type: ignore[attr-defined]
        rule_versions.invalidate()  # every rig starts at version 1: forget the last one's
        async with running_rig(rig_settings(tmp_path, url, **overrides)) as running:
            yield running
        rule_versions.invalidate()
