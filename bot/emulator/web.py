"""The web chat page: people talking to the bot through the emulator, in a browser.

:func:`add_web_routes` puts the page (``/``, ``/static/…``) and its JSON endpoints on
``emu.web_app`` (call it before ``emu.start()``). The page knows nothing of jifen: the
people, their labels and the page's strings come from the caller (the sandbox).

Endpoints (``uid`` is the person acting):

    GET  /api/people                     the people shown, with labels and phones
    GET  /api/strings?lang=en            the page's UI strings in that language
    GET  /api/chats/{uid}                ``emu.chat_snapshot(uid)``
    POST /api/chats/{uid}/send           {"text"}: types it (or taps the reply key)
    POST /api/chats/{uid}/press          {"message_id", "data"}: an inline button
    POST /api/chats/{uid}/link           {"url"}: opens a t.me link to the bot
    POST /api/chats/{uid}/contact        shares the person's own phone
    POST /api/chats/{uid}/photo          multipart "photo": sends a picture
    POST /api/chats/{uid}/scan           {"file_id"}: points uid's phone at a QR picture
    GET  /api/events                     server-sent events from ``emu.subscribe()``

``extras``: scripts the page loads after its own, listed in ``/api/people`` (the sandbox's
time control); each may fill the header's ``#topbar-extras`` and use ``window.jifenPage``
(the page's strings, its POST helper; ``jifen:strings`` fires on a change of language).

Actions answer at once (``{"ok": true}``); the bot's replies arrive as events.
Expected refusals (no such key, no QR in the picture) answer 400 with ``{"error"}``.

Every POST must come from the page itself: it carries the header ``X-Jifen-Sandbox: 1`` (set
by the page's script; another site's form or ``text/plain`` fetch cannot send it without a
CORS preflight, which this server never grants) and, when the browser says where it comes
from, ``Origin`` is this server and ``Sec-Fetch-Site`` is ``same-origin``. Anything else is
refused with 403, so another tab cannot drive the admin persona. :func:`from_the_page`
guards the POST routes others add to this page too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.emulator.players import Player, PlayerError
from bot.emulator.server import BotApiEmulator

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
HEARTBEAT_SECONDS = 15.0
PAGE_HEADER = "X-Jifen-Sandbox"
"""Sent by the page's script on every POST; see the module docstring."""

