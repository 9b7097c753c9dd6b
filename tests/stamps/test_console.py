"""Stamp cards in the console: the chat's operations, audited as ``console``; a refused
write writes nothing; pause/resume; the page shows the cups and figures."""

from __future__ import annotations

from models.store import clock
from models.store.tables import AuditLog, Reward, StampCardType
from tests.console.conftest import MARKETER, Console, written

API = "/console/api/stamps"


async def test_create_list_pause_resume(console: Console) -> None:
    reward = await Reward.create(
        names={"en": "Free coffee", "zh-Hans": "免费咖啡"},
        kind="gift",
        cost_points=0,
        created_at=clock.now(),
    )
    marketer = await console.log_in(MARKETER)
    before = await written()
    bad = {"name_en": "Coffee", "stamps_needed": 10}  # neither a reward nor points
    status, answer, _ = await console.call("POST", API, as_=marketer, json=bad, idem="k0")
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (
        422,
        "invalid_card_type",
        "reward",
    )
    assert await written() == before and await StampCardType.all().count() == 0
    good = {
        "name_en": "Coffee card",
        "name_zh": "咖啡卡",
        "stamps_needed": 10,
        "per_item": "false",
        "category": "coffee",
        "reward_id": reward.id,
        "lifetime_days": 90,
        "daily_limit": 0,
    }
    status, answer, _ = await console.call("POST", API, as_=marketer, json=good, idem="k1")
    assert status == 201, answer
    again = await console.call("POST", API, as_=marketer, json=good, idem="k1")
    assert again[0] == 200 and await StampCardType.all().count() == 1
    row = await StampCardType.get()
    assert (row.names, row.category, row.daily_limit, row.lifetime_days) == (
        {"en": "Coffee card", "zh-Hans": "咖啡卡"},
        "coffee",
        None,
        90,
    )
    audit = await AuditLog.get(action="stampcard.create")
    assert (audit.actor_kind, audit.actor_telegram_id) == ("console", MARKETER)

    status, listed, _ = await console.call("GET", API, as_=marketer)
    (item,) = listed["items"]
    assert (item["cups"], item["reward"], item["started"]) == ("○" * 10, "Free coffee", 0)
    status, page, _ = await console.call("GET", "/console/stamps", as_=marketer)
    assert status == 200 and "Coffee card" in page and "○○○○○○○○○○" in page

    path = f"{API}/{row.id}/pause"
    status, moved, _ = await console.call("POST", path, as_=marketer, idem="p1")
    assert (status, moved["status"]) == (200, "paused")
    status, moved, _ = await console.call("POST", f"{API}/{row.id}/resume", as_=marketer, idem="r1")
    assert (status, moved["status"]) == (200, "active")
    status, _, _ = await console.call("POST", f"{API}/999/pause", as_=marketer, idem="p2")
    assert status == 404
    assert await AuditLog.filter(action__in=["stampcard.pause", "stampcard.resume"]).count() == 2


async def test_edit_is_audited_and_refusals_write_nothing(console: Console) -> None:
    marketer = await console.log_in(MARKETER)
    body = {"name_en": "Coffee card", "stamps_needed": 10, "reward_points": 100}
    status, made, _ = await console.call("POST", API, as_=marketer, json=body, idem="c")
    path = f"{API}/{made['id']}"
    before = await written()
    wrong = body | {"stamps_needed": 10, "reward_points": 0}
    status, answer, _ = await console.call("POST", path, as_=marketer, json=wrong, idem="e0")
    assert (status, answer["error"]["code"]) == (422, "invalid_card_type")
    assert await written() == before
    huge = body | {"min_amount_minor": 2**53}  # past the document's maximum (schemathesis)
    status, answer, _ = await console.call("POST", path, as_=marketer, json=huge, idem="e9")
    assert (status, answer["error"]["field"]) == (422, "min_amount_minor"), answer
    assert await written() == before
    status, _, _ = await console.call(
        "POST", path, as_=marketer, json=body | {"stamps_needed": 8}, idem="e1"
    )
    assert status == 200
    assert (await StampCardType.get()).stamps_needed == 8
    assert await AuditLog.filter(action="stampcard.edit").count() == 1
    status, _, _ = await console.call("POST", f"{API}/999", as_=marketer, json=body, idem="e2")
    assert status == 404
