"""Fixtures for report tests: a seeded data set in the store and a Fluent translator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fluent.runtime import FluentBundle, FluentResource

from models.ledger.config import TierLevel, Tiers
from models.store import clock
from tests.reports import dataset

LOCALES = Path(__file__).resolve().parents[2] / "locales"
SEED = 20260320
MEMBERS = 300

TIERS = Tiers(
    levels=(
        TierLevel(key="member", names={"en": "Member", "zh-Hans": "会员"}),
        TierLevel(key="silver", names={"en": "Silver", "zh-Hans": "银卡"}, threshold=1000),
        TierLevel(key="gold", names={"en": "Gold", "zh-Hans": "金卡"}, threshold=5000),
    )
)


def translator(language: str) -> Callable[..., str]:
    """A plain Fluent translator over ``locales/<language>/reports.ftl`` (tests only)."""
    bundle = FluentBundle([language], use_isolating=False)
    bundle.add_resource(FluentResource((LOCALES / language / "reports.ftl").read_text("utf-8")))

    def t(key: str, **args: object) -> str:
        message = bundle.get_message(key)
        assert message.value is not None, key
        text, errors = bundle.format_pattern(message.value, args)
        assert not errors, (key, errors)
        return text

    return t


@pytest.fixture
async def data(store: str) -> dataset.Chunk:
    """The seeded data set written to the store, with the clock frozen at its 'now'."""
    clock.freeze(dataset.NOW)
    return await dataset.build(SEED, MEMBERS)


@pytest.fixture
async def sqlite_data(sqlite_store: str) -> dataset.Chunk:
    """The same data set on SQLite only (for tests that do not depend on the database)."""
    clock.freeze(dataset.NOW)
    return await dataset.build(SEED, MEMBERS)
