"""A season of history for the sandbox: six months of about 300 members in two shops.

``make demo`` seeds it, so a merchant trying jifen sees what a shop looks like after half a
year, not after an hour: regulars, lapsed members, big spenders, birthdays this week,
points about to expire, paper-card members brought over by import, campaigns (one for
everyone, one for coffee, one targeted at at-risk members with a control group), a
broadcast sent and one scheduled, vouchers redeemed and left to expire, refunds, win-back
offers, and the first-hour demo (:mod:`.demo`) on top. Every RFM segment, every audience
kind and every report chart has something to show.

Everything goes through the store's own operations (import, join, link, earn, redeem,
refund, adjust, campaigns, audiences, broadcasts) with :mod:`models.store.clock` frozen at
each moment (:mod:`.stage`), and time passes between moments through ``pass_time``: the
sandbox gives the scheduler's time travel, so the jobs ran as they would have. The ledger
stays consistent (``jifen doctor`` is clean). Who does what is drawn from one seed
(:mod:`.cast`); the same seed and the same today give the same figures.

Seeded once: a store that already has the season (or other purchases) is left alone.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from models import ledger
from models.access import api_keys
from models.catalogue import vouchers
from models.importing import import_members
from models.ledger import rule_versions
from models.ledger.config import RuleSet
from models.ledger.results import PurchaseRecorded, VoucherIssued
from models.ledger.targeting import is_control
from models.marketing import campaigns, offers
from models.members import enrolment, membership
from models.reports import weekly
from models.sandbox import demo
from models.sandbox.cast import ALICE_CARD, SEASON_DAYS, SEASON_IDS_FROM, Person, Visit, draw
from models.sandbox.season_marketing import Marketing
from models.sandbox.stage import Act, PassTime, Stage
from models.spreadsheets.writing import write_csv
from models.store import clock
from models.store.tables import (
    Campaign,
    Member,
    Purchase,
    Refund,
    Reward,
    Voucher,
    VoucherStatus,
)

DEFAULT_SEED = 2025
DEFAULT_SIZE = 300
CASHIER, MARKETER, ADMIN = 2001, 4001, 3001
"""The page's personas (``bot.sandbox.personas``): the cashier works Downtown."""
PAPER_FILE = "paper-cards.csv"
REDEEM_CHANCE, REFUND_CHANCE = 0.22, 0.03
DOUBLE_POINTS_WEEK = (-5, 7)
"""The demo's running campaign (day it starts, days it lasts): it ends the day after
tomorrow (a "last chance" reminder in the coming week, and a win-back offer is worth
something again once it is over)."""


@dataclass(frozen=True)
class SeasonLoaded:
    """What the season seeded (``skipped``: why nothing was, e.g. it is there already)."""

    members: int = 0
    purchases: int = 0
    refunds: int = 0
    vouchers: int = 0
    redeemed: int = 0
    campaigns: int = 0
    skipped: str = ""


async def load(
    rules: RuleSet,
    *,
    seed: int = DEFAULT_SEED,
    size: int = DEFAULT_SIZE,
    now: datetime | None = None,
    tz: str = "UTC",
    winback_time: time = time(11),
    pass_time: PassTime | None = None,
) -> SeasonLoaded:
    """Seed the season ending at ``now``; the clock is left frozen at ``now``.

    ``winback_time``: when the win-back job runs (``offers.winback_time``), so that Alice,
    the page's member, is not drawn into that day's control group.
    """
    if await Member.filter(external_id=ALICE_CARD).exists():
        return SeasonLoaded(skipped="already seeded")
    if await Purchase.all().exists():
        return SeasonLoaded(skipped="the database has purchases: seed a season into a new one")
    now = now or clock.now()
    stage = Stage(now, tz, pass_time)
    season = _Season(stage, rules, seed, draw(seed, size, stage.today), winback_time)
    await season.open()
    await stage.play()
    await demo.load(rules)  # the first hour on top: today's shoppers
    clock.freeze(now)
    return SeasonLoaded(
        members=await Member.filter(enrolled=True, deleted_at=None).count(),
        purchases=await Purchase.all().count(),
        refunds=await Refund.all().count(),
        vouchers=await Voucher.all().count(),
        redeemed=await Voucher.filter(status=VoucherStatus.REDEEMED).count(),
        campaigns=await Campaign.all().count(),
    )


