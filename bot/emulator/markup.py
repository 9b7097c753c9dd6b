"""Text and keyboard rules the way Telegram applies them.

`parse_html` turns `parse_mode=HTML` text into plain text plus entities and is as strict as
Telegram: an unsupported tag, a bare `<` or an unclosed tag is a 400 "can't parse entities", so a
locale string with an unescaped user name fails in tests instead of in production. Offsets and
lengths are in UTF-16 code units, as in the Bot API. `entities_to_html` goes the other way for the
web chat page, producing HTML that is safe to insert (all text escaped, whitelisted tags only).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.emulator import rules
from bot.emulator.protocol import ApiError
from bot.emulator.rules import Refusal, Repair

__all__ = [
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION",
    "MAX_TEXT",
    "command_entities",
    "deep_link_start",
    "entities_to_html",
    "formatted",
    "normalize_reply_markup",
    "parse_html",
    "utf16_len",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_OTHER_TAGS = {"a", "span", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ATTR_RE = re.compile(r"""([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_CHARREF_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
# In the order the Bot API server looks for them: the first one present is the button's action.
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "callback_game",
    "pay",
    "switch_inline_query",
    "switch_inline_query_chosen_chat",
    "switch_inline_query_current_chat",
    "login_url",
    "web_app",
    "copy_text",
)
_STRING_ACTIONS = frozenset({"url", "callback_data"})  # absent when empty
_REPLY_KEYBOARD_OPTIONS = frozenset(
    {
        "is_persistent",
        "resize_keyboard",
        "one_time_keyboard",
        "input_field_placeholder",
        "selective",
    }
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


def _entity_error(what: str) -> ApiError:
    return rules.ENTITIES.error(detail=what)


@dataclass
class _Open:
    name: str
    start: int
    entity: dict[str, Any] | None
    children: list[str] = field(default_factory=list)


def _open_entity(name: str, attrs: dict[str, str], parent: _Open | None) -> dict[str, Any] | None:
    """The entity a start tag begins, or None for a `<code class=language-…>` inside `<pre>`."""
    if name in _SIMPLE_TAGS:
        if name == "code" and parent is not None and parent.name == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-") and parent.entity is not None:
                parent.entity["language"] = language.removeprefix("language-")
                return None
        return {"type": _SIMPLE_TAGS[name]}
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise _entity_error('Unsupported start tag "span"')
        return {"type": "spoiler"}
    if name == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    if name == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": attrs.get("emoji-id", "")}
    href = attrs.get("href", "")
    user = re.fullmatch(r"tg://user\?id=(\d+)", href)
    if user:
        return {
            "type": "text_mention",
            "user": {"id": int(user[1]), "is_bot": False, "first_name": ""},
        }
    return {"type": "text_link", "url": href} if href else None


def _parse_attrs(source: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR_RE.finditer(source):
        value = next((v for v in match.groups()[1:] if v is not None), "")
        attrs[match[1].lower()] = html.unescape(value)
    return attrs


def _decode_charref(ref: str) -> str:
    if ref.startswith(("#x", "#X")):
        return chr(int(ref[2:], 16))
    if ref.startswith("#"):
        return chr(int(ref[1:]))
    return _NAMED_ENTITIES.get(ref.lower(), f"&{ref};")


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of Telegram HTML; raises the 400 Telegram would."""
    out: list[str] = []
    pos = 0  # UTF-16 offset in the plain text
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    for special in re.finditer(r"[<&]", source):
        if special.start() < i:
            continue
        run = source[i : special.start()]
        out.append(run)
        pos += utf16_len(run)
        i = special.start()
        if source[i] == "&":
            ref = _CHARREF_RE.match(source, i)
            text = _decode_charref(ref[1]) if ref else "&"
            out.append(text)
            pos += utf16_len(text)
            i = ref.end() if ref else i + 1
            continue
        tag = _TAG_RE.match(source, i)
        if tag is None:
            raise _entity_error(f"Unclosed start tag at byte offset {_byte_offset(source, i)}")
        closing, name = tag[1] == "/", tag[2].lower()
        if closing:
            if not stack:
                raise _entity_error(f"Unexpected end tag at byte offset {_byte_offset(source, i)}")
            top = stack.pop()
            if top.name != name:
                raise _entity_error(
                    f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            if top.entity is not None and pos > top.start:
                entities.append({**top.entity, "offset": top.start, "length": pos - top.start})
        else:
            if name not in _SIMPLE_TAGS and name not in _OTHER_TAGS:
                raise _entity_error(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, i)}'
                )
            parent = stack[-1] if stack else None
            entity = _open_entity(name, _parse_attrs(tag[3]), parent)
            stack.append(_Open(name, pos, entity))
        i = tag.end()
    out.append(source[i:])
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def formatted(
    raw: str | None,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    caption: bool,
    required: bool,
) -> tuple[str | None, list[dict[str, Any]]]:
    """A text or caption as Telegram stores it: HTML parsed into entities, then checked for
    emptiness and length (characters after parsing). An optional caption left empty is None."""
    if raw:
        if (parse_mode or "").lower() == "html":
            text, entities = parse_html(raw)
        else:  # Markdown is passed through unparsed: jifen renders HTML.
            text, entities = raw, entities or []
        if text.strip():
            if len(text) > (MAX_CAPTION if caption else MAX_TEXT):
                raise (rules.CAPTION_TOO_LONG if caption else rules.TEXT_TOO_LONG).error()
            return text, entities
    if required:
        raise rules.TEXT_EMPTY.error()
    return None, []


def command_entities(text: str) -> list[dict[str, Any]]:
    """The `bot_command` entities Telegram attaches to a user's text (PTB's CommandHandler needs
    one at offset 0)."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m[0]),
        }
        for m in _COMMAND_RE.finditer(text)
    ]


