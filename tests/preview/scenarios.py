"""Random shops for the preview-equals-effect properties: rules, members with a past,
campaigns for every kind of audience, and purchases (some paid partly with points).

Hypothesis runs many examples on one database (the ``store`` fixture is per test), so
every example starts from :func:`wipe`, with the clock frozen at :data:`NOW`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from tortoise import Tortoise

from models import ledger
from models.ledger import rule_versions
from models.ledger.config import (
    EarningRules,
    Rounding,
    RuleSet,
    TierLevel,
    Tiers,
    UsageRules,
)
from models.ledger.targeting import Audience, AudienceKind, AudienceMode
from models.marketing import audiences, campaigns, offers
from models.marketing.campaigns import CampaignDraft
from models.marketing.segments import Segment
from models.store import clock, sql
from models.store.db import connection
from models.store.tables import CampaignKind, Member
from tests.store.helpers import member as new_member

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)  # a Monday, 17:30 in Shanghai
TZ = "Asia/Shanghai"
CATEGORIES = ("coffee", "tea", "food", "gift_card")
SKUS = ("LATTE", "BEAN", "CAKE")
TIER_KEYS = ("member", "gold")
MULTIPLIERS = (Decimal("0.5"), Decimal("1.25"), Decimal("1.5"), Decimal(2), Decimal(3))


def _children_first() -> list[str]:
    """Every table, each after the tables whose rows refer to it (so plain DELETEs in this
    order never meet a foreign key; far faster than TRUNCATE on PostgreSQL)."""
    models = list(Tortoise.apps["models"].values())
    refers = {
        m: {m._meta.fields_map[f].related_model for f in m._meta.fk_fields} - {m} for m in models
    }
    order: list[str] = []
    done: set[object] = set()

    def visit(model: object) -> None:
        if model in done:
            return
        done.add(model)
        for child in (c for c in models if model in refers[c]):
            visit(child)
        order.append(model._meta.db_table)  # type: ignore[attr-defined]

    for model in models:
        visit(model)
    return order


async def wipe() -> None:
    """Every table empty (one example must not see the last one's campaigns or members)."""
    deletes = "".join(f'DELETE FROM "{table}";' for table in _children_first())
    await connection().execute_script(deletes)
    rule_versions.invalidate()


# ---- rules ----


@st.composite
def rule_sets(draw: st.DrawFn) -> RuleSet:
    """Rules over every earning term, tiers, and points as payment."""
    multipliers = st.sampled_from(MULTIPLIERS)
    earning = EarningRules(
        points_per_unit=draw(st.sampled_from((1, 1, 2, 5, 0))),
        rounding=draw(st.sampled_from(tuple(Rounding))),
        min_purchase_minor=draw(st.sampled_from((0, 0, 0, 100, 5000))),
        max_purchase_minor=draw(st.sampled_from((10_000_000, 10_000_000, 60_000))),
        excluded_categories=tuple(sorted(draw(st.sets(st.sampled_from(CATEGORIES), max_size=2)))),
        category_multipliers=draw(
            st.dictionaries(st.sampled_from(CATEGORIES), multipliers, max_size=3)
        ),
        sku_multipliers=draw(st.dictionaries(st.sampled_from(SKUS), multipliers, max_size=2)),
        daily_cap_points=draw(st.sampled_from((0, 0, 60, 250))),
    )
    usage = UsageRules(
        points_as_payment=True,
        point_value_minor=draw(st.sampled_from((Decimal(1), Decimal("0.5"), Decimal(3)))),
        max_payment_share_percent=draw(st.sampled_from((10, 50, 100))),
        earn_on_points_payment=draw(st.booleans()),
    )
    gold = TierLevel(
        key="gold",
        names={"en": "Gold", "zh-Hans": "金卡"},
        threshold=draw(st.sampled_from((300, 1_000_000))),
        multiplier=draw(st.sampled_from((Decimal(1), Decimal("1.2"), Decimal(2)))),
    )
    tiers = Tiers(levels=(TierLevel(key="member", names={"en": "Member"}), gold))
    return RuleSet(earning=earning, usage=usage, tiers=tiers)


# ---- members and their past ----


@dataclass(frozen=True)
class Past:
    """One earlier purchase: how many days ago, of what category."""

    days_ago: int
    category: str | None


@dataclass(frozen=True)
class Person:
    gold: bool
    points: int
    past: tuple[Past, ...]
    marketing: bool


people = st.lists(
    st.builds(
        Person,
        gold=st.booleans(),
        points=st.sampled_from((0, 300, 5000)),
        past=st.lists(
            st.builds(
                Past,
                st.sampled_from((3, 20, 45, 45, 120, 400)),
                st.sampled_from((None, *CATEGORIES[:3])),
            ),
            min_size=1,
            max_size=2,
        ).map(tuple),
        marketing=st.booleans(),
    ),
    min_size=2,
    max_size=5,
)


async def make_members(persons: list[Person], rules: RuleSet) -> list[Member]:
    """The members, each with their past purchases (clock moved back for each) and points."""
    made: list[Member] = []
    for n, person in enumerate(persons):
        m = await new_member(
            telegram_id=80_000 + n,
            marketing_opt_in=person.marketing,
            tier="gold" if person.gold else "member",
        )
        for k, past in enumerate(sorted(person.past, key=lambda p: -p.days_ago)):
            clock.freeze(NOW - timedelta(days=past.days_ago))
            await ledger.earn_for_purchase(
                m.id, 5000, "CNY", idempotency_key=f"past:{m.id}:{k}", rules=rules,
                category=past.category, tz=TZ,
            )  # fmt: skip
        clock.freeze(NOW)
        if person.points:
            await ledger.grant_bonus(m.id, person.points, idempotency_key=f"pts:{m.id}", reason="t")
        made.append(await Member.get(id=m.id))
    return made


# ---- campaigns ----


@dataclass(frozen=True)
class CampaignSpec:
    """A campaign and who it is for: ``audience`` is a kind (or ``all``), ``picks`` which
    of the members a member list names."""

    kind: CampaignKind
    multiplier: Decimal
    bonus: int
    categories: tuple[str, ...]
    skus: tuple[str, ...]
    channels: tuple[str, ...]
    audience: str
    control: int
    live: bool
    picks: tuple[int, ...]
    segment: Segment
    category: str
    days: int


AUDIENCES = ("tier", "members", "segment", "at_risk", "category")


def campaign_specs(kinds: tuple[str, ...] = ("all", "all", *AUDIENCES)) -> st.SearchStrategy:
    """Campaigns for audiences of ``kinds`` (``all``: everyone)."""
    return st.builds(
        CampaignSpec,
        kind=st.sampled_from((CampaignKind.MULTIPLIER, CampaignKind.BONUS)),
        multiplier=st.sampled_from((Decimal("1.5"), Decimal(2), Decimal(3))),
        bonus=st.sampled_from((10, 50)),
        categories=st.sampled_from(((), (), ("coffee",), ("tea", "food"))),
        skus=st.sampled_from(((), (), ("LATTE",))),
        channels=st.sampled_from(((), (), ("telegram",), ("api",))),
        audience=st.sampled_from(kinds),
        control=st.sampled_from((0, 0, 30, 50)),
        live=st.booleans(),
        picks=st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True).map(tuple),
        segment=st.sampled_from(tuple(Segment)),
        category=st.sampled_from(CATEGORIES[:3]),
        days=st.sampled_from((10, 30, 60)),
    )


