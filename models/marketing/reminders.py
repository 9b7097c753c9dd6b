"""Reminders and alerts the scheduler queues: points about to expire, campaign start/end.

Each is decided set-based and queued as outbox rows whose ``dedupe_key`` makes a rerun (a
duplicate trigger, a second instance, a catch-up after downtime) queue nothing twice:

* expiry: one reminder per member, per local date on which lots expire, per lead time
  (``expiry.reminder_days``). A date inside several lead windows gets the nearest lead
  only (a lot earned 5 days before it expires gets the 7-day reminder, not also the 30-day).
* campaigns: the start alert once (``announced_at`` set by a conditional update), the
  end reminder once, a day before the end (``end_reminded_at``), for campaigns that run
  long enough for two messages to make sense.

Only members the message's class lets us tell are queued
(:mod:`models.delivery.classes`): expiry reminders are *service* (reminders on, bot not
blocked), campaign alerts *marketing* (consent given, bot not blocked). A member who
blocked the bot is queued again once they write, because the key of a reminder never
queued stays free. :func:`queue_notices`, which every producer here and in ``offers`` and
``birthdays`` uses, asks the rule again for the rows it writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from models.delivery import classes, outbox
from models.delivery.classes import MessageClass
from models.marketing import audiences
from models.store import clock, sql
from models.store.db import connection, write_transaction
from models.store.tables import Campaign, CampaignStatus, Member, OutboxMessage

CAMPAIGN_END_LEAD = timedelta(days=1)
EXPIRY_TEMPLATE = "notice-expiry-reminder"
CAMPAIGN_STARTED, CAMPAIGN_ENDING = "notice-campaign-started", "notice-campaign-ending"
_CHUNK = 500


@dataclass(frozen=True)
class Queued:
    """How many messages a run queued (0 on a rerun)."""

    queued: int


@dataclass(frozen=True)
class Notice:
    """One message to queue: recipient, locale key, arguments, dedupe key."""

    member_id: int
    chat_id: int
    language: str
    template: str
    args: dict[str, Any]
    dedupe_key: str
    kind: str = "reminder"


async def _admitted(notices: Sequence[Notice], conn: BaseDBAsyncClient) -> list[Notice]:
    """The notices whose class lets us tell their member (one query per class)."""
    by_class: dict[MessageClass, set[int]] = {}
    for n in notices:
        by_class.setdefault(classes.class_of(n.template), set()).add(n.member_id)
    allowed = {c: await outbox.admitted(ids, c, conn) for c, ids in by_class.items()}
    return [n for n in notices if n.member_id in allowed[classes.class_of(n.template)]]


async def queue_notices(notices: Sequence[Notice], conn: BaseDBAsyncClient | None = None) -> int:
    """Queue many messages at once, skipping dedupe keys already used and members the
    message's class may not reach; how many were new."""
    conn = conn or connection()
    queued = 0
    for start in range(0, len(notices), _CHUNK):
        chunk = await _admitted(notices[start : start + _CHUNK], conn)
        keys = [n.dedupe_key for n in chunk]
        taken = set(
            await OutboxMessage.filter(dedupe_key__in=keys)
            .using_db(conn)
            .values_list("dedupe_key", flat=True)
        )
        fresh = [n for n in chunk if n.dedupe_key not in taken]
        await OutboxMessage.bulk_create(
            [
                outbox.new_message(
                    chat_id=n.chat_id,
                    member_id=n.member_id,
                    kind=n.kind,
                    template=n.template,
                    args=n.args,
                    language=n.language,
                    dedupe_key=n.dedupe_key,
                )
                for n in fresh
            ],
            ignore_conflicts=True,
            using_db=conn,
        )
        queued += len(fresh)
    return queued


# ---- expiry reminders ----


