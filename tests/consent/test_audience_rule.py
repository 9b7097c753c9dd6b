"""Service messages respect "reminders off"; transactional ones go regardless of both
switches; neither reaches a deleted member or one without Telegram."""

from __future__ import annotations

from datetime import timedelta

from models import ledger
from models.delivery import outbox
from models.ledger import tiers
from models.marketing import reminders
from models.members import membership
from models.store import clock
from models.store.tables import Member, OutboxMessage, OutboxStatus
from tests.store.helpers import START, member, rules


async def _templates(m: Member) -> set[str]:
    return set(await OutboxMessage.filter(member_id=m.id).values_list("template", flat=True))


async def _gold_with_expiring_points(telegram_id: int, **fields: object) -> Member:
    """A gold member (no qualifying points: the review moves them down) whose points
    expire within a week (the reminder is due)."""
    m = await member(telegram_id, tier="gold", **fields)
    await ledger.grant_bonus(m.id, 50, idempotency_key=f"gift:{m.id}", reason="test")
    return m


async def test_service_respects_notifications_off(store: str) -> None:
    clock.freeze(START)
    muted = await _gold_with_expiring_points(7101, notifications_enabled=False)
    listening = await _gold_with_expiring_points(7102)
    for m in (muted, listening):
        await ledger.earn_for_purchase(m.id, 100, "CNY", idempotency_key=f"b:{m.id}", rules=rules())
    clock.freeze(START + timedelta(days=360))  # the year's lots expire within a week
    await reminders.queue_expiry_reminders([7])
    await tiers.review(rules=rules())
    service = {"notice-expiry-reminder", "tier-downgraded"}
    assert await _templates(listening) >= service
    assert await _templates(muted) & service == set()


async def test_transactional_goes_regardless_of_both_switches(store: str) -> None:
    clock.freeze(START)
    quiet = await member(7201, notifications_enabled=False, marketing_opt_in=False)
    earned = await ledger.earn_for_purchase(
        quiet.id, 12850, "CNY", idempotency_key="t:1", rules=rules()
    )
    await ledger.adjust(quiet.id, 5, reason="sorry", actor_telegram_id=1, idempotency_key="t:2")
    await ledger.refund(earned.purchase_id, 1000, idempotency_key="t:3")
    assert await _templates(quiet) >= {
        "till-receipt-member",
        "till-adjust-member",
        "till-refund-member",
    }


async def test_nobody_without_a_chat_or_deleted_hears_anything(store: str) -> None:
    clock.freeze(START)
    gone = await member(7301, deleted_at=START, marketing_opt_in=True)
    offline = await member(None, marketing_opt_in=True)
    for i, m in enumerate((gone, offline)):
        await ledger.earn_for_purchase(m.id, 1000, "CNY", idempotency_key=f"g{i}", rules=rules())
    assert await OutboxMessage.all().count() == 0


async def test_a_stop_withdraws_what_is_queued_of_its_class_only(store: str) -> None:
    clock.freeze(START)
    m = await member(7401, marketing_opt_in=True)
    later = START + timedelta(hours=1)
    queued = {
        t: await outbox.to_member(m, template=t, args={}, not_before=later)
        for t in ("notice-expiry-reminder", "broadcast-text", "till-adjust-member")
    }
    await membership.set_preferences(m.id, notifications=False)
    await membership.set_preferences(m.id, marketing=False)
    status = {row.template: row.status for row in await OutboxMessage.filter(member_id=m.id)}
    assert all(queued.values())
    assert status == {
        "notice-expiry-reminder": OutboxStatus.CANCELLED,
        "broadcast-text": OutboxStatus.CANCELLED,
        "till-adjust-member": OutboxStatus.PENDING,
    }
