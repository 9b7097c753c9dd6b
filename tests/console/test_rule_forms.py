"""The console's rules forms: every rule field the chat's editor lacks (multiplier lists,
usage, tiers in both languages, event rules, in-bot bonuses). A bad value is refused
naming the field in the reader's language and writes nothing; a save is a new audited
rule version the till and the events API use at once."""

from __future__ import annotations

from typing import Any

from models import ledger
from models.ledger import events, rule_versions
from models.ledger.results import PurchaseRecorded
from models.store.tables import AuditLog, LedgerEntry, RuleVersion
from tests.console.conftest import ADMIN, MARKETER, MEMBER, Console, new_member, written

API = "/console/api/rules/forms"


async def version() -> int:
    return (await rule_versions.current())[0].id


async def save(console: Console, caller: Any, form: str, body: dict, key: str) -> Any:
    return await console.call(
        "POST", f"{API}/{form}", as_=caller, json={"version": await version(), **body}, idem=key
    )


BAD = [
    ("multipliers", {"cat_key_1": "tea", "cat_mult_1": "abc"}, "Category multiplier (row 2)"),
    ("multipliers", {"cat_key_1": "tea", "cat_mult_1": "101"}, "at most 100"),
    ("multipliers", {"sku_key_0": "bad sku!", "sku_mult_0": "2"}, "SKU (row 1)"),
    ("multipliers", {"cat_key_1": "coffee", "cat_mult_1": "2"}, "Category (row 2)"),
    ("usage", {"share": "101"}, "Most of a bill paid with points (%)"),
    ("usage", {"share": "-5"}, "at least 0"),
    ("usage", {"refund": "keep_it"}, "Refund of spent points"),
    ("usage", {"pay": "yes"}, "Points as payment"),
    ("usage", {"maxday": "1.5"}, "Redemptions per day"),
    ("tiers", {"t_thr_1": "0"}, "Silver: From"),
    ("tiers", {"t_mult_2": "-1"}, "Gold: Points ×"),
    ("tiers", {"t_name_en_1": ""}, "Silver: Name (English)"),
    ("tiers", {"window": "0"}, "Review period (days)"),
    ("events", {"ev_type_0": "Bad Type!", "ev_points_0": "5"}, "Event type (row 1)"),
    ("events", {"ev_type_0": "review.written", "ev_points_0": "0"}, "Points (row 1)"),
    (
        "events",
        {"ev_type_0": "review", "ev_points_0": "5", "ev_from_0": "2026-02-30"},
        "Valid from",
    ),
    (
        "events",
        {"ev_type_0": "review", "ev_points_0": "5", "ev_to_0": "9999-12-31"},
        "Valid to",
    ),
    (
        "events",
        {
            "ev_type_0": "review",
            "ev_points_0": "5",
            "ev_from_0": "2026-03-01",
            "ev_to_0": "2026-01-01",
        },
        "Valid to (row 1)",
    ),
    ("events", {"ev_type_0": "review", "ev_points_0": "5", "ev_channels_0": "POS!"}, "Channels"),
    ("bonuses", {"b_joined": "-1"}, "Joining"),
    ("bonuses", {"b_joined": "2000000"}, "at most 1000000"),
    ("bonuses", {"b_nope": "5"}, "cannot be used"),
    ("bonuses", {"b_joined": 5}, "cannot be used"),
]


async def test_bad_values_are_refused_naming_the_field_and_write_nothing(
    console: Console,
) -> None:
    admin = await console.log_in(ADMIN)
    before, versions = await written(), await RuleVersion.all().count()
    for i, (form, body, named) in enumerate(BAD):
        status, got, _ = await save(console, admin, form, body, f"bad{i}")
        assert (status, got["error"]["code"]) == (422, "invalid_rule"), (form, body, got)
        assert named in got["error"]["message"], (form, body, got["error"]["message"])
        assert got["error"]["message"].endswith("Nothing was changed.")
        # the preview says the same, and writes nothing either
        status, shown, _ = await console.call("POST", f"{API}/{form}/preview", as_=admin, json=body)
        assert status == 422 and shown["error"]["message"] == got["error"]["message"]
    assert await written() == before and await RuleVersion.all().count() == versions
    await new_member(ADMIN, language="zh-Hans")
    chinese = await console.log_in(ADMIN)
    status, got, _ = await save(console, chinese, "usage", {"share": "101"}, "zh1")
    assert status == 422 and "积分最多支付账单的比例" in got["error"]["message"]
    status, got, _ = await save(console, chinese, "tiers", {"t_thr_1": "0"}, "zh2")
    assert "银卡：起点" in got["error"]["message"]


