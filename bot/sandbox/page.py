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
    # the time control and the tools panel (bot/sandbox/static/clock.js)
    "sandbox-clock-label",
    "sandbox-clock-hour",
    "sandbox-clock-day",
    "sandbox-clock-week",
    "sandbox-clock-month",
    "sandbox-clock-date",
    "sandbox-clock-go",
    "sandbox-clock-hint",
    "sandbox-clock-progress",
    "sandbox-clock-failed",
    "sandbox-tools",
    "sandbox-tools-title",
    "sandbox-tools-key",
    "sandbox-tools-curl",
    "sandbox-tools-api",
    "sandbox-tools-miniapp",
    "sandbox-tools-cli",
    "sandbox-tools-no-member",
    "sandbox-copy",
    "sandbox-copied",
    "sandbox-console",
)
"""Every key the page uses; placeholders come back as ``{name}`` for the page to fill."""

PLACEHOLDERS = {name: f"{{{name}}}" for name in ("name", "reason", "day", "days", "command")}


def page_strings(language: str) -> dict[str, str]:
    t = translator(language_for(language))
    return {key: t(key, **PLACEHOLDERS) for key in PAGE_KEYS}
