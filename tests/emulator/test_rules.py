"""Every refusal and repair of `bot.emulator.rules`, triggered over HTTP like any Bot API client.

Each refusal has a case below that must answer exactly its code and description and leave the
chat as it was; each repair has a case that must be accepted and counted. A new entry in the
table without a case here fails `test_every_rule_has_a_case`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import aiohttp
import pytest
from PIL import Image

from bot.emulator import BotApiEmulator, ChatMessage, rules

ALICE, BLOCKED, NEVER_STARTED = 1001, 1002, 1003
BUTTON = {"text": "OK", "callback_data": "ok"}


def png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (4, 3), "red").save(out, "PNG")
    return out.getvalue()


@dataclass
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def description(self) -> str:
        return self.body.get("description", "")


class Client:
    """Raw Bot API calls (JSON, or multipart when files are attached) to one emulator."""

    def __init__(self, emu: BotApiEmulator, http: aiohttp.ClientSession):
        self.emu, self.http = emu, http
        self.changed = False
        self.base = f"{emu.base_url}{emu.token}"

    async def __call__(
        self, method: str, files: dict[str, bytes] | None = None, **params: Any
    ) -> Answer:
        if files:
            form = aiohttp.FormData()
            for key, value in params.items():
                form.add_field(key, value if isinstance(value, str) else json.dumps(value))
            for name, data in files.items():
                form.add_field(name, data, filename=f"{name}.png")
            request = self.http.post(f"{self.base}/{method}", data=form)
        else:
            request = self.http.post(f"{self.base}/{method}", json=params)
        return await self._answer(request)

    async def _answer(self, request: Any) -> Answer:
        """The answer; `changed` tells whether this call changed any chat or stored a file."""
        before = (self.emu.seq, len(self.emu.files))
        async with request as resp:
            answer = Answer(resp.status, await resp.json())
        self.changed = (self.emu.seq, len(self.emu.files)) != before
        return answer

    async def raw(self, method: str, **form: str) -> Answer:
        """Form fields sent exactly as given (e.g. reply_markup text that is not JSON)."""
        return await self._answer(self.http.post(f"{self.base}/{method}", data=form))

    async def bot_message(self, text: str = "hello", **params: Any) -> int:
        answer = await self("sendMessage", chat_id=ALICE, text=text, **params)
        assert answer.body["ok"], answer.body
        return answer.body["result"]["message_id"]

    async def pressed(self, message_id: int) -> str:
        message = self.emu.get_message(ALICE, message_id)
        record, _ = self.emu.user_callback(ALICE, message, "ok")
        return record.id


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async with BotApiEmulator(idle=0.01, settle_timeout=5) as emu:
        emu.add_user(ALICE, "Alice")
        emu.add_user(BLOCKED, "Bob")
        emu.block(BLOCKED)
        emu.add_user(NEVER_STARTED, "Dora", started=False)
        async with aiohttp.ClientSession() as http:
            yield Client(emu, http)


def send(**params: Any) -> Callable[[Client], Awaitable[Answer]]:
    """A sendMessage to Alice with these parameters."""
    return lambda c: c("sendMessage", **{"chat_id": ALICE, "text": "hi", **params})


def markup(reply_markup: Any) -> Callable[[Client], Awaitable[Answer]]:
    return send(reply_markup=reply_markup)


def album(media: Any, **files: bytes) -> Callable[[Client], Awaitable[Answer]]:
    return lambda c: c("sendMediaGroup", files=files, chat_id=ALICE, media=media)


def photo(name: str = "one", **extra: Any) -> dict[str, Any]:
    return {"type": "photo", "media": f"attach://{name}", **extra}


async def edit_user_message(c: Client) -> Answer:
    message, _ = c.emu.user_message(ALICE, text="mine")
    return await c("editMessageText", chat_id=ALICE, message_id=message.message_id, text="x")


async def edit_deleted(c: Client) -> Answer:
    message_id = await c.bot_message()
    await c("deleteMessage", chat_id=ALICE, message_id=message_id)
    return await c("editMessageText", chat_id=ALICE, message_id=message_id, text="x")


async def not_modified(c: Client) -> Answer:
    message_id = await c.bot_message("same", reply_markup={"inline_keyboard": [[BUTTON]]})
    return await c(
        "editMessageText",
        chat_id=ALICE,
        message_id=message_id,
        text="same",
        reply_markup={"inline_keyboard": [[BUTTON]]},
    )


async def edit_with_reply_keyboard(c: Client) -> Answer:
    message_id = await c.bot_message()
    return await c(
        "editMessageReplyMarkup",
        chat_id=ALICE,
        message_id=message_id,
        reply_markup={"keyboard": [["Yes"]]},
    )


async def edit_text_of_photo(c: Client) -> Answer:
    sent = await c("sendPhoto", files={"photo": png()}, chat_id=ALICE)
    message_id = sent.body["result"]["message_id"]
    return await c("editMessageText", chat_id=ALICE, message_id=message_id, text="x")


async def edit_caption_of_text(c: Client) -> Answer:
    message_id = await c.bot_message()
    return await c("editMessageCaption", chat_id=ALICE, message_id=message_id, caption="x")


async def answered_twice(c: Client) -> Answer:
    query_id = await c.pressed(await c.bot_message(reply_markup={"inline_keyboard": [[BUTTON]]}))
    assert (await c("answerCallbackQuery", callback_query_id=query_id)).body["ok"]
    return await c("answerCallbackQuery", callback_query_id=query_id)


async def answered_too_late(c: Client) -> Answer:
    c.emu.callback_answer_window = 0.05
    query_id = await c.pressed(await c.bot_message(reply_markup={"inline_keyboard": [[BUTTON]]}))
    await asyncio.sleep(0.1)
    return await c("answerCallbackQuery", callback_query_id=query_id)


async def long_answer(c: Client) -> Answer:
    query_id = await c.pressed(await c.bot_message(reply_markup={"inline_keyboard": [[BUTTON]]}))
    return await c("answerCallbackQuery", callback_query_id=query_id, text="x" * 201)


async def wrong_kind_of_file(c: Client) -> Answer:
    sent = await c("sendDocument", files={"document": b"a,b\n"}, chat_id=ALICE)
    file_id = sent.body["result"]["document"]["file_id"]
    return await c("sendPhoto", chat_id=ALICE, photo=file_id)


async def two_long_polls(c: Client) -> Answer:
    first = asyncio.ensure_future(c("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    await c("getUpdates", timeout=0)
    return await first


async def poll_with_webhook(c: Client) -> Answer:
    assert (await c("setWebhook", url="http://127.0.0.1:9/hook")).body["ok"]
    return await c("getUpdates")


async def wrong_token(c: Client) -> Answer:
    return await c._answer(c.http.post(f"{c.emu.base_url}123:wrong/getMe"))


Case = Callable[[Client], Awaitable[Answer]]

REFUSED: dict[str, Case] = {
    "chat_id_empty": lambda c: c("sendMessage", text="hi"),
    "chat_not_found": lambda c: c("sendMessage", chat_id=999, text="hi"),
    "blocked": lambda c: c("sendMessage", chat_id=BLOCKED, text="hi"),
    "not_started": lambda c: c("sendMessage", chat_id=NEVER_STARTED, text="hi"),
    "text_empty": send(text="<b> </b>", parse_mode="HTML"),
    "text_too_long": send(text="<b>" + "x" * 4097 + "</b>", parse_mode="HTML"),
    "caption_too_long": lambda c: c(
        "sendPhoto", files={"photo": png()}, chat_id=ALICE, caption="c" * 1025
    ),
    "entities": send(text="a <b>b", parse_mode="HTML"),
    "markup_not_json": lambda c: c.raw(
        "sendMessage", chat_id=str(ALICE), text="hi", reply_markup="{inline_keyboard:"
    ),
    "markup_not_object": markup([[BUTTON]]),
    "field_type": markup({"inline_keyboard": {"row": [BUTTON]}}),
    "keyboard_not_rows": markup({"keyboard": ["Yes"]}),
    "inline_keyboard_not_rows": markup({"inline_keyboard": [BUTTON]}),
    "key_not_object": markup({"keyboard": [[["Yes"]]]}),
    "key_text_missing": markup({"keyboard": [[{"request_contact": True}]]}),
    "button_not_object": markup({"inline_keyboard": [["OK"]]}),
    "button_text_missing": markup({"inline_keyboard": [[{"callback_data": "ok"}]]}),
    "button_field_type": markup({"inline_keyboard": [[{"text": True, "callback_data": "ok"}]]}),
    "button_without_action": markup({"inline_keyboard": [[{"text": "OK"}]]}),
    "button_data_invalid": markup(
        {"inline_keyboard": [[{"text": "OK", "callback_data": "é" * 33}]]}
    ),
    "button_url_invalid": markup({"inline_keyboard": [[{"text": "OK", "url": "ftp://x"}]]}),
    "inline_keyboard_expected": edit_with_reply_keyboard,
    "not_modified": not_modified,
    "edit_not_found": edit_deleted,
    "delete_not_found": lambda c: c("deleteMessage", chat_id=ALICE, message_id=404),
    "cant_edit": edit_user_message,
    "no_text_to_edit": edit_text_of_photo,
    "no_caption_to_edit": edit_caption_of_text,
    "reply_not_found": send(reply_parameters={"message_id": 404}),
    "copy_not_found": lambda c: c("copyMessage", chat_id=ALICE, from_chat_id=ALICE, message_id=404),
    "inline_messages": lambda c: c("editMessageText", inline_message_id="x", text="x"),
    "query_invalid": answered_twice,
    "answer_too_long": long_answer,
    "no_file": lambda c: c("sendPhoto", chat_id=ALICE),
    "wrong_file_id": lambda c: c("sendPhoto", chat_id=ALICE, photo="AQADnope"),
    "file_type_mismatch": wrong_kind_of_file,
    "invalid_file_id": lambda c: c("getFile", file_id="nope"),
    "not_an_image": lambda c: c("sendPhoto", files={"photo": b"not an image"}, chat_id=ALICE),
    "media_required": lambda c: c("sendMediaGroup", chat_id=ALICE),
    "media_not_json": lambda c: c.raw("sendMediaGroup", chat_id=str(ALICE), media="[{"),
    "media_not_array": album({"type": "photo"}),
    "album_empty": album([]),
    "album_too_big": album([photo()] * 11, one=png()),
    "album_mixed": album([photo(), {"type": "document", "media": "attach://one"}], one=png()),
    "input_media": album([photo(), photo("missing")], one=png()),
    "album_item_failed": album([photo(), photo("two")], one=png(), two=b"not an image"),
    "scope_unsupported": lambda c: c("setMyCommands", commands=[], scope={"type": "nope"}),
    "language_invalid": lambda c: c("getMyCommands", language_code="english"),
    "bot_text_too_long": lambda c: c("setMyShortDescription", short_description="x" * 121),
    "commands_invalid": lambda c: c("setMyCommands", commands={"command": "start"}),
    "command_invalid": lambda c: c(
        "setMyCommands", commands=[{"command": "Start!", "description": "x"}]
    ),
    "command_description_invalid": lambda c: c(
        "setMyCommands", commands=[{"command": "start", "description": ""}]
    ),
    "menu_button_invalid": lambda c: c("setChatMenuButton", menu_button={"text": "x"}),
    "action_invalid": lambda c: c("sendChatAction", chat_id=ALICE, action="dancing"),
    "conflict_poll": two_long_polls,
    "conflict_webhook": poll_with_webhook,
    "webhook_not_https": lambda c: c("setWebhook", url="ftp://example.org/hook"),
    "secret_token_invalid": lambda c: c(
        "setWebhook", url="https://example.org/hook", secret_token="no spaces"
    ),
    "unauthorized": wrong_token,
    "method_not_found": lambda c: c("noSuchMethod"),
}

# What Telegram accepts after repairing it: the call succeeds and the result shows the repair.
REPAIRED: dict[str, tuple[Case, Callable[[Any], bool]]] = {
    "empty_markup": (markup({}), lambda result: "reply_markup" not in result),
    "empty_button": (
        markup({"inline_keyboard": [[{"text": "", "callback_data": "x"}, BUTTON]]}),
        lambda result: result["reply_markup"] == {"inline_keyboard": [[BUTTON]]},
    ),
    "second_action": (
        markup({"inline_keyboard": [[{**BUTTON, "url": "https://example.org"}]]}),
        lambda result: (
            result["reply_markup"]["inline_keyboard"][0][0]
            == {"text": "OK", "url": "https://example.org"}
        ),
    ),
    "album_of_one": (
        album([photo(caption="only")], one=png()),
        lambda result: len(result) == 1 and "media_group_id" not in result[0],
    ),
}


def test_every_rule_has_a_case() -> None:
    assert set(REFUSED) == set(rules.REFUSALS)
    assert set(REPAIRED) == set(rules.REPAIRS)


@pytest.mark.parametrize("name", sorted(REFUSED))
async def test_refused_with_telegrams_words_and_nothing_changes(client: Client, name: str) -> None:
    rule = rules.REFUSALS[name]
    answer = await REFUSED[name](client)
    assert answer.status == rule.code, answer.body
    assert answer.body["ok"] is False and answer.body["error_code"] == rule.code
    if "{" in rule.text:
        prefix = rule.text.partition("{")[0]
        assert answer.description.startswith(prefix), answer.description
    else:
        assert answer.description == rule.text
    assert not client.changed, "a refused call changed a chat or stored a file"
    assert sum(client.emu.stats.refused.values()) >= 1


@pytest.mark.parametrize("name", sorted(REPAIRED))
async def test_repaired_like_telegram_and_counted(client: Client, name: str) -> None:
    case, shows_repair = REPAIRED[name]
    answer = await case(client)
    assert answer.body["ok"] is True, answer.body
    assert shows_repair(answer.body["result"])
    assert client.emu.stats.repaired == {name: 1}


async def test_refused_album_stores_nothing(client: Client) -> None:
    files_before = len(client.emu.files)
    answer = await album([photo(), photo("two")], one=png(), two=b"not an image")(client)
    assert answer.status == 400
    assert client.emu.transcript(ALICE) == []
    assert len(client.emu.files) == files_before


async def test_album_with_caption_on_the_first_photo(client: Client) -> None:
    media = [photo(caption="<b>Weekly</b> report", parse_mode="HTML"), photo("two")]
    answer = await album(media, one=png(), two=png())(client)
    sent = answer.body["result"]
    assert [m.get("caption") for m in sent] == ["Weekly report", None]
    assert sent[0]["caption_entities"] == [{"type": "bold", "offset": 0, "length": 6}]
    assert len({m["media_group_id"] for m in sent}) == 1
    messages: list[ChatMessage] = client.emu.transcript(ALICE)
    assert [m.photo is not None for m in messages] == [True, True]
    reused = [{"type": "photo", "media": m.photo.file_id} for m in messages if m.photo]
    again = await client("sendMediaGroup", chat_id=ALICE, media=reused)
    assert (
        again.body["ok"] and again.body["result"][0]["media_group_id"] != sent[0]["media_group_id"]
    )


async def test_what_telegram_accepts_is_still_accepted(client: Client) -> None:
    """Markups jifen and PTB really send, and the edges Telegram allows."""
    ok = [
        markup({"inline_keyboard": [[BUTTON, {"text": "Site", "url": "https://example.org"}]]}),
        markup({"keyboard": [["Yes", {"text": "Phone", "request_contact": True}]]}),
        markup({"remove_keyboard": True}),
        markup({"force_reply": True, "input_field_placeholder": "amount"}),
        markup({"inline_keyboard": [[{"text": "OK", "callback_data": "x" * 64}]]}),
        send(text="x" * 4096),
        send(text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML"),
        send(text="a &lt;b&gt; &amp; <i>c</i>", parse_mode="HTML"),
    ]
    for case in ok:
        answer = await case(client)
        assert answer.body["ok"] is True, answer.body
        assert client.changed
    message_id = await client.bot_message(reply_markup={"inline_keyboard": [[BUTTON]]})
    # An edit with an empty markup removes the keyboard, as on Telegram.
    edited = await client(
        "editMessageReplyMarkup", chat_id=ALICE, message_id=message_id, reply_markup={}
    )
    assert edited.body["ok"] and "reply_markup" not in edited.body["result"]
    # Bots may delete incoming messages in private chats.
    message, _ = client.emu.user_message(ALICE, text="mine")
    deleted = await client("deleteMessage", chat_id=ALICE, message_id=message.message_id)
    assert deleted.body == {"ok": True, "result": True}
    assert client.emu.stats.repaired == {"empty_markup": 1}
