"""Shared helpers for store tests: members, rule sets, the invariant."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from models.codes import tokens
from models.ledger import doctor
from models.ledger.config import EarningRules, ExpiryPolicy, RuleSet, TierLevel, Tiers, UsageRules
from models.store import clock
from models.store.tables import Member

START = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)  # a Monday
_seq = itertools.count(1)


def rules(**sections: Any) -> RuleSet:
    """A rule set with plain defaults: 1 pt per ¥1, no minimum, rolling 12 months."""
    base = {
        "earning": EarningRules(),
        "usage": UsageRules(),
        "expiry": ExpiryPolicy(),
        "tiers": Tiers(
            levels=(
                TierLevel(key="member", names={"en": "Member"}),
                TierLevel(
                    key="gold", names={"en": "Gold"}, threshold=1000, multiplier=Decimal("1.2")
                ),
            )
        ),
    }
    base.update(sections)
    return RuleSet(**base)


async def member(telegram_id: int | None = None, **fields: Any) -> Member:
    n = next(_seq)
    return await Member.create(
        telegram_id=telegram_id,
        code=f"M-{n:06d}",
        card_token=tokens.token(),
        referral_code=f"R{n:08d}",
        created_at=clock.now(),
        **fields,
    )


async def assert_consistent() -> None:
    problems = await doctor.check()
    assert problems == [], problems
