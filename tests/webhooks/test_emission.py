"""Each event type is written by its cause exactly once, in the cause's transaction: not on
a retry (idempotent replay), not when the cause is refused, not when it rolls back."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from models import ledger
from models.catalogue import vouchers
from models.delivery import webhooks
from models.ledger import expiry, tiers
from models.ledger.results import (
    AlreadyUsed,
    BelowMinimumPurchase,
    InsufficientPoints,
    Redeemed,
    RefundExceedsPurchase,
    VoucherIssued,
)
from models.members import membership
from models.store import clock
from models.store.db import write_transaction
from models.store.tables import Member, Purchase, Reward, WebhookDelivery, WebhookEvent
from tests.store.helpers import START, member, rules
from tests.webhooks.test_openapi import assert_body_documented

RULES = rules()


async def events() -> Counter[str]:
    return Counter(await WebhookEvent.all().values_list("type", flat=True))


async def data_of(event_type: str) -> list[dict[str, Any]]:
    bodies = (
        await WebhookEvent.filter(type=event_type).order_by("id").values_list("body", flat=True)
    )
    return [json.loads(b)["data"] for b in bodies]


@pytest.fixture
async def listening(store: str) -> webhooks.EndpointAdded:
    clock.freeze(START)
    added = await webhooks.add("http://127.0.0.1:9/hooks", allow_private=True)
    assert isinstance(added, webhooks.EndpointAdded)
    return added


async def earn(m: Member, amount: int, key: str) -> Any:
    return await ledger.earn_for_purchase(m.id, amount, "CNY", idempotency_key=key, rules=RULES)


async def test_nothing_is_written_when_no_endpoint_listens(store: str) -> None:
    m = await member(telegram_id=1)
    await earn(m, 12850, "k1")
    await webhooks.add("http://127.0.0.1:9/", events=("tier.changed",), allow_private=True)
    await earn(m, 100, "k2")
    assert await events() == Counter()


async def test_ledger_causes_emit_once_and_not_on_retry_or_refusal(
    listening: webhooks.EndpointAdded,
) -> None:
    m = await member(telegram_id=1)
    first = await earn(m, 12850, "k1")
    await earn(m, 12850, "k1")  # retry: replayed
    assert isinstance(
        await ledger.earn_for_purchase(
            m.id,
            50,
            "CNY",
            idempotency_key="k-min",
            rules=rules(earning=RULES.earning.model_copy(update={"min_purchase_minor": 100})),
        ),
        BelowMinimumPurchase,
    )
    assert await events() == Counter({"purchase.recorded": 1})
    [recorded] = await data_of("purchase.recorded")
    assert recorded == {
        "member_id": m.id,
        "member_code": m.code,
        "receipt_code": first.receipt_code,
        "order_id": None,
        "amount_minor": 12850,
        "currency": "CNY",
        "points": 128,
        "balance": 128,
        "location": None,
        "channel": "telegram",
    }

    await ledger.refund(first.receipt_code, 5000, idempotency_key="r1")
    await ledger.refund(first.receipt_code, 5000, idempotency_key="r1")  # replay
    refused = await ledger.refund(first.receipt_code, 999_999, idempotency_key="r2")
    assert isinstance(refused, RefundExceedsPurchase)
    [refunded] = await data_of("purchase.refunded")
    assert refunded["amount_minor"] == 5000 and refunded["points_reversed"] == 49
    assert refunded["balance"] == 79 and refunded["receipt_code"] == first.receipt_code

    await ledger.adjust(
        m.id, 21, reason="Alice's birthday", actor_telegram_id=9, idempotency_key="a1"
    )
    await ledger.adjust(m.id, 21, reason="again", actor_telegram_id=9, idempotency_key="a1")
    short = await ledger.adjust(
        m.id, -10_000, reason="x", actor_telegram_id=9, idempotency_key="a2"
    )
    assert isinstance(short, InsufficientPoints)
    await ledger.adjust(m.id, -20, reason="fix", actor_telegram_id=9, idempotency_key="a3")
    adjusted = await data_of("points.adjusted")
    assert [(a["points"], a["balance"]) for a in adjusted] == [(21, 100), (-20, 80)]
    assert "Alice" not in json.dumps(adjusted)  # free text never leaves

    clock.advance(timedelta(days=800))
    await expiry.expire_due()
    await expiry.expire_due()  # a rerun expires nothing
    [expired] = await data_of("points.expired")
    assert expired["member_id"] == m.id and expired["points"] == 80 and expired["balance"] == 0
    assert await events() == Counter(
        {"purchase.recorded": 1, "purchase.refunded": 1, "points.adjusted": 2, "points.expired": 1}
    )
    # one delivery per event for the one endpoint, and bodies parse as the same JSON shape
    assert await WebhookDelivery.all().count() == 5
    for raw in await WebhookEvent.all().values_list("body", flat=True):
        assert_body_documented(raw)


async def test_expiry_emits_per_member_with_points_set_based(
    listening: webhooks.EndpointAdded,
) -> None:
    people = [await member(telegram_id=100 + i) for i in range(3)]
    for i, m in enumerate(people[:2]):
        await earn(m, 1000 * (i + 1), f"e{i}")
    clock.advance(timedelta(days=800))
    await expiry.expire_due()
    expired = await data_of("points.expired")
    assert sorted((e["member_id"], e["points"]) for e in expired) == [
        (people[0].id, 10),
        (people[1].id, 20),
    ]
    ids = await WebhookEvent.filter(type="points.expired").values_list("msg_id", flat=True)
    assert len(set(ids)) == 2 and await WebhookDelivery.all().count() == 4


async def test_tier_voucher_and_member_causes(listening: webhooks.EndpointAdded) -> None:
    m, created = await membership.ensure_member(4242, first_name="Alice", language="zh-Hans")
    assert created
    await membership.ensure_member(4242, first_name="Alice")  # known: no second join
    [joined] = await data_of("member.joined")
    assert joined == {"member_id": m.id, "member_code": m.code, "language": "zh-Hans"}

    await membership.set_birthday(m.id, "1990-05-17")
    await membership.set_birthday(m.id, "1991-01-01")  # refused: set once
    await membership.set_birthday(m.id, "nonsense")
    await membership.set_phone(m.id, "+86 138 0000 0000")
    await membership.set_preferences(m.id, marketing=True)
    await membership.set_preferences(m.id)  # nothing to change
    await membership.set_language(m.id, "zh-Hans")  # the same: nothing changed
    await membership.set_language(m.id, "en")
    updated = await data_of("member.updated")
    assert [u["changed"] for u in updated] == [
        ["birthday"],
        ["phone"],
        ["marketing_opt_in"],
        ["language"],
    ]
    assert "138" not in json.dumps(updated) and "Alice" not in json.dumps(updated)

    await earn(m, 120_000, "big")  # crosses gold (1000 points)
    await tiers.review(clock.now() + timedelta(days=400), rules=RULES)  # window passed
    assert [(t["from"], t["to"], t["reason"]) for t in await data_of("tier.changed")] == [
        ("member", "gold", "earn"),
        ("gold", "member", "review"),
    ]
    await tiers.review(clock.now() + timedelta(days=400), rules=RULES)  # nobody left
    assert (await events())["tier.changed"] == 2

    reward = await Reward.create(
        names={"en": "Latte"}, kind="gift", cost_points=100, created_at=clock.now()
    )
    issued = await vouchers.issue_for_reward(m.id, reward.id, idempotency_key="v1", rules=RULES)
    assert isinstance(issued, VoucherIssued)
    await vouchers.issue_for_reward(m.id, reward.id, idempotency_key="v1", rules=RULES)
    poor = await member(telegram_id=77)
    refused = await vouchers.issue_for_reward(poor.id, reward.id, idempotency_key="v2", rules=RULES)
    assert isinstance(refused, InsufficientPoints)
    assert isinstance(await vouchers.redeem(issued.code, staff_telegram_id=5), Redeemed)
    assert isinstance(await vouchers.redeem(issued.code, staff_telegram_id=5), AlreadyUsed)
    [v_issued] = await data_of("voucher.issued")
    [v_redeemed] = await data_of("voucher.redeemed")
    assert v_issued["voucher_id"] == v_redeemed["voucher_id"] == issued.voucher_id
    assert v_issued["cost_points"] == 100
    assert issued.code not in json.dumps([v_issued, v_redeemed])
    assert issued.token not in json.dumps([v_issued, v_redeemed])
    for raw in await WebhookEvent.all().values_list("body", flat=True):
        assert_body_documented(raw)


async def test_a_cause_that_rolls_back_leaves_no_event(
    listening: webhooks.EndpointAdded, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = await member(telegram_id=1)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("after the event was written")

    import models.ledger.referral_bonus
    import models.ledger.refunds

    monkeypatch.setattr(models.ledger.referral_bonus, "reward_referrer_on_first_purchase", broken)
    with pytest.raises(RuntimeError):
        await earn(m, 12850, "k1")
    monkeypatch.undo()
    first = await earn(m, 12850, "k1")
    monkeypatch.setattr(models.ledger.refunds, "_notify", broken)
    with pytest.raises(RuntimeError):
        await ledger.refund(first.receipt_code, 100, idempotency_key="r1")
    with pytest.raises(RuntimeError):
        async with write_transaction() as conn:
            await webhooks.emit("member.updated", {"member_id": m.id}, using_db=conn)
            raise RuntimeError("rolled back")
    assert await events() == Counter({"purchase.recorded": 1})
    assert await Purchase.all().count() == 1
    assert await WebhookDelivery.all().count() == 1


async def test_enrolment_and_import_emit_member_joined_once_per_new_member(
    listening: webhooks.EndpointAdded, tmp_path: Path
) -> None:
    from models import importing
    from models.members import enrolment

    first = await enrolment.enrol(external_id="POS-1", phone="+8613800000001", created_by="api")
    again = await enrolment.enrol(external_id="POS-1", phone="+8613800000001", created_by="api")
    assert first.created and not again.created  # type: ignore[union-attr]
    path = tmp_path / "members.csv"
    path.write_text(
        "external_id,phone,name,language\n"
        "A1,+8613800000011,Alice,zh-Hans\nA2,,Bob,en\nA3,not-a-phone,Eve,en\n",
        encoding="utf-8",
    )

    async def run(dry_run: bool) -> Any:
        return await importing.import_members(
            path,
            rules=RULES,
            default_country="CN",
            timezone="UTC",
            now=clock.now(),
            dry_run=dry_run,
        )

    await run(True)  # a dry run writes nothing
    assert (await events())["member.joined"] == 1
    await run(False)
    await run(False)  # a rerun finds them all: nobody new
    joined = await data_of("member.joined")
    codes = await Member.filter(external_id__in=["A1", "A2"]).order_by("external_id")
    assert [(j["member_id"], j["language"]) for j in joined[1:]] == [
        (codes[0].id, "zh-Hans"),
        (codes[1].id, "en"),
    ]
    assert "Alice" not in json.dumps(joined) and await WebhookDelivery.all().count() == 3
    for raw in await WebhookEvent.all().values_list("body", flat=True):
        assert_body_documented(raw)