async def queue_expiry_reminders(
    lead_days: Iterable[int], tz: str = "UTC", now: datetime | None = None
) -> Queued:
    """Queue ``notice-expiry-reminder`` for points expiring within each lead time."""
    leads = sorted(set(lead_days))
    if not leads:
        return Queued(0)
    now = now or clock.now()
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    may_tell, params = classes.sql_condition(classes.class_of(EXPIRY_TEMPLATE), "m")
    rows = await sql.rows(
        connection(),
        "SELECT l.member_id, l.expires_at, SUM(l.remaining) AS points,"
        " m.telegram_id, m.language FROM point_lot l JOIN member m ON m.id = l.member_id"
        f" WHERE l.remaining > 0 AND l.expires_at > ? AND l.expires_at <= ? AND {may_tell}"
        " GROUP BY l.member_id, l.expires_at, m.telegram_id, m.language",
        now,
        now + timedelta(days=leads[-1]),
        *params,
    )
    # fold lots into (member, local expiry date): one reminder each
    groups: dict[tuple[int, date], dict[str, Any]] = {}
    for r in rows:
        expires = sql.as_datetime(r["expires_at"])
        assert expires is not None
        key = (int(r["member_id"]), expires.astimezone(zone).date())
        group = groups.setdefault(key, {"points": 0, "first": expires, "row": r})
        group["points"] += sql.as_int(r["points"])
        group["first"] = min(group["first"], expires)
    notices = []
    for (member_id, day), group in groups.items():
        lead = next(d for d in leads if group["first"] <= now + timedelta(days=d))
        r = group["row"]
        notices.append(
            Notice(
                member_id=member_id,
                chat_id=int(r["telegram_id"]),
                language=r["language"],
                template=EXPIRY_TEMPLATE,
                args={
                    "points": group["points"],
                    "date": day.isoformat(),
                    "days": max(0, (day - today).days),
                },
                dedupe_key=f"expiry-reminder:{member_id}:{day.isoformat()}:{lead}",
            )
        )
    return Queued(await queue_notices(notices))


# ---- campaign alerts ----


def _name(names: dict[str, str] | None, language: str) -> str:
    names = names or {}
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


async def _audience(campaign: Campaign, template: str, conn: BaseDBAsyncClient) -> list[Member]:
    query = Member.filter(classes.audience(classes.class_of(template)))
    if campaign.tiers:
        query = query.filter(tier__in=campaign.tiers)
    return await audiences.alert_members(campaign, query, conn)


async def _alert(
    campaign: Campaign, template: str, key: str, marker: str, zone: ZoneInfo, now: datetime
) -> int:
    """Claim ``marker`` (announced_at / end_reminded_at) and queue the alert, atomically."""
    async with write_transaction() as conn:
        won = (
            await Campaign.filter(id=campaign.id, **{marker: None})
            .using_db(conn)
            .update(**{marker: now})
        )
        if not won:
            return 0
        until = campaign.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        notices = [
            Notice(
                member_id=m.id,
                chat_id=int(m.telegram_id),
                language=m.language,
                template=template,
                args={
                    "name": _name(campaign.names, m.language),
                    "kind": str(campaign.kind),
                    "multiplier": campaign.multiplier,
                    "bonus": campaign.bonus_points,
                    "until": until,
                },
                dedupe_key=f"{key}:{campaign.id}:{m.id}",
                kind="alert",
            )
            for m in await _audience(campaign, template, conn)
        ]
        return await queue_notices(notices, conn)


async def queue_campaign_alerts(tz: str = "UTC", now: datetime | None = None) -> Queued:
    """Announce campaigns that have started and remind of those ending within a day."""
    now = now or clock.now()
    zone = ZoneInfo(tz)
    running = Campaign.filter(
        announce=True, status=CampaignStatus.ACTIVE, starts_at__lte=now, ends_at__gt=now
    )
    queued = 0
    for campaign in await running.filter(announced_at=None):
        queued += await _alert(
            campaign, CAMPAIGN_STARTED, "campaign-start", "announced_at", zone, now
        )
    ending = running.filter(
        end_reminded_at=None,
        ends_at__lte=now + CAMPAIGN_END_LEAD,
        announced_at__lte=now - CAMPAIGN_END_LEAD / 2,  # not right after the start alert
    )
    for campaign in await ending:
        if campaign.ends_at - campaign.starts_at < 2 * CAMPAIGN_END_LEAD:
            continue  # too short for a start alert and an end reminder
        queued += await _alert(
            campaign, CAMPAIGN_ENDING, "campaign-end", "end_reminded_at", zone, now
        )
    return Queued(queued)
