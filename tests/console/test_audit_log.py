"""The audit log in the console: searched by who, what and when, newest first, a page at
a time by keyset; a hostile query string is refused naming the parameter (or finds
nothing), never a 5xx, never a wildcard that widens the search."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from models.store import audit, clock
from models.store.tables import AuditLog
from tests.console.conftest import ADMIN, MARKETER, Console, new_member

API = "/console/api/audit"


async def _trail() -> None:
    await new_member(MARKETER)  # "Member9100"
    for i in range(7):
        await audit.record("role.grant", actor_telegram_id=MARKETER, target=str(i))
    await audit.record("rules.update", actor_telegram_id=ADMIN, actor_kind="console")
    await audit.record("roleXgrant", actor_telegram_id=ADMIN)  # a LIKE wildcard would find it


async def test_hostile_query_strings_are_refused_or_find_nothing(console: Console) -> None:
    await _trail()
    admin = await console.log_in(ADMIN)
    refused = {
        "action=%25": "action",
        "action=role%27%20OR%201%3D1--": "action",
        "from=2020-13-45": "from",
        "from=yesterday": "from",
        "from=0001-01-01": "from",  # past what a zone and PostgreSQL's driver can hold
        "to=9999-12-31": "to",
        "to=3000-01-01": "to",
        "before=abc": "before",
        "before=-1": "before",
        "limit=0": "limit",
        "limit=100000": "limit",
        "actor=" + "x" * 65: "actor",
        "actor=a%00b": "actor",
        "sort=id": "sort",
    }
    for query, field in refused.items():
        status, got, _ = await console.call("GET", f"{API}?{query}", as_=admin)
        assert (status, got["error"]["code"], got["error"]["field"]) == (
            422,
            "invalid_field",
            field,
        ), (query, got)
    for actor in ("%", "_", "' OR ''='", "\\", "名字", "1" * 40):
        status, got, _ = await console.call("GET", f"{API}?actor={quote(actor)}", as_=admin)
        assert status == 200 and got["entries"] == [], (actor, got)
    status, got, _ = await console.call("GET", f"{API}?from=2020-02-01&to=2020-01-01", as_=admin)
    assert status == 200 and got["entries"] == []
    status, got, _ = await console.call("GET", f"{API}?action=role_", as_=admin)
    assert status == 200 and got["entries"] == []
    status, html, _ = await console.call("GET", "/console/audit?from=nope", as_=admin)
    assert status == 200 and "check “from”" in html


async def test_search_by_actor_action_and_dates_pages_by_keyset(console: Console) -> None:
    await _trail()
    admin = await console.log_in(ADMIN)
    status, got, _ = await console.call(
        "GET", f"{API}?actor=member9100&action=role.&limit=3", as_=admin
    )
    assert status == 200
    first = got["entries"]
    assert [e["actor"] for e in first] == ["Member9100"] * 3
    assert [e["target"] for e in first] == ["6", "5", "4"]
    seen = [e["id"] for e in first]
    cursor = got["next"]
    while cursor:
        # a row written while paging does not shift the pages
        await audit.record("role.grant", actor_telegram_id=MARKETER, target="late")
        _, got, _ = await console.call(
            "GET", f"{API}?actor=member9100&action=role.&limit=3&before={cursor}", as_=admin
        )
        seen += [e["id"] for e in got["entries"]]
        cursor = got["next"]
    assert len(seen) == len(set(seen)) == 7
    _, got, _ = await console.call("GET", f"{API}?actor={ADMIN}&action=rules.update", as_=admin)
    assert [e["action"] for e in got["entries"]] == ["rules.update"]
    today = clock.now().date()
    tomorrow = today + timedelta(days=1)
    _, got, _ = await console.call("GET", f"{API}?from={tomorrow}", as_=admin)
    assert got["entries"] == []
    _, got, _ = await console.call("GET", f"{API}?from={today}&to={today}&limit=200", as_=admin)
    assert len(got["entries"]) == await AuditLog.all().count()


async def test_the_page_in_both_languages_and_admins_only(console: Console) -> None:
    await _trail()
    marketer = await console.log_in(MARKETER)
    status, got, _ = await console.call("GET", API, as_=marketer)
    assert (status, got["error"]["code"]) == (403, "admins_only")
    admin = await console.log_in(ADMIN)
    status, html, _ = await console.call("GET", "/console/audit?action=role.", as_=admin)
    assert status == 200 and "Audit log" in html and "Member9100" in html
    assert "rules.update" not in html
    await new_member(ADMIN, language="zh-Hans")
    chinese = await console.log_in(ADMIN)
    status, html, _ = await console.call("GET", "/console/audit", as_=chinese)
    assert status == 200 and "审计日志" in html
