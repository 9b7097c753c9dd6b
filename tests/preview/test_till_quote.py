"""What the cashier reads is what the ledger writes, played through each face.

Regressions: the quote counted targeted campaigns the member is not in (chat till and
Mini App said +150, the ledger wrote +100), and after paying part of a bill with points
the open Confirm still showed the whole bill and earned on it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.emulator import Player
from models import ledger
from models.access import staff
from models.ledger import rule_versions
from models.ledger.config import EarningRules
from models.ledger.targeting import Audience, AudienceKind
from models.marketing import audiences, campaigns
from models.marketing.campaigns import CampaignDraft
from models.store import clock
from models.store.tables import (
    CampaignKind,
    LedgerEntry,
    Member,
    PendingAction,
    Purchase,
    Role,
)
from tests.api.conftest import Api, new_member, purchase
from tests.chat.conftest import Rig
from tests.miniapp.conftest import Mini
from tests.preview.players import double_points, hire_cashier, quote_on_screen
from tests.store.helpers import rules as plain_rules

TIER_KEYS = ("member", "silver", "gold")


async def targeted_campaigns(insider: Member, gold: Member) -> None:
    """A bonus for a member list (only ``insider``) and double points for Gold only
    (``gold`` is made Gold)."""
    await Member.filter(id=gold.id).update(tier="gold")
    now = clock.now()
    for draft, audience in (
        (
            CampaignDraft(
                names={"en": "Coffee lovers bonus", "zh-Hans": "咖啡爱好者奖励"},
                kind=CampaignKind.BONUS,
                bonus_points=50,
                starts_at=now,
                ends_at=now + timedelta(days=7),
            ),
            Audience(AudienceKind.MEMBERS, codes=(insider.code,)),
        ),
        (
            CampaignDraft(
                names={"en": "Gold double", "zh-Hans": "金卡双倍"},
                kind=CampaignKind.MULTIPLIER,
                multiplier=Decimal(2),
                starts_at=now,
                ends_at=now + timedelta(days=7),
            ),
            Audience(AudienceKind.TIER, tiers=("gold",)),
        ),
    ):
        created = await audiences.create_campaign(
            draft, audience, tier_keys=TIER_KEYS, actor_telegram_id=1
        )
        assert isinstance(created, audiences.TargetedCampaignCreated), created


async def test_chat_quote_leaves_out_campaigns_the_member_is_not_in(till: Rig) -> None:
    cashier = await hire_cashier(till)
    alice, bob, gus = (
        till.member(1001 + i, name) for i, name in enumerate(("Alice", "Bob", "Gus"))
    )
    for person in (alice, bob, gus):
        await person.send("/start")
    await targeted_campaigns(await till.member_row(alice), await till.member_row(gus))

    shown = await quote_on_screen(till, cashier, bob, "100")
    assert "+100" in shown and "Coffee lovers" not in shown and "Gold double" not in shown
    await cashier.press("Confirm")
    assert (await till.member_row(bob)).balance == 100

    shown = await quote_on_screen(till, cashier, alice, "100")
    assert "+150" in shown and "Coffee lovers bonus 50" in shown
    await cashier.press("Confirm")
    assert (await till.member_row(alice)).balance == 150

    shown = await quote_on_screen(till, cashier, gus, "100")
    assert "+240" in shown and "Gold double 2" in shown
    await cashier.press("Confirm")
    assert (await till.member_row(gus)).balance == 240


async def test_mini_app_quote_leaves_out_campaigns_the_member_is_not_in(mini: Mini) -> None:
    await staff.grant_role(501, Role.STAFF, granted_by=None)
    alice, bob, gus = await new_member(502), await new_member(503), await new_member(504)
    await targeted_campaigns(alice, gus)
    for member, points in ((bob, 100), (alice, 150), (gus, 240)):
        body = {"member": member.code, "amount_minor": 10000}
        status, quote = await mini.call("POST", "/purchases/quote", user=501, json=body)
        assert status == 200 and quote["points"] == points, quote
        assert f"→ {points} points" in quote["text"]
        status, done = await mini.call("POST", "/purchases", user=501, json=body, idem=member.code)
        assert status == 200 and done["points"] == points, done


async def pay_with_points(rig: Rig, language: str = "en") -> tuple[Player, Player]:
    """Alice (5,000 points) buys ¥200.00; she pays ¥50.00 of it with points."""
    cashier = await hire_cashier(rig, language)
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    row = await rig.member_row(alice)
    await ledger.grant_bonus(row.id, 5000, idempotency_key="seed", reason="t")
    await quote_on_screen(rig, cashier, alice, "200", "Skip" if language == "en" else "跳过")
    await cashier.press("💳")
    ask = await alice.wait_for_text("towards your bill")
    await alice.press("Confirm", message=ask)
    return cashier, alice


@pytest.mark.settings(usage={"points_as_payment": True})
async def test_after_paying_with_points_the_confirm_shows_what_is_recorded(till: Rig) -> None:
    cashier, alice = await pay_with_points(till)
    old = next(m for m in cashier.messages if "¥200.00" in m.visible_text and m.buttons)
    plan = await cashier.wait_for_text("Collect")
    text = plan.visible_text
    assert "5,000 points paid −¥50.00" in text and "collect ¥150.00" in text
    assert "+150" in text and "earns no points" in text
    # the Confirm that still showed the whole bill records nothing
    await cashier.press("Confirm", message=old)
    assert "cancelled" in (cashier.last_toast or "")
    assert await Purchase.all().count() == 0
    await cashier.press("Confirm", message=plan)
    assert "Recorded" in cashier.last_text and "+150" in cashier.last_text
    entry = await LedgerEntry.get(kind="earn")
    purchase = await Purchase.get()
    assert (entry.points, purchase.amount_minor) == (150, 20000)
    assert (entry.breakdown["paid_points"], entry.breakdown["paid_minor"]) == (5000, 5000)
    assert (await till.member_row(alice)).balance == 5000 - 5000 + 150


@pytest.mark.settings(usage={"points_as_payment": True, "earn_on_points_payment": True})
async def test_the_rule_may_earn_on_the_part_paid_with_points_too(till: Rig) -> None:
    cashier, _ = await pay_with_points(till, "zh-hans")
    plan = await cashier.wait_for_text("请收取")
    assert "¥150.00" in plan.visible_text and "+200" in plan.visible_text
    assert "同样累积积分" in plan.visible_text
    await cashier.press("确认", message=plan)
    assert (await LedgerEntry.get(kind="earn")).points == 200


@pytest.mark.settings(usage={"points_as_payment": True})
async def test_paying_after_the_cashier_confirmed_uses_no_points(till: Rig) -> None:
    cashier = await hire_cashier(till)
    alice = till.member(1001, "Alice")
    await alice.send("/start")
    row = await till.member_row(alice)
    await ledger.grant_bonus(row.id, 5000, idempotency_key="seed", reason="t")
    await quote_on_screen(till, cashier, alice, "200")
    await cashier.press("💳")
    ask = await alice.wait_for_text("towards your bill")
    changed = await cashier.press("Confirm")
    assert any("Recorded" in m.visible_text and "+200" in m.visible_text for m in changed)
    answered = await alice.press("Confirm", message=ask)
    assert any("already finished" in m.visible_text for m in answered)
    assert (await till.member_row(alice)).balance == 5000 + 200
    assert await PendingAction.filter(kind="till-purchase", state="pending").count() == 0


async def test_the_api_answers_the_quote_it_writes(api: Api) -> None:
    """The POS API has no preview: its answer is the plan, and the plan is the quote."""
    await rule_versions.save(plain_rules(earning=EarningRules(daily_cap_points=180)), None)
    alice, bob, gus = [await new_member(600 + n) for n in range(3)]
    await targeted_campaigns(alice, gus)
    tz = api.settings.scheduler.timezone
    for n, member in enumerate((bob, alice, gus, gus)):
        offered = await campaigns.rules_at(clock.now(), "api", tz=tz)
        plan = await ledger.quote_purchase(
            member.id, 10000, "CNY", campaigns=offered, channel="api", tz=tz
        )
        assert isinstance(plan, ledger.PurchasePlan)
        status, body, _ = await api.call(
            "POST", "/purchases", json=purchase(member, 10000, f"O-{n}"), idem=f"O-{n}"
        )
        assert status == 201, body
        entry = await LedgerEntry.get(purchase__receipt_code=body["receipt_code"])
        assert body["points"] == plan.points == entry.points
        assert (
            body["breakdown"]
            == plan.quote.to_json()
            == {k: v for k, v in entry.breakdown.items() if k not in ("tier", "upgraded_to")}
        )
    assert [e.points for e in await LedgerEntry.filter(member_id=gus.id).order_by("id")] == [
        180,
        0,
    ]  # Gold double, then the daily cap


@pytest.mark.settings(earning={"daily_cap_points": 150})
async def test_the_chat_quote_counts_what_was_earned_today(till: Rig) -> None:
    cashier = await hire_cashier(till)
    alice = till.member(1001, "Alice")
    await alice.send("/start")
    await till.earn(alice, 10000)
    shown = await quote_on_screen(till, cashier, alice, "100")
    assert "+50" in shown and "cap" in shown
    await cashier.press("Confirm")
    assert (await till.member_row(alice)).balance == 150


async def test_a_quote_that_changed_before_confirm_is_shown_again(till: Rig) -> None:
    cashier = await hire_cashier(till)
    alice = till.member(1001, "Alice")
    await alice.send("/start")
    shown = await quote_on_screen(till, cashier, alice, "100")
    assert "+100" in shown
    quote = cashier.last_message
    await double_points("Flash double")
    changed = await cashier.press("Confirm", message=quote)
    assert any("quote changed" in m.visible_text for m in changed)
    assert await Purchase.all().count() == 0
    again = cashier.last_message
    assert "+200" in again.visible_text and "Flash double" in again.visible_text
    await cashier.press("Confirm", message=again)
    assert (await till.member_row(alice)).balance == 200
