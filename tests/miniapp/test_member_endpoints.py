"""The member's endpoints: card, balance, history, catalogue, redeem, vouchers."""

from __future__ import annotations

import asyncio

from models.members import privacy
from models.store import clock
from models.store.tables import AuditLog, Member, Reward, Voucher
from tests.api.conftest import new_member
from tests.miniapp.conftest import Mini, written

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


async def _reward(cost: int = 100, **fields: object) -> Reward:
    return await Reward.create(
        names={"en": "Latte", "zh-Hans": "拿铁"},
        kind="gift",
        cost_points=cost,
        created_at=clock.now(),
        **fields,
    )


async def test_me_shows_card_balance_tier_and_history(mini: Mini) -> None:
    alice = await new_member(301, points=120)
    status, me = await mini.call("GET", "/me", user=301)
    assert status == 200, me
    assert me["balance"] == 120 and isinstance(me["balance"], int)
    assert me["member"] == {"code": alice.code, "name": "Member301"}
    assert me["card"]["payload"] == f"m-{alice.card_token}"
    assert me["card"]["link"] == f"https://t.me/jifen_test_bot?start=m-{alice.card_token}"
    assert me["card"]["qr"].startswith("data:image/svg+xml;base64,")
    assert me["tier"]["key"] == "member" and 0 <= me["tier"]["percent"] <= 100
    assert me["tier"]["text"] and me["tier"]["name"]
    assert [line["points"] for line in me["history"]] == [120]
    assert me["expiring"] is None  # a year away

    _, zh = await mini.call("GET", "/me", user=301, language="zh-hans")
    assert zh["language"] == "en"  # the member's own setting wins over Telegram's
    status, session = await mini.call("GET", "/session", user=301)
    assert status == 200 and session["member"] is True and session["staff"] is None
    assert session["texts"]["tab-card"] == "Card"


async def test_language_from_telegram_when_not_a_member(mini: Mini) -> None:
    status, body = await mini.call("GET", "/session", user=302, language="zh-hans")
    assert status == 200 and body["language"] == "zh-Hans" and body["member"] is False
    assert body["texts"]["tab-card"] == "会员卡"
    status, body = await mini.call("GET", "/me", user=302, language="zh-hans")
    assert status == 404 and "Start" not in body["error"]["message"]


async def test_history_pages_and_refuses_a_bad_page(mini: Mini) -> None:
    await new_member(303, points=50)
    status, body = await mini.call("GET", "/history?page=0", user=303)
    assert status == 200 and body["pages"] == 1 and body["lines"][0]["kind"] == "bonus"
    status, body = await mini.call("GET", "/history?page=x", user=303)
    assert status == 422 and body["error"]["code"] == "invalid_field"


async def test_redeem_once_per_key_and_refusals_write_nothing(mini: Mini) -> None:
    await new_member(304, points=150)
    latte = await _reward(100, photo=PNG)
    gold = await _reward(500)
    status, body = await mini.call("GET", "/rewards", user=304)
    assert status == 200 and body["balance"] == 150
    by_id = {r["id"]: r for r in body["rewards"]}
    assert by_id[latte.id]["affordable"] and not by_id[gold.id]["affordable"]
    async with mini.client.get(by_id[latte.id]["photo"]) as photo:
        assert photo.status == 200 and await photo.read() == PNG

    before = await written()
    status, body = await mini.call("POST", f"/rewards/{gold.id}/redeem", user=304, idem="k-000001")
    assert status == 409 and body["error"]["code"] == "insufficient_points"
    assert "350" in body["error"]["message"]
    status, body = await mini.call("POST", f"/rewards/{latte.id}/redeem", user=304)
    assert status == 422 and body["error"]["code"] == "invalid_field"  # no key
    status, body = await mini.call("POST", "/rewards/999999/redeem", user=304, idem="k-000002")
    assert status == 404
    assert await written() == before

    # a double tap (two requests with one key) → one voucher, one deduction, one audit row
    path = f"/rewards/{latte.id}/redeem"
    first, second = await asyncio.gather(
        mini.call("POST", path, user=304, idem="k-000003"),
        mini.call("POST", path, user=304, idem="k-000003"),
    )
    assert first[0] == second[0] == 200
    assert first[1]["voucher"]["code"] == second[1]["voucher"]["code"]
    assert {first[1]["balance"], second[1]["balance"]} == {50}
    assert await Voucher.all().count() == 1
    assert await AuditLog.filter(action="reward.redeem", actor_kind="miniapp").count() == 1
    voucher = first[1]["voucher"]
    assert voucher["status"] == "issued" and voucher["qr"].startswith("data:image/svg+xml")

    status, held = await mini.call("GET", "/vouchers", user=304)
    assert status == 200 and [v["code"] for v in held["active"]] == [voucher["code"]]
    # another member's key space is their own: the same key is a new redemption for them
    await new_member(305, points=150)
    status, body = await mini.call("POST", path, user=305, idem="k-000003")
    assert status == 200 and body["voucher"]["code"] != voucher["code"]


