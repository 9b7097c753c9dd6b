"""Win-back offers: once per window, control group never messaged, one use, measured lift."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from models import ledger
from models.marketing import audiences, campaigns, offers
from models.marketing.offers import WinbackSettings
from models.store import clock
from models.store.tables import Campaign, CampaignMember, CampaignStatus, OutboxMessage, Purchase
from tests.store.helpers import START, member, rules

KNOBS = WinbackSettings(Decimal(2), valid_days=14, cooldown_days=90, control_percent=30)


async def buy(m, amount: int = 10000, key: str | None = None):
    return await ledger.earn_for_purchase(
        m.id,
        amount,
        "CNY",
        idempotency_key=key or f"w:{m.id}:{clock.now().isoformat()}:{amount}",
        rules=rules(),
        campaigns=await campaigns.rules_at(clock.now()),
    )


async def seed(n: int = 20, **fields):
    """``n`` members who bought three times 100 days before START (at risk by START)."""
    clock.freeze(START - timedelta(days=100))
    people = [await member(5000 + i, marketing_opt_in=True, **fields) for i in range(n)]
    for m in people:
        for _ in range(3):
            clock.advance(timedelta(minutes=1))
            await buy(m)
    clock.freeze(START)
    return people


async def test_once_per_window_control_never_messaged(store: str) -> None:
    people = await seed()
    deaf = await member(6000, marketing_opt_in=False)  # at risk, but no consent: not offered
    clock.freeze(START - timedelta(days=90))
    await buy(deaf)
    clock.freeze(START)
    first = await offers.issue_winback(KNOBS)
    assert first.offered + first.control == 20 and 0 < first.control < 20
    rows = await CampaignMember.filter(campaign_id=first.campaign_id)
    held = {r.member_id for r in rows if r.control}  # type: ignore[attr-defined]
    messaged = set(
        await OutboxMessage.filter(template="offers-winback").values_list("member_id", flat=True)
    )
    assert held and messaged == {m.id for m in people} - held
    assert deaf.id not in messaged | {r.member_id for r in rows}  # type: ignore[attr-defined]
    msg = await OutboxMessage.filter(template="offers-winback").first()
    assert msg is not None and msg.kind == "marketing" and msg.args["multiplier"] == "2"
    clock.advance(timedelta(days=1))
    again = await offers.issue_winback(KNOBS)  # within the cooldown: nothing new
    assert (again.offered, again.control, again.campaign_id) == (0, 0, first.campaign_id)
    assert await CampaignMember.all().count() == 20
    clock.advance(timedelta(days=90))
    third = await offers.issue_winback(KNOBS)  # a new window: offered again
    assert third.offered + third.control == 20


async def test_offer_used_once_by_the_next_purchase_and_receipt_names_it(store: str) -> None:
    people = await seed(6)
    issued = await offers.issue_winback(WinbackSettings(Decimal(2), control_percent=0))
    program = await Campaign.get(id=issued.campaign_id)
    assert program.announce is False and program.names["en"] == "Welcome back offer"
    alice, bob = people[0], people[1]
    clock.advance(timedelta(days=1))
    # two tills at once: one purchase gets the offer, the other the base rate
    first, second = await asyncio.gather(buy(alice, key="till-1"), buy(alice, key="till-2"))
    assert sorted([first.points, second.points]) == [100, 200]
    row = await CampaignMember.get(campaign_id=program.id, member_id=alice.id)
    winner = first if first.points == 200 else second
    assert row.used_key == (await Purchase.get(id=winner.purchase_id)).idempotency_key
    receipts = await OutboxMessage.filter(template="till-receipt-member", member_id=alice.id)
    named = [r for r in receipts if "Welcome back offer" in r.args["breakdown"]]
    assert len(named) == 1
    clock.advance(timedelta(days=15))  # bob's offer expired unused
    assert (await buy(bob)).points == 100


async def test_paused_program_issues_nothing(store: str) -> None:
    await seed(3)
    issued = await offers.issue_winback(KNOBS)
    await campaigns.pause(issued.campaign_id, actor_telegram_id=1)
    clock.advance(timedelta(days=100))
    assert (await offers.issue_winback(KNOBS)).reason == "paused"
    assert (await Campaign.get(id=issued.campaign_id)).status == CampaignStatus.PAUSED


async def test_lift_matches_a_naive_count(store: str) -> None:
    people = await seed(20)
    issued = await offers.issue_winback(KNOBS)
    program = await Campaign.get(id=issued.campaign_id)
    rows = await CampaignMember.filter(campaign_id=program.id)
    control = {r.member_id for r in rows if r.control}  # type: ignore[attr-defined]
    clock.advance(timedelta(days=2))
    for i, m in enumerate(people):
        if i % 3 == 0:
            await buy(m, 5000 + i * 100)
    clock.advance(timedelta(days=20))  # after every offer's window: not counted
    await buy(people[1])
    report = await offers.campaign_report(program)
    assert report is not None
    came = [m for i, m in enumerate(people) if i % 3 == 0]
    t_buyers = [m for m in came if m.id not in control]
    c_buyers = [m for m in came if m.id in control]
    sales = {m.id: 5000 + i * 100 for i, m in enumerate(people)}
    assert report.targeted.members == 20 - len(control)
    assert report.control.members == len(control)
    assert report.targeted.buyers == len(t_buyers) and report.control.buyers == len(c_buyers)
    assert report.targeted.sales_minor == sum(sales[m.id] for m in t_buyers)
    assert report.control.sales_minor == sum(sales[m.id] for m in c_buyers)
    assert report.targeted.points == sum(sales[m.id] // 100 * 2 for m in t_buyers)
    assert report.previous.buyers == 0  # the 14 days before: they were silent
    expected = len(t_buyers) * 1000 // report.targeted.members - (
        len(c_buyers) * 1000 // len(control)
    )
    assert report.lift_permille() == expected
    assert audiences.size_of(program) is None


async def test_the_scheduled_job_runs_once_per_slot_and_only_when_enabled(store: str) -> None:
    from bot.settings import load_settings
    from models.store.jobs import AlreadyRan, Ran
    from scheduler.jobs import Jobs

    await seed(4)
    off = Jobs(load_settings(scheduler={"timezone": "UTC"}))
    assert isinstance(await off.run_periodic("winback-offers"), Ran)
    assert await CampaignMember.all().count() == 0  # off by default
    clock.advance(timedelta(days=1))
    on = Jobs(
        load_settings(
            scheduler={"timezone": "UTC"},
            offers={"winback_enabled": True, "winback_time": "09:00"},
        )
    )
    ran = await on.run_periodic("winback-offers")
    assert isinstance(ran, Ran) and ran.result["offered"] + ran.result["control"] == 4
    assert isinstance(await on.run_periodic("winback-offers"), AlreadyRan)
    assert await CampaignMember.all().count() == 4


async def test_report_lines_and_the_period_filter(store: str) -> None:
    from locales import Translator

    people = await seed(10)
    issued = await offers.issue_winback(KNOBS)
    clock.advance(timedelta(days=1))
    held = await CampaignMember.filter(control=True).values_list("member_id", flat=True)
    await buy(next(m for m in people if m.id not in held), 12345)
    clock.advance(timedelta(minutes=1))
    found = await offers.targeted_reports(START - timedelta(days=1), START + timedelta(days=7))
    assert [f.campaign_id for f in found] == [issued.campaign_id]
    assert await offers.targeted_reports(START + timedelta(days=300), START + timedelta(days=301))
    assert not await offers.targeted_reports(START - timedelta(days=9), START - timedelta(days=8))
    [(key, args)] = offers.lift_lines(found, currency=rules().currency, language="zh-Hans")
    text = Translator("zh-Hans")(key, **args)
    assert "欢迎回来礼遇" in text and "123.45" in text and "目标会员" in text


async def test_an_offer_is_kept_while_a_double_day_pays_as_much(store: str) -> None:
    from models.marketing.campaigns import CampaignCreated, CampaignDraft
    from models.store.tables import CampaignKind

    people = await seed(2)
    issued = await offers.issue_winback(WinbackSettings(Decimal(2), control_percent=0))
    day = await campaigns.create(
        CampaignDraft(
            names={"en": "Double Day"},
            kind=CampaignKind.MULTIPLIER,
            multiplier=Decimal(2),
            starts_at=clock.now(),
            ends_at=clock.now() + timedelta(days=1),
        ),
        actor_telegram_id=1,
    )
    assert isinstance(day, CampaignCreated)
    clock.advance(timedelta(hours=1))
    during = await buy(people[0])
    assert during.points == 200  # the Double Day's
    row = await CampaignMember.get(campaign_id=issued.campaign_id, member_id=people[0].id)
    assert row.used_at is None  # the offer would have added nothing: kept
    clock.advance(timedelta(days=2))
    after = await buy(people[0])
    assert after.points == 200 and "Welcome back offer" in str(after.quote.to_json())
    await row.refresh_from_db()
    assert row.used_at is not None
