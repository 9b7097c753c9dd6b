"""/history with nothing, one page and many pages: the pager shows only the buttons that lead
somewhere, and a member with a short history gets no keyboard at all (an empty keyboard went
out as `{}` and the member saw "Something went wrong" in the sandbox)."""

from __future__ import annotations

from bot.emulator import Player
from tests.chat.conftest import Rig
from tests.chat.test_member_screens import joined

APOLOGY = "Something went wrong"


async def earned(rig: Rig, player: Player, purchases: int) -> None:
    for n in range(purchases):
        await rig.earn(player, 1000 + n * 100, idempotency_key=f"hp{player.user_id}:{n}")


async def test_history_with_no_entries_says_how_to_start(rig: Rig) -> None:
    alice = await joined(rig, 2101, "Alice")
    await alice.send("/history")
    reply = await alice.wait_for_text("No points yet")
    assert reply.reply_markup is None
    alice.assert_never_told(APOLOGY)


async def test_history_on_one_page_has_no_pager(rig: Rig) -> None:
    bob = await joined(rig, 2102, "Bob")
    await earned(rig, bob, 3)
    await bob.send("/history")
    reply = await bob.wait_for_text("Your points history")
    assert "Page" not in reply
    assert reply.reply_markup is None
    bob.assert_never_told(APOLOGY)


async def test_history_over_many_pages_walks_both_ways(rig: Rig) -> None:
    li = await joined(rig, 2103, "Li", "zh-hans")
    await earned(rig, li, 20)  # 8 a page: 3 pages
    await li.send("/history")
    page = await li.wait_for_text("积分记录")
    assert "第 1 / 3 页" in page and page.button_texts == ["下一页 ▶️"]
    await li.press("下一页 ▶️", message=page)
    assert "第 2 / 3 页" in page and page.button_texts == ["◀️ 返回", "下一页 ▶️"]
    await li.press("下一页 ▶️", message=page)
    assert "第 3 / 3 页" in page and page.button_texts == ["◀️ 返回"]
    await li.press("◀️ 返回", message=page)
    assert "第 2 / 3 页" in page
    li.assert_never_told("系统出了点问题")


async def test_a_stale_pager_button_still_answers(rig: Rig) -> None:
    """The first page's "Next" pressed again from another device after the page moved on."""
    dora = await joined(rig, 2104, "Dora")
    await earned(rig, dora, 10)
    await dora.send("/history")
    page = await dora.wait_for_text("Your points history")
    [first_next] = [b for b in dora.buttons() if b.message is page]
    await dora.press("Next ▶️", message=page)
    assert "Page 2 of 2" in page
    await dora.press_button(first_next)
    assert "Page 2 of 2" in page
    assert dora.last_callback is not None and dora.last_callback.answered
    dora.assert_never_told(APOLOGY)
