"""Campaigns: time-boxed earning boosts a marketer creates, pauses, resumes and ends.

How campaigns combine is :mod:`models.ledger.rules`' business (the highest applicable multiplier
wins, bonuses add up); this module keeps the rows valid and answers which campaigns are
in force at an instant: :func:`active_at` for the till and the HTTP API, :func:`rules_at`
for ``ledger.earn_for_purchase(campaigns=...)``.

Weekdays and hours are local to the shop's time zone (``tz``), as marketers think of
them ("Saturdays 10:00-14:00"); start and end are instants (stored in UTC).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from models.ledger.config import EarningRules
from models.ledger.rules import CampaignRule
from models.store import audit, clock, days
from models.store.db import write_transaction
from models.store.tables import Campaign, CampaignKind, CampaignStatus, Purchase

MAX_MULTIPLIER = Decimal(10)
MAX_BONUS_POINTS = 100_000
MAX_DURATION = timedelta(days=366)
MAX_NAME = 64
MAX_FILTERS = 50
PRESETS = ("today", "weekend", "week")
"""Start/end presets the chat offers: today, this weekend, the next 7 days."""

# ---- typed results ----


@dataclass(frozen=True)
class InvalidCampaign:
    """``field``: names | multiplier | bonus | window | weekdays | hours | filters | kind.

    ``reason``: empty | too-long | range | end-before-start | ended | too-long-window.
    """

    field: str
    reason: str


@dataclass(frozen=True)
class CampaignCreated:
    campaign_id: int


@dataclass(frozen=True)
class CampaignChanged:
    campaign_id: int
    status: CampaignStatus


@dataclass(frozen=True)
class UnknownCampaign:
    campaign_id: int


@dataclass(frozen=True)
class CampaignNotChangeable:
    """The status does not allow that change (e.g. resuming an ended campaign)."""

    status: CampaignStatus


@dataclass(frozen=True)
class CampaignDraft:
    """What the marketer chose, before it is validated and saved."""

    names: Mapping[str, str]
    kind: CampaignKind
    starts_at: datetime
    ends_at: datetime
    multiplier: Decimal = Decimal(1)
    bonus_points: int = 0
    weekdays: Sequence[int] = ()
    hours: Sequence[int] = ()
    categories: Sequence[str] = ()
    skus: Sequence[str] = ()
    tiers: Sequence[str] = ()
    channels: Sequence[str] = ()
    announce: bool = True
    audience: Mapping[str, Any] | None = None
    """``models.ledger.targeting.Audience.to_json()``; None = everyone."""


# ---- parsing what people type ----


def parse_multiplier(text: str) -> Decimal | None:
    """``2``, ``1.5``, ``x2``, ``2×`` → Decimal; None when not a number."""
    cleaned = text.strip().lower().strip("x×* ").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_local_datetime(text: str, tz: str, *, end: bool = False) -> datetime | None:
    """``YYYY-MM-DD HH:MM`` local → aware; a date alone is the start of that day, or for an
    ``end`` its last minute (23:59:59: "until 12-07" includes the 7th)."""
    cleaned = " ".join(text.strip().replace("T", " ").split())
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            naive = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        if not days.storable(naive):
            return None
        if end and pattern == "%Y-%m-%d":
            naive = naive.replace(hour=23, minute=59, second=59)
        return naive.replace(tzinfo=ZoneInfo(tz))
    return None


def parse_local_window(text: str, tz: str) -> tuple[datetime, datetime] | None:
    """``2026-12-05..2026-12-07`` (or ``…10:00..…18:00``, ``–`` and `` to `` too): the
    start and end in one go; None when the text is not a range."""
    for separator in ("..", "–", " to ", "～", "~", "至"):
        if separator in text:
            first, _, second = text.partition(separator)
            start = parse_local_datetime(first, tz)
            end = parse_local_datetime(second, tz, end=True)
            return (start, end) if start is not None and end is not None else None
    return None


def unknown_filters(typed: Sequence[str], known: Sequence[str]) -> list[str]:
    """The typed categories/SKUs no rule or purchase knows (case-insensitive)."""
    lowered = {k.lower() for k in known}
    return [v for v in typed if v.lower() not in lowered]


async def known_filters(earning: EarningRules) -> tuple[list[str], list[str]]:
    """Categories and SKUs a campaign filter can match: those the rules name (multipliers,
    exclusions) and the categories purchases were recorded with."""
    seen = (
        await Purchase.filter(category__not_isnull=True)
        .distinct()
        .values_list("category", flat=True)
    )
    categories = {*earning.category_multipliers, *earning.excluded_categories, *seen}
    return sorted(c for c in categories if c), sorted(earning.sku_multipliers)


def parse_hours(text: str) -> tuple[int, int] | None:
    """``10-14`` → (10, 14) (end exclusive); None when malformed."""
    parts = text.replace("–", "-").replace(" ", "").split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def preset_window(preset: str, now: datetime, tz: str) -> tuple[datetime, datetime]:
    """The (start, end) of a preset in the shop's time zone.

    ``today``: now until local midnight. ``weekend``: the coming (or current) Saturday
    00:00 until Monday 00:00. ``week``: now until 7 days later.
    """
    local = now.astimezone(ZoneInfo(tz))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if preset == "today":
        return now, midnight + timedelta(days=1)
    if preset == "weekend":
        saturday = midnight + timedelta(days=(5 - local.weekday()) % 7)
        if local.weekday() == 6:  # already Sunday: the rest of this weekend
            saturday = midnight - timedelta(days=1)
        return max(now, saturday), saturday + timedelta(days=2)
    if preset == "week":
        return now, now + timedelta(days=7)
    raise ValueError(f"unknown preset {preset!r}")


# ---- validation ----


def _clean_names(names: Mapping[str, str]) -> dict[str, str]:
    return {lang: " ".join(text.split()) for lang, text in names.items() if text and text.strip()}


def validate(draft: CampaignDraft, now: datetime) -> InvalidCampaign | None:
    """The first problem with ``draft``, or None when it can be saved."""
    names = _clean_names(draft.names)
    if not names:
        return InvalidCampaign("names", "empty")
    if any(len(n) > MAX_NAME for n in names.values()):
        return InvalidCampaign("names", "too-long")
    if draft.kind == CampaignKind.MULTIPLIER:
        if not (Decimal(1) < draft.multiplier <= MAX_MULTIPLIER):
            return InvalidCampaign("multiplier", "range")
        if draft.multiplier.as_tuple().exponent < -2:  # type: ignore[operator]
            return InvalidCampaign("multiplier", "range")
    elif draft.kind == CampaignKind.BONUS:
        if not (0 < draft.bonus_points <= MAX_BONUS_POINTS):
            return InvalidCampaign("bonus", "range")
    else:
        return InvalidCampaign("kind", "range")
    if draft.starts_at.tzinfo is None or draft.ends_at.tzinfo is None:
        raise ValueError("campaign times must be timezone-aware")
    if draft.ends_at <= draft.starts_at:
        return InvalidCampaign("window", "end-before-start")
    if draft.ends_at <= now:
        return InvalidCampaign("window", "ended")
    if draft.ends_at - draft.starts_at > MAX_DURATION:
        return InvalidCampaign("window", "too-long-window")
    if any(d not in range(7) for d in draft.weekdays) or len(set(draft.weekdays)) != len(
        draft.weekdays
    ):
        return InvalidCampaign("weekdays", "range")
    if draft.hours and (len(draft.hours) != 2 or not (0 <= draft.hours[0] < draft.hours[1] <= 24)):
        return InvalidCampaign("hours", "range")
    for values in (draft.categories, draft.skus, draft.tiers, draft.channels):
        if len(values) > MAX_FILTERS or any(not v or len(v) > 64 for v in values):
            return InvalidCampaign("filters", "range")
    return None


# ---- operations ----


async def create(
    draft: CampaignDraft, *, actor_telegram_id: int | None, actor_kind: str = "telegram"
) -> CampaignCreated | InvalidCampaign:
    """Validate and save a campaign (status active), audited as ``campaign.create``."""
    now = clock.now()
    problem = validate(draft, now)
    if problem is not None:
        return problem
    async with write_transaction() as conn:
        row = await Campaign.create(
            **_columns(draft),
            audience=dict(draft.audience) if draft.audience else None,
            created_by=actor_telegram_id,
            created_at=now,
            using_db=conn,
        )
        await audit.record(
            "campaign.create",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"campaign:{row.id}",
            details={"kind": str(draft.kind), "names": row.names},
            using_db=conn,
        )
    return CampaignCreated(row.id)


def _columns(draft: CampaignDraft) -> dict[str, object]:
    """The row's columns for a valid draft (create and edit write the same)."""
    return {
        "names": _clean_names(draft.names),
        "kind": draft.kind,
        "multiplier": str(draft.multiplier if draft.kind == CampaignKind.MULTIPLIER else 1),
        "bonus_points": draft.bonus_points if draft.kind == CampaignKind.BONUS else 0,
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "weekdays": sorted(draft.weekdays),
        "hours": list(draft.hours),
        "categories": list(draft.categories),
        "skus": list(draft.skus),
        "tiers": list(draft.tiers),
        "channels": list(draft.channels),
        "announce": draft.announce,
    }


