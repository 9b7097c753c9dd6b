"""The marketer sets a stamp card up in chat (both languages), typing wrong things at
every step and pressing stale buttons; pause and resume; a member cannot."""

from __future__ import annotations

from models.access import staff
from models.store import clock
from models.store.tables import AuditLog, Reward, Role, StampCardType
from tests.chat.conftest import Rig
from tests.chat.test_marketing import marketer


async def test_marketer_sets_up_a_coffee_card_typing_wrong_things(rig: Rig) -> None:
    reward = await Reward.create(
        names={"en": "Free coffee", "zh-Hans": "免费咖啡"},
        kind="gift",
        cost_points=0,
        created_at=clock.now(),
    )
    mia = await marketer(rig)
    await mia.send("/stampcards")
    assert "No stamp cards yet" in mia.last_text
    await mia.press("New stamp card")
    assert "called" in mia.last_text
    await mia.send("x" * 65)
    assert "64 characters" in mia.last_text
    await mia.send("Coffee card")
    assert "How many stamps" in mia.last_text
    await mia.send("ten")
    assert "from 2 to 50" in mia.last_text
    await mia.send("1")
    assert "from 2 to 50" in mia.last_text
    await mia.send("10")
    assert "per item" in mia.last_text
    per_step = mia.last_message
    await mia.send("whatever")
    assert "press one of the buttons" in mia.last_text
    await mia.press("Per purchase")
    assert "What earns" in mia.last_text
    await mia.press("Per item", message=per_step)  # a stale button of the step before
    assert "expired" in mia.last_text.lower()
    await mia.send("coffee")
    assert "full card give" in mia.last_text
    await mia.send("0")
    assert "1 to 1,000,000" in mia.last_text
    await mia.press("Free coffee")
    assert "How long" in mia.last_text
    await mia.send("soon")
    assert "two numbers" in mia.last_text
    await mia.send("90 1")
    text = mia.last_text
    assert "Coffee card" in text and "10 stamps, one per purchase" in text
    assert "earns: coffee" in text and "Free coffee" in text
    assert "lives 90 days" in text and "at most 1 a day" in text
    assert await StampCardType.all().count() == 0  # nothing before Confirm
    await mia.press("Confirm")
    assert "created" in mia.last_text
    row = await StampCardType.get()
    assert (row.stamps_needed, row.category, row.reward_id, row.lifetime_days, row.daily_limit) == (  # type: ignore[attr-defined]
        10,
        "coffee",
        reward.id,
        90,
        1,
    )
    assert await AuditLog.filter(action="stampcard.create").count() == 1

    await mia.send("/stampcards")
    assert "Coffee card" in mia.last_text and "active" in mia.last_text
    await mia.press("Pause Coffee card")
    assert "paused" in mia.last_text
    assert (await StampCardType.get()).status == "paused"
    await mia.send("/stampcards")
    await mia.press("Resume Coffee card")
    assert (await StampCardType.get()).status == "active"
    assert await AuditLog.filter(action__startswith="stampcard.").count() == 3

    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await alice.send("/stampcards")
    assert "Stamp cards" not in alice.last_text


async def test_marketer_in_chinese_with_points(rig: Rig) -> None:
    mia = rig.member(3002, "Mia", language_code="zh-Hans")
    await mia.send("/start")
    await staff.grant_role(3002, Role.MARKETER, granted_by=None)
    await mia.send("/stampcards")
    assert "还没有集章卡" in mia.last_text
    await mia.press("➕ 新建集章卡")
    await mia.send("咖啡卡")
    await mia.send("5")
    await mia.press("每件商品")
    await mia.press("任意消费")
    await mia.send("abc")
    assert "1,000,000" in mia.last_text
    await mia.send("200")
    await mia.press("不限")
    assert "每件商品" in mia.last_text and "200 积分" in mia.last_text
    await mia.press("确认")
    assert "已创建" in mia.last_text
    row = await StampCardType.get()
    assert (row.per_item, row.reward_points, row.lifetime_days) == (True, 200, None)
