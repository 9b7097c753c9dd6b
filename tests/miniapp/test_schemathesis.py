"""Schemathesis against ``/app/api/openapi.json``, as ``tests/api/test_schemathesis.py``
does for ``/api/v1`` (the same run): positive and negative data for every operation, over
real HTTP, on both databases, signed in with Telegram initData (a member who is also the
shop's admin, so the cashier's endpoints answer too). No answer is a 5xx and every answer
matches the document (status, content type, body schema).

The budget is ``JIFEN_SCHEMATHESIS_EXAMPLES`` examples per operation and mode (default 25).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from aiohttp import web
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from api.miniapp import PREFIX, routes
from api.miniapp.openapi import document
from models.ledger import rule_versions
from models.store import clock
from models.store.tables import Reward
from tests.api.conftest import new_member
from tests.api.live import LiveApi, live_api
from tests.api.test_schemathesis import MEANING_REASONS, every_operation_answers_as_documented
from tests.miniapp.conftest import BOT, TOKEN, mini_settings, telegram_sign, user_fields

CALLER = 9001
"""The settings' admin (``mini_settings``): a member and staff, so every endpoint answers."""
REFUSALS = {"invalid_field", "invalid_json"}
"""Codes that mean "this request does not match the document": never for positive data."""
MEANINGS = MEANING_REASONS | {"unknown-category"}
"""Plus a category the shop has no rule for: a well-formed name JSON Schema cannot know."""
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
"""Right answers to a request the document does not allow; schemathesis' own list and 413:
a body past the Mini App's 4 KiB (a string far too long, say) is refused unread."""

schemathesis.openapi.media_type("image/*", st.binary(max_size=256))


class LiveMiniApp(LiveApi):
    """The Mini App's routes on a loopback port, with its caller, a reward and points."""

    async def build(self) -> tuple[web.Application, str]:
        settings = mini_settings(max_age_seconds=86_400)
        await rule_versions.ensure_seeded(settings.rules)
        await new_member(CALLER, points=5_000)
        await Reward.create(
            names={"en": "Latte"}, kind="gift", cost_points=100, created_at=clock.now()
        )
        root = web.Application()
        root.add_routes(routes(settings, bot_token=TOKEN, bot_username=lambda: BOT))
        return root, f"{PREFIX}/api"


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_every_operation_answers_as_documented(kind: str, tmp_path: Path) -> None:
    config = SchemathesisConfig.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}}
    )
    schema = schemathesis.openapi.from_dict(document(), config=config)
    with live_api(kind, tmp_path, server=LiveMiniApp) as live:
        auth = {"Authorization": f"tma {telegram_sign(user_fields(CALLER))}"}
        every_operation_answers_as_documented(
            schema, live.base_url, auth, refusals=REFUSALS, meanings=MEANINGS
        )
