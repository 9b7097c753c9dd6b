"""The player API a chat monkey uses: every button (stale ones too), reply keys, albums, and
"was this person ever told …?"."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InputMediaPhoto, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler

from bot.emulator import BotApiEmulator, PlayerError
from tests.emulator.test_emulator import Context, build_demo_app, png


async def album(update: Update, context: Context) -> None:
    await update.message.reply_media_group(
        [
            InputMediaPhoto(png("red"), caption="<b>Week 12</b>", parse_mode=ParseMode.HTML),
            InputMediaPhoto(png("green")),
            InputMediaPhoto(png("blue")),
        ]
    )
    raise ApplicationHandlerStop  # not echoed by the demo bot's text handler


async def goodbye(update: Update, context: Context) -> None:
    sent = await update.message.reply_text("soon gone")
    await sent.delete()
    raise ApplicationHandlerStop


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[Application]:
    application = build_demo_app(emu)
    application.add_handler(CommandHandler("album", album), group=-1)
    application.add_handler(CommandHandler("goodbye", goodbye), group=-1)
    async with emu.polling(application) as running:
        yield running


async def test_buttons_lists_current_and_stale_buttons(
    emu: BotApiEmulator, app: Application
) -> None:
    alice = emu.player(1001, "Alice")
    await alice.send("/menu")
    question = alice.last_message
    assert [(b.text, b.callback_data, b.stale) for b in alice.buttons()] == [
        ("Confirm", "confirm", False),
        ("Cancel", "cancel", False),
    ]
    await alice.press("Confirm")  # the edit drops the keyboard
    assert alice.buttons(stale=False) == []
    stale = alice.buttons()
    assert [(b.text, b.stale, b.message) for b in stale] == [
        ("Confirm", True, question),
        ("Cancel", True, question),
    ]
    await alice.press_button(stale[1])  # another device still shows the old keyboard
    assert alice.last_toast == "Unknown button"


async def test_reply_keys_and_what_the_person_was_told(
    emu: BotApiEmulator, app: Application
) -> None:
    alice = emu.player(1001, "Alice")
    assert alice.reply_keys == []
    await alice.send("/start")
    assert alice.reply_keys == ["🎁 Rewards", "Share phone"]
    await alice.send("/menu")
    await alice.press("Confirm")
    alice.assert_never_told("Something went wrong")
    with pytest.raises(PlayerError, match="Confirm the purchase"):
        alice.assert_never_told("purchase?")  # edited away, but it was shown
    with pytest.raises(PlayerError, match="Confirmed!"):
        alice.assert_never_told("Confirmed")  # a toast counts too
    assert [m.text for m in alice.told("Welcome")] == ["Welcome Alice "]


async def test_an_album_reads_as_one_group(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice")
    with pytest.raises(PlayerError, match="no album"):
        _ = alice.last_album
    await alice.send("/album")
    photos = alice.last_album
    assert [m.caption for m in photos] == ["Week 12", None, None]
    assert photos[0].caption_entities == [{"type": "bold", "offset": 0, "length": 7}]
    assert all(m.photo is not None for m in photos)
    assert len({m.media_group_id for m in photos}) == 1
    assert emu.chat_snapshot(1001)["messages"][-1]["media_group_id"] == photos[0].media_group_id


async def test_a_deleted_message_cannot_be_pressed(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice")
    await alice.send("/goodbye")
    gone = alice.transcript[-1]
    assert gone.deleted
    with pytest.raises(PlayerError, match="cannot press"):
        await alice.press_data("confirm", message=gone)
