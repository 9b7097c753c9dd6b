"""Demo data for the sandbox: a rewards catalogue, a running double-points campaign and a
few shoppers with purchase history and vouchers.

Everything goes through the real store operations (``ledger.earn_for_purchase``,
``vouchers.issue_for_reward``), so the ledger invariant holds and ``jifen doctor`` stays
clean. Loading is idempotent: rows are found by their demo names and every ledger write
carries a ``demo:`` idempotency key, so a second load adds nothing.

The shoppers are not on Telegram (their ids are in a reserved range): they are marked
unreachable and the receipts their history queued are cancelled, so the outbox never
tries to message them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from models import ledger
from models.catalogue import vouchers
from models.ledger import rule_versions
from models.ledger.config import RuleSet
from models.ledger.results import PurchaseRecorded, VoucherIssued
from models.ledger.rules import CampaignRule
from models.members.membership import ensure_member
from models.stamps import card_types
from models.store import clock
from models.store.tables import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Member,
    OutboxMessage,
    OutboxStatus,
    Reward,
    StampCardType,
)

DEMO_ACTOR = 0
"""``created_by`` of demo rewards and campaigns: no Telegram user has id 0."""

SHOPPER_IDS_FROM = 880_000_001
"""Telegram ids of demo shoppers; nobody real uses this range in the sandbox."""

REWARDS: tuple[dict[str, object], ...] = (
    {
        "names": {"en": "Free coffee", "zh-Hans": "免费咖啡一杯"},
        "descriptions": {"en": "Any regular coffee", "zh-Hans": "任意中杯咖啡"},
        "kind": "gift",
        "cost_points": 100,
    },
    {
        "names": {"en": "¥20 off", "zh-Hans": "立减 ¥20"},
        "descriptions": {"en": "On any purchase over ¥100", "zh-Hans": "满 ¥100 可用"},
        "kind": "discount",
        "cost_points": 300,
        "discount_minor": 2000,
    },
    {
        "names": {"en": "Tote bag", "zh-Hans": "帆布袋"},
        "descriptions": {"en": "Limited edition", "zh-Hans": "限量版"},
        "kind": "gift",
        "cost_points": 800,
        "stock": 25,
    },
    {
        "names": {"en": "10% off for a day", "zh-Hans": "全天九折"},
        "descriptions": {"en": "Show at the till", "zh-Hans": "结账时出示"},
        "kind": "discount",
        "cost_points": 1500,
        "discount_percent": 10,
        "per_member_limit": 1,
    },
)

CAMPAIGN_NAMES = {"en": "Double Points Week", "zh-Hans": "双倍积分周"}

# (first name, last name, language, [purchase amounts in minor units], reward index or None)
SHOPPERS: tuple[tuple[str, str, str, tuple[int, ...], int | None], ...] = (
    ("Min", "Zhang", "zh-Hans", (12850, 4600, 23900, 8800), 0),
    ("Fang", "Wang", "zh-Hans", (56000, 19900, 31000), 1),
    ("Bob", "Miller", "en", (3500, 7200), None),
    ("Maria", "Garcia", "en", (99000, 45000, 12000, 6500, 2300), 2),
    ("Hao", "Liu", "zh-Hans", (1800,), None),
)


@dataclass(frozen=True)
class DemoLoaded:
    """What a load created (all zero on a second load)."""

    rewards: int
    campaigns: int
    members: int
    purchases: int
    vouchers: int
    stamp_cards: int = 0


CAMPAIGN_WINDOW = (timedelta(days=-1), timedelta(days=30))
"""When the running campaign starts and ends, from now (unless it is there already)."""


async def load(config_rules: RuleSet) -> DemoLoaded:
    """Load (or complete) the demo data; safe to call any number of times."""
    await rule_versions.ensure_seeded(config_rules)
    rewards, new_rewards = await catalogue()
    campaign, new_campaigns = await running_campaign()
    new_cards = await coffee_card(rewards[0])
    offers = [CampaignRule.from_row(campaign)]
    currency = config_rules.currency.code
    members = purchases = issued = 0
    for index, (first, last, language, amounts, reward_index) in enumerate(SHOPPERS):
        member, created = await ensure_member(
            SHOPPER_IDS_FROM + index, first_name=first, last_name=last, language=language
        )
        members += created
        for n, amount in enumerate(amounts):
            result = await ledger.earn_for_purchase(
                member.id,
                amount,
                currency,
                idempotency_key=f"demo:purchase:{index}:{n}",
                campaigns=offers,
                channel="pos",
                order_id=f"DEMO-{index}-{n}",
            )
            purchases += isinstance(result, PurchaseRecorded) and not result.replayed
        if reward_index is not None:
            result = await vouchers.issue_for_reward(
                member.id,
                rewards[reward_index].id,
                idempotency_key=f"demo:voucher:{index}",
            )
            issued += isinstance(result, VoucherIssued) and not result.replayed
    await _quiet_shoppers()
    return DemoLoaded(new_rewards, new_campaigns, members, purchases, issued, new_cards)


async def catalogue() -> tuple[list[Reward], int]:
    """The demo rewards (found by name, else created now); how many were new."""
    existing = {r.names.get("en"): r for r in await Reward.filter(created_by=DEMO_ACTOR)}
    rows: list[Reward] = []
    created = 0
    for order, spec in enumerate(REWARDS):
        names = spec["names"]
        assert isinstance(names, dict)
        row = existing.get(names["en"])
        if row is None:
            row = await Reward.create(
                **spec, sort_order=order, created_by=DEMO_ACTOR, created_at=clock.now()
            )
            created += 1
        rows.append(row)
    return rows, created


COFFEE_CARD_NAMES = {"en": "Coffee card", "zh-Hans": "咖啡集章卡"}


async def coffee_card(free_coffee: Reward) -> int:
    """The coffee shop's stamp card, "buy 9 coffees, the 10th is free": a stamp per
    purchase, 10 fill a card, a full card gives a free-coffee voucher (1 if new, else 0)."""
    for row in await StampCardType.filter(created_by=DEMO_ACTOR):
        if row.names.get("en") == COFFEE_CARD_NAMES["en"]:
            return 0
    made = await card_types.create(
        {"names": COFFEE_CARD_NAMES, "stamps_needed": 10, "reward_id": free_coffee.id},
        DEMO_ACTOR,
        actor_kind="sandbox",
    )
    assert isinstance(made, StampCardType), made
    return 1


async def running_campaign(
    window: tuple[timedelta, timedelta] = CAMPAIGN_WINDOW,
) -> tuple[Campaign, int]:
    """The demo's double-points campaign (found by name, else created for ``window``
    around now); whether it was new."""
    for row in await Campaign.filter(created_by=DEMO_ACTOR):
        if row.names.get("en") == CAMPAIGN_NAMES["en"]:
            return row, 0
    now = clock.now()
    row = await Campaign.create(
        names=CAMPAIGN_NAMES,
        kind=CampaignKind.MULTIPLIER,
        multiplier="2",
        starts_at=now + window[0],
        ends_at=now + window[1],
        status=CampaignStatus.ACTIVE,
        created_by=DEMO_ACTOR,
        created_at=now,
    )
    return row, 1


async def _quiet_shoppers() -> None:
    """Demo shoppers have no chat: never message them (their history is not news)."""
    shopper_ids = [SHOPPER_IDS_FROM + i for i in range(len(SHOPPERS))]
    await Member.filter(telegram_id__in=shopper_ids).update(reachable=False)
    await OutboxMessage.filter(chat_id__in=shopper_ids, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.CANCELLED
    )


async def example_member_code(telegram_ids: tuple[int, ...] = (1002, 1001)) -> str | None:
    """The member a demo API call records a purchase for: the first of the page's members
    (``telegram_ids``) who has joined, else the first demo shopper; None before either."""
    for telegram_id in (*telegram_ids, SHOPPER_IDS_FROM):
        member = await Member.get_or_none(telegram_id=telegram_id, enrolled=True, deleted_at=None)
        if member is not None:
            return member.code
    return None
