"""The API's trust holes, each played as the attack that found it: another key's orders,
internal ids posing as receipt codes, a phone suffix shared by two members, text that
crashed the server, a burned Idempotency-Key, and a flood of forged keys."""

from __future__ import annotations

import json

import pytest

from api.auth import RateLimiter
from models import ledger
from models.access import api_keys
from models.ledger import doctor
from models.store.tables import IdempotencyRecord, Member, Purchase
from tests.api.conftest import Api, api_settings, new_member, purchase, start_api, written


async def second_key(name: str = "Web shop B", location: str | None = None) -> str:
    created = await api_keys.create(name, location=location)
    assert isinstance(created, api_keys.ApiKeyCreated)
    return created.key


async def test_an_order_number_belongs_to_the_key_that_recorded_it(api: Api) -> None:
    alice, bob = await new_member(401), await new_member(402)
    shop_b = await second_key()
    _, a_order, _ = await api.call("POST", "/purchases", json=purchase(alice, 10000, "1001"))
    before = await written()
    # B never recorded 1001: it cannot refund A's order, by number or by A's receipt code
    for ref in ({"order_id": "1001"}, {"receipt_code": a_order["receipt_code"]}):
        status, body, _ = await api.call(
            "POST", "/refunds", json={**ref, "amount_minor": 10000}, key=shop_b, idem="steal"
        )
        assert status == 404 and body["error"]["code"] == "purchase_not_found", body
        assert "refundable_minor" not in body["error"]
    assert await written() == before
    # both shops use number 1001: each refunds its own, neither is "ambiguous"
    _, b_order, _ = await api.call(
        "POST", "/purchases", json=purchase(bob, 5000, "1001"), key=shop_b
    )
    refund = {"order_id": "1001", "amount_minor": 5000}
    status, body, _ = await api.call("POST", "/refunds", json=refund, key=shop_b, idem="r")
    assert status == 201 and body["receipt_code"] == b_order["receipt_code"], body
    status, body, _ = await api.call("POST", "/refunds", json=refund, idem="r")
    assert status == 201 and body["receipt_code"] == a_order["receipt_code"], body
    assert body["refundable_minor"] == 5000
    assert (await Member.get(id=alice.id)).balance == 50
    assert (await Member.get(id=bob.id)).balance == 0
    assert await doctor.check() == []


async def test_a_till_purchase_is_refundable_by_receipt_code_from_any_key(api: Api) -> None:
    alice = await new_member(403)
    recorded = await ledger.earn_for_purchase(alice.id, 8000, "CNY", idempotency_key="till:1")
    shop_b = await second_key()
    refund = {"receipt_code": recorded.receipt_code, "amount_minor": 3000}
    status, body, _ = await api.call("POST", "/refunds", json=refund, key=shop_b, idem="t1")
    assert status == 201 and body["refundable_minor"] == 5000, body
    status, body, _ = await api.call("POST", "/refunds", json=refund, idem="t2")
    assert status == 201 and body["refundable_minor"] == 2000, body
    # its (absent) order id names nothing for any key
    by_order = {"order_id": str(recorded.purchase_id), "amount_minor": 1}
    assert (await api.call("POST", "/refunds", json=by_order, idem="t3"))[0] == 404


async def test_internal_ids_are_never_receipt_codes(api: Api) -> None:
    alice = await new_member(404)
    assert (await api.call("POST", "/purchases", json=purchase(alice)))[0] == 201
    assert (await Purchase.get()).id == 1
    before = await written()
    for typed in ("1", "１", "١", "²", "¹", "R-1", " 1 ", "01"):
        refund = {"receipt_code": typed, "amount_minor": 100}
        status, body, _ = await api.call("POST", "/refunds", json=refund, idem="id")
        assert status == 404 and body["error"]["code"] == "purchase_not_found", (typed, body)
        assert await ledger.find_purchase(typed) is None
    assert await written() == before


async def test_a_shared_phone_suffix_names_nobody(api: Api) -> None:
    alice = await new_member(405, phone="+8613800012345")
    bob = await new_member(406, phone="+8613900012345")
    before = await written()
    body = {**purchase(alice), "member": {"phone": "12345"}}
    status, answer, _ = await api.call("POST", "/purchases", json=body, idem="amb")
    assert status == 409 and answer["error"]["code"] == "ambiguous_member", answer
    status, answer, _ = await api.call("GET", "/members/012345")
    assert status == 409 and answer["error"]["code"] == "ambiguous_member"
    text = json.dumps(answer, ensure_ascii=False)
    for member in (alice, bob):
        assert member.code not in text and member.first_name not in text
    assert await written() == before
    # the full number (or a suffix only one phone has) still finds exactly one
    for ref, who in (("+8613800012345", alice), ("13900012345", bob), ("800012345", alice)):
        status, answer, _ = await api.call("GET", f"/members/{ref}")
        assert status == 200 and answer["code"] == who.code, (ref, answer)
    # digits that are not ASCII are no phone number
    assert (await api.call("GET", "/members/１２３４５"))[0] == 404


