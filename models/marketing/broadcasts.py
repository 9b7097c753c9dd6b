"""Broadcasts: a marketer's message to an audience, delivered through the outbox.

Life of a broadcast: a ``draft`` is created with the marketer's text (and optional photo
and URL button), its audience is chosen, then it is started now (``sending``) or
``scheduled`` for later. Starting flips the status by one conditional update and queues
one outbox row per recipient (template
:data:`models.delivery.outbox_delivery.BROADCAST_TEMPLATE`) in
the same transaction, so a broadcast is started at most once and never half-queued. The
outbox sender delivers the rows, edits the progress message and writes the exact report.
Cancelling withdraws what is still pending
(:func:`models.delivery.outbox_delivery.cancel_broadcast`).

Who receives it: the members the *marketing* class reaches (enrolled, opted in to
marketing, not deleted, a Telegram id, bot not blocked: :mod:`models.delivery.classes`)
who match the audience filter (:class:`Audience`).
Reachability is evaluated when the broadcast starts, so a member who blocks the bot
between scheduling and sending is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q, RawSQL, Subquery
from tortoise.functions import Sum
from tortoise.queryset import QuerySet

from models.delivery import classes, outbox, outbox_delivery
from models.delivery.outbox_delivery import BROADCAST_TEMPLATE, BroadcastCounts
from models.marketing.segments import at_risk_members
from models.store import audit, clock, days, sql
from models.store.db import write_transaction
from models.store.tables import Broadcast, BroadcastStatus, Member, OutboxMessage, Purchase

ButtonRows = list[list[dict[str, str]]]
"""Inline buttons as the outbox stores them: rows of ``{"text", "callback" | "url"}``."""

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTON_TEXT_LIMIT = 64
SPEND_WINDOW_DAYS = 90
AT_RISK_SILENT_DAYS = 60
QUEUE_CHUNK = 1000
TIME_FORMAT = "%Y-%m-%d %H:%M"


class AudienceKind:
    ALL = "all"
    TIER = "tier"
    LANGUAGE = "language"
    INACTIVE = "inactive"
    BIRTHDAY = "birthday"
    SPENT = "spent"
    AT_RISK = "at_risk"


AUDIENCE_KINDS: tuple[str, ...] = (
    AudienceKind.ALL,
    AudienceKind.TIER,
    AudienceKind.LANGUAGE,
    AudienceKind.INACTIVE,
    AudienceKind.BIRTHDAY,
    AudienceKind.SPENT,
    AudienceKind.AT_RISK,
)


@dataclass(frozen=True)
class Audience:
    """Who a broadcast goes to: ``kind`` and its parameter.

    ``value``: tier key (tier), language code (language), days without a purchase
    (inactive), minimum net spend in minor units over the last 90 days (spent), the time
    zone of "this month" (birthday), nothing for all and at-risk.
    """

    kind: str = AudienceKind.ALL
    value: str | int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Audience:
        data = data or {}
        return cls(str(data.get("kind", AudienceKind.ALL)), data.get("value"))


def _reachable() -> QuerySet[Member]:
    return Member.filter(classes.audience(classes.class_of(BROADCAST_TEMPLATE)))


def _birthday_month_sql() -> str:
    return "to_char(birthday, 'MM')" if sql.pg() else "strftime('%m', birthday)"


def recipients(audience: Audience, now: datetime | None = None) -> QuerySet[Member]:
    """The members a broadcast to ``audience`` reaches now (a query, not a list)."""
    now = now or clock.now()
    query = _reachable()
    kind, value = audience.kind, audience.value
    if kind == AudienceKind.ALL:
        return query
    if kind == AudienceKind.TIER:
        return query.filter(tier=str(value))
    if kind == AudienceKind.LANGUAGE:
        return query.filter(language=str(value))
    if kind == AudienceKind.INACTIVE:
        cutoff = now - timedelta(days=int(value or 0))
        return query.filter(
            Q(last_purchase_at__lt=cutoff) | Q(last_purchase_at__isnull=True, created_at__lt=cutoff)
        )
    if kind == AudienceKind.BIRTHDAY:
        month = now.astimezone(ZoneInfo(str(value or "UTC"))).strftime("%m")
        return query.annotate(birth_month=RawSQL(_birthday_month_sql())).filter(birth_month=month)
    if kind == AudienceKind.SPENT:
        spenders = (
            Purchase.filter(created_at__gte=now - timedelta(days=SPEND_WINDOW_DAYS))
            .annotate(net=Sum(F("amount_minor") - F("refunded_minor")))
            .group_by("member_id")
            .filter(net__gte=int(value or 0))
            .values("member_id")
        )
        return query.filter(id__in=Subquery(spenders))
    if kind == AudienceKind.AT_RISK:
        return at_risk_members(AT_RISK_SILENT_DAYS)
    raise ValueError(f"unknown audience kind {kind!r}")


async def count(audience: Audience, now: datetime | None = None) -> int:
    """How many members the audience reaches now (one SQL COUNT)."""
    return await recipients(audience, now).count()


# ---- composing ----


@dataclass(frozen=True)
class TextTooLong:
    limit: int


@dataclass(frozen=True)
class InvalidButton:
    """``reason``: ``format`` (not "text | url"), ``url`` (not an https URL), ``text``."""

    reason: str


@dataclass(frozen=True)
class LinkButton:
    text: str
    url: str


_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d{1,5})?(/\S*)?$")


FOOTER_ROOM = 120
"""Characters kept free under Telegram's limits for the how-to-stop line every marketing
message ends with (``notice-marketing-footer``, added by ``scheduler.render``)."""


def check_text(text: str, *, with_photo: bool) -> TextTooLong | None:
    """Telegram's limits: 4096 characters of text, 1024 of a photo caption, less the
    room for the how-to-stop line."""
    limit = (CAPTION_LIMIT if with_photo else TEXT_LIMIT) - FOOTER_ROOM
    return TextTooLong(limit) if not text.strip() or len(text) > limit else None


def parse_button(text: str) -> LinkButton | InvalidButton:
    """``Order now | https://shop.example/menu`` → a URL button."""
    label, sep, url = text.partition("|")
    label, url = label.strip(), url.strip()
    if not sep or not url:
        return InvalidButton("format")
    if not label or len(label) > BUTTON_TEXT_LIMIT:
        return InvalidButton("text")
    if not _URL.match(url) or len(url) > 2048:
        return InvalidButton("url")
    return LinkButton(label, url)


