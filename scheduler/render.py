"""Turn an outbox row (locale key + arguments) into what the Bot API is sent.

Texts are sent with ``parse_mode=HTML``: the locale file may use Telegram's tags, and every
string argument is escaped first, so a member's name or a marketer's text can never break
the markup. Buttons are rows of ``{"text_key" | "text": …, "url" | "callback": …}``
(see :func:`models.delivery.outbox.enqueue`); ``text_key`` is rendered in the row's language.
A class's last line (every marketing message's how-to-stop, ``models.delivery.classes``) is
added here, so no marketing template can leave it out.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

import locales
from bot.keyboards import inline_keyboard
from locales import Translate
from models.delivery import classes
from models.store.tables import OutboxMessage

TranslatorFactory = Callable[[str | None], Translate]
"""``factory(language)(key, **args) -> text``, e.g. :func:`locales.translator`."""


@dataclass(frozen=True)
class Rendered:
    text: str
    reply_markup: InlineKeyboardMarkup | None
    photo: str | None


def escape_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """HTML-escape string arguments; numbers stay numbers for Fluent's plural rules."""
    return {k: html.escape(v, quote=False) if isinstance(v, str) else v for k, v in args.items()}


_CACHE_SIZE = 1024


class Renderer:
    """Renders rows through a translator factory (``locales.translator`` by default).

    Results are cached per (language, template, arguments, buttons, photo): a broadcast's
    rows all share one text, so Fluent formats it once per language instead of per row.
    """

    def __init__(
        self, translator: TranslatorFactory | None = None, default_language: str = "en"
    ) -> None:
        self._translator = translator or locales.translator
        self._default_language = default_language
        self._cache: dict[str, Rendered] = {}

    def t(self, language: str | None) -> Translate:
        return self._translator(language or self._default_language)

    def render(self, row: OutboxMessage) -> Rendered:
        try:  # stored rows hold JSON values only; anything else is rendered uncached
            key = json.dumps(
                [row.language, row.template, row.args, row.buttons, row.photo_file_id],
                sort_keys=True,
            )
        except (TypeError, ValueError):
            return self._render(row)
        found = self._cache.get(key)
        if found is None:
            found = self._render(row)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _render(self, row: OutboxMessage) -> Rendered:
        t = self.t(row.language)
        text = t(row.template, **escape_args(row.args or {}))
        footer = classes.footer_of(row.template)
        if footer is not None:
            text = f"{text}\n\n{t(footer)}"
        return Rendered(text, self.keyboard(row.buttons, t), row.photo_file_id)

    @staticmethod
    def keyboard(
        buttons: list[list[dict[str, str]]] | None, t: Translate
    ) -> InlineKeyboardMarkup | None:
        return inline_keyboard(
            [
                InlineKeyboardButton(
                    b["text"] if "text" in b else t(b["text_key"]),
                    url=b.get("url"),
                    callback_data=b.get("callback"),
                )
                for b in row
            ]
            for row in buttons or []
        )
