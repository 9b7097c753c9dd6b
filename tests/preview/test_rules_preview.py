"""``/rules``: the example an admin is shown is what the next purchase earns.

Regression: the example left out the campaigns running for everyone, so with a double
points day it promised half of what the next purchase then earned.
"""

from __future__ import annotations

from models.ledger import rule_versions
from models.store.tables import LedgerEntry, Member
from tests.chat.conftest import Rig
from tests.preview.players import double_points, hire_cashier, quote_on_screen


async def test_the_rules_example_is_the_next_purchase_during_a_campaign(till: Rig) -> None:
    await double_points("Double Day")
    ada = till.admin()
    await ada.send("/rules")
    await ada.press("Points per unit")
    await ada.send("2")
    # ¥128.50 of coffee (×1.5) by a Gold member (×1.2) on a Double Day (×2)
    assert "462 points now, 925 points after" in ada.last_text
    await ada.press("Confirm")
    cashier = await hire_cashier(till)
    gus = till.member(1001, "Gus")
    await gus.send("/start")
    await Member.filter(telegram_id=1001).update(tier="gold")
    await quote_on_screen(till, cashier, gus, "128.50", skip="coffee")
    await cashier.press("Confirm")
    assert (await LedgerEntry.get(kind="earn")).points == 925


async def test_earning_on_points_paid_is_a_rule_admins_switch(till: Rig) -> None:
    ada = till.admin(language_code="zh-hans")
    await ada.send("/rules")
    assert (
        "积分抵扣部分累积积分: 关闭" in ada.last_text
        or "积分抵扣部分累积积分：关闭" in ada.last_text
    )
    await ada.press("积分抵扣部分累积积分")
    await ada.press("开启")
    await ada.press("确认")
    _version, rules = await rule_versions.current()
    assert rules.usage.earn_on_points_payment is True
