"""Points for events other systems report (``POST /api/v1/events``), and their replay.

An event is stored whatever the rules say (``member_event``), in the same write
transaction as its points: lock the member first (:mod:`models.store.locks`), look the
event key up (a retry answers the first result), price it by the event rule in force at
the event's time, hold it to the member's caps (summed under the member's lock, so of
two events racing near a cap exactly one gets the last points), then write the event
row, the BONUS entry (key ``event:<event key>``, reason ``event:<type>:<id>``) and the
``points.earned_by_event`` webhook event.

An event with no rule for its type stays ``no_rule``; :func:`replay` applies a rule
added later to those, moving each by a conditional update from ``no_rule``, so a replay
run twice (or two at once) awards each event once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from models.delivery import webhooks
from models.ledger.config import EventRule, RuleSet
from models.ledger.dates import expiry_for, local_midnight, next_local_midnight
from models.ledger.keys import _Reject, check_key, run_keyed
from models.ledger.postings import _resolve_rules, credit, lock_member
from models.ledger.results import UnknownMember
from models.store import clock, sql
from models.store.tables import EntryKind, EventStatus, LedgerEntry, Member, MemberEvent

WEBHOOK_EVENT = "points.earned_by_event"


@dataclass(frozen=True)
class EventRecorded:
    """What became of an event: ``points`` awarded (0 unless ``awarded``) and the
    balance after them (``None`` when nothing was awarded)."""

    event_row_id: int
    member_id: int
    type: str
    event_id: str
    status: EventStatus
    points: int
    balance: int | None
    replayed: bool = False


@dataclass(frozen=True)
class ReplaySummary:
    awarded: int
    capped: int
    no_rule: int
    points: int


def rule_for(
    rules: RuleSet, event_type: str, at: datetime, channel: str, tz: str
) -> EventRule | None:
    """The rule that prices an event of ``event_type`` that happened ``at`` on
    ``channel``: none when the type has no rule, or it was not valid then or there."""
    rule = rules.events.get(event_type)
    if rule is None:
        return None
    day = at.astimezone(ZoneInfo(tz)).date()
    if rule.valid_from is not None and day < rule.valid_from:
        return None
    if rule.valid_to is not None and day > rule.valid_to:
        return None
    if rule.channels and channel not in rule.channels:
        return None
    return rule


async def _awarded(
    conn: BaseDBAsyncClient,
    member_id: int,
    event_type: str,
    day: tuple[datetime, datetime] | None = None,
) -> int:
    """Points the member's events of ``event_type`` earned (within ``day``: [start, end))."""
    query = (
        "SELECT COALESCE(SUM(points), 0) AS n FROM member_event"
        " WHERE member_id = ? AND type = ? AND status = ?"
    )
    params: list[Any] = [member_id, event_type, EventStatus.AWARDED.value]
    if day is not None:
        query += " AND received_at >= ? AND received_at < ?"
        params.extend(day)
    row = await sql.one(conn, query, *params)
    return int(row["n"]) if row else 0


async def points_within_caps(
    conn: BaseDBAsyncClient, member_id: int, event: MemberEvent, rule: EventRule, tz: str
) -> int:
    """The rule's points for ``event``, cut to what the member's caps leave (>= 0).

    Must run under the member's lock: the sums then cannot change before the write.
    """
    points = rule.points
    at = event.received_at
    if rule.daily_cap_points:
        day = (local_midnight(at, tz), next_local_midnight(at, tz))
        today = await _awarded(conn, member_id, event.type, day)
        points = min(points, rule.daily_cap_points - today)
    if rule.total_cap_points:
        total = await _awarded(conn, member_id, event.type)
        points = min(points, rule.total_cap_points - total)
    return max(points, 0)


async def _award(
    conn: BaseDBAsyncClient,
    member: Member,
    event: MemberEvent,
    rules: RuleSet,
    version_id: int | None,
    tz: str,
) -> int | None:
    """Decide ``event`` (not yet ``awarded``/``capped``) under the member's lock and write
    its points: the points, or ``None`` when no rule prices it (it stays ``no_rule``)."""
    rule = rule_for(rules, event.type, event.received_at, event.channel, tz)
    if rule is None:
        return None
    points = await points_within_caps(conn, member.id, event, rule, tz)
    event.status = EventStatus.AWARDED if points else EventStatus.CAPPED
    event.points = points
    event.rule_version_id = version_id
    event.decided_at = clock.now()
    if not points:
        return 0
    entry = await credit(
        conn,
        member,
        points,
        kind=EntryKind.BONUS,
        key=f"event:{event.event_key}",
        expires_at=expiry_for(event.decided_at, rules.expiry, tz),
        now=event.decided_at,
        reason=f"event:{event.type}:{event.event_id}",
        rule_version_id=version_id,
        channel=event.channel,
    )
    data = {
        "member_id": member.id,
        "member_code": member.code,
        "event_type": event.type,
        "event_id": event.event_id,
        "entry_id": entry.id,
        "points": points,
        "balance": member.balance,
    }
    await webhooks.emit(WEBHOOK_EVENT, data, member_id=member.id, using_db=conn)
    return points