@dataclass(frozen=True)
class NotADraft:
    """The broadcast is no longer editable or startable (``status``; ``None``: unknown)."""

    status: str | None


async def create_draft(
    created_by: int, text: str, photo_file_id: str | None = None, *, language: str | None = None
) -> Broadcast:
    """A new draft holding the marketer's text (their own words, escaped when sent), as
    the version for ``language`` and for everyone without a version of their own."""
    return await Broadcast.create(
        created_by=created_by,
        text=text,
        texts={language: text} if language else None,
        photo_file_id=photo_file_id,
        status=BroadcastStatus.DRAFT,
        created_at=clock.now(),
    )


async def discard_draft(broadcast_id: int) -> bool:
    """Delete a broadcast still a draft (nothing points at a draft: no deliveries, no
    audit): a request refused after making one leaves nothing behind."""
    return bool(await Broadcast.filter(id=broadcast_id, status=BroadcastStatus.DRAFT).delete())


async def update_draft(broadcast_id: int, **changes: Any) -> Broadcast | NotADraft:
    """Change a draft's ``button`` or ``audience`` (only while it is a draft)."""
    allowed = {"button", "audience", "text", "texts", "photo_file_id"}
    if not set(changes) <= allowed:
        raise ValueError(f"not editable: {set(changes) - allowed}")
    updated = await Broadcast.filter(id=broadcast_id, status=BroadcastStatus.DRAFT).update(
        **changes
    )
    broadcast = await Broadcast.get_or_none(id=broadcast_id)
    if not updated or broadcast is None:
        return NotADraft(broadcast.status if broadcast else None)
    return broadcast


async def set_version(
    broadcast_id: int, language: str, text: str
) -> Broadcast | NotADraft | TextTooLong:
    """The draft's text for members reading ``language`` (only while it is a draft)."""
    broadcast = await Broadcast.get_or_none(id=broadcast_id)
    if broadcast is None or broadcast.status != BroadcastStatus.DRAFT:
        return NotADraft(broadcast.status if broadcast else None)
    problem = check_text(text, with_photo=broadcast.photo_file_id is not None)
    if problem is not None:
        return problem
    return await update_draft(broadcast_id, texts={**(broadcast.texts or {}), language: text})


