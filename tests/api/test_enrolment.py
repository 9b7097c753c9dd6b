"""POST /members: find or create a member from a web shop, with a join link."""

from __future__ import annotations

import pytest

from models.store.tables import AuditLog, IdempotencyRecord, JoinLink, Member
from tests.api.conftest import Api, new_member


@pytest.fixture
def shop(api: Api) -> Api:
    """The API with ``bot.username`` set, so join links carry the t.me address."""
    api.settings.bot.username = "jifen_test_bot"
    return api


async def counts() -> dict[str, int]:
    return {
        "members": await Member.all().count(),
        "links": await JoinLink.all().count(),
        "idempotency": await IdempotencyRecord.all().count(),
        "audit": await AuditLog.all().count(),
    }


async def test_create_is_idempotent_and_returns_a_join_link(shop: Api) -> None:
    body = {"external_id": "web-1", "phone": "138 0013 8000", "name": "Wu", "language": "zh-Hans"}
    status, first, _ = await shop.call("POST", "/members", json=body, idem="enrol-1")
    assert status == 201, first
    assert first["created"] is True and first["telegram_linked"] is False
    assert first["phone"] == "+8613800138000" and first["name"] == "Wu"
    token = first["join_token"]
    assert len(token) >= 16 and first["join_link"] == f"https://t.me/jifen_test_bot?start=j-{token}"
    assert len(f"j-{token}") <= 64
    status, again, headers = await shop.call("POST", "/members", json=body, idem="enrol-1")
    assert status == 200 and again == first and headers["Idempotent-Replayed"] == "true"
    # another key, same person: found, not created twice; the same unused link
    status, found, _ = await shop.call(
        "POST", "/members", json={"external_id": "web-1"}, idem="enrol-2"
    )
    assert status == 200 and found["created"] is False and found["code"] == first["code"]
    assert found["join_token"] == token
    status, _, _ = await shop.call("POST", "/members", json={**body, "name": "X"}, idem="enrol-1")
    assert status == 409
    assert await Member.filter(external_id="web-1").count() == 1
    assert await JoinLink.all().count() == 1
    assert await AuditLog.filter(action="member.enrol.api").count() == 2


async def test_purchases_before_telegram(shop: Api) -> None:
    _, member, _ = await shop.call("POST", "/members", json={"phone": "13800138111"}, idem="e")
    order = {"member": {"code": member["code"]}, "amount_minor": 5000, "currency": "CNY"}
    status, bought, _ = await shop.call(
        "POST", "/purchases", json={**order, "order_id": "W-1"}, idem="p1"
    )
    assert status == 201 and bought["points"] == 50 and bought["balance"] == 50


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "external_id"),
        ({"name": "only a name"}, "external_id"),
        ({"external_id": "x", "phone": "12345"}, "phone"),
        ({"external_id": "x", "language": "fr"}, "language"),
        ({"external_id": "x", "birthday": "2999-01-01"}, "birthday"),
        ({"external_id": "x", "birthday": "03-04"}, "birthday"),
        ({"external_id": 42}, "external_id"),
        ({"external_id": "x" * 65}, "external_id"),
        ({"external_id": "x", "points": 100}, "points"),
    ],
)
async def test_invalid_bodies_write_nothing(shop: Api, body: dict, field: str) -> None:
    before = await counts()
    status, answer, _ = await shop.call("POST", "/members", json=body, idem="bad")
    assert status == 422, answer
    assert answer["error"]["code"] == "invalid_field" and answer["error"]["field"] == field
    assert await counts() == before


async def test_missing_idempotency_key_writes_nothing(shop: Api) -> None:
    before = await counts()
    status, answer, _ = await shop.call("POST", "/members", json={"external_id": "x"})
    assert status == 400 and answer["error"]["code"] == "idempotency_key_required"
    assert await counts() == before


async def test_phone_rules(shop: Api) -> None:
    telegram = await new_member(501, phone="+8613800138500")
    # a Telegram member found by phone gets the shop's external id, and needs no link
    status, found, _ = await shop.call(
        "POST", "/members", json={"external_id": "web-5", "phone": "13800138500"}, idem="a"
    )
    assert status == 200 and found["code"] == telegram.code and found["telegram_linked"] is True
    assert found["join_link"] is None and found["join_token"] is None
    assert (await Member.get(id=telegram.id)).external_id == "web-5"
    before = await counts()
    # the phone now belongs to web-5: another external id may not take it
    status, answer, _ = await shop.call(
        "POST", "/members", json={"external_id": "web-6", "phone": "+86 138 0013 8500"}, idem="b"
    )
    assert status == 409 and answer["error"]["code"] == "phone_taken"
    assert answer["error"]["member_code"] == telegram.code
    assert await counts() == before  # refused: not even an idempotency record
    # nor may a member found by external id be paired with someone else's phone
    status, _, _ = await shop.call("POST", "/members", json={"external_id": "web-7"}, idem="c")
    assert status == 201
    status, answer, _ = await shop.call(
        "POST", "/members", json={"external_id": "web-7", "phone": "13800138500"}, idem="d"
    )
    assert status == 409 and answer["error"]["code"] == "phone_taken"
    assert (await counts())["members"] == before["members"] + 1  # only web-7 was created


async def test_openapi_documents_the_route(shop: Api) -> None:
    _, doc, _ = await shop.call("GET", "/openapi.json")
    post = doc["paths"]["/members"]["post"]
    assert post["operationId"] == "enrolMember" and "201" in post["responses"]
    assert doc["components"]["schemas"]["EnrolRequest"]["additionalProperties"] is False


async def test_an_explicit_null_where_the_document_says_string_is_refused(shop: Api) -> None:
    """Found by schemathesis: ``"name": null`` was taken as "no name" and answered 201."""
    before = await counts()
    body = {"external_id": "web-9", "name": None}
    status, answer, _ = await shop.call("POST", "/members", json=body, idem="enrol-null")
    assert status == 422 and answer["error"]["field"] == "name", answer
    assert await counts() == before  # nothing written, not even the idempotency record