async def test_page_and_documents_are_served(mini: Mini) -> None:
    async with mini.client.get("/app/") as page:
        assert page.status == 200
        html = await page.text()
        policy = page.headers["Content-Security-Policy"]
    assert "https://telegram.org/js/telegram-web-app.js" in html
    assert "script-src 'self' https://telegram.org/js/telegram-web-app.js;" in policy
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    async with mini.client.get("/app/static/app.js") as js:
        assert js.status == 200
    async with mini.client.get("/app/static/../__init__.py") as bad:
        assert bad.status == 404
    status, doc = await mini.call("GET", "/openapi.json")
    assert status == 200 and doc["openapi"] == "3.1.0" and "/scan" in doc["paths"]
    status, texts = await mini.call("GET", "/texts?lang=zh-CN")
    assert status == 200 and texts["language"] == "zh-Hans" and texts["texts"]["tab-scan"]


async def test_a_deleted_account_has_no_card(mini: Mini) -> None:
    member = await new_member(306, points=50)
    await privacy.delete_account(member.id, actor_telegram_id=306)
    status, body = await mini.call("GET", "/me", user=306)
    assert status == 404 and body["error"]["code"] == "not_a_member"
    status, body = await mini.call("GET", "/session", user=306)
    assert status == 200 and body["member"] is False


def test_every_endpoint_is_documented() -> None:
    from api.miniapp import routes
    from api.miniapp.openapi import document
    from tests.miniapp.conftest import TOKEN, mini_settings

    served = {
        (r.method.lower(), r.path.removeprefix("/app/api"))
        for r in routes(mini_settings(), bot_token=TOKEN, bot_username=lambda: None)
        if r.path.startswith("/app/api/") and r.path != "/app/api/openapi.json"
    }
    documented = {(m, p) for p, ops in document()["paths"].items() for m in ops}
    assert served == documented


async def test_first_visit_bonus_once_when_switched_on(mini: Mini) -> None:
    from models.ledger import rule_versions
    from models.ledger.config import ActionBonuses

    await new_member(310)
    _, me = await mini.call("GET", "/me", user=310)
    assert me["balance"] == 0  # off by default
    _, current = await rule_versions.current()
    on = current.model_copy(update={"bonuses": ActionBonuses(miniapp=15)})
    await rule_versions.save(on, created_by=None)
    visits = await asyncio.gather(*(mini.call("GET", "/me", user=310) for _ in range(4)))
    assert {body["balance"] for _, body in visits} == {15}
    _, again = await mini.call("GET", "/me", user=310)
    assert again["balance"] == 15 and [line["points"] for line in again["history"]] == [15]


async def test_a_tier_reached_is_shown_once(mini: Mini) -> None:
    from models import ledger

    alice = await new_member(311)
    got = await ledger.earn_for_purchase(alice.id, 600_000, "CNY", idempotency_key="up")
    assert got.upgraded_to == "gold"  # type: ignore[union-attr]
    _, me = await mini.call("GET", "/me", user=311)
    assert me["tier_up"]["tier"] == "gold" and me["tier_up"]["name"] == "Gold"
    assert me["tier_up"]["perks"] == ["20% more points", "Birthday gift"]
    assert "Gold" in me["tier_up"]["text"]
    _, again = await mini.call("GET", "/me", user=311)
    assert again["tier_up"] is None


async def test_staff_who_have_not_joined_get_their_tools_not_an_empty_card(mini: Mini) -> None:
    from models.access import staff
    from models.store.tables import Role

    await new_member(307, enrolled=False, language="zh-Hans")
    await staff.grant_role(307, Role.STAFF, granted_by=None)
    status, body = await mini.call("GET", "/me", user=307)
    assert status == 404 and body["error"]["code"] == "not_a_member"
    status, body = await mini.call("GET", "/session", user=307)
    assert status == 200 and body["member"] is False and body["staff"]["role"] == "staff"
    assert body["language"] == "zh-Hans" and body["hello"] == ""
    await Member.filter(telegram_id=307).update(enrolled=True)  # "Join as a member"
    status, body = await mini.call("GET", "/session", user=307)
    assert body["member"] is True and body["staff"]["role"] == "staff"
