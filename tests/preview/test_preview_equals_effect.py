"""Preview equals effect: every promise a screen makes, held against what then happens.

DESIGN.md "What a screen promises is what happens". Differential properties over random
shops (:mod:`tests.preview.scenarios`), on both databases:

- the quote of a purchase (``ledger.quote_purchase``: what the chat till's Confirm and the
  Mini App show, and the plan the HTTP API answers with) is the ledger entry written
  next: points, the breakdown, the amount recorded, the part paid with points; for any
  rules, tiers, campaigns of every audience kind (control groups, personal win-back
  offers), categories, items and points as payment;
- the ``/rules`` preview (``rule_editing.example``) is what the next such purchase earns
  under the saved rules;
- the audience size previewed (``audiences.preview``) is who then earns from the
  campaign, plus its control group.

Each face is played once more in ``test_till_quote.py`` (chat, Mini App, API), to show it
shows this very function's answer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from models import ledger
from models.ledger import PurchasePlan, rule_editing, rule_versions
from models.ledger.results import PurchaseRecorded, Spent
from models.ledger.rule_editing import EXAMPLE_AMOUNT_MINOR, EXAMPLE_CATEGORY, InvalidRule
from models.ledger.rules import usable_points
from models.ledger.targeting import audience_of, is_control
from models.marketing import audiences, campaigns
from models.store import clock
from models.store.tables import (
    Campaign,
    CampaignKind,
    CampaignMember,
    LedgerEntry,
    Member,
    Purchase,
)
from tests.preview.scenarios import (
    AUDIENCES,
    NOW,
    TIER_KEYS,
    TZ,
    Buy,
    CampaignSpec,
    Past,
    Person,
    buys,
    campaign_specs,
    draft_of,
    item_dicts,
    make_campaigns,
    make_members,
    offer_winback,
    offers_used,
    people,
    rule_sets,
    wipe,
)
from tests.preview.scenarios import (
    audience_of as audience_for,
)
from tests.store.helpers import member as new_member
from tests.store.helpers import rules as plain_rules

BUDGET = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def campaign_ids(entry_breakdown: dict) -> set[int]:
    """The campaigns an entry's breakdown names (multipliers and bonuses)."""
    named = {b["campaign_id"] for b in entry_breakdown.get("bonuses", ())}
    for line in entry_breakdown["lines"]:
        named |= {f["campaign_id"] for f in line["factors"] if f["kind"] == "campaign"}
    return named


async def pay_first(buy: Buy, m: Member, rules: ledger.config.RuleSet, n: int) -> int:
    """Points the member pays part of the bill with (spent before the quote, as at the till)."""
    paid = usable_points(buy.amount, m.balance, rules) * buy.pay // 4
    if paid:
        spent = await ledger.spend(m.id, paid, idempotency_key=f"pay:{n}", reason="payment")
        assert isinstance(spent, Spent), spent
    return paid


@BUDGET
@given(
    rules=rule_sets(),
    persons=people,
    specs=st.lists(campaign_specs(), min_size=1, max_size=4),
    winback=st.sampled_from((None, 0, 0, 50)),
    purchases=st.lists(buys(), min_size=1, max_size=6),
)
async def test_the_quote_is_the_entry_written(
    store: str,
    rules: ledger.config.RuleSet,
    persons: list,
    specs: list[CampaignSpec],
    winback: int | None,
    purchases: list[Buy],
) -> None:
    await wipe()
    clock.freeze(NOW)
    members = await make_members(persons, rules)
    await make_campaigns(specs, members)
    if winback is not None:
        await offer_winback(winback, Decimal(2))
    at = NOW
    for n, buy in enumerate(purchases):
        at += timedelta(minutes=buy.later)
        clock.freeze(at)
        m = await Member.get(id=members[buy.who % len(members)].id)
        paid = await pay_first(buy, m, rules, n)
        request = {
            "rules": rules,
            "category": buy.category,
            "items": item_dicts(buy),
            "campaigns": await campaigns.rules_at(at, buy.channel, tz=TZ),
            "channel": buy.channel,
            "tz": TZ,
            "paid_points": paid,
        }
        used = await offers_used()
        plan = await ledger.quote_purchase(m.id, buy.amount, "CNY", **request)
        assert await offers_used() == used, "a quote uses no personal offer"
        done = await ledger.earn_for_purchase(
            m.id, buy.amount, "CNY", idempotency_key=f"buy:{n}", **request
        )
        if not isinstance(plan, PurchasePlan):
            assert done == plan  # refused alike, nothing written
            event(f"refused: {type(plan).__name__}")
            continue
        event_for(plan, used, await offers_used())
        assert isinstance(done, PurchaseRecorded), done
        assert (done.points, done.quote.to_json()) == (plan.points, plan.quote.to_json())
        entry = await LedgerEntry.get(id=done.entry_id)
        purchase = await Purchase.get(id=done.purchase_id)
        assert (entry.points, purchase.points_awarded) == (plan.points, plan.points)
        assert purchase.amount_minor == plan.amount_minor == buy.amount
        assert entry.breakdown.get("paid_minor", 0) == plan.paid_minor
        assert plan.collect_minor == buy.amount - plan.paid_minor
        earning = sum(line.amount_minor for line in plan.quote.lines)
        paid_part = 0 if rules.usage.earn_on_points_payment else plan.paid_minor
        assert earning == buy.amount - paid_part