@dataclass(frozen=True)
class CampaignEdited:
    campaign_id: int
    changed: tuple[str, ...]


async def edit(
    campaign_id: int,
    draft: CampaignDraft,
    *,
    actor_telegram_id: int | None,
    audience: Mapping[str, Any] | bool | None = False,
) -> CampaignEdited | InvalidCampaign | UnknownCampaign | CampaignNotChangeable:
    """Change a campaign that has not ended (name, window, amount, filters and, when
    ``audience`` is not False, its audience: None = everyone), validated as on creation;
    one conditional update (not ended meanwhile), audited as ``campaign.edit`` with the
    fields that changed. ``models.marketing.audiences.edit_campaign`` checks an audience."""
    now = clock.now()
    problem = validate(draft, now)
    if problem is not None:
        return problem
    columns = _columns(draft)
    if audience is not False:
        columns["audience"] = dict(audience) if isinstance(audience, Mapping) else None
    async with write_transaction() as conn:
        row = await Campaign.get_or_none(id=campaign_id).using_db(conn)
        if row is None:
            return UnknownCampaign(campaign_id)
        if row.status == CampaignStatus.ENDED or row.ends_at <= now:
            return CampaignNotChangeable(row.status)
        changed = tuple(k for k, v in columns.items() if _differs(getattr(row, k), v))
        done = (
            await Campaign.filter(id=campaign_id, status=row.status)
            .using_db(conn)
            .update(**columns)
        )
        if done != 1:
            return CampaignNotChangeable(row.status)
        await audit.record(
            "campaign.edit",
            actor_telegram_id=actor_telegram_id,
            target=f"campaign:{campaign_id}",
            details={"changed": list(changed)},
            using_db=conn,
        )
    return CampaignEdited(campaign_id, changed)