_HTML_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="tg-spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
}


def _entity_tags(entity: dict[str, Any]) -> tuple[str, str] | None:
    if entity.get("type") == "text_link":
        url = str(entity.get("url", ""))
        if urlsplit(url).scheme not in ("http", "https", "tg"):
            return None
        href = html.escape(url, quote=True)
        return f'<a href="{href}" target="_blank" rel="noopener">', "</a>"
    return _HTML_TAGS.get(str(entity.get("type")))


def entities_to_html(text: str | None, entities: list[dict[str, Any]] | None) -> str:
    """Escaped text with formatting rebuilt from entities: safe to use as innerHTML."""
    if not text:
        return ""
    units = text.encode("utf-16-le")
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for entity in sorted(entities or [], key=lambda e: (e["offset"], -e["length"])):
        tags = _entity_tags(entity)
        if tags is None:
            continue
        start, end = entity["offset"], entity["offset"] + entity["length"]
        opens.setdefault(start, []).append(tags[0])
        closes.setdefault(end, []).insert(0, tags[1])
    cuts = sorted({0, len(units) // 2, *opens, *closes})
    parts: list[str] = []
    for a, b in zip(cuts, [*cuts[1:], None], strict=True):
        parts.extend(closes.get(a, []))
        parts.extend(opens.get(a, []))
        if b is not None:
            parts.append(html.escape(units[2 * a : 2 * b].decode("utf-16-le"), quote=False))
    return "".join(parts)


def _string_field(button: dict[str, Any], key: str) -> str | None:
    """A Bot API string field: numbers are taken as their text, other types refused."""
    value = button.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise rules.BUTTON_FIELD_TYPE.error(field=key)


def _inline_button(button: Any, repaired: Callable[[Repair], None]) -> dict[str, Any] | None:
    """The button as Telegram keeps it (first action only), or None when it is left out."""
    if not isinstance(button, dict):
        raise rules.BUTTON_NOT_OBJECT.error()
    text = _string_field(button, "text")
    if text is None:
        raise rules.BUTTON_TEXT_MISSING.error()
    present = [
        key
        for key in _BUTTON_ACTIONS
        if key in button and (key not in _STRING_ACTIONS or _string_field(button, key))
    ]
    if not present:
        raise rules.BUTTON_WITHOUT_ACTION.error()
    if len(present) > 1:
        repaired(rules.SECOND_ACTION)
    action = present[0]
    if not text:
        repaired(rules.EMPTY_BUTTON)
        return None
    value = _string_field(button, action) if action in _STRING_ACTIONS else button[action]
    if action == "callback_data" and len(str(value).encode()) > MAX_CALLBACK_DATA_BYTES:
        raise rules.BUTTON_DATA_INVALID.error()
    if action == "url" and urlsplit(str(value)).scheme not in ("http", "https", "tg"):
        raise rules.BUTTON_URL_INVALID.error()
    return {"text": text, action: value}


def _reply_key(key: Any, repaired: Callable[[Repair], None]) -> dict[str, Any] | None:
    if isinstance(key, str):
        key = {"text": key}
    if not isinstance(key, dict):
        raise rules.KEY_NOT_OBJECT.error()
    if "text" not in key:
        raise rules.KEY_TEXT_MISSING.error()
    if not key["text"]:
        repaired(rules.EMPTY_BUTTON)
        return None
    return dict(key)


def _rows(
    markup: dict[str, Any],
    key: str,
    not_rows: Refusal,
    check: Callable[[Any, Callable[[Repair], None]], dict[str, Any] | None],
    repaired: Callable[[Repair], None],
) -> list[list[dict[str, Any]]]:
    """Checked rows, without the buttons Telegram leaves out and the rows left empty."""
    rows = markup.get(key)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise rules.FIELD_TYPE.error(field=key, type="Array")
    kept = []
    for row in rows:
        if not isinstance(row, list):
            raise not_rows.error()
        buttons = [b for b in (check(button, repaired) for button in row) if b is not None]
        if buttons:
            kept.append(buttons)
    return kept


def _flag(markup: dict[str, Any], *keys: str) -> bool:
    for key in keys:
        if key in markup and not isinstance(markup[key], bool):
            raise rules.FIELD_TYPE.error(field=key, type="Boolean")
    return any(markup.get(key) for key in keys)


def normalize_reply_markup(
    markup: Any, repaired: Callable[[Repair], None] = lambda _: None
) -> dict[str, Any] | None:
    """The reply_markup Telegram would keep (string keys become `{"text": …}`), or None for
    none; refuses what Telegram refuses and reports each quiet repair to `repaired`.

    Like the Bot API server: a reply keyboard with keys wins over an inline keyboard, which wins
    over remove_keyboard, then force_reply; nothing left (`{}`, only empty rows) is no markup.
    """
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise rules.MARKUP_NOT_OBJECT.error()
    keys = _rows(markup, "keyboard", rules.KEYBOARD_NOT_ROWS, _reply_key, repaired)
    buttons = _rows(
        markup, "inline_keyboard", rules.INLINE_KEYBOARD_NOT_ROWS, _inline_button, repaired
    )
    remove = _flag(markup, "remove_keyboard", "hide_keyboard")
    force = _flag(markup, "force_reply", "force_reply_keyboard")
    if keys:
        normalized = {k: v for k, v in markup.items() if k in _REPLY_KEYBOARD_OPTIONS}
        return {**normalized, "keyboard": keys}
    if buttons:
        return {"inline_keyboard": buttons}
    if remove:
        return {"remove_keyboard": True, **_options(markup, "selective")}
    if force:
        return {"force_reply": True, **_options(markup, "selective", "input_field_placeholder")}
    repaired(rules.EMPTY_MARKUP)
    return None


def _options(markup: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: markup[key] for key in keys if key in markup}


def deep_link_start(url: str, bot_username: str) -> str:
    """The `/start …` text a Telegram client sends when a user opens a link to this bot."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme == "tg" and parts.netloc == "resolve":
        domain = query.get("domain", [""])[0]
    elif parts.netloc.lower() in ("t.me", "telegram.me", "www.t.me"):
        domain = parts.path.strip("/")
    else:
        raise ValueError(f"{url!r} is not a Telegram link")
    if domain.lower() != bot_username.lower():
        raise ValueError(f"{url!r} opens @{domain}, not this bot @{bot_username}")
    payload = query.get("start", [""])[0]
    if payload and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload):
        raise ValueError(f"start parameter {payload!r} is not 1-64 characters of A-Za-z0-9_-")
    return f"/start {payload}" if payload else "/start"
