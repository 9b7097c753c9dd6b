"""POST /purchases and /refunds: recorded once, replayed exactly, refused without a trace."""

from __future__ import annotations

import asyncio

from models.access import api_keys
from models.ledger import doctor
from models.store.tables import AuditLog, Purchase
from tests.api.conftest import Api, new_member, purchase, written


async def test_purchase_awards_points_and_replays(api: Api) -> None:
    alice = await new_member(101)
    status, body, _ = await api.call("POST", "/purchases", json=purchase(alice), idem="k-1")
    assert status == 201, body
    assert body["points"] == 128 and body["balance"] == 128
    assert body["receipt_code"].startswith("R-")
    assert body["member"]["code"] == alice.code and body["currency"] == "CNY"
    assert body["breakdown"]["points"] == 128

    status, again, headers = await api.call("POST", "/purchases", json=purchase(alice), idem="k-1")
    assert status == 200 and headers["Idempotent-Replayed"] == "true"
    assert again == body
    assert await Purchase.all().count() == 1
    row = await Purchase.get()
    assert row.channel == "api" and row.order_id == "A-1"
    audit = await AuditLog.filter(action="purchase.record")
    assert len(audit) == 1 and audit[0].actor_kind == "api"
    assert await doctor.check() == []


async def test_order_id_is_the_key_without_a_header(api: Api) -> None:
    alice = await new_member(102)
    first = await api.call("POST", "/purchases", json=purchase(alice, order="X-9"))
    second = await api.call("POST", "/purchases", json=purchase(alice, order="X-9"))
    assert (first[0], second[0]) == (201, 200) and first[1] == second[1]
    assert await Purchase.all().count() == 1


async def test_same_key_different_body_is_a_conflict(api: Api) -> None:
    alice = await new_member(103)
    assert (await api.call("POST", "/purchases", json=purchase(alice), idem="k"))[0] == 201
    before = await written()
    status, body, _ = await api.call(
        "POST", "/purchases", json=purchase(alice, amount=999), idem="k"
    )
    assert status == 409 and body["error"]["code"] == "idempotency_conflict"
    assert await written() == before


async def test_fifty_concurrent_posts_with_one_key_record_one_purchase(api: Api) -> None:
    alice = await new_member(104)
    answers = await asyncio.gather(
        *(api.call("POST", "/purchases", json=purchase(alice), idem="same") for _ in range(50))
    )
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [200] * 49 + [201], statuses
    assert all(body == answers[0][1] for _, body, _ in answers)
    assert await Purchase.all().count() == 1
    assert (await AuditLog.filter(action="purchase.record").count()) == 1
    assert await doctor.check() == []


async def test_items_category_and_location_bound_key(api: Api) -> None:
    alice = await new_member(105)
    created = await api_keys.create("North till", location="north")
    assert isinstance(created, api_keys.ApiKeyCreated)
    items = [
        {"sku": "LATTE", "category": "drinks", "amount_minor": 3000, "quantity": 2},
        {"sku": "BAGEL", "amount_minor": 1000},
    ]
    body = purchase(alice, amount=4000, category="food", items=items)
    status, answer, _ = await api.call("POST", "/purchases", json=body, key=created.key, idem="n1")
    assert status == 201, answer
    assert answer["location"] == "north" and answer["points"] == 40
    row = await Purchase.get()
    assert row.location == "north" and len(row.items) == 2
    other = purchase(alice, order="B", location="south")
    status, answer, _ = await api.call("POST", "/purchases", json=other, key=created.key, idem="n2")
    assert status == 403 and answer["error"]["code"] == "location_mismatch"


BAD_PURCHASES = [
    ("not json", 400, "invalid_json"),
    ("[1, 2]", 400, "invalid_json"),
    ({"member": None}, 422, "invalid_field"),
    ({"member": "K7QM4PXD"}, 422, "invalid_field"),
    ({"member": {}}, 422, "invalid_field"),
    ({"amount_minor": 12.5}, 422, "invalid_field"),
    ({"amount_minor": "100"}, 422, "invalid_field"),
    ({"amount_minor": True}, 422, "invalid_field"),
    ({"amount_minor": -100}, 422, "invalid_field"),
    ({"amount_minor": 0}, 422, "invalid_field"),
    ({"amount_minor": 10**15}, 422, "amount_too_large"),
    ({"currency": "USD"}, 422, "unknown_currency"),
    ({"currency": 156}, 422, "invalid_field"),
    ({"order_id": ""}, 422, "invalid_field"),
    ({"order_id": "x" * 65}, 422, "invalid_field"),
    ({"surprise": 1}, 422, "invalid_field"),
    ({"items": [{"amount_minor": 1.5}]}, 422, "invalid_field"),
    ({"items": [{"amount_minor": 99999}]}, 422, "invalid_amount"),
    ({"items": "lots"}, 422, "invalid_field"),
    ({"member": {"code": "A", "phone": "1"}}, 422, "invalid_field"),
    ({"member": {"code": "ZZZZ2222"}}, 404, "member_not_found"),
]


