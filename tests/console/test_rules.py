"""Rules in the console are the chat's ``/rules``: the same parsing and validation, the
same example purchase (which is what the next purchase earns), a new audited rule version
the till uses at once; admins change, marketers read, a refused change writes nothing."""

from __future__ import annotations

from models import ledger
from models.ledger import rule_versions
from models.ledger.results import PurchaseRecorded
from models.marketing import campaigns
from models.store import clock
from models.store.tables import AuditLog, LedgerEntry, RuleVersion
from tests.console.conftest import ADMIN, MARKETER, MEMBER, Console, new_member, written
from tests.preview.players import double_points

API = "/console/api/rules"


async def version() -> int:
    return (await rule_versions.current())[0].id


async def test_a_change_previewed_in_the_console_is_what_the_till_then_earns(
    console: Console,
) -> None:
    await double_points("Double Day")
    admin = await console.log_in(ADMIN)
    seen = await version()
    status, preview, _ = await console.call("GET", f"{API}/preview?field=ppu&value=2", as_=admin)
    assert status == 200, preview
    # ¥128.50 of coffee (×1.5) by a Gold member (×1.2) on a Double Day (×2): as the chat says
    assert (preview["example"]["before"], preview["example"]["after"]) == (462, 925)
    assert "462 points now, 925 points after" in preview["example"]["text"]
    assert preview["version"] == seen
    status, saved, _ = await console.call(
        "POST",
        f"{API}/changes",
        as_=admin,
        json={"field": "ppu", "value": "2", "version": seen},
        idem="r1",
    )
    assert status == 201, saved
    assert saved["version"] > seen
    row = await RuleVersion.get(id=saved["version"])
    assert (row.source, row.created_by) == ("console", ADMIN)
    audit = await AuditLog.get(action="rules.update", target=f"rule_version:{row.id}")
    assert (audit.actor_kind, audit.actor_telegram_id) == ("console", ADMIN)
    # the till's next purchase uses it at once
    member = await new_member(MEMBER, tier="gold")
    now = clock.now()
    bought = await ledger.earn_for_purchase(
        member.id,
        preview["example"]["amount_minor"],
        "CNY",
        idempotency_key="till-1",
        category=preview["example"]["category"],
        campaigns=await campaigns.rules_at(now, "telegram"),
    )
    assert isinstance(bought, PurchaseRecorded), bought
    assert (await LedgerEntry.get(kind="earn")).points == 925
    # the page shows the new value and version
    status, page, _ = await console.call("GET", "/console/rules", as_=admin)
    assert status == 200 and f"Version {saved['version']}" in page


async def test_a_one_field_change_is_shown_on_the_purchase_it_is_about(console: Console) -> None:
    """As the chat's /rules: a category's multiplier on a purchase in that category, a
    tier's multiplier on a purchase by a member of that tier."""
    admin = await console.log_in(ADMIN)
    status, preview, _ = await console.call(
        "GET", f"{API}/preview?field=catm&value=tea%3D3", as_=admin
    )
    assert status == 200, preview
    assert preview["example"]["category"] == "tea"
    assert preview["example"]["after"] > preview["example"]["before"]
    status, preview, _ = await console.call("GET", f"{API}/preview?field=tm1&value=2", as_=admin)
    assert status == 200, preview
    assert preview["example"]["tier"] == "silver"
    assert preview["example"]["after"] > preview["example"]["before"]


async def test_the_preview_fragment_in_both_languages(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    status, html, _ = await console.call(
        "GET", "/console/rules/preview?field=ppu&value=2", as_=admin
    )
    assert status == 200 and "Points per unit" in html and "points after" in html
    status, html, _ = await console.call(
        "GET", "/console/rules/preview?field=ppu&value=-3", as_=admin
    )
    assert status == 200 and "cannot be used" in html and "at least" in html
    await new_member(ADMIN, language="zh-Hans")
    chinese = await console.log_in(ADMIN)
    status, html, _ = await console.call(
        "GET", "/console/rules/preview?field=ppu&value=abc", as_=chinese
    )
    assert status == 200 and "无法识别" in html, html


async def test_refused_changes_write_nothing(console: Console) -> None:
    admin, marketer = await console.log_in(ADMIN), await console.log_in(MARKETER)
    seen = await version()
    before, versions = await written(), await RuleVersion.all().count()
    url = f"{API}/changes"
    cases = [
        (marketer, {"field": "ppu", "value": "2", "version": seen}, "k1", 403, "admins_only"),
        (admin, {"field": "ppu", "value": "-1", "version": seen}, "k2", 422, "invalid_rule"),
        (admin, {"field": "ppu", "value": "two", "version": seen}, "k3", 422, "invalid_rule"),
        (admin, {"field": "nope", "value": "2", "version": seen}, "k4", 422, "invalid_rule"),
        (admin, {"field": "tt1", "value": "0", "version": seen}, "k5", 422, "invalid_rule"),
        (admin, {"field": "ppu", "value": "2", "version": seen + 9}, "k6", 409, "rules_stale"),
        (admin, {"field": "ppu", "value": 2, "version": seen}, "k7", 422, "invalid_field"),
        (admin, {"field": "ppu", "value": "2"}, "k8", 422, "invalid_field"),
        (
            admin,
            {"field": "ppu", "value": "2", "version": seen, "x": 1},
            "k9",
            422,
            "invalid_field",
        ),
        (
            admin,
            {"field": "ppu", "value": "2", "version": seen},
            None,
            400,
            "idempotency_key_required",
        ),
    ]
    for caller, body, key, status, code in cases:
        got = await console.call("POST", url, as_=caller, json=body, idem=key)
        assert (got[0], got[1]["error"]["code"]) == (status, code), (body, got[1])
        assert got[1]["error"]["message"]
    assert await written() == before
    assert await RuleVersion.all().count() == versions
    got = await console.call(
        "POST", url, as_=admin, json={"field": "ppu", "value": "-1", "version": seen}, idem="m"
    )
    assert got[1]["error"]["message"].startswith("That value for Points per unit cannot be used")


async def test_a_retry_replays_and_marketers_read(console: Console) -> None:
    admin, marketer = await console.log_in(ADMIN), await console.log_in(MARKETER)
    seen = await version()
    body = {"field": "eopp", "value": "on", "version": seen}
    first = await console.call("POST", f"{API}/changes", as_=admin, json=body, idem="same")
    again = await console.call("POST", f"{API}/changes", as_=admin, json=body, idem="same")
    assert first[0] == 201 and again[0] == 200 and again[1] == first[1]
    assert (await rule_versions.current())[1].usage.earn_on_points_payment is True
    assert await RuleVersion.filter(source="console").count() == 1
    status, shown, _ = await console.call("GET", API, as_=marketer)
    assert status == 200
    eopp = next(f for f in shown["fields"] if f["key"] == "eopp")
    assert (eopp["value"], eopp["shown"]) == (True, "On")
    assert shown["history"][0]["version"] == first[1]["version"]
    status, page, _ = await console.call("GET", "/console/rules", as_=marketer)
    assert status == 200 and "Only admins may change the rules." in page
    assert 'id="rule-change"' not in page