def outbox_parts(broadcast: Broadcast, language: str | None = None) -> dict[str, Any]:
    """What each delivery row for a member reading ``language`` carries: their version,
    else the text as first written (also used to preview it exactly)."""
    button = broadcast.button or None
    text = (broadcast.texts or {}).get(language or "") or broadcast.text
    return {
        "template": BROADCAST_TEMPLATE,
        "args": {"text": text},
        "photo_file_id": broadcast.photo_file_id,
        "buttons": [[{"text": button["text"], "url": button["url"]}]] if button else None,
    }


# ---- starting ----


@dataclass(frozen=True)
class Started:
    """Deliveries were queued: ``total`` recipients (``replayed``: it had started before)."""

    broadcast_id: int
    total: int
    replayed: bool = False


async def _queue(conn: BaseDBAsyncClient, broadcast: Broadcast, now: datetime) -> int:
    """One outbox row per recipient of ``broadcast`` (inside the starting transaction)."""
    audience = Audience.from_json(broadcast.audience)
    members = (
        await recipients(audience, now).using_db(conn).values_list("id", "telegram_id", "language")
    )
    parts = {language: outbox_parts(broadcast, language) for _, _, language in members}
    rows = [
        outbox.new_message(
            chat_id=telegram_id,
            member_id=member_id,
            kind="broadcast",
            language=language,
            broadcast_id=broadcast.id,
            **parts[language],
        )
        for member_id, telegram_id, language in members
    ]
    for start in range(0, len(rows), QUEUE_CHUNK):
        await OutboxMessage.bulk_create(rows[start : start + QUEUE_CHUNK], using_db=conn)
    return len(rows)


async def _start(
    conn: BaseDBAsyncClient, broadcast_id: int, from_status: BroadcastStatus, now: datetime
) -> int | None:
    """Flip one broadcast to ``sending`` and queue it; ``None`` if another caller did."""
    flipped = (
        await Broadcast.filter(id=broadcast_id, status=from_status)
        .using_db(conn)
        .update(status=BroadcastStatus.SENDING, started_at=now)
    )
    if not flipped:
        return None
    broadcast = await Broadcast.get(id=broadcast_id).using_db(conn)
    total = await _queue(conn, broadcast, now)
    await Broadcast.filter(id=broadcast_id).using_db(conn).update(total=total)
    return total


async def start_now(
    broadcast_id: int,
    *,
    actor_telegram_id: int | None = None,
    progress: tuple[int, int] | None = None,
    progress_buttons: ButtonRows | None = None,
    actor_kind: str = "telegram",
) -> Started | NotADraft:
    """Start a draft (or a scheduled broadcast) now; idempotent by the broadcast id.

    ``progress`` is the (chat id, message id) of the live progress message the sender
    edits, keeping ``progress_buttons`` (e.g. Cancel) on it while sending. A second call
    for the same broadcast queues nothing and returns the first
    total with ``replayed=True``.
    """
    now = clock.now()
    async with write_transaction() as conn:
        broadcast = await Broadcast.get_or_none(id=broadcast_id).using_db(conn)
        if broadcast is None:
            return NotADraft(None)
        if broadcast.status not in (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED):
            if broadcast.started_at is not None:
                return Started(broadcast.id, broadcast.total, replayed=True)
            return NotADraft(str(broadcast.status))
        total = await _start(conn, broadcast_id, BroadcastStatus(broadcast.status), now)
        if total is None:  # a concurrent caller started it first
            again = await Broadcast.get(id=broadcast_id).using_db(conn)
            return Started(broadcast_id, again.total, replayed=True)
        if progress is not None:
            await (
                Broadcast.filter(id=broadcast_id)
                .using_db(conn)
                .update(
                    progress_chat_id=progress[0],
                    progress_message_id=progress[1],
                    progress_buttons=progress_buttons,
                )
            )
        await audit.record(
            "broadcast.send",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"broadcast:{broadcast_id}",
            details={"total": total, "audience": broadcast.audience},
            using_db=conn,
        )
    return Started(broadcast_id, total)