async def test_bad_purchases_write_nothing(api: Api) -> None:
    alice = await new_member(106)
    before = await written()
    for change, status, code in BAD_PURCHASES:
        if isinstance(change, str):
            json_type = {"Content-Type": "application/json"}
            answer = await api.call("POST", "/purchases", data=change, idem="b", headers=json_type)
        else:
            answer = await api.call(
                "POST", "/purchases", json={**purchase(alice), **change}, idem="b"
            )
        assert answer[0] == status, (change, answer[1])
        assert answer[1]["error"]["code"] == code, (change, answer[1])
        assert answer[1]["error"]["message"]
    assert await written() == before


async def test_bad_idempotency_keys_and_big_bodies(api: Api) -> None:
    alice = await new_member(107)
    before = await written()
    status, body, _ = await api.call("POST", "/purchases", json=purchase(alice), idem="x" * 81)
    assert status == 400 and body["error"]["code"] == "invalid_idempotency_key"
    huge = purchase(alice, category="c" * 10, items=[{"amount_minor": 0}] * 100)
    huge["pad"] = "x" * 70_000
    status, body, _ = await api.call("POST", "/purchases", json=huge, idem="big")
    assert status == 413 and body["error"]["code"] == "payload_too_large"
    assert await written() == before


async def test_refunds(api: Api) -> None:
    alice = await new_member(108)
    _, bought, _ = await api.call("POST", "/purchases", json=purchase(alice, 10000), idem="p")
    receipt = bought["receipt_code"]
    refund = {"receipt_code": receipt, "amount_minor": 4000}
    status, body, _ = await api.call("POST", "/refunds", json=refund, idem="r1")
    assert status == 201, body
    assert body["points_reversed"] == 40 and body["balance"] == 60
    assert body["refundable_minor"] == 6000
    status, again, headers = await api.call("POST", "/refunds", json=refund, idem="r1")
    assert status == 200 and again == body and headers["Idempotent-Replayed"] == "true"

    before = await written()
    too_much = {"order_id": "A-1", "amount_minor": 6001}
    status, body, _ = await api.call("POST", "/refunds", json=too_much, idem="r2")
    assert status == 422 and body["error"]["code"] == "refund_exceeds_purchase"
    assert body["error"]["refundable_minor"] == 6000
    for bad, code in [
        ({"receipt_code": "R-ZZZZ-2222", "amount_minor": 1}, 404),
        ({"receipt_code": receipt, "amount_minor": -1}, 422),
        ({"receipt_code": receipt, "order_id": "A-1", "amount_minor": 1}, 422),
        ({"amount_minor": 1}, 422),
    ]:
        assert (await api.call("POST", "/refunds", json=bad, idem="r3"))[0] == code
    status, body, _ = await api.call("POST", "/refunds", json=refund)
    assert status == 400 and body["error"]["code"] == "idempotency_key_required"
    assert await written() == before

    status, body, _ = await api.call(
        "POST", "/refunds", json={"order_id": "A-1", "amount_minor": 6000}, idem="r4"
    )
    assert status == 201 and body["balance"] == 0 and body["refundable_minor"] == 0
    assert await AuditLog.filter(action="purchase.refund", actor_kind="api").count() == 2
    assert await doctor.check() == []


async def test_member_by_card_token_or_phone(api: Api) -> None:
    alice = await new_member(109, phone="+8613900139000")
    for i, ref in enumerate(
        [
            {"card_token": alice.card_token},
            {"card_token": f"m-{alice.card_token}"},
            {"phone": "13900139000"},
        ]
    ):
        body = {**purchase(alice, 1000, order=f"c{i}"), "member": ref}
        status, answer, _ = await api.call("POST", "/purchases", json=body)
        assert status == 201 and answer["member"]["code"] == alice.code, answer
    body = {**purchase(alice), "member": {"card_token": "not-a-card-token-at-all"}}
    assert (await api.call("POST", "/purchases", json=body))[0] == 404
