"""GET /members/{ref}, GET /vouchers/{ref} and POST /vouchers/{ref}/redeem."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models.catalogue import vouchers
from models.store import clock
from models.store.tables import AuditLog, Reward, Voucher, VoucherStatus
from tests.api.conftest import Api, new_member, written


async def test_member_by_code_phone_and_card(api: Api) -> None:
    alice = await new_member(201, points=300, phone="+8613800138000")
    for ref in (alice.code, alice.code.lower(), "+8613800138000", alice.card_token):
        status, body, _ = await api.call("GET", f"/members/{ref}")
        assert status == 200, (ref, body)
        assert body["code"] == alice.code and body["balance"] == 300
        assert body["tier"]["key"] == "member" and body["name"] == "Member201"
    assert body["expiring_soon"] is None  # a year away: not soon
    clock.freeze(clock.now() + timedelta(days=360))
    _, body, _ = await api.call("GET", f"/members/{alice.code}", headers={"Accept-Language": "zh"})
    assert body["expiring_soon"]["points"] == 300 and body["tier"]["name"] == "会员"
    status, body, _ = await api.call("GET", "/members/ZZZZ2222")
    assert status == 404 and body["error"]["code"] == "member_not_found"


async def _voucher(api: Api, telegram_id: int, **fields: object) -> Voucher:
    member = await new_member(telegram_id, points=100)
    reward = await Reward.create(
        names={"en": "Latte", "zh-Hans": "拿铁"},
        kind="gift",
        cost_points=30,
        created_at=clock.now(),
    )
    issued = await vouchers.issue_for_reward(member.id, reward.id, idempotency_key=f"v{member.id}")
    assert isinstance(issued, vouchers.VoucherIssued)
    if fields:
        await Voucher.filter(id=issued.voucher_id).update(**fields)
    return await Voucher.get(id=issued.voucher_id)


async def test_validate_changes_nothing_then_redeem_once(api: Api) -> None:
    voucher = await _voucher(api, 202)
    before = await written()
    status, body, _ = await api.call("GET", f"/vouchers/{voucher.code}")
    assert status == 200 and body["status"] == "issued" and body["redeemable"] is True
    assert body["reward"] == {"id": voucher.reward_id, "name": "Latte", "cost_points": 30}
    assert body["member"]["name"] == "Member202"
    status, by_token, _ = await api.call("GET", f"/vouchers/v-{voucher.token}")
    assert status == 200 and by_token == body
    assert await written() == before

    path = f"/vouchers/{voucher.code.replace('-', '').lower()}/redeem"
    status, body, _ = await api.call("POST", path, idem="r1")
    assert status == 200 and body["status"] == "redeemed" and body["redeemed_channel"] == "api"
    status, again, headers = await api.call("POST", path, idem="r1")
    assert status == 200 and again == body and headers["Idempotent-Replayed"] == "true"
    status, used, _ = await api.call("POST", path, idem="r2")
    assert status == 409 and used["error"]["code"] == "already_used"
    assert used["error"]["at"] == body["redeemed_at"] and used["error"]["channel"] == "api"
    assert "by" in used["error"]
    assert await AuditLog.filter(action="voucher.redeem", actor_kind="api").count() == 1
    status, body, _ = await api.call("POST", path)
    assert status == 400 and body["error"]["code"] == "idempotency_key_required"


async def test_twenty_concurrent_redeems_one_winner(api: Api) -> None:
    voucher = await _voucher(api, 203)
    answers = await asyncio.gather(
        *(api.call("POST", f"/vouchers/{voucher.code}/redeem", idem=f"k{i}") for i in range(20))
    )
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [200] + [409] * 19, statuses
    assert all(b["error"]["code"] == "already_used" for s, b, _ in answers if s == 409)
    assert await Voucher.filter(status=VoucherStatus.REDEEMED).count() == 1


async def test_expired_voided_unknown(api: Api) -> None:
    old = await _voucher(api, 204, valid_until=clock.now() - timedelta(seconds=1))
    status, body, _ = await api.call("GET", f"/vouchers/{old.code}")
    assert status == 200 and body["status"] == "expired" and body["redeemable"] is False
    before = await written()
    status, body, _ = await api.call("POST", f"/vouchers/{old.code}/redeem", idem="e")
    assert status == 410 and body["error"]["code"] == "expired" and body["error"]["on"]
    voided = await _voucher(api, 205)
    await vouchers.void(voided.id, "test", None)
    status, body, _ = await api.call("POST", f"/vouchers/{voided.code}/redeem", idem="v")
    assert status == 410 and body["error"]["code"] == "voided"
    status, body, _ = await api.call("POST", "/vouchers/ZZZZ-2222/redeem", idem="u")
    assert status == 404 and body["error"]["code"] == "voucher_not_found"
    assert (await written())["redeemed"] == before["redeemed"]
