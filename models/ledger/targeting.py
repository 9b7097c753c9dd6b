"""Who a campaign is for, as the ledger reads it at earn time.

A campaign's ``audience`` (JSON on the row, ``None`` = everyone) is an :class:`Audience`.
At earn time :func:`narrow` keeps, of the campaigns in force, those this member may
have: no query when no targeted campaign is in force, one when one is (plus one
conditional update to use a personal offer, in the purchase's own transaction: one
winner). The quote (:mod:`models.ledger.quoting`) calls the same function with
``use=False``: the same campaigns, the offer left unused, so what the cashier reads is
what the ledger writes. Building, previewing and materializing audiences is marketing's
(:mod:`models.marketing.audiences`); this module is what earning needs of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.ledger.rules import CampaignRule
from models.store import sql
from models.store.tables import Campaign, Member


class AudienceKind(StrEnum):
    TIER = "tier"
    SEGMENT = "segment"
    AT_RISK = "at_risk"
    CATEGORY = "category"
    MEMBERS = "members"
    WINBACK = "winback"


class AudienceMode(StrEnum):
    SNAPSHOT = "snapshot"
    LIVE = "live"


@dataclass(frozen=True)
class Audience:
    """A targeting rule as the marketer chose it (stored as ``Campaign.audience``)."""

    kind: AudienceKind
    mode: AudienceMode = AudienceMode.SNAPSHOT
    control_percent: int = 0
    tiers: tuple[str, ...] = ()
    segment: str = ""
    category: str = ""
    days: int = 0
    codes: tuple[str, ...] = ()
    single_use: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": str(self.kind),
            "mode": str(self.mode),
            "control_percent": self.control_percent,
        }
        for name in ("tiers", "codes"):
            if getattr(self, name):
                data[name] = list(getattr(self, name))
        for name in ("segment", "category", "days", "single_use"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        return data | dict(self.extra)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Audience:
        known = {"kind", "mode", "control_percent", "tiers", "codes", "segment", "category"}
        known |= {"days", "single_use"}
        return cls(
            kind=AudienceKind(data["kind"]),
            mode=AudienceMode(data.get("mode", "snapshot")),
            control_percent=int(data.get("control_percent", 0)),
            tiers=tuple(data.get("tiers", ())),
            segment=str(data.get("segment", "")),
            category=str(data.get("category", "")),
            days=int(data.get("days", 0)),
            codes=tuple(data.get("codes", ())),
            single_use=bool(data.get("single_use", False)),
            extra={k: v for k, v in data.items() if k not in known},
        )

    @property
    def materialized(self) -> bool:
        """Whether membership lives in ``campaign_member`` (all kinds but ``tier``)."""
        return self.kind != AudienceKind.TIER


def is_control(campaign_id: int, member_id: int, percent: int, salt: int = 0) -> bool:
    """Whether a member is held out: a stable hash of (campaign, member[, salt]) below
    ``percent`` of 10,000, so the same member is always in the same group (explainable)."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{campaign_id}:{member_id}:{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 < percent * 100


def audience_of(row: Campaign | CampaignRule) -> Audience | None:
    data = row.audience
    return Audience.from_json(data) if data else None


async def narrow(
    conn: BaseDBAsyncClient,
    member: Member,
    campaigns: Iterable[CampaignRule],
    *,
    now: datetime,
    key: str,
    use: bool = True,
) -> list[CampaignRule]:
    """The campaigns of ``campaigns`` this member may earn from.

    Untargeted campaigns pass; a tier audience is decided here; the others by one query
    on ``campaign_member``. A personal single-use offer is marked used (``key`` = the
    purchase's idempotency key) by a conditional update in the caller's transaction, so
    of two racing purchases one gets it; it rolls back with a refused purchase. With
    ``use=False`` (a quote) the offer counts as it would now, and stays unused.
    """
    offered = list(campaigns)
    targeted = {c.id: audience_of(c) for c in offered if c.audience}
    if not targeted:
        return offered
    allowed = {c.id for c in offered if c.id not in targeted}
    listed: dict[int, Audience] = {}
    for cid, audience in targeted.items():
        assert audience is not None
        if audience.materialized:
            listed[cid] = audience
        elif member.tier in audience.tiers and not is_control(
            cid, member.id, audience.control_percent
        ):
            allowed.add(cid)
    if listed:
        marks = ", ".join("?" for _ in listed)
        rows = await sql.rows(
            conn,
            "SELECT id, campaign_id FROM campaign_member WHERE member_id = ?"
            f" AND campaign_id IN ({marks}) AND control = ? AND used_at IS NULL"
            " AND (expires_at IS NULL OR expires_at > ?) ORDER BY id",
            member.id,
            *listed,
            False,
            now,
        )
        by_id = {c.id: c for c in offered}
        for row in sorted(rows, key=lambda r: listed[int(r["campaign_id"])].single_use):
            cid = int(row["campaign_id"])
            if cid in allowed:
                continue
            if listed[cid].single_use:
                others = [by_id[a] for a in allowed]
                if _outdone(by_id[cid], others, member, now):
                    continue  # kept for a visit where it adds something
                if use and not await _use(conn, int(row["id"]), now, key):
                    continue
            allowed.add(cid)
    return [c for c in offered if c.id in allowed]


def _outdone(
    offer: CampaignRule, others: list[CampaignRule], member: Member, now: datetime
) -> bool:
    """Whether a campaign for the whole basket, in force anyway, pays at least as much as a
    personal multiplier offer (then using the offer would add nothing)."""
    if offer.kind != "multiplier":
        return False
    return any(
        c.kind == "multiplier"
        and not (c.categories or c.skus or c.channels)
        and c.multiplier >= offer.multiplier
        and c.live(now, tier=member.tier, channel="")
        for c in others
    )


async def _use(conn: BaseDBAsyncClient, row_id: int, now: datetime, key: str) -> bool:
    changed = await sql.execute(
        conn,
        "UPDATE campaign_member SET used_at = ?, used_key = ? WHERE id = ? AND used_at IS NULL",
        now,
        key,
        row_id,
    )
    return changed == 1
