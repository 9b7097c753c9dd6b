"""Every sentence a person reads: Fluent files in ``locales/<language>/*.ftl``.

Two languages from day one: ``en`` and ``zh-Hans``. A member's language comes from
Telegram's ``language_code`` (``zh*`` → Simplified Chinese, anything else → English)
until they choose one with /language. Each feature has its own ``.ftl`` file with the
same name in both folders; ``tests/test_locales.py`` fails when a key is missing in a
language or is never used in code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from fluent.runtime import FluentBundle, FluentResource

LANGUAGES: tuple[str, ...] = ("en", "zh-Hans")
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).parent
log = logging.getLogger(__name__)


class Translate(Protocol):
    def __call__(self, key: str, /, **args: Any) -> str: ...


def language_for(telegram_language_code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map Telegram's language code to one of ours."""
    code = (telegram_language_code or "").lower()
    if code.startswith("zh"):
        return "zh-Hans"
    if code.startswith("en"):
        return "en"
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


def normalize(language: str | None) -> str:
    """A stored language code, or the default when it is unknown."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def ftl_files(language: str) -> list[Path]:
    return sorted((LOCALES_DIR / language).glob("*.ftl"))


class Translator:
    """Formats messages of one language; unknown keys are logged and shown as the key."""

    def __init__(self, language: str) -> None:
        self.language = normalize(language)
        self._bundle = FluentBundle([self.language], use_isolating=False)
        for path in ftl_files(self.language):
            self._bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))

    def has(self, key: str) -> bool:
        return self._bundle.has_message(key)

    def __call__(self, key: str, /, **args: Any) -> str:
        message_id, _, attribute = key.partition(".")
        if not self._bundle.has_message(message_id):
            log.error("missing locale key %r in %s", key, self.language)
            return key
        message = self._bundle.get_message(message_id)
        pattern = message.attributes.get(attribute) if attribute else message.value
        if pattern is None:
            log.error("locale key %r in %s has no value", key, self.language)
            return key
        text, errors = self._bundle.format_pattern(pattern, _fluent_args(args))
        for error in errors:
            log.error("locale key %r in %s: %s", key, self.language, error)
        return text


def _fluent_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """Fluent takes str, int, float/Decimal and dates; anything else is shown as text."""
    return {
        k: v if isinstance(v, str | int | Decimal) and not isinstance(v, bool) else str(v)
        for k, v in args.items()
    }


@cache
def translator(language: str | None) -> Translator:
    """The (cached) translator for a language code; unknown codes fall back to English."""
    return Translator(normalize(language))


def localized(texts: Mapping[str, str] | None, language: str) -> str:
    """Pick a data text (reward name, tier name) in the reader's language, else any."""
    if not texts:
        return ""
    return texts.get(language) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()))


def money(amount_minor: int, symbol: str = "¥", exponent: int = 2) -> str:
    """``12850`` → ``¥128.50``: integer minor units rendered exactly, no floats."""
    sign = "-" if amount_minor < 0 else ""
    major, minor = divmod(abs(amount_minor), 10**exponent)
    fraction = f".{minor:0{exponent}d}" if exponent else ""
    return f"{sign}{symbol}{major:,}{fraction}"
