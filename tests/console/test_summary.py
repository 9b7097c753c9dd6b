"""The dashboard's figures are the HTTP API's: one function behind both routes."""

from __future__ import annotations

import pytest

from api.console import PREFIX
from models import ledger
from tests.console.conftest import ADMIN, Console, new_member


@pytest.mark.parametrize("period", ["7d", "today", "month", "30d"])
async def test_console_summary_equals_the_apis(console: Console, period: str) -> None:
    for i in range(3):
        member = await new_member(9500 + i, points=10 * i)
        await ledger.earn_for_purchase(
            member.id, 12850 + i * 100, "CNY", idempotency_key=f"p{i}", location="north"
        )
    admin = await console.log_in(ADMIN)
    status, mine, _ = await console.call(
        "GET", f"{PREFIX}/api/reports/summary?period={period}", as_=admin
    )
    assert status == 200
    status, theirs, _ = await console.call(
        "GET",
        f"/api/v1/reports/summary?period={period}",
        headers={"Authorization": f"Bearer {console.api_key}"},
    )
    assert status == 200
    assert mine == theirs
    assert mine["purchases"]["current"] == 3
    series = await console.call("GET", f"{PREFIX}/api/reports/series?period={period}", as_=admin)
    assert series[0] == 200 and sum(series[1]["purchases"]) == 3


async def test_a_bad_period_is_422(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    status, body, _ = await console.call(
        "GET", f"{PREFIX}/api/reports/summary?period=soon", as_=admin
    )
    assert (status, body["error"]["code"]) == (422, "invalid_period")


async def test_the_dashboard_page(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    status, html, headers = await console.call("GET", f"{PREFIX}/?period=30d", as_=admin)
    assert status == 200, html
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert 'data-chart="sales"' in html and "Sales" in html
    assert "<script>" not in html and " style=" not in html