async def test_refused_saves_by_who_and_when(console: Console) -> None:
    admin, marketer = await console.log_in(ADMIN), await console.log_in(MARKETER)
    seen = await version()
    before = await written()
    cases = [
        (marketer, "bonuses", {"version": seen, "b_joined": "5"}, 403, "admins_only"),
        (admin, "bonuses", {"version": seen + 5, "b_joined": "5"}, 409, "rules_stale"),
        (admin, "bonuses", {"b_joined": "5"}, 422, "invalid_field"),
        (admin, "nope", {"version": seen}, 404, "not_found"),
    ]
    for i, (caller, form, body, status, code) in enumerate(cases):
        got = await console.call("POST", f"{API}/{form}", as_=caller, json=body, idem=f"w{i}")
        assert (got[0], got[1]["error"]["code"]) == (status, code), got[1]
    assert await written() == before
    # marketers may look at a preview (it writes nothing)
    status, shown, _ = await console.call(
        "POST", f"{API}/bonuses/preview", as_=marketer, json={"b_joined": "5"}
    )
    assert status == 200 and shown["changes"][0]["new"] == "5"


async def test_multipliers_saved_here_are_what_the_till_earns(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    body = {"cat_key_0": "coffee", "cat_mult_0": "3", "sku_key_0": "LATTE-L", "sku_mult_0": "4"}
    status, shown, _ = await console.call(
        "POST", f"{API}/multipliers/preview", as_=admin, json=body
    )
    assert status == 200, shown
    assert {c["label"] for c in shown["changes"]} >= {"Category multiplier (row 1)", "SKU (row 1)"}
    status, saved, _ = await save(console, admin, "multipliers", body, "m1")
    assert status == 201, saved
    row = await RuleVersion.get(id=saved["version"])
    assert (row.source, row.created_by) == ("console", ADMIN)
    audit = await AuditLog.get(action="rules.update", target=f"rule_version:{row.id}")
    assert audit.actor_kind == "console"
    rules = (await rule_versions.current())[1]
    assert str(rules.earning.sku_multipliers["LATTE-L"]) == "4"
    member = await new_member(MEMBER, tier="gold")
    bought = await ledger.earn_for_purchase(
        member.id,
        shown["example"]["amount_minor"],
        "CNY",
        idempotency_key="till-1",
        category=shown["example"]["category"],
    )
    assert isinstance(bought, PurchaseRecorded)
    assert (await LedgerEntry.get(kind="earn")).points == shown["example"]["after"]
    # removing a row: an emptied key
    status, saved, _ = await save(console, admin, "multipliers", {"sku_key_0": ""}, "m2")
    assert status == 201
    assert (await rule_versions.current())[1].earning.sku_multipliers == {}


async def test_event_rules_and_bonuses_edited_here_apply_at_once(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    body = {
        "ev_type_0": "review.written",
        "ev_points_0": "30",
        "ev_day_0": "50",
        "ev_channels_0": "api",
    }
    status, saved, _ = await save(console, admin, "events", body, "e1")
    assert status == 201, saved
    status, saved, _ = await save(console, admin, "bonuses", {"b_profile": "15"}, "b1")
    assert status == 201, saved
    rules = (await rule_versions.current())[1]
    assert rules.events["review.written"].daily_cap_points == 50
    assert rules.bonuses.profile == 15 and rules.bonuses.joined == 0
    member = await new_member(MEMBER)
    got = []
    for n in range(2):
        recorded = await events.record(member.id, "review.written", f"r{n}", event_key=f"k:r{n}")
        assert not isinstance(recorded, events.UnknownMember)
        got.append(recorded.points)
    assert got == [30, 20]  # the day's cap of 50
    # tiers in both languages, perks as lines
    status, saved, _ = await save(
        console,
        admin,
        "tiers",
        {"t_name_zh_2": "黄金卡", "t_perks_en_2": "Free refill | Birthday cake", "window": "180"},
        "t1",
    )
    assert status == 201, saved
    tiers = (await rule_versions.current())[1].tiers
    assert tiers.window_days == 180 and tiers.levels[2].names["zh-Hans"] == "黄金卡"
    assert tiers.levels[2].perks["en"] == ["Free refill", "Birthday cake"]
    status, page, _ = await console.call("GET", "/console/rules", as_=admin)
    assert status == 200 and "黄金卡" in page and 'id="rules-form-events"' in page
    marketer = await console.log_in(MARKETER)
    status, page, _ = await console.call("GET", "/console/rules", as_=marketer)
    assert 'id="rules-form-events"' not in page


async def test_the_preview_fragment_in_both_languages(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    url = "/console/rules/forms/usage/preview"
    status, html, _ = await console.call("GET", f"{url}?version=1&share=50", as_=admin)
    assert status == 200 and "Nothing changes." in html
    status, html, _ = await console.call("GET", f"{url}?share=80&pay=on", as_=admin)
    assert "Most of a bill paid with points (%): 50 → 80" in html
    assert "points now" in html  # the example purchase, before and after
    status, html, _ = await console.call("GET", f"{url}?share=180", as_=admin)
    assert "at most 100" in html and 'id="rules-form-problem"' in html
    await new_member(ADMIN, language="zh-Hans")
    chinese = await console.log_in(ADMIN)
    status, html, _ = await console.call("GET", f"{url}?share=abc", as_=chinese)
    assert "无法" in html and "积分最多支付账单的比例" in html
