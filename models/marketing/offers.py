"""Personal offers: win-back offers for at-risk members, and what targeted campaigns did.

Win-back (:func:`issue_winback`, the ``winback-offers`` job): at-risk members who can be
messaged (opted in, reachable, not deleted) get a personal offer — "×2 points on your
next visit within 14 days" — at most once per ``cooldown_days``. A deterministic share
(``control_percent``, by member, campaign and offer window) is the control group: they get
a row (so the report can count them) but no offer and no message. The offers belong to
one *program* campaign (audience ``winback``, single use, not announced): the marketer sees
it in /campaign, may pause or end it, and its report is the lift. An offer is used by the
member's next purchase within its window (``models.ledger.targeting.narrow``), and the receipt
names the program campaign like any campaign.

:func:`campaign_report` compares, per targeted campaign, the targeted members with the
control group, and the targeted members with their own previous period of the same length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from models.ledger.config import Currency
from models.ledger.targeting import Audience, AudienceKind, audience_of, is_control
from models.marketing import segments
from models.marketing.reminders import Notice, queue_notices
from models.reports.messages import format_money
from models.store import clock, sql
from models.store.db import connection, write_transaction
from models.store.tables import Campaign, CampaignKind, CampaignMember, CampaignStatus, Member

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
PROGRAM_DAYS = 366
PROGRAM_NAMES = {"en": "Welcome back offer", "zh-Hans": "欢迎回来礼遇"}


@dataclass(frozen=True)
class WinbackSettings:
    """The job's knobs (``[offers]`` in config.toml)."""

    multiplier: Decimal = Decimal(2)
    valid_days: int = 14
    cooldown_days: int = 90
    silent_days: int = 60
    control_percent: int = 10


@dataclass(frozen=True)
class WinbackIssued:
    campaign_id: int | None
    offered: int
    control: int
    reason: str = ""
    """Why nothing was issued: ``paused`` (the marketer paused or ended the program)."""


def window_of(now: datetime) -> int:
    """The offer's window number (days since 2020-01-01): one row per member and day."""
    return (now - EPOCH).days


async def current_program() -> Campaign | None:
    """The latest win-back program campaign, whatever its status (None before the first)."""
    targeted = await Campaign.filter(audience__not_isnull=True).order_by("-id")
    return next((c for c in targeted if (c.audience or {}).get("kind") == "winback"), None)


async def program(settings: WinbackSettings, now: datetime) -> Campaign | None:
    """The running win-back program campaign, started when there is none; None when the
    marketer paused or ended it (then no offers go out until it is resumed)."""
    latest = await current_program()
    if latest is not None:
        if latest.status == CampaignStatus.ACTIVE and latest.ends_at > now:
            return latest
        if latest.status != CampaignStatus.ACTIVE:
            return None
    audience = Audience(
        AudienceKind.WINBACK,
        control_percent=settings.control_percent,
        days=settings.silent_days,
        single_use=True,
    )
    return await Campaign.create(
        names=PROGRAM_NAMES,
        kind=CampaignKind.MULTIPLIER,
        multiplier=str(settings.multiplier),
        starts_at=now,
        ends_at=now + timedelta(days=PROGRAM_DAYS),
        announce=False,
        audience=audience.to_json(),
        created_at=now,
    )


async def issue_winback(
    settings: WinbackSettings, tz: str = "UTC", now: datetime | None = None
) -> WinbackIssued:
    """Offer every eligible at-risk member a personal win-back offer (idempotent: a member
    with an offer or a control row within ``cooldown_days`` is skipped)."""
    now = now or clock.now()
    campaign = await program(settings, now)
    if campaign is None:
        return WinbackIssued(None, 0, 0, reason="paused")
    window = window_of(now)
    candidates = await segments.at_risk_members(settings.silent_days, reachable_only=True).order_by(
        "id"
    )
    async with write_transaction() as conn:
        recent = set(
            await CampaignMember.filter(
                campaign_id=campaign.id, added_at__gt=now - timedelta(days=settings.cooldown_days)
            )
            .using_db(conn)
            .values_list("member_id", flat=True)
        )
        fresh = [m for m in candidates if m.id not in recent]
        until = now + timedelta(days=settings.valid_days)
        rows, notices = [], []
        for m in fresh:
            held_out = is_control(campaign.id, m.id, settings.control_percent, salt=window)
            rows.append(
                CampaignMember(
                    campaign_id=campaign.id,
                    member_id=m.id,
                    window=window,
                    control=held_out,
                    added_at=now,
                    expires_at=until,
                )
            )
            if not held_out:
                notices.append(_notice(m, campaign, until, tz, window))
        await CampaignMember.bulk_create(rows, batch_size=1000, using_db=conn)
        await queue_notices(notices, conn)
    return WinbackIssued(campaign.id, len(notices), len(rows) - len(notices))