def event_for(plan: PurchasePlan, offers_before: int, offers_after: int) -> None:
    """What this purchase exercised (``--hypothesis-show-statistics`` counts them)."""
    data = plan.quote.to_json()
    event("a campaign counted" if campaign_ids(data) else "no campaign")
    for seen, label in (
        (plan.paid_points, "paid partly with points"),
        (plan.quote.cap, "the daily cap cut it"),
        (offers_after > offers_before, "a personal offer was used"),
        (len(plan.quote.lines) > 1, "several lines"),
    ):
        if seen:
            event(label)


RULE_EDITS = {
    "ppu": ("0", "1", "2", "3"),
    "rnd": ("down", "nearest", "up"),
    "minp": ("0", "1", "128.50", "200"),
    "maxp": ("100", "128.50", "1000"),
    "excl": ("-", "coffee", "tea, food"),
    "catm": ("-", "coffee=2", "coffee=0.5, tea=3", "coffee=1.25"),
    "cap": ("0", "10", "500"),
    "eopp": ("on", "off"),
    "tm1": ("1", "1.5", "2.25"),
    "tt1": ("1", "100000"),
}


@BUDGET
@given(
    rules=rule_sets(),
    edit=st.sampled_from(sorted(RULE_EDITS)).flatmap(
        lambda key: st.tuples(st.just(key), st.sampled_from(RULE_EDITS[key]))
    ),
    specs=st.lists(campaign_specs(("all",)), max_size=3),
)
async def test_the_rules_preview_is_the_next_purchase(
    store: str, rules: ledger.config.RuleSet, edit: tuple[str, str], specs: list[CampaignSpec]
) -> None:
    await wipe()
    clock.freeze(NOW)
    await rule_versions.save(rules, None)
    changed = rule_editing.apply_change(rules, *edit)
    assume(not isinstance(changed, InvalidRule))
    assert not isinstance(changed, InvalidRule)
    await make_campaigns(specs, [])
    running = await campaigns.rules_at(NOW, "telegram", tz=TZ)
    preview = rule_editing.example(rules, changed, NOW, running)
    await rule_versions.save(changed, None)
    gold = await new_member(tier=preview.tier)
    done = await ledger.earn_for_purchase(
        gold.id,
        EXAMPLE_AMOUNT_MINOR,
        "CNY",
        idempotency_key="next",
        category=EXAMPLE_CATEGORY,
        campaigns=running,
        tz=TZ,
    )
    if preview.after is None:
        assert not isinstance(done, PurchaseRecorded), done
    else:
        assert isinstance(done, PurchaseRecorded) and done.points == preview.after


@BUDGET
@given(persons=people, spec=campaign_specs(AUDIENCES))
async def test_the_audience_previewed_is_who_earns(
    store: str, persons: list, spec: CampaignSpec
) -> None:
    await wipe()
    clock.freeze(NOW)
    rules = plain_rules()
    members = await make_members(persons, rules)
    audience = audience_for(spec, members)
    assert audience is not None
    found = await audiences.preview(audience)
    draft = replace(
        draft_of(spec, 0),
        kind=CampaignKind.MULTIPLIER,
        multiplier=Decimal(2),
        categories=(),
        skus=(),
        channels=(),
    )
    created = await audiences.create_campaign(
        draft, audience, tier_keys=TIER_KEYS, actor_telegram_id=1
    )
    if isinstance(found, audiences.EmptyAudience):
        assert created == found and await Campaign.all().count() == 0
        return
    assert isinstance(created, audiences.TargetedCampaignCreated), created
    assert created.size == found.size
    previewed = set(await audiences.member_ids(audience, NOW))
    assert len(previewed) == found.size
    cid = created.campaign_id
    row = await Campaign.get(id=cid)
    stored = audience_of(row)
    assert stored is not None
    if stored.materialized:
        held_out = set(
            await CampaignMember.filter(campaign_id=cid, control=True).values_list(
                "member_id", flat=True
            )
        )
    else:
        held_out = {m for m in previewed if is_control(cid, m, stored.control_percent)}
    clock.freeze(NOW + timedelta(minutes=1))
    offered = await campaigns.rules_at(clock.now(), "telegram", tz=TZ)
    earners = set()
    for m in await Member.filter(deleted_at=None):
        done = await ledger.earn_for_purchase(
            m.id, 10000, "CNY", idempotency_key=f"all:{m.id}", rules=rules, campaigns=offered
        )
        assert isinstance(done, PurchaseRecorded), done
        entry = await LedgerEntry.get(id=done.entry_id)
        if cid in campaign_ids(entry.breakdown):
            earners.add(m.id)
    assert earners == previewed - held_out
    assert len(earners) + len(held_out & previewed) == found.size


async def test_a_personal_offer_is_quoted_unused_then_used_once(store: str) -> None:
    """The win-back offer, every time: quoted as often as asked, used by the purchase."""
    await wipe()
    clock.freeze(NOW)
    rules = plain_rules()
    at_risk = Person(gold=False, points=0, past=(Past(45, None),), marketing=True)
    [m] = await make_members([at_risk], rules)
    await offer_winback(0, Decimal(2))
    offered = await campaigns.rules_at(NOW, "telegram", tz=TZ)
    request = {"rules": rules, "campaigns": offered, "tz": TZ}
    for n, points in enumerate((200, 100, 100)):
        quotes = [await ledger.quote_purchase(m.id, 10000, "CNY", **request) for _ in range(2)]
        assert [q.points for q in quotes] == [points, points]  # type: ignore[union-attr]
        assert await offers_used() == min(n, 1)
        done = await ledger.earn_for_purchase(
            m.id, 10000, "CNY", idempotency_key=f"visit:{n}", **request
        )
        assert isinstance(done, PurchaseRecorded) and done.points == points
        assert await offers_used() == 1
