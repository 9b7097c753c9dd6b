"""Broadcast audiences, starting, scheduling and cancelling, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from models.delivery import outbox_delivery
from models.marketing import broadcasts
from models.marketing.broadcasts import Audience, AudienceKind, InvalidTime, NotADraft, Started
from models.store import clock
from models.store.tables import (
    AuditLog,
    Broadcast,
    BroadcastStatus,
    OutboxMessage,
    OutboxStatus,
    Purchase,
)
from tests.store.helpers import member

NOW = datetime(2025, 5, 15, 12, 0, tzinfo=UTC)


async def _purchase(member_id: int, amount: int, at: datetime, refunded: int = 0) -> None:
    n = await Purchase.all().count()
    await Purchase.create(
        member_id=member_id,
        receipt_code=f"RC{n:06d}",
        idempotency_key=f"k{n}",
        amount_minor=amount,
        refunded_minor=refunded,
        currency="CNY",
        created_at=at,
    )


async def _population() -> dict[str, set[int]]:
    """Members of every kind; returns the expected ids per audience (opt-in only)."""
    clock.freeze(NOW)
    expected: dict[str, set[int]] = {
        k: set() for k in ("all", "gold", "zh", "inactive", "birthday", "spent", "at_risk")
    }
    for i in range(24):
        opted_in = i % 4 != 0
        m = await member(
            5000 + i,
            marketing_opt_in=opted_in,
            tier="gold" if i % 3 == 0 else "member",
            language="zh-Hans" if i % 2 else "en",
            birthday=date(1990, 5 if i % 5 == 0 else 7, 10),
        )
        m.created_at = NOW - timedelta(days=400)
        await m.save()
        last: datetime | None = None
        if i % 6 == 1:  # bought 100 days ago, and a year ago: at risk, inactive 30
            await _purchase(m.id, 5000, NOW - timedelta(days=100))
            last = NOW - timedelta(days=100)
        elif i % 6 == 2:  # big recent spender, half refunded
            await _purchase(m.id, 30000, NOW - timedelta(days=10), refunded=15000)
            last = NOW - timedelta(days=10)
        elif i % 6 == 3:  # small recent spender
            await _purchase(m.id, 2000, NOW - timedelta(days=5))
            last = NOW - timedelta(days=5)
        m.last_purchase_at = last
        await m.save()
        if not opted_in:
            continue
        expected["all"].add(m.id)
        if m.tier == "gold":
            expected["gold"].add(m.id)
        if m.language == "zh-Hans":
            expected["zh"].add(m.id)
        if last is None or last < NOW - timedelta(days=30):
            expected["inactive"].add(m.id)
        if i % 5 == 0:
            expected["birthday"].add(m.id)
        if i % 6 == 2:
            expected["spent"].add(m.id)
        if i % 6 == 1:
            expected["at_risk"].add(m.id)
    # never reached: deleted, blocked, no telegram id (all opted in)
    gone = await member(6001, marketing_opt_in=True, deleted_at=NOW)
    blocked = await member(6002, marketing_opt_in=True, reachable=False)
    await member(None, marketing_opt_in=True)
    for m in (gone, blocked):
        await _purchase(m.id, 30000, NOW - timedelta(days=10))
    return expected


AUDIENCES = {
    "all": Audience(AudienceKind.ALL),
    "gold": Audience(AudienceKind.TIER, "gold"),
    "zh": Audience(AudienceKind.LANGUAGE, "zh-Hans"),
    "inactive": Audience(AudienceKind.INACTIVE, 30),
    "birthday": Audience(AudienceKind.BIRTHDAY, "Asia/Shanghai"),
    "spent": Audience(AudienceKind.SPENT, 10000),
    "at_risk": Audience(AudienceKind.AT_RISK),
}


async def test_each_audience_counts_exactly_the_opted_in_reachable_members(store: str) -> None:
    expected = await _population()
    for name, audience in AUDIENCES.items():
        assert await broadcasts.count(audience) == len(expected[name]), name
        ids = set(await broadcasts.recipients(audience).values_list("id", flat=True))
        assert ids == expected[name], name


async def _draft(audience: Audience, text: str = "Hello <b>all</b> & co") -> Broadcast:
    draft = await broadcasts.create_draft(9001, text)
    updated = await broadcasts.update_draft(draft.id, audience=audience.to_json())
    assert isinstance(updated, Broadcast)
    return updated


async def test_start_now_queues_one_row_per_recipient_once(store: str) -> None:
    expected = await _population()
    draft = await _draft(AUDIENCES["zh"])
    first = await broadcasts.start_now(draft.id, actor_telegram_id=9001, progress=(9001, 5))
    again = await broadcasts.start_now(draft.id, actor_telegram_id=9001)
    assert first == Started(draft.id, len(expected["zh"]))
    assert again == Started(draft.id, len(expected["zh"]), replayed=True)
    rows = await OutboxMessage.filter(broadcast_id=draft.id)
    assert sorted(r.member_id for r in rows) == sorted(expected["zh"])
    assert {r.template for r in rows} == {outbox_delivery.BROADCAST_TEMPLATE}
    assert rows[0].args == {"text": "Hello <b>all</b> & co"}
    row = await Broadcast.get(id=draft.id)
    assert row.status == BroadcastStatus.SENDING and row.total == len(expected["zh"])
    assert (row.progress_chat_id, row.progress_message_id) == (9001, 5)
    assert await AuditLog.filter(action="broadcast.send").count() == 1
    # a started broadcast is no draft any more
    assert isinstance(await broadcasts.update_draft(draft.id, button=None), NotADraft)


async def test_photo_and_button_ride_on_every_delivery(store: str) -> None:
    await member(7001, marketing_opt_in=True)
    draft = await broadcasts.create_draft(9001, "Look", photo_file_id="PHOTO1")
    button = broadcasts.parse_button("Order | https://shop.example/menu")
    assert isinstance(button, broadcasts.LinkButton)
    await broadcasts.update_draft(draft.id, button={"text": button.text, "url": button.url})
    await broadcasts.start_now(draft.id)
    row = await OutboxMessage.get(broadcast_id=draft.id)
    assert row.photo_file_id == "PHOTO1"
    assert row.buttons == [[{"text": "Order", "url": "https://shop.example/menu"}]]


def test_button_and_time_validation() -> None:
    assert broadcasts.parse_button("Go | http://x.example") == broadcasts.InvalidButton("url")
    assert broadcasts.parse_button("no url") == broadcasts.InvalidButton("format")
    assert broadcasts.parse_button(" | https://x.example") == broadcasts.InvalidButton("text")
    now = datetime(2025, 5, 15, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    assert broadcasts.parse_time("tomorrow", "Asia/Shanghai", now) == InvalidTime("format")
    assert broadcasts.parse_time("0001-01-01 00:00", "Asia/Shanghai", now) == InvalidTime("format")
    assert broadcasts.parse_time("9999-12-31 23:59", "Pacific/Apia", now) == InvalidTime("format")
    assert broadcasts.parse_time("2025-05-15 11:59", "Asia/Shanghai", now) == InvalidTime("past")
    at = broadcasts.parse_time("2025-05-15 12:30", "Asia/Shanghai", now)
    assert at == datetime(2025, 5, 15, 4, 30, tzinfo=UTC)


async def test_start_due_starts_only_due_scheduled_broadcasts(store: str) -> None:
    clock.freeze(NOW)
    for i in range(3):
        await member(8000 + i, marketing_opt_in=True)
    soon = await _draft(AUDIENCES["all"])
    later = await _draft(AUDIENCES["all"])
    draft = await _draft(AUDIENCES["all"])
    await broadcasts.schedule(soon.id, NOW + timedelta(minutes=5), actor_telegram_id=9001)
    await broadcasts.schedule(later.id, NOW + timedelta(hours=5), actor_telegram_id=9001)
    assert await broadcasts.start_due(NOW) == []
    clock.advance(timedelta(minutes=6))
    started = await broadcasts.start_due(clock.now())
    assert started == [Started(soon.id, 3)]
    assert await broadcasts.start_due(clock.now()) == []  # a second run does nothing
    assert await OutboxMessage.filter(broadcast_id=soon.id).count() == 3
    assert await OutboxMessage.filter(broadcast_id__in=[later.id, draft.id]).count() == 0
    assert (await Broadcast.get(id=later.id)).status == BroadcastStatus.SCHEDULED
    assert (await Broadcast.get(id=draft.id)).status == BroadcastStatus.DRAFT
    past = await broadcasts.schedule(draft.id, NOW, actor_telegram_id=9001)
    assert past == InvalidTime("past")


async def test_cancel_withdraws_pending_and_a_scheduled_one_never_starts(store: str) -> None:
    clock.freeze(NOW)
    for i in range(4):
        await member(8100 + i, marketing_opt_in=True)
    running = await _draft(AUDIENCES["all"])
    await broadcasts.start_now(running.id)
    result = await broadcasts.cancel(running.id, actor_telegram_id=9001)
    assert result == outbox_delivery.BroadcastCancelled(4)
    statuses = await OutboxMessage.filter(broadcast_id=running.id).values_list("status", flat=True)
    assert set(statuses) == {OutboxStatus.CANCELLED}
    planned = await _draft(AUDIENCES["all"])
    await broadcasts.schedule(planned.id, NOW + timedelta(minutes=1), actor_telegram_id=9001)
    await broadcasts.cancel(planned.id, actor_telegram_id=9001)
    clock.advance(timedelta(minutes=2))
    assert await broadcasts.start_due(clock.now()) == []
    again = await broadcasts.cancel(planned.id, actor_telegram_id=9001)
    assert isinstance(again, outbox_delivery.BroadcastNotCancellable)
    assert await AuditLog.filter(action="broadcast.cancel").count() == 2
    listed = await broadcasts.recent()
    assert [s.broadcast.id for s in listed] == [planned.id, running.id]
    assert listed[1].counts.cancelled == 4