BAD_TEXT = [
    ("/purchases", {"order_id": "10\x0001"}, "order_id"),
    ("/purchases", {"order_id": "10\ud80001"}, "order_id"),
    ("/purchases", {"category": "\x00"}, "category"),
    ("/purchases", {"items": [{"sku": "a\ud800", "amount_minor": 1}]}, "items[0].sku"),
    ("/purchases", {"member": {"card_token": "A" * 33}}, None),
    ("/purchases", {"member": {"card_token": "m-" + "A" * 43}}, None),
    ("/purchases", {"member": {"phone": "1" * 40}}, None),
    ("/purchases", {"member": {"code": "\x00"}}, "member.code"),
    ("/refunds", {"order_id": "\x00"}, "order_id"),
    ("/refunds", {"receipt_code": "R-\ud800"}, "receipt_code"),
]


async def test_hostile_text_in_a_body_is_4xx_and_writes_nothing(api: Api) -> None:
    alice = await new_member(407)
    before = await written()
    for path, change, field in BAD_TEXT:
        base = purchase(alice) if path == "/purchases" else {"amount_minor": 1}
        raw = json.dumps({**base, **change})  # ASCII: a lone surrogate travels as \\ud800
        status, body, _ = await api.call(
            "POST", path, data=raw, idem="t", headers={"Content-Type": "application/json"}
        )
        assert 400 <= status < 500, (change, body)
        if field is not None:
            assert status == 422 and body["error"]["field"] == field, (change, body)
            assert body["error"]["reason"] == "invalid-characters"
    assert await written() == before


async def test_a_body_nested_past_the_stack_is_400(api: Api) -> None:
    before = await written()
    for depth, status in ((30_000, 400), (2_000, 400), (500, 422)):
        raw = '{"member": ' + "[" * depth + "]" * depth + "}"
        answer = await api.call(
            "POST",
            "/purchases",
            data=raw,
            idem="deep",
            headers={"Content-Type": "application/json"},
        )
        assert answer[0] == status, (depth, answer[1])
    assert await written() == before


HOSTILE_PATHS = [
    "/members/%00",
    "/members/" + "A" * 40,
    "/members/m-" + "A" * 43,
    "/members/%ED%A0%80",
    "/vouchers/" + "B" * 40,
    "/vouchers/v-" + "B" * 43,
    "/vouchers/%00",
    "/reports/summary?location=%00",
    "/reports/summary?location=" + "x" * 65,
    "/reports/summary?period=%00",
    "/reports/summary?%00=1",
]


async def test_hostile_paths_and_queries_are_4xx(api: Api) -> None:
    before = await written()
    for path in HOSTILE_PATHS:
        status, body, _ = await api.call("GET", path)
        assert 400 <= status < 500, (path, body)
        codes = ("invalid_field", "member_not_found", "voucher_not_found")
        assert body["error"]["code"] in codes, (path, body)
        status, body, _ = await api.call("POST", path.split("?")[0] + "/redeem", idem="x")
        assert 400 <= status < 500, (path, body)
    assert await written() == before


async def test_a_failed_request_does_not_burn_its_idempotency_key(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await new_member(408)
    real = ledger.earn_for_purchase

    async def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ledger, "earn_for_purchase", broken)
    before = await written()
    status, body, _ = await api.call("POST", "/purchases", json=purchase(alice, 999), idem="k")
    assert status == 500 and body["error"]["code"] == "internal_error"
    assert await written() == before
    assert await IdempotencyRecord.all().count() == 0
    monkeypatch.setattr(ledger, "earn_for_purchase", real)
    status, body, _ = await api.call("POST", "/purchases", json=purchase(alice, 1000), idem="k")
    assert status == 201 and body["amount_minor"] == 1000, body


async def test_a_flood_of_forged_keys_is_limited_per_address(api: Api) -> None:
    client = await start_api(api_settings(auth_failures_per_minute=6, auth_failure_burst=10))
    forged = "jf_00000000_" + "A" * 43
    try:
        statuses, retry = [], None
        for i in range(300):
            key = forged if i % 2 else "nonsense"
            async with client.get(
                "/api/v1/members/ZZZZ2222", headers={"Authorization": f"Bearer {key}"}
            ) as response:
                statuses.append(response.status)
                if response.status == 429:
                    retry = response.headers["Retry-After"]
                    body = await response.json()
        assert statuses[:10] == [401] * 10 and statuses[10:] == [429] * 290
        assert retry is not None and int(retry) >= 1
        assert body["error"]["code"] == "too_many_failures"
        # a real key from the same address is not held back by the flood
        async with client.get(
            "/api/v1/members/ZZZZ2222", headers={"Authorization": f"Bearer {api.key}"}
        ) as response:
            assert response.status == 404
    finally:
        await client.close()


def test_failure_buckets_stay_bounded_under_many_addresses() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=1.0, burst=2, now=lambda: now[0], max_names=100)
    for i in range(1000):
        assert limiter.take(f"addr:{i}") == 0  # each new address starts with a full bucket
        now[0] += 0.01
    assert len(limiter) <= 100
    limiter.take("addr:x")
    limiter.take("addr:x")
    assert limiter.take("addr:x") > 0  # forgetting others never refills a live bucket
