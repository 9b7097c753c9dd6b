"""The web page's own strings (``locales/*/sandbox.ftl``), served as JSON per language."""

from __future__ import annotations

from locales import language_for, translator

PAGE_KEYS: tuple[str, ...] = (
    "sandbox-title",
    "sandbox-subtitle",
    "sandbox-role-member",
    "sandbox-role-cashier",
    "sandbox-role-admin",
    "sandbox-role-marketer",
    "sandbox-input-placeholder",
    "sandbox-send",
    "sandbox-attach",
    "sandbox-commands",
    "sandbox-no-commands",
    "sandbox-start",
    "sandbox-empty",
    "sandbox-scan-with",
    "sandbox-scan-title",
    "sandbox-scan-hint",
    "sandbox-close",
    "sandbox-download",
    "sandbox-typing",
    "sandbox-edited",
    "sandbox-offline",
    "sandbox-error",
    "sandbox-bot",
    "sandbox-ok",
    "sandbox-share-contact",
)
"""Every key the page uses; placeholders come back as ``{name}`` for the page to fill."""

PLACEHOLDERS = {"name": "{name}", "reason": "{reason}"}


def page_strings(language: str) -> dict[str, str]:
    t = translator(language_for(language))
    return {key: t(key, **PLACEHOLDERS) for key in PAGE_KEYS}