async def start_due(now: datetime | None = None) -> list[Started]:
    """Start every scheduled broadcast whose time has come (the scheduler's job).

    Each is flipped by a conditional update in its own transaction, so overlapping runs
    (or instances) start each broadcast once.
    """
    now = now or clock.now()
    due = await Broadcast.filter(
        status=BroadcastStatus.SCHEDULED, scheduled_at__lte=now
    ).values_list("id", flat=True)
    started: list[Started] = []
    for broadcast_id in due:
        async with write_transaction() as conn:
            total = await _start(conn, int(broadcast_id), BroadcastStatus.SCHEDULED, now)
            if total is None:
                continue
            await audit.record(
                "broadcast.start",
                actor_telegram_id=None,
                actor_kind="system",
                target=f"broadcast:{broadcast_id}",
                details={"total": total, "scheduled": True},
                using_db=conn,
            )
        started.append(Started(int(broadcast_id), total))
    return started


# ---- scheduling ----


@dataclass(frozen=True)
class Scheduled:
    broadcast_id: int
    at: datetime


@dataclass(frozen=True)
class InvalidTime:
    """``reason``: ``format`` (not ``YYYY-MM-DD HH:MM``) or ``past``."""

    reason: str


def parse_time(text: str, tz: str, now: datetime | None = None) -> datetime | InvalidTime:
    """``2025-06-01 09:30`` in the shop's time zone → an aware time in the future."""
    try:
        local = datetime.strptime(text.strip(), TIME_FORMAT)
    except ValueError:
        return InvalidTime("format")
    if not days.storable(local):
        return InvalidTime("format")
    at = local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
    if at <= (now or clock.now()):
        return InvalidTime("past")
    return at


async def schedule(
    broadcast_id: int,
    at: datetime,
    *,
    actor_telegram_id: int | None,
    progress: tuple[int, int] | None = None,
    progress_buttons: ButtonRows | None = None,
    actor_kind: str = "telegram",
) -> Scheduled | NotADraft | InvalidTime:
    """Schedule a draft for ``at`` (must be in the future); audited.

    Stored in UTC: SQLite compares the stored times as text.
    """
    at = at.astimezone(UTC)
    if at <= clock.now():
        return InvalidTime("past")
    async with write_transaction() as conn:
        changes: dict[str, Any] = {"status": BroadcastStatus.SCHEDULED, "scheduled_at": at}
        if progress is not None:
            changes["progress_chat_id"], changes["progress_message_id"] = progress
            changes["progress_buttons"] = progress_buttons
        updated = (
            await Broadcast.filter(id=broadcast_id, status=BroadcastStatus.DRAFT)
            .using_db(conn)
            .update(**changes)
        )
        if not updated:
            row = await Broadcast.get_or_none(id=broadcast_id).using_db(conn)
            return NotADraft(str(row.status) if row else None)
        await audit.record(
            "broadcast.schedule",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"broadcast:{broadcast_id}",
            details={"at": at.isoformat()},
            using_db=conn,
        )
    return Scheduled(broadcast_id, at)


async def set_progress_message(broadcast_id: int, chat_id: int, message_id: int) -> None:
    """Point the sender at the message to edit with progress and the final report."""
    await Broadcast.filter(id=broadcast_id).update(
        progress_chat_id=chat_id, progress_message_id=message_id
    )


async def cancel(
    broadcast_id: int, *, actor_telegram_id: int | None, actor_kind: str = "telegram"
) -> outbox_delivery.BroadcastCancelled | outbox_delivery.BroadcastNotCancellable:
    """Cancel a scheduled or running broadcast (pending deliveries withdrawn); audited in
    the same transaction."""
    return await outbox_delivery.cancel_broadcast(
        broadcast_id, actor_telegram_id=actor_telegram_id, actor_kind=actor_kind
    )


# ---- listing ----


@dataclass(frozen=True)
class BroadcastSummary:
    broadcast: Broadcast
    counts: BroadcastCounts


async def recent(limit: int = 5) -> list[BroadcastSummary]:
    """The newest broadcasts that left the draft stage, with their delivery counts."""
    rows = await Broadcast.exclude(status=BroadcastStatus.DRAFT).order_by("-id").limit(limit)
    return [BroadcastSummary(b, await outbox_delivery.broadcast_counts(b.id)) for b in rows]


async def get(broadcast_id: int) -> Broadcast | None:
    return await Broadcast.get_or_none(id=broadcast_id)
