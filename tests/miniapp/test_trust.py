"""The Mini App answers what it did: a reused Idempotency-Key with another request is a
409 that writes nothing, and input that is not what the document says is a clear 4xx
(never a 500, never read as something else)."""

from __future__ import annotations

import json

import pytest

from models import ledger
from models.access import staff
from models.store import clock
from models.store.db import write_transaction
from models.store.tables import EntryKind, IdempotencyRecord, Reward, Role
from tests.api.conftest import new_member
from tests.miniapp.conftest import Mini, telegram_sign, written

CASHIER = 601
ALICE, BOB = 602, 603


async def _cashier() -> None:
    await staff.grant_role(CASHIER, Role.STAFF, granted_by=None)


async def _reward(cost: int = 100) -> Reward:
    return await Reward.create(
        names={"en": "Latte"}, kind="gift", cost_points=cost, created_at=clock.now()
    )


async def _everything() -> dict[str, int]:
    return {**await written(), "keys": await IdempotencyRecord.all().count()}


async def test_a_reused_key_with_another_purchase_is_a_conflict(mini: Mini) -> None:
    await _cashier()
    alice, bob = await new_member(ALICE), await new_member(BOB)
    first = {"member": alice.code, "amount_minor": 12850}
    status, body = await mini.call("POST", "/purchases", user=CASHIER, json=first, idem="scr-0001")
    assert status == 200 and not body["replayed"]
    before = await _everything()

    other = {"member": bob.code, "amount_minor": 99900}
    for language, words in (("en", "Idempotency-Key"), ("zh", "Idempotency-Key")):
        status, body = await mini.call(
            "POST", "/purchases", user=CASHIER, json=other, idem="scr-0001", language=language
        )
        assert status == 409, body
        assert body["error"]["code"] == "idempotency_conflict"
        assert words in body["error"]["message"]
        assert "Bob" not in body["error"]["message"] and "999" not in body["error"]["message"]
    assert await _everything() == before

    # the same request again is a replay of the first answer, as before
    status, body = await mini.call("POST", "/purchases", user=CASHIER, json=first, idem="scr-0001")
    assert status == 200 and body["replayed"] and body["points"] > 0
    assert await _everything() == before


async def test_a_reused_key_with_another_reward_is_a_conflict(mini: Mini) -> None:
    await new_member(ALICE, points=500)
    latte, cake = await _reward(100), await _reward(200)
    status, body = await mini.call(
        "POST", f"/rewards/{latte.id}/redeem", user=ALICE, idem="key-0001"
    )
    assert status == 200 and body["balance"] == 400
    before = await _everything()
    status, body = await mini.call(
        "POST", f"/rewards/{cake.id}/redeem", user=ALICE, idem="key-0001"
    )
    assert status == 409 and body["error"]["code"] == "idempotency_conflict", body
    assert await _everything() == before
    status, body = await mini.call(
        "POST", f"/rewards/{latte.id}/redeem", user=ALICE, idem="key-0001"
    )
    assert status == 200 and body["replayed"] and body["balance"] == 400
    assert await _everything() == before


async def test_a_refused_request_leaves_no_key_behind(mini: Mini) -> None:
    await _cashier()
    alice = await new_member(ALICE, points=50)
    latte = await _reward(100)
    before = await _everything()
    low = {"member": alice.code, "amount_minor": 5}
    status, _ = await mini.call("POST", "/purchases", user=CASHIER, json=low, idem="scr-0002")
    assert status == 422
    status, _ = await mini.call("POST", f"/rewards/{latte.id}/redeem", user=ALICE, idem="key-0002")
    assert status == 409  # insufficient points
    assert await _everything() == before
    # the corrected request may use the same key
    good = {"member": alice.code, "amount_minor": 9000}
    status, body = await mini.call("POST", "/purchases", user=CASHIER, json=good, idem="scr-0002")
    assert status == 200 and not body["replayed"]


def _init_data(user: dict[str, object]) -> str:
    fields = {"user": json.dumps(user, separators=(",", ":")), "query_id": "AAH-test"}
    return telegram_sign(fields)


