"""The Bot API emulator, driven by a real PTB Application (a tiny demo bot defined here)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import warnings
from collections.abc import AsyncIterator
from io import BytesIO

import aiohttp
import pytest
import qrcode
from aiohttp import web
from PIL import Image
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    SimpleUpdateProcessor,
    filters,
)

from bot.emulator import BotApiEmulator, PlayerError

Context = ContextTypes.DEFAULT_TYPE


def png(color: str = "red", size: tuple[int, int] = (4, 3)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


# ---------------------------------------------------------------- the demo bot


async def start(update: Update, context: Context) -> None:
    payload = " ".join(context.args or [])
    keyboard = ReplyKeyboardMarkup(
        [["🎁 Rewards"], [KeyboardButton("Share phone", request_contact=True)]],
        one_time_keyboard=False,
    )
    await update.message.reply_text(
        f"Welcome {update.effective_user.first_name} {payload}", reply_markup=keyboard
    )


async def menu(update: Update, context: Context) -> None:
    buttons = [
        [
            InlineKeyboardButton("Confirm", callback_data="confirm"),
            InlineKeyboardButton("Cancel", callback_data="cancel"),
        ]
    ]
    await update.message.reply_text(
        "Confirm the purchase?", reply_markup=InlineKeyboardMarkup(buttons)
    )


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query.data == "confirm":
        await query.answer("Confirmed!")
        await query.edit_message_text("<b>Done</b> ✅", parse_mode=ParseMode.HTML)
    else:
        await query.answer("Unknown button", show_alert=True)


async def slow(update: Update, context: Context) -> None:
    await asyncio.sleep(0.2)  # longer than the idle window, with no Bot API call
    await update.message.reply_text("slow reply")


async def notify(update: Update, context: Context) -> None:
    await context.bot.send_message(int(context.args[0]), "Receipt: +128 points")
    await update.message.reply_text("sent")


async def send_photo(update: Update, context: Context) -> None:
    await update.message.reply_photo(
        png("blue"), caption="<i>your card</i>", parse_mode=ParseMode.HTML
    )


async def send_document(update: Update, context: Context) -> None:
    await update.message.reply_document(b"id,points\n1,128\n", filename="report.csv")


async def on_photo(update: Update, context: Context) -> None:
    file = await update.message.photo[-1].get_file()
    data = bytes(await file.download_as_bytearray())
    await update.message.reply_photo(data, caption=f"got {len(data)} bytes")


async def on_contact(update: Update, context: Context) -> None:
    contact = update.message.contact
    await update.message.reply_text(f"phone {contact.phone_number} of {contact.user_id}")


async def on_text(update: Update, context: Context) -> None:
    if update.message.text == "🎁 Rewards":
        await update.message.reply_text("Rewards list")
    else:
        await update.message.reply_text(update.message.text)


def build_demo_app(emu: BotApiEmulator) -> Application:
    app = emu.application_builder().build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("slow", slow))
    app.add_handler(CommandHandler("notify", notify))
    app.add_handler(CommandHandler("photo", send_photo))
    app.add_handler(CommandHandler("doc", send_document))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.CONTACT, on_contact))
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    return app


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[Application]:
    async with emu.polling(build_demo_app(emu)) as application:
        yield application


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


def retry_after(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seconds(error.retry_after)


# PTB itself warns when it builds a RetryAfter (retry_after becomes a timedelta in v23).
ignore_retry_after_deprecation = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)


# ---------------------------------------------------------------- conversation


async def test_echo(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice")
    replies = await alice.send("hello")
    assert alice.last_text == "hello"
    assert replies == [alice.last_message]
    assert [m.outgoing for m in alice.transcript] == [False, True]


async def test_deep_link_reply_keyboard_and_contact(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice", language_code="zh-hans")
    await alice.open_link("https://t.me/jifen_bot?start=m-abc")
    assert alice.last_text == "Welcome Alice m-abc"
    assert alice.reply_keyboard == [["🎁 Rewards"], ["Share phone"]]

    await alice.tap("🎁 Rewards")
    assert "Rewards list" in alice.last_message

    await alice.share_contact("+8613800000000")
    assert alice.last_text == "phone +8613800000000 of 1001"

    card = qrcode.make("https://t.me/jifen_bot?start=m-card42")
    image = BytesIO()
    card.save(image)
    await alice.scan(image.getvalue())  # the phone camera opens the link in the QR code
    assert alice.last_text == "Welcome Alice m-card42"

    with pytest.raises(PlayerError, match="Share phone"):
        await alice.tap("Share phone")
    with pytest.raises(PlayerError, match="not this bot"):
        await alice.open_link("https://t.me/other_bot?start=x")


async def test_inline_button_toast_and_edit(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice")
    await alice.send("/menu")
    question = alice.last_message
    assert question.button_texts == ["Confirm", "Cancel"]

    await alice.press("Conf")  # a unique substring is enough
    assert alice.last_toast == "Confirmed!"
    assert question.text == "Done ✅"  # the same message, now edited
    assert question.entities == [{"type": "bold", "offset": 0, "length": 4}]
    assert question.buttons == []  # an edit without reply_markup drops the keyboard
    assert question.history[0]["text"] == "Confirm the purchase?"
    assert question.edit_date is not None

    await alice.press_data("tampered:123", message=question)
    assert alice.last_toast == "Unknown button"
    assert alice.last_callback is not None and alice.last_callback.show_alert

    with pytest.raises(PlayerError, match="no button 'Confirm'"):
        await alice.press("Confirm")


async def test_settle_waits_for_slow_handlers(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice")
    await alice.send("/slow")
    assert alice.last_text == "slow reply"


async def test_concurrent_processing_is_tracked(emu: BotApiEmulator) -> None:
    app = emu.application_builder().concurrent_updates(SimpleUpdateProcessor(8)).build()
    app.add_handler(CommandHandler("slow", slow))
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    async with emu.polling(app):  # wraps the app's own processor
        players = [emu.player(1000 + n, f"P{n}") for n in range(5)]
        await asyncio.gather(*(p.send("/slow") for p in players), players[0].send("quick"))
        assert all(p.last_text == "slow reply" for p in players[1:])
        assert [m.text for m in players[0].messages] == ["quick", "slow reply"]


async def test_untracked_quiescence_uses_the_idle_window(emu: BotApiEmulator) -> None:
    async with emu.polling(build_demo_app(emu), track=False):
        alice = emu.player(1001, "Alice")
        await alice.send("hi")
        assert alice.last_text == "hi"


async def test_polling_runs_the_lifecycle_hooks_like_run_polling(emu: BotApiEmulator) -> None:
    calls: list[str] = []

    async def hook(app: Application, name: str) -> None:
        calls.append(name)
        if name == "post_init":
            await app.bot.set_my_commands([BotCommand("start", "Start")])

    app = (
        emu.application_builder()
        .post_init(lambda a: hook(a, "post_init"))
        .post_stop(lambda a: hook(a, "post_stop"))
        .post_shutdown(lambda a: hook(a, "post_shutdown"))
        .build()
    )
    async with emu.polling(app):
        assert emu.player(1001, "Alice").commands == {"start": "Start"}
    assert calls == ["post_init", "post_stop", "post_shutdown"]


async def test_player_blocks_the_bot(emu: BotApiEmulator, app: Application) -> None:
    changes: list[str] = []

    async def on_member(update: Update, context: Context) -> None:
        changes.append(update.my_chat_member.new_chat_member.status)

    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    bob = emu.player(1002, "Bob")
    await bob.block_bot()
    with pytest.raises(Forbidden):
        await app.bot.send_message(1002, "promo")
    await bob.unblock_bot()
    await app.bot.send_message(1002, "welcome back")
    assert changes == ["kicked", "member"]


async def test_wrong_token_is_unauthorized(emu: BotApiEmulator) -> None:
    app = (emu.application_builder().token("1:wrong")).build()
    with pytest.raises(InvalidToken):
        await app.initialize()


async def test_messages_to_other_chats(emu: BotApiEmulator, app: Application) -> None:
    cashier, alice = emu.player(2001, "Cashier"), emu.player(1001, "Alice")
    await cashier.send("/notify 1001")
    assert cashier.last_text == "sent"
    assert "+128" in alice.last_message
    assert (await alice.wait_for_text("Receipt")) is alice.last_message


async def test_photo_and_document_round_trip(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice")
    image = png("green", (7, 5))
    await alice.send_photo(image)
    assert alice.last_text == f"got {len(image)} bytes"
    assert alice.last_photo_bytes() == image
    assert alice.last_message.photo is not None
    assert (alice.last_message.photo.width, alice.last_message.photo.height) == (7, 5)

    await alice.send("/doc")
    assert alice.last_document() == ("report.csv", b"id,points\n1,128\n")

    await alice.send("/photo")
    assert alice.last_message.caption == "your card"
    sent = alice.last_message.photo
    assert sent is not None
    # file_id re-use: the bot sends the same picture again without uploading it
    again = await app.bot.send_photo(1001, sent.file_id)
    assert again.photo[-1].file_unique_id == sent.file_unique_id
    assert alice.last_photo_bytes() == png("blue")


async def test_commands_per_scope_and_language(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice", language_code="zh-hans")
    bob = emu.player(1002, "Bob", language_code="en")
    carol = emu.player(1003, "Carol", language_code="en")
    await app.bot.set_my_commands([BotCommand("balance", "Your points")])
    await app.bot.set_my_commands([BotCommand("balance", "我的积分")], language_code="zh")
    await app.bot.set_my_commands(
        [BotCommand("scan", "Scan a card")], scope=BotCommandScopeChat(1003)
    )

    assert alice.commands == {"balance": "我的积分"}
    assert bob.commands == {"balance": "Your points"}
    assert carol.commands == {"scan": "Scan a card"}
    stored = await app.bot.get_my_commands(language_code="zh")
    assert [(c.command, c.description) for c in stored] == [("balance", "我的积分")]

    await app.bot.delete_my_commands(scope=BotCommandScopeChat(1003))
    assert carol.commands == {"balance": "Your points"}
    with pytest.raises(BadRequest, match="language_code"):
        await app.bot.set_my_commands([BotCommand("x", "y")], language_code="zh-hans")
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await app.bot.set_my_commands([BotCommand("Balance", "y")])


async def test_caption_and_keyboard_edits(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Vote", callback_data="vote")]])
    sent = await app.bot.send_photo(1001, png(), caption="draft", reply_markup=keyboard)
    await app.bot.edit_message_caption(
        1001,
        sent.message_id,
        caption="<b>final</b>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )
    photo = alice.last_message
    assert (photo.caption, photo.button_texts) == ("final", ["Vote"])
    await app.bot.edit_message_reply_markup(1001, sent.message_id)
    assert photo.buttons == [] and len(photo.history) == 2
    with pytest.raises(BadRequest, match="no text in the message"):
        await app.bot.edit_message_text("x", chat_id=1001, message_id=sent.message_id)


async def test_url_buttons(emu: BotApiEmulator, app: Application) -> None:
    alice = emu.player(1001, "Alice")
    links = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Website", url="https://example.com")],
            [InlineKeyboardButton("My card", url="https://t.me/jifen_bot?start=m-card7")],
        ]
    )
    await app.bot.send_message(1001, "Links", reply_markup=links)
    with pytest.raises(PlayerError, match="outside the bot"):
        await alice.press("Website")
    await alice.press("My card")  # a deep link to this bot sends /start <payload>
    assert alice.last_text == "Welcome Alice m-card7"


async def test_raw_http_clients(emu: BotApiEmulator) -> None:
    """Clients other than PTB may send JSON bodies or query strings."""
    emu.add_user(1001, "Alice")
    base = f"{emu.base_url}{emu.token}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/getMe") as resp:
            assert (await resp.json())["result"]["username"] == "jifen_bot"
        markup = {
            "keyboard": [["Yes", {"text": "Phone", "request_contact": True}]],
            "one_time_keyboard": True,
        }
        body = {"chat_id": 1001, "text": "Share?", "reply_markup": markup}
        async with http.post(f"{base}/sendMessage", json=body) as resp:
            assert (await resp.json())["ok"] is True
        async with http.post(f"{base}/noSuchMethod", json={}) as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        emu.fail_next("sendMessage", 429, retry_after=7)
        async with http.post(f"{base}/sendMessage", json=body) as resp:
            assert resp.status == 429
            assert (await resp.json())["parameters"] == {"retry_after": 7}
    alice = emu.player(1001)
    assert alice.reply_keyboard == [["Yes", "Phone"]]
    assert emu.chat_snapshot(1001)["reply_keyboard"]["rows"][0][1] == {
        "text": "Phone",
        "request_contact": True,
    }


# ---------------------------------------------------------------- errors, faults and limits


async def test_errors_surface_as_ptb_exceptions(emu: BotApiEmulator, app: Application) -> None:
    emu.player(1001, "Alice")
    emu.player(1002, "Bob")
    emu.block(1002)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await app.bot.send_message(1002, "hi")
    emu.unblock(1002)
    await app.bot.send_message(1002, "hi again")

    with pytest.raises(BadRequest, match=r"[Cc]hat not found"):
        await app.bot.send_message(999, "nobody")
    emu.add_user(1003, "Dora", started=False)
    with pytest.raises(Forbidden, match="initiate conversation"):
        await app.bot.send_message(1003, "hi")

    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await app.bot.send_message(1001, "pick", reply_markup=too_long)
    with pytest.raises(BadRequest, match="too long"):
        await app.bot.send_message(1001, "x" * 4097)
    with pytest.raises(BadRequest, match="text is empty"):
        await app.bot.send_message(1001, "<b></b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await app.bot.send_message(1001, "a <x> b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="caption is too long"):
        await app.bot.send_photo(1001, png(), caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await app.bot.send_photo(1001, b"not an image")

    message = await app.bot.send_message(1001, "same")
    with pytest.raises(BadRequest, match="not modified"):
        await app.bot.edit_message_text("same", chat_id=1001, message_id=message.message_id)
    await app.bot.delete_message(1001, message.message_id)
    with pytest.raises(BadRequest, match="to delete not found"):
        await app.bot.delete_message(1001, message.message_id)
    assert emu.transcript(1001)[-1].deleted

    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("noSuchMethod")
    assert emu.stats.errors[("sendMessage", 400)] >= 3


@ignore_retry_after_deprecation
async def test_injected_faults(emu: BotApiEmulator, app: Application) -> None:
    emu.player(1001, "Alice")
    emu.player(1002, "Bob")
    emu.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(1001, "x")
    assert retry_after(caught.value) == 3

    emu.fail_next("sendMessage", 403, "Forbidden: user is deactivated", chat_id=1002, count=2)
    await app.bot.send_message(1001, "other chats are unaffected")
    for _ in range(2):
        with pytest.raises(Forbidden, match="deactivated"):
            await app.bot.send_message(1002, "x")
    await app.bot.send_message(1002, "fault used up")
    assert emu.stats.too_many_requests == 1
    assert emu.stats.sent["sendMessage"] == 2


@ignore_retry_after_deprecation
async def test_rate_limits(emu: BotApiEmulator, app: Application) -> None:
    for user_id in range(1, 6):
        emu.add_user(user_id, f"U{user_id}")
    emu.enforce_limits(global_per_s=4, per_chat_per_s=2)

    await app.bot.send_message(1, "a")
    await app.bot.send_message(1, "b")
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(1, "c")  # third in a second to one chat
    assert retry_after(caught.value) == 1
    await app.bot.send_message(2, "d")
    await app.bot.send_message(3, "e")
    with pytest.raises(RetryAfter):
        await app.bot.send_message(4, "f")  # fifth in a second overall
    await app.bot.send_chat_action(4, "typing")  # not a limited method

    assert emu.stats.too_many_requests == 2
    assert emu.stats.sent["sendMessage"] == 4
    emu.disable_limits()
    await app.bot.send_message(1, "free again")


# ---------------------------------------------------------------- webhook and events


async def test_webhook_delivery_with_secret(emu: BotApiEmulator) -> None:
    app = emu.application_builder().updater(None).build()
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    seen_secrets: list[str | None] = []

    async def receive(request: web.Request) -> web.Response:
        seen_secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if len(seen_secrets) == 1:
            return web.Response(status=500)  # Telegram retries until the bot answers 2xx
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with app:
            await app.start()
            try:
                await app.bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
                info = await app.bot.get_webhook_info()
                assert info.url.endswith("/hook")
                alice = emu.player(1001, "Alice")
                await alice.send("via webhook")
                assert alice.last_text == "via webhook"
                assert seen_secrets == ["s3cret", "s3cret"]
                info = await app.bot.get_webhook_info()
                assert "500" in (info.last_error_message or "")
                assert info.pending_update_count == 0
                with pytest.raises(Conflict):
                    await app.bot.get_updates()
                await app.bot.delete_webhook()
            finally:
                await app.stop()
    finally:
        await runner.cleanup()


async def test_events_for_the_web_page(emu: BotApiEmulator, app: Application) -> None:
    events = emu.subscribe()
    alice = emu.player(1001, "Alice")
    await alice.send("/menu")
    await alice.press("Confirm")
    await alice.send("/photo")
    received = [events.get_nowait() for _ in range(events.qsize())]
    kinds = [(e["type"], e.get("message", {}).get("from")) for e in received]
    assert kinds == [
        ("user", None),
        ("message", "user"),
        ("message", "bot"),
        ("callback_answer", "bot"),
        ("edit", "bot"),
        ("message", "user"),
        ("message", "bot"),
    ]
    edited = received[4]["message"]
    assert edited["html"] == "<b>Done</b> ✅" and edited["edited"]
    assert received[2]["message"]["inline_keyboard"][0][0] == {
        "text": "Confirm",
        "callback_data": "confirm",
    }
    photo = received[-1]["message"]["photo"]
    async with aiohttp.ClientSession() as session, session.get(emu.url + photo["url"]) as resp:
        assert resp.status == 200
        assert await resp.read() == png("blue")
    assert emu.chat_snapshot(1001)["messages"][-1]["caption_html"] == "<i>your card</i>"
    emu.unsubscribe(events)