async def members_on_telegram() -> list[tuple[int, str, str, str]]:
    """``(telegram id, first name, last name, language)`` of the season's members on
    Telegram, for the sandbox's emulator to know them (their messages are delivered)."""
    rows = await Member.filter(
        telegram_id__gte=SEASON_IDS_FROM, telegram_id__lt=SEASON_IDS_FROM + 1_000_000
    ).values_list("telegram_id", "first_name", "last_name", "language")
    return [(int(t), str(f), str(la), str(lang)) for t, f, la, lang in rows]


class _Season:
    """The cast's acts on the stage (and the marketer's, in :class:`Marketing`)."""

    def __init__(
        self, stage: Stage, rules: RuleSet, seed: int, cast: list[Person], winback_time: time
    ) -> None:
        self.stage = stage
        self.rules = rules
        self.rng = random.Random(seed + 1)
        self.cast = cast
        self.winback_time = winback_time
        self.ids: dict[int, int] = {}  # person index -> member id
        self.people: dict[int, Person] = {}  # member id -> person
        self.pending: dict[int, list[str]] = {}  # member id -> vouchers kept for later
        self.rewards: list[Reward] = []
        self.api_key_id = 0
        self.receipts = 0
        self.marketing = Marketing(stage, rules, seed, self.visit_later, self.member_person)

    def member_person(self, member_id: int) -> Person | None:
        return self.people.get(member_id)

    async def open(self) -> None:
        """Day −182: the catalogue, the Riverside till's API key, the paper cards, and
        every act of the season on the stage."""
        stage = self.stage
        clock.freeze(stage.at(-SEASON_DAYS, 9 * 60))
        await rule_versions.ensure_seeded(self.rules)
        self.rewards, _ = await demo.catalogue()
        key = await api_keys.create("Riverside POS", location="Riverside", actor_kind="sandbox")
        assert isinstance(key, api_keys.ApiKeyCreated)
        self.api_key_id = key.key_id
        await weekly.set_weekly_report(MARKETER, True)
        stage.add(stage.at(-SEASON_DAYS, 9 * 60 + 30), self.import_paper_cards)
        for person in self.cast:
            if person.telegram_id is not None:
                minute = person.visits[0].minute - 4 if person.visits else 19 * 60
                stage.add(stage.at(person.joined_day, minute), self._join(person))
            for visit in person.visits:
                stage.add(stage.at(visit.day, visit.minute), self._visit(person, visit))
        alice = self.cast[0]
        stage.add(stage.at(-100, 8 * 60 + 25), self._alice_treat(alice))
        stage.add(stage.at(-58, 7 * 60), self._alice_last_visit(alice))
        for n in range(3):
            person = self.rng.choice([p for p in self.cast if p.visits and not p.persona])
            at = stage.at(person.visits[-1].day, person.visits[-1].minute + 30)
            stage.add(at, self._adjust(person, n))
        first, days = DOUBLE_POINTS_WEEK
        stage.add(stage.at(first, 9 * 60), self._double_points_week(days))
        self.marketing.plan()
        for day in range(-SEASON_DAYS + 1, 0):
            stage.add(stage.at(day, 12 * 60 + 30), self.marketing.winback_comebacks)

    def _double_points_week(self, days: int) -> Act:
        async def start() -> None:
            await demo.running_campaign((timedelta(0), timedelta(days=days)))

        return start

    # ---- joining ----

    async def import_paper_cards(self) -> None:
        """The shop's old paper-card members, brought over by ``jifen import members``."""
        zone, today = self.stage.zone, self.stage.today
        levels = self.rules.tiers.levels
        vip = levels[1].key if len(levels) > 1 else ""
        day0 = today - timedelta(days=SEASON_DAYS)
        rows = [
            {
                "external_id": p.paper.external_id,
                "phone": "" if p.persona else p.phone.removeprefix("+86"),  # as typed in CN
                "name": " ".join(x for x in (p.first_name, p.last_name) if x),
                "language": p.language,
                "birthday": p.birthday.isoformat() if p.birthday else "",
                "tier": vip if p.paper.vip else "",
                "points": str(p.paper.points),
                "points_expire_on": (
                    (today + timedelta(days=p.paper.expire_day)).isoformat()
                    if p.paper.expire_day is not None
                    else ""
                ),
                "joined_on": (day0 - timedelta(days=p.paper.joined_days_ago)).isoformat(),
            }
            for p in self.cast
            if p.paper is not None
        ]
        with tempfile.TemporaryDirectory(prefix="jifen-season-") as folder:
            path = Path(folder) / PAPER_FILE
            write_csv(path, [list(rows[0]), *(list(r.values()) for r in rows)])
            report = await import_members(
                path,
                rules=self.rules,
                default_country="CN",
                timezone=str(zone),
                now=clock.now(),
            )
        assert not report.rejections, report.rejections[:3]

    def _join(self, person: Person) -> Act:
        async def join() -> None:
            assert person.telegram_id is not None
            member, _ = await membership.ensure_member(
                person.telegram_id,
                first_name=person.first_name,
                last_name=person.last_name,
                language=person.language,
            )
            if person.paper is not None:
                member = await self._link(person, member)
            else:
                await membership.set_phone(member.id, person.phone)
                if person.birthday is not None:
                    await membership.set_birthday(member.id, person.birthday.isoformat())
            await membership.set_preferences(member.id, marketing=person.consent)
            self.ids[person.index] = member.id
            self.people[member.id] = person

        return join

    async def _link(self, person: Person, member: Member) -> Member:
        """A paper-card member opens the bot: by a join link the shop sent (Alice), or by
        sharing the phone number the shop has."""
        assert person.paper is not None and person.telegram_id is not None
        imported = await Member.get(external_id=person.paper.external_id)
        if person.persona:
            token = await enrolment.join_token(imported.id, created_by="sandbox")
            assert token is not None
            linked = await enrolment.open_join_link(
                token, telegram_id=person.telegram_id, current_member_id=member.id
            )
            await membership.set_phone(imported.id, person.phone)
        else:
            linked = await enrolment.link_by_phone(
                member.id, telegram_id=person.telegram_id, phone=person.phone
            )
        assert isinstance(linked, enrolment.Linked), linked
        return linked.member

    # ---- visits ----

    def visit_later(self, person: Person, visit: Visit) -> None:
        """A visit decided during the season (a comeback after an offer)."""
        at = self.stage.at(visit.day, visit.minute)
        if person.index in self.ids and at > clock.now():
            self.stage.add(at, self._visit(person, visit))

    def _visit(self, person: Person, visit: Visit) -> Act:
        async def buy() -> None:
            member_id = self.ids.get(person.index)
            if member_id is None:
                return
            staff, channel = self._till(visit.shop)
            for code in self.pending.pop(member_id, []):
                await vouchers.redeem(code, staff_telegram_id=staff, location=visit.shop)
            self.receipts += 1
            tz = str(self.stage.zone)
            result = await ledger.earn_for_purchase(
                member_id,
                visit.amount_minor,
                self.rules.currency.code,
                idempotency_key=f"season:{self.receipts}",
                category=visit.category,
                location=visit.shop,
                channel=channel,
                staff_telegram_id=staff,
                order_id=f"RS-{self.receipts}" if channel == "api" else None,
                api_key_id=self.api_key_id if channel == "api" else None,
                campaigns=await campaigns.rules_at(clock.now(), channel, tz=tz),
                tz=tz,
            )
            assert isinstance(result, PurchaseRecorded), result
            if not person.persona and self.rng.random() < REDEEM_CHANCE:
                await self._treat(person, member_id, result.balance, visit.shop)
            if self.rng.random() < REFUND_CHANCE:
                self._refund_later(result, visit)

        return buy

    def _till(self, shop: str) -> tuple[int | None, str]:
        """Downtown's cashier records in chat; Riverside's till posts to the HTTP API."""
        return (CASHIER, "telegram") if shop == "Downtown" else (None, "api")

    async def _treat(self, person: Person, member_id: int, balance: int, shop: str) -> None:
        """Spend points on a reward: mostly used at once, some later, some never."""
        affordable = [r for r in self.rewards if r.cost_points <= balance]
        if not affordable:
            return
        weights = [1 / r.cost_points for r in affordable]
        reward = self.rng.choices(affordable, weights)[0]
        issued = await vouchers.issue_for_reward(
            member_id, reward.id, idempotency_key=f"season:v:{self.receipts}"
        )
        if not isinstance(issued, VoucherIssued):
            return  # out of stock, or the limit per member: what a member would be told
        roll = self.rng.random()
        if roll < 0.75:
            clock.advance(timedelta(minutes=3))
            staff, _ = self._till(shop)
            await vouchers.redeem(issued.code, staff_telegram_id=staff, location=shop)
        elif roll < 0.9:
            self.pending.setdefault(member_id, []).append(issued.code)

    def _refund_later(self, result: PurchaseRecorded, visit: Visit) -> None:
        amount = visit.amount_minor if self.rng.random() < 0.4 else visit.amount_minor // 2
        days, minute = self.rng.randint(1, 3), self.rng.randint(11 * 60, 17 * 60)
        staff, channel = self._till(visit.shop)

        async def refund() -> None:
            await ledger.refund(
                result.receipt_code,
                amount,
                idempotency_key=f"season:r:{result.purchase_id}",
                staff_telegram_id=staff,
                policy=self.rules.usage.refund_policy,
                channel=channel,
            )

        self.stage.add(self.stage.at(visit.day + days, minute), refund)

    def _adjust(self, person: Person, n: int) -> Act:
        async def adjust() -> None:
            member_id = self.ids.get(person.index)
            if member_id is not None:
                await ledger.adjust(
                    member_id,
                    50,
                    reason="Sorry for the wait",
                    actor_telegram_id=ADMIN,
                    idempotency_key=f"season:adjust:{n}",
                )

        return adjust

    # ---- Alice ----

    def _alice_treat(self, alice: Person) -> Act:
        async def treat() -> None:
            member_id = self.ids[alice.index]
            discount = next(r for r in self.rewards if r.cost_points == 300)
            issued = await vouchers.issue_for_reward(
                member_id, discount.id, idempotency_key="season:alice:treat"
            )
            assert isinstance(issued, VoucherIssued), issued
            await vouchers.redeem(issued.code, staff_telegram_id=CASHIER, location="Downtown")

        return treat

    def _alice_last_visit(self, alice: Person) -> Act:
        """Her last visit, on the day that makes her first win-back day fall in the coming
        week outside that day's control group (which hears nothing)."""

        async def plan() -> None:
            member_id = self.ids[alice.index]
            program = await offers.current_program()
            percent = int((program.audience or {}).get("control_percent", 0)) if program else 0
            for day in (-55, -54, -56, -53, -57):
                offer_at = self.stage.at(day + 60, self.winback_time.hour * 60)
                window = offers.window_of(offer_at)
                if program is None or not is_control(program.id, member_id, percent, window):
                    break
            self.stage.add(
                self.stage.at(day, 8 * 60 + 20),
                self._visit(alice, Visit(day, 8 * 60 + 20, 3800, "coffee", "Downtown")),
            )

        return plan