def _differs(old: object, new: object) -> bool:
    if isinstance(old, datetime) and isinstance(new, datetime):
        return old != new
    return str(old) != str(new)


async def get(campaign_id: int) -> Campaign | None:
    return await Campaign.get_or_none(id=campaign_id)


async def list_campaigns(*, include_ended: bool = False, limit: int = 20) -> list[Campaign]:
    """Newest first; ended ones (by status or by date) only with ``include_ended``."""
    query = Campaign.all()
    if not include_ended:
        query = query.filter(ends_at__gt=clock.now()).exclude(status=CampaignStatus.ENDED)
    return await query.order_by("-starts_at", "-id").limit(limit)


_TRANSITIONS: dict[CampaignStatus, tuple[CampaignStatus, ...]] = {
    CampaignStatus.PAUSED: (CampaignStatus.ACTIVE,),
    CampaignStatus.ACTIVE: (CampaignStatus.PAUSED,),
    CampaignStatus.ENDED: (CampaignStatus.ACTIVE, CampaignStatus.PAUSED),
}
"""Target status → the statuses it may be reached from."""


_VERBS = {
    CampaignStatus.ACTIVE: "resume",
    CampaignStatus.PAUSED: "pause",
    CampaignStatus.ENDED: "end",
}


async def _move(
    campaign_id: int,
    target: CampaignStatus,
    actor_telegram_id: int | None,
    actor_kind: str = "telegram",
) -> CampaignChanged | UnknownCampaign | CampaignNotChangeable:
    """One conditional update from an allowed status (a campaign past its end cannot be
    paused or resumed, only ended)."""
    allowed = _TRANSITIONS[target]
    now = clock.now()
    async with write_transaction() as conn:
        row = await Campaign.get_or_none(id=campaign_id).using_db(conn)
        if row is None:
            return UnknownCampaign(campaign_id)
        if row.status not in allowed or (target != CampaignStatus.ENDED and row.ends_at <= now):
            return CampaignNotChangeable(row.status)
        changes: dict[str, object] = {"status": target}
        if target == CampaignStatus.ENDED and row.ends_at > now:
            changes["ends_at"] = max(now, row.starts_at)
        changed = (
            await Campaign.filter(id=campaign_id, status=row.status)
            .using_db(conn)
            .update(**changes)
        )
        if changed != 1:
            return CampaignNotChangeable(row.status)
        await audit.record(
            f"campaign.{_VERBS[target]}",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"campaign:{campaign_id}",
            details={"from": str(row.status)},
            using_db=conn,
        )
    return CampaignChanged(campaign_id, target)


