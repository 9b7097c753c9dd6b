"""Finding members: by name, phone, code or external id; filters; keyset pages that see
every member once; the member's page; the export of the current selection."""

from __future__ import annotations

import base64
import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

from api.console import PREFIX
from models import ledger
from models.members import directory
from models.store import clock
from models.store.tables import AuditLog, Member
from tests.console.conftest import ADMIN, MARKETER, Console, new_member

LIST = f"{PREFIX}/api/members"


async def _people() -> dict[str, Member]:
    people = {
        "wang": await new_member(
            9601, points=300, first_name="Wang", last_name="Fang", phone="+8613800138000"
        ),
        "li": await new_member(
            9602, points=20, first_name="李", last_name="雷", external_id="shop-7"
        ),
        "bob": await new_member(9603, points=0, first_name="Bob", last_name="Wang_x"),
    }
    await Member.filter(id=people["wang"].id).update(tier="silver")
    await ledger.earn_for_purchase(people["li"].id, 1000, "CNY", idempotency_key="li-1")
    return people


async def test_search_by_name_phone_code_and_external_id(console: Console) -> None:
    people = await _people()
    marketer = await console.log_in(MARKETER)

    async def codes(**query: str) -> list[str]:
        status, body, _ = await console.call("GET", f"{LIST}?{urlencode(query)}", as_=marketer)
        assert status == 200, body
        return [item["code"] for item in body["items"]]

    wang, li, bob = (people[k].code for k in ("wang", "li", "bob"))
    assert sorted(await codes(q="wang")) == sorted([wang, bob])
    assert await codes(q="wang fang") == [wang]
    assert await codes(q="李") == [li]
    assert await codes(q="8000") == [wang]  # the last digits of a phone
    assert await codes(q="+86 138 0013 8000") == [wang]
    assert await codes(q=wang.lower()) == [wang]
    assert await codes(q="shop-7") == [li]
    assert await codes(q="%") == [] and await codes(q="_") == [bob]  # literal wildcards
    assert await codes(tier="silver") == [wang]
    assert await codes(visit="within", days="7") == [li]
    assert sorted(await codes(visit="never")) == sorted([wang, bob])
    assert await codes(sort="balance", order="desc") == [wang, li, bob]
    _status, body, _ = await console.call("GET", f"{LIST}?q=wang", as_=marketer)
    phones = {item["code"]: item["phone"] for item in body["items"]}
    assert phones[wang] == "•••8000"  # marketers see the last digits; admins the number


async def test_keyset_pages_see_every_member_once_in_order(console: Console) -> None:
    now = clock.now()
    for i in range(23):
        member = await new_member(9700 + i, first_name=f"P{i:02d}")
        last = now - timedelta(days=i % 5) if i % 3 else None
        await Member.filter(id=member.id).update(balance=i % 7, last_purchase_at=last)
    admin = await console.log_in(ADMIN)
    for sort in directory.Sort:
        for order in ("asc", "desc"):
            seen: list[str] = []
            cursor = ""
            while True:
                query = {"sort": sort.value, "order": order, "limit": "5", "cursor": cursor}
                status, body, _ = await console.call(
                    "GET", f"{LIST}?{urlencode({k: v for k, v in query.items() if v})}", as_=admin
                )
                assert status == 200, body
                seen += [item["code"] for item in body["items"]]
                if body["next"] is None:
                    break
                cursor = body["next"]
            everyone = await Member.filter(deleted_at=None, enrolled=True)
            assert sorted(seen) == sorted(m.code for m in everyone), (sort, order)
            assert len(seen) == len(set(seen))
            if sort is directory.Sort.BALANCE:
                balances = [next(m.balance for m in everyone if m.code == c) for c in seen]
                assert balances == sorted(balances, reverse=order == "desc")


async def test_segment_filter_and_bad_input(console: Console) -> None:
    people = await _people()
    admin = await console.log_in(ADMIN)
    status, body, _ = await console.call("GET", f"{LIST}?segment=new", as_=admin)
    assert status == 200
    assert {i["code"] for i in body["items"]} == {m.code for m in people.values()}
    assert (await console.call("GET", f"{LIST}?segment=champions", as_=admin))[1]["items"] == []
    year_one = base64.urlsafe_b64encode(b'[0,"0001-01-01T00:00:00+08:00",1]').decode()
    queries = ("cursor=%21%21", "sort=height", "limit=0", "days=x", "colour=red")
    for query in (*queries, f"sort=last_purchase&cursor={year_one}"):
        status, body, _ = await console.call("GET", f"{LIST}?{query}", as_=admin)
        assert status == 422, (query, body)


async def test_the_member_page_and_its_fragments(console: Console) -> None:
    people = await _people()
    admin, marketer = await console.log_in(ADMIN), await console.log_in(MARKETER)
    li = people["li"].code
    status, html, _ = await console.call("GET", f"{PREFIX}/members/{li}", as_=admin)
    assert status == 200, html
    assert "李 雷" in html and 'id="adjust"' in html and "Purchase" in html
    status, html, _ = await console.call("GET", f"{PREFIX}/members/{li}", as_=marketer)
    assert status == 200 and 'id="adjust"' not in html  # marketers may not adjust
    status, html, _ = await console.call("GET", f"{PREFIX}/members/{li}/history?page=0", as_=admin)
    assert status == 200 and "<ol" in html
    status, html, _ = await console.call("GET", f"{PREFIX}/members?q=wang", as_=admin)
    assert status == 200 and people["wang"].code in html and people["li"].code not in html
    status, html, _ = await console.call("GET", f"{PREFIX}/members/rows?q=wang", as_=admin)
    assert status == 200 and 'hx-swap-oob="true"' in html
    for code in ("NOPE0000", "X" * 43, "𝕿𝖍𝖊", "a-b"):
        assert (await console.call("GET", f"{PREFIX}/api/members/{code}", as_=admin))[0] == 404
    status, body, _ = await console.call("GET", f"{PREFIX}/api/members/{li}", as_=admin)
    assert body["lots"] and body["purchases"][0]["amount_minor"] == 1000


async def test_the_export_is_the_selection(console: Console) -> None:
    people = await _people()
    admin = await console.log_in(ADMIN)
    await Member.filter(id=people["bob"].id).update(first_name="=HYPERLINK(1)")
    status, text, headers = await console.call(
        "GET", f"{PREFIX}/api/exports/members?q=fang&sort=balance&format=csv", as_=admin
    )
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[1] for r in rows[1:]] == [people["wang"].code]
    status, text, _ = await console.call(
        "GET", f"{PREFIX}/api/exports/members?sort=balance&order=asc&format=csv", as_=admin
    )
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[1] for r in rows[1:]] == [people[k].code for k in ("bob", "li", "wang")]
    assert rows[1][2] == "'=HYPERLINK(1)"  # the safe writer neutralised the formula
    audit = await AuditLog.filter(action="report.export").order_by("-id").first()
    assert audit is not None and audit.actor_kind == "console"
    assert audit.details["selection"]["sort"] == "balance"
    status, _, headers = await console.call(
        "GET", f"{PREFIX}/api/exports/members?format=xlsx", as_=admin
    )
    assert status == 200 and "spreadsheetml" in headers["Content-Type"]
