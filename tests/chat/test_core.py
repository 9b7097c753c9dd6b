"""The bot starts against the emulator, answers /help and refuses forged buttons."""

from tests.chat.conftest import Rig


async def test_help_lists_commands_in_the_members_language(rig: Rig) -> None:
    li = rig.member(1001, "Li", language_code="zh-hans")
    await li.send("/help")
    assert "/help" in li.last_text
    assert "我能做什么" in li.last_text


async def test_unknown_deep_link_is_refused_politely(rig: Rig) -> None:
    bob = rig.member(1002, "Bob")
    await bob.send("/start x-nonsense")
    assert "not valid" in bob.last_text


async def test_forged_callback_data_changes_nothing(rig: Rig) -> None:
    bob = rig.member(1003, "Bob")
    await bob.send("/help")
    await bob.press_data("adjust|1|999999|AAAAAAAA")
    assert "expired" in (bob.last_toast or "")