def _notice(m: Member, campaign: Campaign, until: datetime, tz: str, window: int) -> Notice:
    from zoneinfo import ZoneInfo

    return Notice(
        member_id=m.id,
        chat_id=int(m.telegram_id),  # type: ignore[arg-type]
        language=m.language,
        template="offers-winback",
        args={
            "multiplier": campaign.multiplier,
            "until": until.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d"),
        },
        dedupe_key=f"winback:{campaign.id}:{m.id}:{window}",
        kind="marketing",
    )


# ---- the report ----


@dataclass(frozen=True)
class GroupFigures:
    """One group's members, how many bought, their purchases, net sales and points."""

    members: int = 0
    buyers: int = 0
    purchases: int = 0
    sales_minor: int = 0
    points: int = 0

    def rate_permille(self) -> int:
        """Buyers per thousand members (integers, so both databases agree)."""
        return self.buyers * 1000 // self.members if self.members else 0


MIN_COMPARE_AGE = timedelta(days=1)
MIN_COMPARE_MEMBERS = 20
"""Below these a report says "too early to compare" instead of a change in percent."""


@dataclass(frozen=True)
class CampaignLift:
    """A targeted campaign's figures: targeted vs control, and vs the targeted members'
    own previous period of the same length."""

    campaign_id: int
    names: dict[str, str]
    audience: str
    """The rule's kind (tier, segment, at_risk, category, members, winback)."""
    mode: str
    control_percent: int
    targeted: GroupFigures
    control: GroupFigures
    previous: GroupFigures
    ran: timedelta = timedelta(0)
    """How long the campaign has run (until its end, or now)."""

    @property
    def comparable(self) -> bool:
        """Whether it has run long enough, with enough members, for a lift to mean
        something: a campaign minutes old (or a handful of members) is too early."""
        sample = self.targeted.members + self.control.members
        return self.ran >= MIN_COMPARE_AGE and sample >= MIN_COMPARE_MEMBERS

    def lift_permille(self) -> int:
        """Buy rate of the targeted minus the control group's, per thousand."""
        return self.targeted.rate_permille() - self.control.rate_permille()


async def _rows_of(campaign: Campaign) -> list[tuple[int, bool, datetime, datetime | None]]:
    """(member, control, joined, offer end) for every member of the audience."""
    audience = audience_of(campaign)
    assert audience is not None
    if audience.materialized:
        found = await CampaignMember.filter(campaign_id=campaign.id).values_list(
            "member_id", "control", "added_at", "expires_at"
        )
        return [(int(a), bool(b), c, d) for a, b, c, d in found]
    ids = await Member.filter(deleted_at=None, tier__in=list(audience.tiers)).values_list(
        "id", flat=True
    )
    start, percent = campaign.starts_at, audience.control_percent
    return [(int(i), is_control(campaign.id, int(i), percent), start, None) for i in ids]


