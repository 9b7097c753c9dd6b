"""Adjusting points in the console is the chat's /adjust: the same ledger operation, the
member's notice queued with it, the line in their /history; admins only, keyed once."""

from __future__ import annotations

from api.console import PREFIX
from models.ledger import history
from models.store.tables import AuditLog, IdempotencyRecord, LedgerEntry, Member, OutboxMessage
from tests.console.conftest import ADMIN, MARKETER, MEMBER, Console, new_member, written


def adjustments(member: Member) -> str:
    return f"{PREFIX}/api/members/{member.code}/adjustments"


async def test_an_adjustment_is_the_chats_adjust(console: Console) -> None:
    member = await new_member(MEMBER, points=100)
    admin = await console.log_in(ADMIN)
    status, body, _ = await console.call(
        "POST", adjustments(member), as_=admin, json={"points": 50, "reason": "goodwill"}, idem="a1"
    )
    assert status == 201, body
    assert body == {"code": member.code, "points": 50, "before": 100, "balance": 150}
    assert (await Member.get(id=member.id)).balance == 150
    entry = await LedgerEntry.get(member_id=member.id, kind="adjust")
    assert (entry.points, entry.reason, entry.channel) == (50, "goodwill", "console")
    audit = await AuditLog.get(action="points.adjust")
    assert (audit.actor_kind, audit.actor_telegram_id) == ("console", ADMIN)
    notice = await OutboxMessage.get(chat_id=MEMBER, template="till-adjust-member")
    assert notice.args["points"] == 50 and notice.args["reason"] == "goodwill"
    page = await history.page(member.id)
    assert page.lines[0].kind == "adjust" and page.lines[0].reason == "goodwill"
    # the member page shows it, explained
    status, shown, _ = await console.call("GET", f"{PREFIX}/api/members/{member.code}", as_=admin)
    assert shown["balance"] == 150
    assert shown["history"]["lines"][0]["text"] == "Adjusted: goodwill"
    assert shown["audit"][0]["action"] == "points.adjust"


async def test_a_retry_replays_and_another_body_is_409(console: Console) -> None:
    member = await new_member(MEMBER, points=100)
    admin = await console.log_in(ADMIN)
    body = {"points": -30, "reason": "duplicate"}
    first = await console.call("POST", adjustments(member), as_=admin, json=body, idem="k")
    again = await console.call("POST", adjustments(member), as_=admin, json=body, idem="k")
    assert first[0] == 201 and again[0] == 200
    assert again[1] == first[1] and again[2]["Idempotent-Replayed"] == "true"
    before = await written()
    other = await console.call(
        "POST", adjustments(member), as_=admin, json={"points": -31, "reason": "x"}, idem="k"
    )
    assert (other[0], other[1]["error"]["code"]) == (409, "idempotency_conflict")
    assert await written() == before
    assert (await Member.get(id=member.id)).balance == 70
    assert await LedgerEntry.filter(kind="adjust").count() == 1


async def test_refusals_write_nothing(console: Console) -> None:
    member = await new_member(MEMBER, points=100)
    admin, marketer = await console.log_in(ADMIN), await console.log_in(MARKETER)
    before = await written()
    url = adjustments(member)
    cases = [
        (marketer, {"points": 5, "reason": "x"}, "k1", 403, "admins_only"),
        (admin, {"points": -101, "reason": "too much"}, "k2", 422, "insufficient_points"),
        (admin, {"points": 0, "reason": "none"}, "k3", 422, "invalid_field"),
        (admin, {"points": 5}, "k4", 422, "invalid_field"),
        (admin, {"points": 5, "reason": "  "}, "k5", 422, "invalid_field"),
        (admin, {"points": 1.5, "reason": "x"}, "k6", 422, "invalid_field"),
        (admin, {"points": 5, "reason": "x", "extra": 1}, "k7", 422, "invalid_field"),
        (admin, {"points": 5, "reason": "x"}, None, 400, "idempotency_key_required"),
    ]
    for caller, body, key, status, code in cases:
        got = await console.call("POST", url, as_=caller, json=body, idem=key)
        assert (got[0], got[1]["error"]["code"]) == (status, code), (body, got[1])
        assert got[1]["error"]["message"]
    missing = await console.call(
        "POST",
        f"{PREFIX}/api/members/NOPE0000/adjustments",
        as_=admin,
        json={"points": 1, "reason": "x"},
        idem="k8",
    )
    assert missing[0] == 404
    assert await written() == before
    assert await IdempotencyRecord.all().count() == 0
    # the refused overdraw's key is free for the corrected request
    fixed = await console.call(
        "POST", url, as_=admin, json={"points": -100, "reason": "too much"}, idem="k2"
    )
    assert fixed[0] == 201 and fixed[1]["balance"] == 0
