"""What a member's screen states is what happens: the expiry /balance states, and a
Redeem on a screen the balance has outgrown.

Regressions: /balance said "92 points expire on …" when 1,771 expired that day (five lots
at different instants of one local day; only the first instant was summed), and a stale
Redeem opened a Confirm that could only be refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from models import ledger
from models.ledger import rule_versions
from models.members import membership
from models.store import clock
from models.store.tables import Member, PendingAction, PointLot, Reward, Voucher
from tests.api.conftest import Api, new_member
from tests.chat.conftest import Rig
from tests.miniapp.conftest import Mini

SHOP = ZoneInfo("Asia/Shanghai")
LOTS = (92, 500, 679, 300, 200)  # 1,771 in all, expiring on one local day
LOCAL_TIMES = ((0, 5), (7, 59), (8, 0), (16, 30), (23, 59))  # 00:05 local is the day before in UTC


def expiry_day() -> datetime:
    """A local day ten days ahead (inside the reminder lead, so every face mentions it)."""
    day = (clock.now().astimezone(SHOP) + timedelta(days=10)).date()
    return datetime(day.year, day.month, day.day, tzinfo=SHOP)


async def lots_expiring_on_one_local_day(member: Member) -> str:
    """Five lots of :data:`LOTS` on one local day, one more the next day; the date."""
    day = expiry_day()
    for n, points in enumerate((*LOTS, 1000)):
        done = await ledger.grant_bonus(member.id, points, idempotency_key=f"lot{n}", reason="t")
        assert isinstance(done, ledger.spending.Credited), done
        hour, minute = LOCAL_TIMES[n] if n < len(LOTS) else (0, 10)
        at = day.replace(hour=hour, minute=minute) + timedelta(days=0 if n < len(LOTS) else 1)
        await PointLot.filter(entry_id=done.entry_id).update(expires_at=at.astimezone(UTC))
    return day.strftime("%Y-%m-%d")


async def test_balance_sums_every_lot_of_the_soonest_local_day(till: Rig) -> None:
    alice = till.member(1001, "Alice")
    await alice.send("/start")
    date = await lots_expiring_on_one_local_day(await till.member_row(alice))
    await alice.send("/balance")
    assert f"1,771 points expire on {date}" in alice.last_text


async def test_chinese_balance_sums_the_day_too(till: Rig) -> None:
    lan = till.member(1002, "Lan", language_code="zh-hans")
    await lan.send("/start")
    date = await lots_expiring_on_one_local_day(await till.member_row(lan))
    await lan.send("/balance")
    assert f"1,771 积分将于 {date} 过期" in lan.last_text


async def test_mini_app_and_api_state_the_same_sum(mini: Mini, api: Api) -> None:
    member = await new_member(7001)
    date = await lots_expiring_on_one_local_day(member)
    status, me = await mini.call("GET", "/me", user=7001)
    assert status == 200 and me["expiring"]["points"] == sum(LOTS), me["expiring"]
    assert date in me["expiring"]["text"]
    status, found, _ = await api.call("GET", f"/members/{member.code}")
    assert status == 200 and found["expiring_soon"]["points"] == sum(LOTS)
    view = await membership.balance_view(member, (await rule_versions.current())[1], "UTC")
    assert view.expiring is not None and view.expiring.points < sum(LOTS)  # UTC days differ


async def test_a_stale_redeem_is_refused_before_any_confirm(till: Rig) -> None:
    gus = till.member(1003, "Gus")
    await gus.send("/start")
    row = await till.member_row(gus)
    await ledger.grant_bonus(row.id, 350, idempotency_key="seed", reason="t")
    await Reward.create(
        names={"en": "Coffee"}, kind="gift", cost_points=300, created_at=clock.now()
    )
    await gus.send("/rewards")
    await gus.press("Coffee")
    details = gus.last_message
    assert any("Redeem" in b["text"] for b in details.buttons)
    await ledger.spend(row.id, 300, idempotency_key="elsewhere", reason="t")  # balance now 50
    await gus.press("Redeem", message=details)
    assert "you need 250 more (you have 50)" in gus.last_text
    assert not any("Confirm" in b["text"] for b in gus.last_message.buttons)
    assert await PendingAction.filter(kind="member-redeem").count() == 0
    assert await Voucher.all().count() == 0
