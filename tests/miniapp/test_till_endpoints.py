"""The cashier's endpoints: scan → purchase (quote, confirm, receipt) or voucher (redeem)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models.access import staff
from models.catalogue import vouchers
from models.ledger.results import AlreadyUsed, Redeemed
from models.store import clock
from models.store.tables import (
    AuditLog,
    OutboxMessage,
    Purchase,
    Reward,
    Role,
    Voucher,
    VoucherStatus,
)
from tests.api.conftest import new_member
from tests.miniapp.conftest import Mini, telegram_sign, user_fields, written

CASHIER = 501
MEMBER = 502


async def _cashier(location: str | None = "north") -> None:
    await staff.grant_role(CASHIER, Role.STAFF, granted_by=None, location=location)


async def _voucher(telegram_id: int = MEMBER, **fields: object) -> Voucher:
    member = await new_member(telegram_id, points=200)
    reward = await Reward.create(
        names={"en": "Latte"}, kind="gift", cost_points=100, created_at=clock.now()
    )
    issued = await vouchers.issue_for_reward(member.id, reward.id, idempotency_key=f"v{member.id}")
    assert isinstance(issued, vouchers.VoucherIssued)
    if fields:
        await Voucher.filter(id=issued.voucher_id).update(**fields)
    return await Voucher.get(id=issued.voucher_id)


async def test_members_get_403_from_every_staff_endpoint_and_nothing_changes(mini: Mini) -> None:
    alice = await new_member(MEMBER, points=500)
    voucher = await _voucher(503)
    before = await written()
    calls = [
        ("/scan", {"text": f"m-{alice.card_token}"}, None),
        ("/purchases/quote", {"member": alice.code, "amount_minor": 12850}, None),
        ("/purchases", {"member": alice.code, "amount_minor": 12850}, "k-forged-1"),
        ("/vouchers/redeem", {"voucher": voucher.code}, None),
    ]
    for path, body, idem in calls:
        # a member, someone unknown, and a revoked cashier
        for user in (MEMBER, 999):
            status, answer = await mini.call("POST", path, user=user, json=body, idem=idem)
            assert status == 403 and answer["error"]["code"] == "staff_only", (path, answer)
    await _cashier()
    await staff.revoke_role(CASHIER, revoked_by=None)
    status, _ = await mini.call("POST", "/scan", user=CASHIER, json=calls[0][1])
    assert status == 403
    after = await written()
    assert after == {**before, "audit": after["audit"]}  # only the grant/revoke were audited
    assert await AuditLog.filter(actor_kind="miniapp").count() == 0


async def test_scan_a_card_then_quote_confirm_and_receipt(mini: Mini) -> None:
    await _cashier()
    alice = await new_member(MEMBER)
    link = f"https://t.me/jifen_test_bot?start=m-{alice.card_token}"
    status, scan = await mini.call("POST", "/scan", user=CASHIER, json={"text": link})
    assert status == 200 and scan["kind"] == "member", scan
    assert scan["member"]["name"] == "Member502" and scan["member"]["balance"] == 0
    assert scan["currency"]["exponent"] == 2 and "coffee" in scan["categories"]
    for text in (alice.code, f"m-{alice.card_token}"):
        status, again = await mini.call("POST", "/scan", user=CASHIER, json={"text": text})
        assert status == 200 and again["member"]["ref"] == alice.code

    body = {"member": alice.code, "amount_minor": 12850, "category": "coffee"}
    status, quote = await mini.call("POST", "/purchases/quote", user=CASHIER, json=body)
    assert status == 200 and quote["points"] == 192, quote  # 128 × coffee 1.5
    assert await Purchase.all().count() == 0  # a quote writes nothing

    # Confirm pressed twice at once → one purchase, one receipt, one audit row
    first, second = await asyncio.gather(
        mini.call("POST", "/purchases", user=CASHIER, json=body, idem="screen-0001"),
        mini.call("POST", "/purchases", user=CASHIER, json=body, idem="screen-0001"),
    )
    assert first[0] == second[0] == 200
    assert first[1]["receipt_code"] == second[1]["receipt_code"]
    assert sorted([first[1]["replayed"], second[1]["replayed"]]) == [False, True]
    assert first[1]["points"] == 192 and first[1]["balance"] == 192
    purchase = await Purchase.get()
    assert purchase.staff_telegram_id == CASHIER and purchase.location == "north"
    receipt = await OutboxMessage.get(chat_id=MEMBER)
    assert receipt.template == "till-receipt-member" and receipt.kind == "receipt"
    audit = await AuditLog.get(action="purchase.record")
    assert audit.actor_telegram_id == CASHIER and audit.actor_kind == "miniapp"
    assert audit.details["points"] == 192


async def test_wrong_input_is_refused_with_a_reason_and_writes_nothing(mini: Mini) -> None:
    await _cashier()
    alice = await new_member(MEMBER)
    before = await written()
    bad = [
        ("/scan", {"text": "https://t.me/another_bot?start=m-abc"}, 404, "not_ours"),
        ("/scan", {"text": "ZZZZ2222"}, 404, "unknown_code"),
        ("/scan", {"text": ""}, 422, "invalid_field"),
        ("/scan", {"text": "x", "extra": 1}, 422, "invalid_field"),
        ("/purchases/quote", {"member": alice.code, "amount_minor": 50}, 422, "below_minimum"),
        ("/purchases/quote", {"member": alice.code, "amount_minor": 12.5}, 422, "invalid_field"),
        ("/purchases/quote", {"member": alice.code, "amount_minor": "128"}, 422, "invalid_field"),
        (
            "/purchases/quote",
            {"member": alice.code, "amount_minor": 10**12},
            422,
            "amount_too_large",
        ),
        (
            "/purchases/quote",
            {"member": alice.code, "amount_minor": 900, "category": "x"},
            422,
            "invalid_field",
        ),
        ("/purchases", {"member": "ZZZZ2222", "amount_minor": 900}, 404, "unknown_code"),
        ("/purchases", {"member": alice.code, "amount_minor": -5}, 422, "invalid_field"),
    ]
    for path, body, status_wanted, code in bad:
        status, answer = await mini.call("POST", path, user=CASHIER, json=body, idem="screen-0002")
        assert (status, answer["error"]["code"]) == (status_wanted, code), (body, answer)
        assert answer["error"]["message"]
    status, answer = await mini.call(
        "POST", "/purchases", user=CASHIER, json={"member": alice.code, "amount_minor": 900}
    )
    assert status == 422 and answer["error"]["field"] == "Idempotency-Key"
    async with mini.client.post(
        "/app/api/scan", data=b"{not json", headers={"Authorization": "tma x"}
    ) as r:
        assert r.status == 401  # authentication comes before parsing
    assert await written() == before


async def test_voucher_scan_then_redeem_and_each_refusal_said_clearly(mini: Mini) -> None:
    await _cashier()
    voucher = await _voucher()
    status, scan = await mini.call(
        "POST", "/scan", user=CASHIER, json={"text": f"v-{voucher.token}"}
    )
    assert status == 200 and scan["kind"] == "voucher"
    assert scan["voucher"]["redeemable"] and scan["voucher"]["reward"]["name"] == "Latte"
    status, done = await mini.call(
        "POST", "/vouchers/redeem", user=CASHIER, json={"voucher": voucher.code}
    )
    assert status == 200 and done["voucher"]["status"] == "redeemed"
    fresh = await Voucher.get(id=voucher.id)
    assert fresh.redeemed_by == CASHIER and fresh.redeemed_channel == "miniapp"
    assert fresh.redeemed_location == "north"
    assert await OutboxMessage.filter(template="till-voucher-redeemed-member").count() == 1
    assert await AuditLog.filter(action="voucher.redeem", actor_kind="miniapp").count() == 1

    status, used = await mini.call(
        "POST", "/vouchers/redeem", user=CASHIER, json={"voucher": voucher.code}
    )
    assert status == 409 and used["error"]["code"] == "already_used"
    assert "you" in used["error"]["message"]
    _, rescan = await mini.call("POST", "/scan", user=CASHIER, json={"text": voucher.code})
    assert rescan["voucher"]["redeemable"] is False and "Already used" in rescan["voucher"]["text"]

    old = await _voucher(504, valid_until=clock.now() - timedelta(days=1))
    status, answer = await mini.call(
        "POST", "/vouchers/redeem", user=CASHIER, json={"voucher": old.code}
    )
    assert (
        status == 409
        and answer["error"]["code"] == "expired"
        and "expired" in answer["error"]["message"]
    )
    void = await _voucher(505, status=VoucherStatus.VOIDED, voided_at=clock.now())
    status, answer = await mini.call(
        "POST", "/vouchers/redeem", user=CASHIER, json={"voucher": void.code}
    )
    assert status == 409 and answer["error"]["code"] == "voided"
    assert await AuditLog.filter(action="voucher.redeem").count() == 1


async def test_one_winner_between_the_mini_app_and_the_chat(mini: Mini) -> None:
    """Ten scans of one voucher at once: five through the Mini App, five as the chat till
    redeems (``vouchers.redeem`` with a cashier's id). Exactly one wins."""
    await _cashier()
    await staff.grant_role(506, Role.STAFF, granted_by=None)
    voucher = await _voucher()

    async def chat() -> object:
        return await vouchers.redeem(voucher.token, staff_telegram_id=506, location=None)

    async def app() -> object:
        return await mini.call(
            "POST", "/vouchers/redeem", user=CASHIER, json={"voucher": voucher.code}
        )

    results = await asyncio.gather(*[chat() for _ in range(5)], *[app() for _ in range(5)])
    chat_wins = [r for r in results[:5] if isinstance(r, Redeemed)]
    app_wins = [r for r in results[5:] if r[0] == 200]  # type: ignore[index]
    assert len(chat_wins) + len(app_wins) == 1
    assert all(isinstance(r, Redeemed | AlreadyUsed) for r in results[:5])
    assert all(r[0] in (200, 409) for r in results[5:])  # type: ignore[index]
    assert await OutboxMessage.filter(template="till-voucher-redeemed-member").count() == 1
    assert await Voucher.filter(status=VoucherStatus.REDEEMED).count() == 1
    audits = await AuditLog.filter(action="voucher.redeem").count()
    assert audits == len(app_wins)


async def test_a_retry_after_a_restart_replays_and_oversized_bodies_are_refused(
    mini: Mini,
) -> None:
    from tests.miniapp.conftest import mini_settings, start

    await _cashier()
    alice = await new_member(MEMBER)
    body = {"member": alice.code, "amount_minor": 5000}
    status, first = await mini.call("POST", "/purchases", user=CASHIER, json=body, idem="scr-0003")
    assert status == 200 and first["replayed"] is False
    restarted = await start(mini_settings())  # a new process: nothing kept in memory
    try:
        again = Mini(restarted, mini.settings)
        status, second = await again.call(
            "POST", "/purchases", user=CASHIER, json=body, idem="scr-0003"
        )
    finally:
        await restarted.close()
    assert status == 200 and second["replayed"] is True
    assert second["receipt_code"] == first["receipt_code"]
    assert await Purchase.all().count() == 1
    assert await OutboxMessage.filter(chat_id=MEMBER).count() == 1

    before = await written()
    status, answer = await mini.call("POST", "/scan", user=CASHIER, json={"text": "x" * 5000})
    assert status == 413 and answer["error"]["code"] == "too_large"
    assert await written() == before


async def test_a_photo_of_the_card_where_there_is_no_scanner(mini: Mini) -> None:
    from handlers.qr import qr_png

    await _cashier()
    alice = await new_member(MEMBER)
    picture = await qr_png(f"https://t.me/jifen_test_bot?start=m-{alice.card_token}")
    headers = {"Authorization": f"tma {telegram_sign(user_fields(CASHIER))}"}
    async with mini.client.post("/app/api/scan/photo", data=picture, headers=headers) as r:
        assert r.status == 200
        body = await r.json()
    assert body["kind"] == "member" and body["member"]["ref"] == alice.code
    async with mini.client.post("/app/api/scan/photo", data=b"not a picture", headers=headers) as r:
        assert r.status == 422 and (await r.json())["error"]["code"] == "no_qr"
    other = await qr_png(f"https://t.me/another_bot?start=m-{alice.card_token}")
    async with mini.client.post("/app/api/scan/photo", data=other, headers=headers) as r:
        assert r.status == 404 and (await r.json())["error"]["code"] == "not_ours"
    member_headers = {"Authorization": f"tma {telegram_sign(user_fields(MEMBER))}"}
    async with mini.client.post("/app/api/scan/photo", data=picture, headers=member_headers) as r:
        assert r.status == 403


async def test_a_large_photo_arriving_in_pieces_is_read_whole(mini: Mini) -> None:
    """A camera photo is megabytes: it arrives in many chunks, streamed here."""
    import io

    from PIL import Image

    from handlers.qr import qr_png

    await _cashier()
    alice = await new_member(MEMBER)
    code = Image.open(io.BytesIO(await qr_png(f"m-{alice.card_token}")))
    photo = Image.new("RGB", (2400, 2400), "white")
    photo.paste(code.resize((1200, 1200)), (600, 600))
    buffer = io.BytesIO()
    photo.save(buffer, format="BMP")  # uncompressed: ~17 MB would be refused, so crop
    data = buffer.getvalue()
    assert len(data) > 8 * 1024 * 1024

    async def pieces(body: bytes):  # type: ignore[no-untyped-def]
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    headers = {"Authorization": f"tma {telegram_sign(user_fields(CASHIER))}"}
    async with mini.client.post("/app/api/scan/photo", data=pieces(data), headers=headers) as r:
        assert r.status == 413  # over 8 MB, whatever the length header says (none here)
    small = Image.new("RGB", (1200, 1200), "white")
    small.paste(code.resize((800, 800)), (200, 200))
    buffer = io.BytesIO()
    small.save(buffer, format="BMP")
    data = buffer.getvalue()
    assert 2 * 1024 * 1024 < len(data) < 8 * 1024 * 1024
    async with mini.client.post("/app/api/scan/photo", data=pieces(data), headers=headers) as r:
        body = await r.json()
        assert r.status == 200, body
    assert body["member"]["ref"] == alice.code