def _recorded(event: MemberEvent, balance: int | None, *, replayed: bool) -> EventRecorded:
    return EventRecorded(
        event_row_id=event.id,
        member_id=event.member_id,  # type: ignore[attr-defined]
        type=event.type,
        event_id=event.event_id,
        status=EventStatus(event.status),
        points=event.points,
        balance=balance if event.status == EventStatus.AWARDED else None,
        replayed=replayed,
    )


async def _first(key: str) -> EventRecorded | None:
    """The first result of the event stored under ``key`` (a retry's answer)."""
    event = await MemberEvent.get_or_none(event_key=key)
    if event is None:
        return None
    entry = await LedgerEntry.get_or_none(idempotency_key=f"event:{key}")
    return _recorded(event, entry.balance_after if entry else None, replayed=True)


async def record(
    member_id: int,
    event_type: str,
    event_id: str,
    *,
    event_key: str,
    data: Mapping[str, Any] | None = None,
    channel: str = "api",
    api_key_id: int | None = None,
    rules: RuleSet | None = None,
    rule_version_id: int | None = None,
    tz: str = "UTC",
) -> EventRecorded | UnknownMember:
    """Store an event about a member and award its points (one write transaction).

    ``event_key`` makes it once-only (the API scopes the caller's event id by its key):
    a retry, or the same event sent again, answers the first result, ``replayed``.
    """
    key = check_key(event_key)
    rules, version_id = await _resolve_rules(rules, rule_version_id)

    async def replay() -> EventRecorded | None:
        return await _first(key)

    async def op(conn: BaseDBAsyncClient) -> EventRecorded | None:
        member = await lock_member(conn, member_id)
        if await MemberEvent.filter(event_key=key).using_db(conn).exists():
            raise _Reject(None)  # answered by ``replay`` once rolled back
        now = clock.now()
        event = MemberEvent(
            member_id=member.id,
            api_key_id=api_key_id,
            event_key=key,
            event_id=event_id,
            type=event_type,
            data=dict(data or {}),
            channel=channel,
            status=EventStatus.NO_RULE,
            received_at=now,
        )
        await _award(conn, member, event, rules, version_id, tz)
        await event.save(using_db=conn)
        return _recorded(event, member.balance, replayed=False)

    result = await run_keyed(op, replay)
    return result if result is not None else await replay()  # type: ignore[return-value]


async def replay(
    event_type: str, since: datetime, *, rules: RuleSet | None = None, tz: str = "UTC"
) -> ReplaySummary:
    """Apply the rule in force now for ``event_type`` to its stored ``no_rule`` events
    received since ``since``, oldest first (so earlier events fill the caps first).

    Each event is its own write transaction under its member's lock, claimed by a
    conditional update from ``no_rule``: a second run, or one running at the same time,
    finds nothing left to award.
    """
    rules, version_id = await _resolve_rules(rules, None)
    pending = (
        await MemberEvent.filter(
            type=event_type, status=EventStatus.NO_RULE, received_at__gte=since
        )
        .order_by("received_at", "id")
        .values_list("id", "member_id")
    )
    counts = {EventStatus.AWARDED: 0, EventStatus.CAPPED: 0, EventStatus.NO_RULE: 0}
    points = 0
    for event_row_id, member_id in pending:

        async def op(conn: BaseDBAsyncClient, row_id: int = event_row_id, mid: int = member_id):
            member = await lock_member(conn, mid)
            event = await MemberEvent.get(id=row_id).using_db(conn)
            if event.status != EventStatus.NO_RULE:
                return None  # another run decided it
            awarded = await _award(conn, member, event, rules, version_id, tz)
            if awarded is None:
                return EventStatus.NO_RULE, 0
            claimed = await sql.execute(
                conn,
                "UPDATE member_event SET status = ?, points = ?, rule_version_id = ?,"
                " decided_at = ? WHERE id = ? AND status = ?",
                event.status.value,
                awarded,
                version_id,
                event.decided_at,
                row_id,
                EventStatus.NO_RULE.value,
            )
            if claimed != 1:  # never expected under the member's lock
                raise _Reject(None)
            return event.status, awarded

        async def nothing() -> None:
            return None

        outcome = await run_keyed(op, nothing)
        if isinstance(outcome, UnknownMember) or outcome is None:
            continue
        status, n = outcome
        counts[status] += 1
        points += n
    return ReplaySummary(
        counts[EventStatus.AWARDED], counts[EventStatus.CAPPED], counts[EventStatus.NO_RULE], points
    )
