"""The marketer's season (Mei Lin, the page's marketer): campaigns, a targeted campaign
with a control group, a broadcast sent and one scheduled, and the members who came back
because of an offer.

Campaign texts and broadcasts are what a marketer typed (data, in both languages, like the
demo's reward names), created through the same operations as ``/campaign`` and
``/broadcast``. Comebacks are decided from the store (who is in the audience, who got a
win-back offer today), so offers that reached someone show up in the lift report.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from tortoise.queryset import QuerySet

from models.ledger.config import RuleSet
from models.ledger.targeting import Audience, AudienceKind
from models.marketing import audiences, broadcasts, campaigns, offers
from models.sandbox.cast import Person, Visit
from models.sandbox.stage import Act, Stage
from models.store import clock
from models.store.tables import CampaignKind, CampaignMember

MARKETER = 4001

SPRING = {"en": "Spring weekend ×2", "zh-Hans": "春季周末双倍积分"}
COFFEE = {"en": "Coffee fortnight", "zh-Hans": "咖啡双周"}
MISS_YOU = {"en": "We miss you: ×3 points", "zh-Hans": "想念您：三倍积分"}
MENU = {
    "en": "Our autumn menu is here: chestnut latte, osmanthus cake and three new beans.",
    "zh-Hans": "秋季新品上市：栗子拿铁、桂花糕，还有三款新咖啡豆。",
}
TASTING = {
    "en": "This weekend: free tasting of our autumn beans at Riverside, 14:00–17:00.",
    "zh-Hans": "本周末 14:00–17:00，河畔店秋季咖啡豆免费品鉴，欢迎光临！",
}
COME_BACK = (0.35, 0.10)
"""Chance that a targeted member comes back during the campaign (offered, control)."""
WINBACK_COME_BACK = (0.3, 0.08)

Later = Callable[[Person, Visit], None]
Who = Callable[[int], "Person | None"]


class Marketing:
    def __init__(
        self, stage: Stage, rules: RuleSet, seed: int, visit_later: Later, who: Who
    ) -> None:
        self.stage = stage
        self.rules = rules
        self.visit_later = visit_later
        self.who = who
        self.rng = random.Random(seed + 2)
        self.campaigns: list[int] = []
        self._winback: int | None = None

    def plan(self) -> None:
        at = self.stage.at
        add = self.stage.add
        add(at(-125, 9 * 60 + 30), self._campaign(SPRING, -121, -119))
        add(at(-60, 10 * 60 + 30), self._broadcast(MENU, None))
        add(at(-42, 16 * 60), self._targeted(MISS_YOU, -40, -26))
        add(at(-24, 9 * 60 + 30), self._campaign(COFFEE, -21, -7, categories=("coffee",)))
        add(at(-2, 17 * 60), self._broadcast(TASTING, at(1, 18 * 60)))

    def _draft(
        self, names: dict[str, str], first: int, last: int, multiplier: str, **extra: object
    ) -> campaigns.CampaignDraft:
        return campaigns.CampaignDraft(
            names=names,
            kind=CampaignKind.MULTIPLIER,
            starts_at=self.stage.at(first, 0),
            ends_at=self.stage.at(last, 0),
            multiplier=Decimal(multiplier),
            **extra,  # type: ignore[arg-type]
        )

    def _campaign(
        self, names: dict[str, str], first: int, last: int, categories: tuple[str, ...] = ()
    ) -> Act:
        async def create() -> None:
            draft = self._draft(names, first, last, "2", categories=categories)
            created = await campaigns.create(draft, actor_telegram_id=MARKETER)
            assert isinstance(created, campaigns.CampaignCreated), created
            self.campaigns.append(created.campaign_id)

        return create

    def _targeted(self, names: dict[str, str], first: int, last: int) -> Act:
        """At-risk members (no purchase for 45 days), 20 % held out as the control group."""

        async def create() -> None:
            audience = Audience(AudienceKind.AT_RISK, days=45, control_percent=20)
            created = await audiences.create_campaign(
                self._draft(names, first, last, "3"),
                audience,
                tier_keys=[t.key for t in self.rules.tiers.levels],
                actor_telegram_id=MARKETER,
            )
            assert isinstance(created, audiences.TargetedCampaignCreated), created
            self.campaigns.append(created.campaign_id)
            at = self.stage.at(first, 6 * 60)
            self.stage.add(at, self._come_back(created.campaign_id, first, last))

        return create

    def _come_back(self, campaign_id: int, first: int, last: int) -> Act:
        async def decide() -> None:
            await self._comebacks(
                CampaignMember.filter(campaign_id=campaign_id), COME_BACK, first, last - 1
            )

        return decide

    async def winback_comebacks(self) -> None:
        """Some of today's win-back offers bring their member back within the offer."""
        if self._winback is None:
            program = await offers.current_program()
            if program is None:
                return
            self._winback = program.id
        day = self.stage.day_of(clock.now())
        rows = CampaignMember.filter(campaign_id=self._winback, added_at__gte=self.stage.at(day, 0))
        await self._comebacks(rows, WINBACK_COME_BACK, day + 1, min(day + 12, -1))

    async def _comebacks(
        self, rows: QuerySet[CampaignMember], chances: tuple[float, float], first: int, last: int
    ) -> None:
        """Each member of ``rows`` comes back once between days ``first`` and ``last`` by
        chance (``chances``: offered, control)."""
        if first > last:
            return
        found = await rows.order_by("member_id").values_list("member_id", "control")
        for member_id, control in found:
            person = self.who(int(member_id))
            if person is None or person.persona:
                continue
            if self.rng.random() < chances[1 if control else 0]:
                day = self.rng.randint(first, last)
                minute = self.rng.randint(9 * 60, 19 * 60)
                amount = self.rng.randrange(3200, 9800, 10)
                self.visit_later(person, Visit(day, minute, amount, "coffee", person.home))

    def _broadcast(self, texts: dict[str, str], at: datetime | None) -> Act:
        """A broadcast to everyone who takes offers: sent now, or scheduled for ``at``."""

        async def send() -> None:
            draft = await broadcasts.create_draft(MARKETER, texts["en"], language="en")
            await broadcasts.set_version(draft.id, "zh-Hans", texts["zh-Hans"])
            await broadcasts.update_draft(
                draft.id, audience=broadcasts.Audience(broadcasts.AudienceKind.ALL).to_json()
            )
            if at is None:
                started = await broadcasts.start_now(draft.id, actor_telegram_id=MARKETER)
                assert isinstance(started, broadcasts.Started), started
            else:
                scheduled = await broadcasts.schedule(draft.id, at, actor_telegram_id=MARKETER)
                assert isinstance(scheduled, broadcasts.Scheduled), scheduled

        return send