def audience_of(spec: CampaignSpec, members: list[Member]) -> Audience | None:
    mode = AudienceMode.LIVE if spec.live else AudienceMode.SNAPSHOT
    common = {"mode": mode, "control_percent": spec.control}
    match spec.audience:
        case "tier":
            return Audience(AudienceKind.TIER, tiers=("gold",), **common)  # type: ignore[arg-type]
        case "members":
            codes = tuple(members[i].code for i in spec.picks if i < len(members))
            return Audience(AudienceKind.MEMBERS, codes=codes or (members[0].code,), **common)  # type: ignore[arg-type]
        case "segment":
            return Audience(AudienceKind.SEGMENT, segment=spec.segment.value, **common)  # type: ignore[arg-type]
        case "at_risk":
            return Audience(AudienceKind.AT_RISK, days=spec.days, **common)  # type: ignore[arg-type]
        case "category":
            return Audience(
                AudienceKind.CATEGORY,
                category=spec.category,
                days=spec.days,
                **common,  # type: ignore[arg-type]
            )
    return None


def draft_of(spec: CampaignSpec, n: int) -> CampaignDraft:
    return CampaignDraft(
        names={"en": f"C{n}", "zh-Hans": f"活动{n}"},
        kind=spec.kind,
        multiplier=spec.multiplier,
        bonus_points=spec.bonus,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(days=5),
        categories=spec.categories,
        skus=spec.skus,
        channels=spec.channels,
    )