async def pause(
    campaign_id: int, *, actor_telegram_id: int | None, actor_kind: str = "telegram"
) -> CampaignChanged | UnknownCampaign | CampaignNotChangeable:
    return await _move(campaign_id, CampaignStatus.PAUSED, actor_telegram_id, actor_kind)


async def resume(
    campaign_id: int, *, actor_telegram_id: int | None, actor_kind: str = "telegram"
) -> CampaignChanged | UnknownCampaign | CampaignNotChangeable:
    return await _move(campaign_id, CampaignStatus.ACTIVE, actor_telegram_id, actor_kind)


async def end(
    campaign_id: int, *, actor_telegram_id: int | None, actor_kind: str = "telegram"
) -> CampaignChanged | UnknownCampaign | CampaignNotChangeable:
    """End now (``ends_at`` moves to now if it was later); ending twice is refused."""
    return await _move(campaign_id, CampaignStatus.ENDED, actor_telegram_id, actor_kind)


def _in_local_slot(row: Campaign, now: datetime, tz: str) -> bool:
    local = now.astimezone(ZoneInfo(tz))
    if row.weekdays and local.weekday() not in row.weekdays:
        return False
    hours = row.hours or []
    return len(hours) != 2 or hours[0] <= local.hour < hours[1]


async def active_at(now: datetime, channel: str = "telegram", *, tz: str = "UTC") -> list[Campaign]:
    """Campaigns in force at ``now`` on ``channel`` (status active, inside start/end, on
    one of their weekdays and hours in the shop's time zone ``tz``).

    Tier and category/SKU filters depend on the member and the basket: those are left to
    :func:`models.ledger.rules.compute_points`.
    """
    rows = await Campaign.filter(
        status=CampaignStatus.ACTIVE, starts_at__lte=now, ends_at__gt=now
    ).order_by("id")
    return [
        r for r in rows if (not r.channels or channel in r.channels) and _in_local_slot(r, now, tz)
    ]


async def rules_at(
    now: datetime, channel: str = "telegram", *, tz: str = "UTC"
) -> list[CampaignRule]:
    """:func:`active_at` as the rules engine's input (``earn_for_purchase(campaigns=...)``)."""
    return [CampaignRule.from_row(r, tz) for r in await active_at(now, channel, tz=tz)]


def campaign_name(row: Campaign, language: str) -> str:
    names = row.names or {}
    return names.get(language) or names.get("en") or next(iter(names.values()), "")
