"""The web page's own strings (``locales/*/sandbox.ftl``), served as JSON per language, and
the sandbox's own page files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from aiohttp import web

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


def files_handler(
    folder: Path, files: Mapping[str, str], default: str | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A handler serving ``files`` (name → content type) from ``folder`` by the route's
    ``{name}`` (else ``default``), never cached; any other name is 404."""

    async def serve(request: web.Request) -> web.Response:
        name = request.match_info.get("name", default or "")
        if name not in files:
            raise web.HTTPNotFound()
        return web.Response(
            body=(folder / name).read_bytes(),
            content_type=files[name],
            headers={"Cache-Control": "no-cache"},
        )

    return serve