async def make_campaigns(specs: list[CampaignSpec], members: list[Member]) -> list[int]:
    """The campaigns that could be created (an audience that finds nobody is refused)."""
    made: list[int] = []
    for n, spec in enumerate(specs):
        audience = audience_of(spec, members)
        draft = draft_of(spec, n)
        if audience is None:
            created = await campaigns.create(draft, actor_telegram_id=1)
        else:
            created = await audiences.create_campaign(
                draft, audience, tier_keys=TIER_KEYS, actor_telegram_id=1
            )
        campaign_id = getattr(created, "campaign_id", None)
        if campaign_id is not None:
            made.append(campaign_id)
    return made


async def offer_winback(control: int, multiplier: Decimal) -> None:
    """Personal single-use win-back offers for the at-risk members who may be messaged."""
    settings = offers.WinbackSettings(
        multiplier=multiplier, valid_days=7, silent_days=30, control_percent=control
    )
    await offers.issue_winback(settings, TZ, NOW)


async def offers_used() -> int:
    row = await sql.one(
        connection(), "SELECT COUNT(*) AS n FROM campaign_member WHERE used_at IS NOT NULL"
    )
    return sql.as_int(row and row["n"])


# ---- purchases ----


@dataclass(frozen=True)
class Buy:
    """One purchase: who, how much, what, on which channel; ``pay`` is the share (0-4 of
    4) of what the member may pay with points; ``later`` minutes after the last one."""

    who: int
    amount: int
    category: str | None
    items: tuple[tuple[int, str | None, str | None], ...]
    channel: str
    pay: int
    later: int


@st.composite
def buys(draw: st.DrawFn) -> Buy:
    amount = draw(st.sampled_from((50, 999, 5000, 12850, 30000, 99999)))
    count = draw(st.integers(0, 2))
    items = []
    left = amount
    for _ in range(count):
        part = draw(st.integers(0, left))
        left -= part
        items.append(
            (
                part,
                draw(st.sampled_from((None, *SKUS))),
                draw(st.sampled_from((None, *CATEGORIES))),
            )
        )
    return Buy(
        who=draw(st.integers(0, 4)),
        amount=amount,
        category=draw(st.sampled_from((None, "other", *CATEGORIES))),
        items=tuple(items),
        channel=draw(st.sampled_from(("telegram", "telegram", "api"))),
        pay=draw(st.sampled_from((0, 0, 1, 2, 4))),
        later=draw(st.sampled_from((1, 30, 600))),
    )


def item_dicts(buy: Buy) -> list[dict[str, object]]:
    return [{"amount_minor": a, "sku": sku, "category": cat} for a, sku, cat in buy.items]