@pytest.mark.parametrize("user_id", [10**30, 2**63, -(2**63) - 1, 0, -5, "12", 1.5, True, None])
async def test_init_data_with_an_impossible_user_id_is_401(mini: Mini, user_id: object) -> None:
    before = await _everything()
    user = {"id": user_id, "first_name": "X"}
    status, body = await mini.call("GET", "/session", init_data=_init_data(user))
    assert status == 401 and body["error"]["code"] == "init_data_invalid", body
    assert await _everything() == before


@pytest.mark.parametrize(
    "category", [{"a": 1}, ["coffee"], 5, True, "", "x" * 300, "coffee\x00"], ids=repr
)
async def test_a_category_that_is_not_a_known_name_is_422(mini: Mini, category: object) -> None:
    await _cashier()
    alice = await new_member(ALICE)
    before = await _everything()
    body = {"member": alice.code, "amount_minor": 9000, "category": category}
    for path in ("/purchases/quote", "/purchases"):
        status, answer = await mini.call("POST", path, user=CASHIER, json=body, idem="scr-0003")
        assert status == 422, answer
        assert answer["error"]["code"] == "invalid_field" and answer["error"]["field"] == "category"
    assert await _everything() == before


@pytest.mark.parametrize(
    "reward_id", [str(2**63), str(10**30), "١", "１", "٣٢", "1.0", "-1", "0", "+1", " 1", "1e3"]
)
async def test_a_reward_id_that_is_not_a_plain_stored_integer_is_refused(
    mini: Mini, reward_id: str
) -> None:
    await new_member(ALICE, points=500)
    await _reward(100)  # id 1: "١" must not be read as it
    before = await _everything()
    status, body = await mini.call(
        "POST", f"/rewards/{reward_id}/redeem", user=ALICE, idem="key-0003"
    )
    assert status in (404, 422), body
    assert body["error"]["code"] in ("invalid_field", "reward_unavailable")
    assert body["error"]["message"]
    assert await _everything() == before
    async with mini.client.get(f"/app/api/rewards/{reward_id}/photo") as photo:
        assert photo.status == 404


@pytest.mark.parametrize("page", [str(2**63), "١", "-1", "1.5", "x", "10" * 40])
async def test_a_history_page_that_is_not_a_plain_integer_is_422(mini: Mini, page: str) -> None:
    await new_member(ALICE)
    status, body = await mini.call("GET", f"/history?page={page}", user=ALICE)
    assert status == 422 and body["error"]["field"] == "page", body


@pytest.mark.parametrize("amount", [2**63, 10**30, -(2**63)])
async def test_a_huge_amount_is_refused_not_a_500(mini: Mini, amount: int) -> None:
    await _cashier()
    alice = await new_member(ALICE)
    body = {"member": alice.code, "amount_minor": amount}
    for path in ("/purchases/quote", "/purchases"):
        status, answer = await mini.call("POST", path, user=CASHIER, json=body, idem="scr-0004")
        assert status == 422, answer


@pytest.mark.parametrize(("language", "said"), [("en", "Brought over"), ("zh-Hans", "转入")])
async def test_an_imported_opening_balance_reads_as_a_sentence(
    mini: Mini, language: str, said: str
) -> None:
    """Not as the raw key ``miniapp-history-opening`` (the lines are built at run time)."""
    member = await new_member(ALICE, language=language)
    async with write_transaction() as conn:
        locked = await ledger.lock_member(conn, member.id)
        await ledger.credit(
            conn,
            locked,
            700,
            kind=EntryKind.OPENING,
            key=f"opening:{member.id}",
            expires_at=None,
            now=clock.now(),
        )
    for path in ("/me", "/history"):
        status, body = await mini.call("GET", path, user=ALICE)
        lines = body["history"] if path == "/me" else body["lines"]
        [line] = [x for x in lines if x["kind"] == "opening"]
        assert status == 200 and "miniapp-" not in line["text"] and said in line["text"], line