Strings = Callable[[str], Mapping[str, str]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class PagePerson:
    """Someone shown on the page: their Telegram identity and how the page labels them."""

    user_id: int
    first_name: str
    last_name: str | None
    language_code: str
    phone: str
    label: str  # e.g. "member", "cashier": the page shows the string "<prefix>role-<label>"
    color: str = "#3390ec"


def add_web_routes(
    emu: BotApiEmulator,
    people: Sequence[PagePerson],
    strings: Strings,
    *,
    extras: Sequence[str] = (),
) -> dict[int, Player]:
    """Register every person with the emulator and the page's routes; returns the players."""
    players: dict[int, Player] = {}
    for person in people:
        players[person.user_id] = emu.player(
            person.user_id,
            person.first_name,
            person.last_name,
            language_code=person.language_code,
            settle=False,
        )
    page = _Page(emu, {p.user_id: p for p in people}, players, strings, extras)
    emu.web_app.add_routes(page.routes())
    emu.web_app.on_shutdown.append(page.close_streams)
    return players


class _Page:
    def __init__(
        self,
        emu: BotApiEmulator,
        people: Mapping[int, PagePerson],
        players: Mapping[int, Player],
        strings: Strings,
        extras: Sequence[str] = (),
    ) -> None:
        self.emu = emu
        self.extras = list(extras)
        self.people = people
        self.players = players
        self.strings = strings
        self._streams: set[asyncio.Queue[dict[str, Any] | None]] = set()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.index),
            web.static("/static", STATIC_DIR),
            web.get("/api/people", self.list_people),
            web.get("/api/strings", self.page_strings),
            web.get("/api/chats/{uid}", self.snapshot),
            web.get("/api/events", self.events),
        ] + [
            web.post(f"/api/chats/{{uid}}/{action}", from_the_page(handler))
            for action, handler in (
                ("send", self.send),
                ("press", self.press),
                ("link", self.link),
                ("contact", self.contact),
                ("photo", self.photo),
                ("scan", self.scan),
            )
        ]

    # ------------------------------------------------------------ reading

    async def index(self, _: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")

    async def list_people(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "people": [asdict(p) for p in self.people.values()],
                "bot": self.emu.bot_user,
                "extras": self.extras,
            }
        )

    async def page_strings(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.strings(request.query.get("lang", "en"))))

    async def snapshot(self, request: web.Request) -> web.Response:
        return web.json_response(self.emu.chat_snapshot(self._player(request).user_id))

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: one ``data:`` line of JSON per chat change."""
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        queue: asyncio.Queue[dict[str, Any] | None] = self.emu.subscribe()  # type: ignore[assignment]
        self._streams.add(queue)
        try:
            await response.write(b": connected\n\n")
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    await response.write(b": heartbeat\n\n")
                    continue
                if event is None:  # shutting down
                    break
                payload = json.dumps(event, ensure_ascii=False, default=str)
                await response.write(f"data: {payload}\n\n".encode())
        except ConnectionResetError:
            pass  # the page went away
        finally:
            self._streams.discard(queue)
            self.emu.unsubscribe(queue)  # type: ignore[arg-type]
        return response

    async def close_streams(self, _: web.Application) -> None:
        """End every event stream at shutdown, so stopping does not wait for them."""
        for queue in self._streams:
            queue.put_nowait(None)

    # ------------------------------------------------------------ acting

    async def send(self, request: web.Request) -> web.Response:
        player = self._player(request)
        text = str((await _body(request)).get("text", "")).strip()
        keys = [key for row in player.reply_keyboard or [] for key in row]
        if text in keys:
            return await _act(player.tap(text))
        return await _act(player.send(text))

    async def press(self, request: web.Request) -> web.Response:
        player = self._player(request)
        body = await _body(request)
        try:
            message = self.emu.get_message(player.user_id, int(body["message_id"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise web.HTTPBadRequest(text=f"no such message: {exc}") from exc
        return await _act(player.press_data(str(body.get("data", "")), message=message))

    async def link(self, request: web.Request) -> web.Response:
        player = self._player(request)
        return await _act(player.open_link(str((await _body(request)).get("url", ""))))

    async def contact(self, request: web.Request) -> web.Response:
        player = self._player(request)
        return await _act(player.share_contact(self.people[player.user_id].phone))

    async def photo(self, request: web.Request) -> web.Response:
        player = self._player(request)
        form = await request.post()
        upload = form.get("photo")
        if not isinstance(upload, web.FileField):
            return _refused("no photo in the form")
        caption = form.get("caption")
        return await _act(
            player.send_photo(upload.file.read(), caption=str(caption) if caption else None)
        )

    async def scan(self, request: web.Request) -> web.Response:
        """The person points their phone at a QR picture (from any chat) and opens its link."""
        player = self._player(request)
        stored = self.emu.files.get(str((await _body(request)).get("file_id", "")))
        if stored is None:
            return _refused("no such picture")
        return await _act(player.scan(stored.data))

    def _player(self, request: web.Request) -> Player:
        try:
            return self.players[int(request.match_info["uid"])]
        except (KeyError, ValueError) as exc:
            raise web.HTTPNotFound(text="no such person on this page") from exc


def from_the_page(handler: Handler) -> Handler:
    """Refuses (403) a POST that the page's own script did not send (cross-site requests)."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        own_origin = f"{request.scheme}://{request.host}"
        origin = request.headers.get("Origin")
        site = request.headers.get("Sec-Fetch-Site")
        if (
            request.headers.get(PAGE_HEADER) != "1"
            or (origin is not None and origin != own_origin)
            or (site is not None and site != "same-origin")
        ):
            log.warning("refused a cross-site POST to %s", request.path)
            return web.json_response({"ok": False, "error": "cross-site request"}, status=403)
        return await handler(request)

    return guarded


async def _body(request: web.Request) -> dict[str, Any]:
    with contextlib.suppress(ValueError):
        body = await request.json()
        if isinstance(body, dict):
            return body
    raise web.HTTPBadRequest(text="expected a JSON object")


async def _act(action: Awaitable[object]) -> web.Response:
    try:
        await action
    except PlayerError as exc:
        return _refused(str(exc))
    return web.json_response({"ok": True})


def _refused(reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=400)
