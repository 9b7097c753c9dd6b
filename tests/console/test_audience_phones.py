"""The audience builder's member list takes phone numbers as well as member codes: each
phone is normalised as the rest of jifen does (the shop's country for local numbers)
and matched exactly; what it cannot read is listed, never silently dropped."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from models.store import clock
from models.store.tables import Campaign, CampaignMember
from tests.console.conftest import ADMIN, MARKETER, Console, new_member, written

API = "/console/api/campaigns"


async def _seed() -> tuple[str, str]:
    by_phone = await new_member(5301, phone="+8613800138000")
    by_code = await new_member(5302)
    await new_member(5303, phone="+8613900139000")  # not on the list
    return by_phone.code, by_code.code


async def test_unreadable_and_unknown_phones_are_listed(console: Console) -> None:
    await _seed()
    marketer = await console.log_in(MARKETER)
    listed = "12345, +86 139 0000 0000, hello world"
    status, found, _ = await console.call(
        "GET", f"{API}/audience-count?audience=members&codes={quote(listed)}", as_=marketer
    )
    assert status == 200 and found["size"] == 0, found
    assert found["unread"] == ["+86 139 0000 0000"], "a phone nobody has"
    assert found["unknown_codes"] == ["12345", "HELLO", "WORLD"], "read as codes nobody has"
    status, html, _ = await console.call(
        "GET", f"/console/campaigns/count?audience=members&codes={quote(listed)}", as_=marketer
    )
    assert "3 unknown member co" in html
    assert "Could not read" in html and "+86 139 0000 0000" in html


async def test_phones_in_any_form_find_their_members(console: Console) -> None:
    _, code = await _seed()
    marketer = await console.log_in(MARKETER)
    listed = f"138 0013 8000, {code.lower()}; +8613800138000, nope-12x"
    status, found, _ = await console.call(
        "GET", f"{API}/audience-count?audience=members&codes={quote(listed)}", as_=marketer
    )
    assert status == 200, found
    assert found["size"] == 2 and found["unread"] == []
    assert found["unknown_codes"] == ["NOPE-12X"]
    await new_member(ADMIN, language="zh-Hans")
    chinese = await console.log_in(ADMIN)
    status, html, _ = await console.call(
        "GET", f"/console/campaigns/count?audience=members&codes={quote('99999')}", as_=chinese
    )
    assert "1 个未知的会员编号" in html, "a number that is no phone is a code nobody has"


async def test_a_campaign_for_phones_targets_their_members(console: Console) -> None:
    phone_code, code = await _seed()
    admin = await console.log_in(ADMIN)
    body = {
        "name_en": "Phones",
        "kind": "bonus",
        "bonus_points": 5,
        "audience": "members",
        "codes": f"0086 138-0013-8000, {code}, 55555",
        "starts_at": (clock.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "ends_at": (clock.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
    }
    before = await written()
    status, made, _ = await console.call("POST", API, as_=admin, json=body, idem="p1")
    assert status == 201, made
    assert made["audience_size"] == 2 and made["unread"] == [], "55555 is a code nobody has"
    row = await Campaign.get(id=made["id"])
    assert set(row.audience["codes"]) == {phone_code, code}
    assert await CampaignMember.filter(campaign_id=row.id).count() == 2
    assert (await written())["audit"] > before["audit"]
