"""Targeted campaigns: each audience kind, snapshot vs live, control share, earn narrowing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from models import ledger
from models.ledger import targeting
from models.ledger.targeting import Audience, AudienceKind, AudienceMode
from models.marketing import audiences, campaigns
from models.marketing.audiences import EmptyAudience, InvalidAudience, TargetedCampaignCreated
from models.marketing.campaigns import CampaignDraft
from models.store import clock
from models.store.tables import Campaign, CampaignKind, CampaignMember, Member, OutboxMessage
from tests.store.helpers import START, member, rules

TIERS = ("member", "gold")


def draft(**overrides: object) -> CampaignDraft:
    values: dict[str, object] = {
        "names": {"en": "VIP Double", "zh-Hans": "贵宾双倍"},
        "kind": CampaignKind.MULTIPLIER,
        "multiplier": Decimal(2),
        "starts_at": clock.now(),
        "ends_at": clock.now() + timedelta(days=7),
    }
    return CampaignDraft(**(values | overrides))  # type: ignore[arg-type]


async def buy(m: Member, amount: int = 10000, category: str | None = None, **kw: object):
    return await ledger.earn_for_purchase(
        m.id,
        amount,
        "CNY",
        idempotency_key=f"t:{m.id}:{clock.now().isoformat()}:{amount}:{category}",
        rules=rules(),
        category=category,
        campaigns=await campaigns.rules_at(clock.now()),
        **kw,  # type: ignore[arg-type]
    )


async def create(audience: Audience, **overrides: object) -> TargetedCampaignCreated:
    created = await audiences.create_campaign(
        draft(**overrides), audience, tier_keys=TIERS, actor_telegram_id=1
    )
    assert isinstance(created, TargetedCampaignCreated), created
    return created


def campaign_named(result: object) -> list[int]:
    quote = result.quote  # type: ignore[attr-defined]
    return [f.campaign_id for line in quote.lines for f in line.factors if f.kind == "campaign"]


async def test_member_list_outsider_earns_base_rate_insider_doubled(store: str) -> None:
    clock.freeze(START)
    alice, bob = await member(9001), await member(9002)
    created = await create(Audience(AudienceKind.MEMBERS, codes=(alice.code.lower(), "NOPE-1")))
    assert created.size == 1 and created.unknown_codes == ("NOPE-1",)
    row = await Campaign.get(id=created.campaign_id)
    assert row.audience["codes"] == [alice.code] and row.audience["size"] == 1
    a, b = await buy(alice), await buy(bob)
    assert a.points == 200 and campaign_named(a) == [created.campaign_id]
    assert b.points == 100 and campaign_named(b) == []
    assert "VIP Double" in (await OutboxMessage.get(member_id=alice.id)).args["breakdown"]
    assert "VIP Double" not in (await OutboxMessage.get(member_id=bob.id)).args["breakdown"]


async def test_empty_and_invalid_audiences_are_refused_writing_nothing(store: str) -> None:
    clock.freeze(START)
    await member()
    unknown = Audience(AudienceKind.MEMBERS, codes=("ZZZ-404",))
    refused = await audiences.create_campaign(
        draft(), unknown, tier_keys=TIERS, actor_telegram_id=1
    )
    assert refused == EmptyAudience(("ZZZ-404",))
    for bad, where in (
        (Audience(AudienceKind.TIER, tiers=("diamond",)), "tiers"),
        (Audience(AudienceKind.SEGMENT, segment="royals"), "segment"),
        (Audience(AudienceKind.CATEGORY, category="tea"), "days"),
        (Audience(AudienceKind.MEMBERS, codes=("x y z!",)), "codes"),
        (Audience(AudienceKind.TIER, tiers=("gold",), control_percent=90), "control"),
    ):
        result = await audiences.create_campaign(draft(), bad, tier_keys=TIERS, actor_telegram_id=1)
        assert result == InvalidAudience(where)
    nobody = Audience(AudienceKind.CATEGORY, category="tea", days=30)
    assert (
        await audiences.create_campaign(draft(), nobody, tier_keys=TIERS, actor_telegram_id=1)
        == EmptyAudience()
    )
    assert await Campaign.all().count() == 0 and await CampaignMember.all().count() == 0
    assert audiences.parse_codes('a-1, "B-2"\nA-1;c-3') == ("A-1", "B-2", "C-3")


async def test_tier_audience_is_evaluated_at_earn_time(store: str) -> None:
    clock.freeze(START)
    gold, plain = await member(tier="gold"), await member()
    created = await create(Audience(AudienceKind.TIER, tiers=("gold",)))
    assert await CampaignMember.all().count() == 0  # nothing to materialize
    g, p = await buy(gold), await buy(plain)
    assert campaign_named(g) == [created.campaign_id] and g.points == 240  # 100 × 1.2 × 2
    assert campaign_named(p) == [] and p.points == 100
    plain.tier = "gold"
    await plain.save()
    clock.advance(timedelta(minutes=1))
    assert campaign_named(await buy(plain)) == [created.campaign_id]  # live by nature


async def test_category_snapshot_is_fixed_live_follows(store: str) -> None:
    clock.freeze(START)
    tea, later = await member(), await member()
    await buy(tea, category="tea")
    snap = await create(Audience(AudienceKind.CATEGORY, category="tea", days=30))
    live = await create(
        Audience(AudienceKind.CATEGORY, category="tea", days=30, mode=AudienceMode.LIVE),
        multiplier=Decimal(3),
        names={"en": "Tea Triple"},
        ends_at=START + timedelta(days=60),
    )
    clock.advance(timedelta(hours=1))
    await buy(later, category="tea")  # joins the live audience at the next refresh only
    assert await audiences.refresh_due() == {"campaigns": 1}  # the snapshot stays as it was
    ids = {
        c: set(await CampaignMember.filter(campaign_id=c).values_list("member_id", flat=True))
        for c in (snap.campaign_id, live.campaign_id)
    }
    assert ids == {snap.campaign_id: {tea.id}, live.campaign_id: {tea.id, later.id}}
    clock.advance(timedelta(hours=1))
    result = await buy(later, category="food")
    assert campaign_named(result) == [live.campaign_id] and result.points == 300
    clock.advance(timedelta(days=31))  # the tea purchase falls out of the window
    await audiences.refresh_due()
    left = await CampaignMember.filter(campaign_id=live.campaign_id).count()
    kept = await CampaignMember.filter(campaign_id=snap.campaign_id).count()
    assert (left, kept) == (0, 1)


async def test_future_snapshot_is_taken_when_it_starts(store: str) -> None:
    clock.freeze(START)
    early = await member()
    await buy(early, category="tea")
    created = await create(
        Audience(AudienceKind.CATEGORY, category="tea", days=30),
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=3),
    )
    assert await CampaignMember.all().count() == 0
    clock.advance(timedelta(hours=2))
    late = await member()
    await buy(late, category="tea")
    clock.freeze(START + timedelta(days=1, minutes=1))
    await audiences.refresh_due()
    await audiences.refresh_due()  # once only
    found = await CampaignMember.filter(campaign_id=created.campaign_id).values_list(
        "member_id", flat=True
    )
    assert sorted(found) == sorted([early.id, late.id])
    assert (await Campaign.get(id=created.campaign_id)).audience["frozen_at"]


async def test_segment_and_at_risk_audiences(store: str) -> None:
    clock.freeze(START - timedelta(days=120))
    quiet = await member()
    for _day in range(4):
        clock.advance(timedelta(days=1))
        await buy(quiet)
    clock.freeze(START)
    fresh = await member()
    await buy(fresh)
    clock.advance(timedelta(minutes=1))
    at_risk = await create(Audience(AudienceKind.AT_RISK, days=60))
    assert at_risk.size == 1
    assert [m async for m in _ids(at_risk.campaign_id)] == [quiet.id]
    rfm = await create(Audience(AudienceKind.SEGMENT, segment="at_risk"))  # R 1, F 5
    assert [m async for m in _ids(rfm.campaign_id)] == [quiet.id]
    new = await audiences.preview(Audience(AudienceKind.SEGMENT, segment="new"))
    assert new == audiences.AudiencePreview(1)  # fresh joined today, quiet 120 days ago
    assert campaign_named(await buy(fresh)) == []
    assert sorted(campaign_named(await buy(quiet))) == [at_risk.campaign_id]  # ties: oldest


async def _ids(campaign_id: int):
    for mid in await CampaignMember.filter(campaign_id=campaign_id).values_list(
        "member_id", flat=True
    ):
        yield mid


async def test_control_share_is_deterministic_and_earns_nothing(store: str) -> None:
    clock.freeze(START)
    people = [await member() for _ in range(12)]
    created = await create(
        Audience(AudienceKind.MEMBERS, codes=tuple(m.code for m in people), control_percent=50)
    )
    rows = {
        r.member_id: r.control  # type: ignore[attr-defined]
        for r in await CampaignMember.filter(campaign_id=created.campaign_id)
    }
    expected = {m.id: targeting.is_control(created.campaign_id, m.id, 50) for m in people}
    assert rows == expected and 0 < sum(rows.values()) < 12
    for m in people:
        result = await buy(m)
        assert result.points == (100 if rows[m.id] else 200)


async def test_start_alert_goes_to_the_audience_only_never_the_control_group(store: str) -> None:
    from bot.settings import load_settings
    from scheduler.jobs import Jobs

    clock.freeze(START)
    people = [await member(7000 + i, marketing_opt_in=True) for i in range(12)]
    outsider = await member(7100, marketing_opt_in=True)
    created = await create(
        Audience(AudienceKind.MEMBERS, codes=tuple(m.code for m in people), control_percent=30),
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=2),
    )
    clock.freeze(START + timedelta(days=1, seconds=5))
    await Jobs(load_settings(scheduler={"timezone": "UTC"})).campaign_alerts()  # before the
    # audiences job: the alert job takes the snapshot itself
    alerted = set(
        await OutboxMessage.filter(template="notice-campaign-started").values_list(
            "member_id", flat=True
        )
    )
    control = {m.id for m in people if targeting.is_control(created.campaign_id, m.id, 30)}
    assert control and alerted == {m.id for m in people} - control
    assert outsider.id not in alerted


async def test_staff_who_never_joined_are_in_no_audience(store: str) -> None:
    """A cashier's row (not enrolled) is no one's audience: not by tier, code or purchase."""
    clock.freeze(START)
    customer = await member(tier="gold")
    cashier = await member(tier="gold", enrolled=False)
    await buy(customer, category="tea")
    await buy(cashier, category="tea")  # an old purchase from before they became staff
    for audience in (
        Audience(AudienceKind.TIER, tiers=("gold",)),
        Audience(AudienceKind.MEMBERS, codes=(customer.code, cashier.code)),
        Audience(AudienceKind.CATEGORY, category="tea", days=30),
    ):
        assert await audiences.member_ids(audience) == [customer.id], audience.kind