async def campaign_report(campaign: Campaign, now: datetime | None = None) -> CampaignLift | None:
    """Targeted vs control vs previous period for one targeted campaign (None if untargeted).

    Each member counts from when the campaign started or they joined its audience
    (whichever is later) until its end, their offer's end, or now.
    """
    now = now or clock.now()
    audience = audience_of(campaign)
    if audience is None:
        return None
    members = await _rows_of(campaign)
    spans: dict[int, tuple[bool, datetime, datetime]] = {}
    for member_id, control, joined, offer_end in members:
        start = max(campaign.starts_at, joined)
        end = min(x for x in (campaign.ends_at, offer_end, now) if x is not None)
        if end > start and member_id not in spans:
            spans[member_id] = (control, start, end)
    earliest = min((s - (e - s) for _c, s, e in spans.values()), default=now)
    purchases = await _purchases(list(spans), earliest, now)
    during = {True: _Tally(), False: _Tally()}
    before = _Tally()
    for member_id, (control, start, end) in spans.items():
        during[control].members.add(member_id)
        if not control:
            before.members.add(member_id)
        for at, net, points in purchases.get(member_id, ()):
            if start <= at < end:
                during[control].add(member_id, net, points)
            elif not control and start - (end - start) <= at < start:
                before.add(member_id, net, points)
    return CampaignLift(
        campaign.id,
        dict(campaign.names or {}),
        str(audience.kind),
        str(audience.mode),
        audience.control_percent,
        during[False].figures(),
        during[True].figures(),
        before.figures(),
        max(timedelta(0), min(campaign.ends_at, now) - campaign.starts_at),
    )


class _Tally:
    def __init__(self) -> None:
        self.members: set[int] = set()
        self.buyers: set[int] = set()
        self.purchases = self.sales = self.points = 0

    def add(self, member_id: int, net: int, points: int) -> None:
        self.buyers.add(member_id)
        self.purchases += 1
        self.sales += net
        self.points += points

    def figures(self) -> GroupFigures:
        return GroupFigures(
            len(self.members), len(self.buyers), self.purchases, self.sales, self.points
        )


async def _purchases(
    member_ids: list[int], since: datetime, until: datetime
) -> dict[int, list[tuple[datetime, int, int]]]:
    found: dict[int, list[tuple[datetime, int, int]]] = {}
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = await sql.rows(
            connection(),
            "SELECT member_id, created_at, amount_minor - refunded_minor AS net, points_awarded"
            f" FROM purchase WHERE member_id IN ({marks}) AND created_at >= ? AND created_at < ?",
            *chunk,
            since,
            until,
        )
        for r in rows:
            found.setdefault(int(r["member_id"]), []).append(
                (_aware(r["created_at"]), int(r["net"]), int(r["points_awarded"]))
            )
    return found


def _aware(value: Any) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


async def targeted_reports(
    since: datetime, until: datetime, now: datetime | None = None
) -> list[CampaignLift]:
    """Every targeted campaign that ran during [since, until), newest first."""
    rows = await Campaign.filter(
        audience__not_isnull=True, starts_at__lt=until, ends_at__gt=since
    ).order_by("-starts_at", "-id")
    found = [await campaign_report(row, now) for row in rows]
    return [f for f in found if f is not None]


def lift_lines(
    lifts: list[CampaignLift], *, currency: Currency, language: str
) -> list[tuple[str, dict[str, Any]]]:
    """Locale keys and arguments of /report's targeted-campaign lines (money and buy
    rates preformatted, language-neutral)."""

    def money(minor: int) -> str:
        return format_money(minor, currency)

    found: list[tuple[str, dict[str, Any]]] = []
    for lift in lifts:
        name = lift.names.get(language) or lift.names.get("en") or f"#{lift.campaign_id}"
        t, c, p = lift.targeted, lift.control, lift.previous
        found.append(
            (
                "offers-report-line",
                {
                    "name": name,
                    "audience": lift.audience,
                    "members": t.members,
                    "buyers": t.buyers,
                    "rate": _pct(t.rate_permille()),
                    "sales": money(t.sales_minor),
                    "points": t.points,
                    "control": c.members,
                    "control_buyers": c.buyers,
                    "control_rate": _pct(c.rate_permille()),
                    "control_sales": money(c.sales_minor),
                    "previous_buyers": p.buyers,
                    "previous_sales": money(p.sales_minor),
                    "lift": _pct(lift.lift_permille(), signed=True) if c.members else "—",
                    "early": "yes" if not lift.comparable else "no",
                },
            )
        )
    return found


def _pct(permille: int, *, signed: bool = False) -> str:
    sign = "+" if signed and permille > 0 else ("−" if permille < 0 else "")
    return f"{sign}{abs(permille) // 10}.{abs(permille) % 10}%"
