"""Who a targeted campaign is for: choosing, previewing and materializing audiences.

A campaign's ``audience`` (JSON on the row, ``None`` = everyone) names a rule:

=========  ==========================================================
tier       members of the listed tiers (evaluated directly at earn time)
segment    an RFM segment (:mod:`models.marketing.segments`)
at_risk    bought within a year but not in the last ``days`` days
category   bought ``category`` within the last ``days`` days
members    an uploaded list of member codes or phones (unknown codes reported, ignored)
winback    personal win-back offers (:mod:`models.marketing.offers`), one use each
=========  ==========================================================

Except ``tier``, membership is materialized in ``campaign_member``: a *snapshot* is
computed once when the campaign starts (so who qualified stays explainable), a *live*
audience is refreshed by the ``audiences`` scheduler job. A deterministic share
(``control_percent``, by a hash of campaign and member) is held out as the control group:
counted in the report, never boosted, never messaged.

The rule's shape (:class:`~models.ledger.targeting.Audience`) and the narrowing of
campaigns at earn time live in :mod:`models.ledger.targeting`, which earning reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from models.ledger.targeting import Audience, AudienceKind, AudienceMode, audience_of, is_control
from models.members import phones
from models.store import clock, sql
from models.store.db import write_transaction
from models.store.tables import Campaign, CampaignMember, CampaignStatus, Member

MAX_CODES = 5000
MAX_CONTROL_PERCENT = 50
MAX_DAYS = 730


# ---- typed results ----


@dataclass(frozen=True)
class AudiencePreview:
    """How many members the rule finds now, how many of them the control group would hold
    (an estimate before the campaign has an id), and the uploaded codes nobody has."""

    size: int
    unknown_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmptyAudience:
    unknown_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvalidAudience:
    """``field``: kind | tiers | segment | category | days | codes | control."""

    field: str


# ---- parsing and validation ----

_CODE = re.compile(r"[A-Za-z0-9-]{3,16}")


def parse_codes(text: str) -> tuple[str, ...]:
    """Member codes from an upload (commas, spaces, lines or CSV cells), in order, once."""
    seen: dict[str, None] = {}
    for token in re.split(r"[\s,;]+", text):
        token = token.strip().strip("\"'").upper()
        if token:
            seen.setdefault(token, None)
    return tuple(seen)


@dataclass(frozen=True)
class MemberList:
    """A typed or uploaded list read as member codes: phones are looked up (a phone no
    member has is ``unknown``), and what is neither a code nor a phone is ``unreadable``."""

    codes: tuple[str, ...]
    unknown: tuple[str, ...]
    unreadable: tuple[str, ...]


async def read_member_list(text: str, default_country: str) -> MemberList:
    """Member codes and phone numbers (one per comma, semicolon or line; a piece with
    spaces that is no phone is read as several codes), in order, once."""
    codes: dict[str, None] = {}
    unreadable: dict[str, None] = {}
    numbers: dict[str, str] = {}  # E.164 → as typed
    for piece in re.split(r"[,;\n]+", text):
        piece = piece.strip().strip("\"'")
        if not piece:
            continue
        digits_only = not any(c.isalpha() for c in piece)  # letters: codes, never vanity numbers
        phone = phones.normalize(piece, default_country) if digits_only else None
        if phone is not None:
            numbers.setdefault(phone, piece)
            continue
        for token in parse_codes(piece):
            (codes if _CODE.fullmatch(token) else unreadable).setdefault(token, None)
    unknown: list[str] = []
    if numbers:
        held = dict(
            await _members().filter(phone__in=list(numbers)).values_list("phone", "code")  # type: ignore[arg-type]
        )
        for phone, typed in numbers.items():
            if phone in held:
                codes.setdefault(str(held[phone]), None)
            else:
                unknown.append(typed)
    return MemberList(tuple(codes), tuple(unknown), tuple(unreadable))


async def choice_counts(audiences: Sequence[Audience]) -> list[int]:
    """How many members each rule finds now (the numbers the audience buttons show)."""
    return [len(await member_ids(audience)) for audience in audiences]


def validate(audience: Audience, tier_keys: Sequence[str] = ()) -> InvalidAudience | None:
    """The first problem with ``audience`` (the rule itself; emptiness is found by preview)."""
    from models.marketing.segments import Segment

    if not 0 <= audience.control_percent <= MAX_CONTROL_PERCENT:
        return InvalidAudience("control")
    match audience.kind:
        case AudienceKind.TIER:
            if not audience.tiers or any(t not in tier_keys for t in audience.tiers):
                return InvalidAudience("tiers")
        case AudienceKind.SEGMENT:
            if audience.segment not in {s.value for s in Segment}:
                return InvalidAudience("segment")
        case AudienceKind.CATEGORY:
            if not audience.category or len(audience.category) > 64:
                return InvalidAudience("category")
            if not 0 < audience.days <= MAX_DAYS:
                return InvalidAudience("days")
        case AudienceKind.AT_RISK:
            if not 0 < audience.days <= MAX_DAYS:
                return InvalidAudience("days")
        case AudienceKind.MEMBERS:
            if not audience.codes or len(audience.codes) > MAX_CODES:
                return InvalidAudience("codes")
            if any(not _CODE.fullmatch(c) for c in audience.codes):
                return InvalidAudience("codes")
    return None


# ---- evaluating a rule ----


def _members() -> QuerySet[Member]:
    """Members an audience may find: not deleted, and joined (staff who never joined as a
    member are no one's audience)."""
    return Member.filter(deleted_at=None, enrolled=True)


async def member_ids(audience: Audience, now: datetime | None = None) -> list[int]:
    """The ids of the members the rule finds at ``now`` (sorted)."""
    from models.marketing import segments

    now = now or clock.now()
    match audience.kind:
        case AudienceKind.TIER:
            query = _members().filter(tier__in=list(audience.tiers))
        case AudienceKind.MEMBERS:
            query = _members().filter(code__in=list(audience.codes))
        case AudienceKind.AT_RISK | AudienceKind.WINBACK:
            query = segments.at_risk_members(audience.days or 60, reachable_only=False)
        case AudienceKind.CATEGORY:
            rows = await sql.rows(
                _sql_conn(),
                "SELECT DISTINCT p.member_id AS id FROM purchase p"
                " JOIN member m ON m.id = p.member_id AND m.deleted_at IS NULL AND m.enrolled"
                " WHERE p.category = ? AND p.created_at >= ? AND p.created_at <= ?",
                audience.category,
                now - timedelta(days=audience.days),
                now,
            )
            return sorted(int(r["id"]) for r in rows)
        case AudienceKind.SEGMENT:
            found: list[int] = []
            async for page in segments.iter_segments(segment=segments.Segment(audience.segment)):
                found.extend(m.member_id for m in page)
            return sorted(found)
    return sorted(await query.values_list("id", flat=True))  # type: ignore[arg-type]


def _sql_conn() -> BaseDBAsyncClient:
    from models.store.db import connection

    return connection()


async def preview(
    audience: Audience, now: datetime | None = None
) -> AudiencePreview | EmptyAudience:
    """How many members the rule finds now; uploaded codes nobody has are listed."""
    unknown: tuple[str, ...] = ()
    if audience.kind == AudienceKind.MEMBERS:
        known = set(
            await _members().filter(code__in=list(audience.codes)).values_list("code", flat=True)
        )
        unknown = tuple(c for c in audience.codes if c not in known)
    size = len(await member_ids(audience, now))
    if size == 0:
        return EmptyAudience(unknown)
    return AudiencePreview(size, unknown)


# ---- materializing ----


async def materialize(
    campaign_id: int, audience: Audience, now: datetime, conn: BaseDBAsyncClient
) -> int:
    """Write the audience's current members into ``campaign_member`` (idempotent); for a
    live audience also drop those who left. The number of members now in it."""
    ids = await member_ids(audience, now)
    have = set(
        await CampaignMember.filter(campaign_id=campaign_id, window=0)
        .using_db(conn)
        .values_list("member_id", flat=True)
    )
    new = [
        CampaignMember(
            campaign_id=campaign_id,
            member_id=mid,
            control=is_control(campaign_id, mid, audience.control_percent),
            added_at=now,
        )
        for mid in ids
        if mid not in have
    ]
    if new:
        await CampaignMember.bulk_create(new, batch_size=1000, using_db=conn)
    gone = have - set(ids)
    if gone and audience.mode == AudienceMode.LIVE:
        await (
            CampaignMember.filter(campaign_id=campaign_id, window=0, member_id__in=list(gone))
            .using_db(conn)
            .delete()
        )
    return len(ids)


async def freeze_or_refresh(campaign: Campaign, now: datetime) -> int | None:
    """Materialize one campaign's audience if it is due: a snapshot once (when it starts),
    a live one every time. The size, or None when nothing was due."""
    audience = audience_of(campaign)
    if audience is None or not audience.materialized or audience.single_use:
        return None
    if audience.mode == AudienceMode.SNAPSHOT and (campaign.audience or {}).get("frozen_at"):
        return None
    async with write_transaction() as conn:
        size = await materialize(campaign.id, audience, now, conn)
        data = dict(campaign.audience or {}) | {"size": size, "refreshed_at": now.isoformat()}
        if audience.mode == AudienceMode.SNAPSHOT:
            data["frozen_at"] = now.isoformat()
        await Campaign.filter(id=campaign.id).using_db(conn).update(audience=data)
        campaign.audience = data
    return size


async def refresh_due(now: datetime | None = None, *, new_only: bool = False) -> dict[str, int]:
    """The ``audiences`` job: freeze snapshots that started, refresh live audiences
    (``new_only``: only those never materialized, as campaign alerts do before announcing
    a campaign that has just started)."""
    now = now or clock.now()
    rows = await Campaign.filter(
        status=CampaignStatus.ACTIVE, starts_at__lte=now, ends_at__gt=now, audience__not_isnull=True
    ).order_by("id")
    done = 0
    for row in rows:
        if new_only and (row.audience or {}).get("refreshed_at"):
            continue
        if await freeze_or_refresh(row, now) is not None:
            done += 1
    return {"campaigns": done}


# ---- earn time ----


# ---- who hears about it ----


async def alert_members(
    campaign: Campaign, query: QuerySet[Member], conn: BaseDBAsyncClient
) -> list[Member]:
    """``query`` (the alert's reachable members) narrowed to the campaign's audience, the
    control group left out: a targeted campaign is announced only to those who get it."""
    audience = audience_of(campaign)
    if audience is None:
        return await query.using_db(conn)
    if audience.materialized:
        inside = CampaignMember.filter(campaign_id=campaign.id, control=False).values("member_id")
        query = query.filter(id__in=Subquery(inside))
    else:
        query = query.filter(tier__in=list(audience.tiers))
    found = await query.using_db(conn)
    return [m for m in found if not is_control(campaign.id, m.id, audience.control_percent)]


def size_of(campaign: Campaign) -> int | None:
    """The audience size recorded when it was last materialized (None before)."""
    value = (campaign.audience or {}).get("size")
    return int(value) if value is not None else None


# ---- creating a targeted campaign ----


@dataclass(frozen=True)
class TargetedCampaignCreated:
    """The campaign and its audience: size now (before the control share is held out) and
    the uploaded codes that were ignored because no member has them."""

    campaign_id: int
    size: int
    unknown_codes: tuple[str, ...] = ()


async def create_campaign(
    draft: Any,
    audience: Audience,
    *,
    tier_keys: Sequence[str],
    actor_telegram_id: int | None,
    actor_kind: str = "telegram",
) -> Any:
    """Create a campaign for ``audience`` (``draft`` is a ``campaigns.CampaignDraft``).

    Refused, writing nothing: an invalid rule (:class:`InvalidAudience`), a rule that finds
    nobody (:class:`EmptyAudience`) or an invalid draft (``campaigns.InvalidCampaign``). A
    campaign that has started gets its audience at once; one that starts later gets it
    from the ``audiences`` job when it starts.
    """
    from dataclasses import replace

    from models.marketing import campaigns

    audience = replace(audience, codes=parse_codes(" ".join(audience.codes)))
    problem = validate(audience, tier_keys)
    if problem is not None:
        return problem
    found = await preview(audience)
    if isinstance(found, EmptyAudience):
        return found
    known = replace(
        audience, codes=tuple(c for c in audience.codes if c not in found.unknown_codes)
    )
    created = await campaigns.create(
        replace(draft, audience=known.to_json() | {"size": found.size}),
        actor_telegram_id=actor_telegram_id,
        actor_kind=actor_kind,
    )
    if not isinstance(created, campaigns.CampaignCreated):
        return created
    row = await Campaign.get(id=created.campaign_id)
    if row.starts_at <= clock.now():
        await freeze_or_refresh(row, clock.now())
    return TargetedCampaignCreated(created.campaign_id, found.size, found.unknown_codes)


# ---- changing a campaign's audience ----


def same_rule(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Whether two stored audiences are one rule (sizes and refresh times aside)."""
    return rule_of(old) == rule_of(new)


def rule_of(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A stored audience's rule alone (its size and refresh times left out)."""
    if not data:
        return None
    from dataclasses import replace

    return replace(Audience.from_json(data), extra={}).to_json()


async def edit_campaign(
    campaign_id: int,
    draft: Any,
    audience: Audience | None,
    *,
    tier_keys: Sequence[str],
    actor_telegram_id: int | None,
) -> Any:
    """Edit a campaign (``campaigns.edit``) and, when the rule differs, its audience
    (None = everyone), checked as on creation (an invalid or empty one refused, writing
    nothing); the new audience's members replace the old ones at once if it has started."""
    from dataclasses import replace

    from models.marketing import campaigns

    row = await Campaign.get_or_none(id=campaign_id)
    new = audience.to_json() if audience is not None else None
    if row is None or same_rule(row.audience, new):
        return await campaigns.edit(campaign_id, draft, actor_telegram_id=actor_telegram_id)
    size = 0
    if audience is not None:
        audience = replace(audience, codes=parse_codes(" ".join(audience.codes)))
        problem = validate(audience, tier_keys)
        if problem is not None:
            return problem
        found = await preview(audience)
        if isinstance(found, EmptyAudience):
            return found
        size = found.size
        known = tuple(c for c in audience.codes if c not in found.unknown_codes)
        new = replace(audience, codes=known).to_json() | {"size": size}
    edited = await campaigns.edit(
        campaign_id, draft, actor_telegram_id=actor_telegram_id, audience=new
    )
    if not isinstance(edited, campaigns.CampaignEdited):
        return edited
    async with write_transaction() as conn:  # the old rule's members leave
        await CampaignMember.filter(campaign_id=campaign_id, window=0).using_db(conn).delete()
    row = await Campaign.get(id=campaign_id)
    if new is not None and row.starts_at <= clock.now():
        await freeze_or_refresh(row, clock.now())
    return edited
