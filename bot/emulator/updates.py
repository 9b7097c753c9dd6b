"""Getting updates to the bot: getUpdates long polling and webhook delivery, with Telegram's
conflicts between them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from typing import Any

from bot.emulator import rules
from bot.emulator.core import EmulatorState, api_method
from bot.emulator.protocol import Params

_LOGGER = logging.getLogger(__name__)

# Telegram's default when allowed_updates was never set (or set to []).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdatesMixin(EmulatorState):
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo and webhook delivery."""

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _DEFAULT_EXCLUDED_UPDATES

    def _delivered(self, update_id: int) -> None:
        """The bot has the update now: the idle window restarts from here."""
        if update_id > self._delivered_upto:
            self._delivered_upto = update_id
            self._touch()

    def _drop(self, update: dict[str, Any]) -> None:
        self._pending.remove(update)
        self._dropped.add(update["update_id"])
        self._delivered(update["update_id"])

    def _confirm(self, offset: int) -> None:
        """getUpdates with `offset` forgets every update before it, as Telegram does."""
        while self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()
        if offset > 1:
            self._delivered(offset - 1)

    def _deliverable(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        for update in [u for u in self._pending if not self._allowed(u)]:
            self._drop(update)
        updates = list(self._pending)
        if offset is not None and offset < 0:
            updates = updates[offset:]
        return updates[:limit]

    @api_method("getUpdates")
    async def _get_updates(self, p: Params) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise rules.CONFLICT_WEBHOOK.error()
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.fire()  # an older long poll ends with 409, as on Telegram
        offset = p.get_int("offset")
        limit = min(max(p.get_int("limit", 100) or 100, 1), 100)
        allowed = p.get_json("allowed_updates")
        if allowed is not None:
            self._allowed_updates = list(allowed)
        if offset is not None and offset > 0:
            self._confirm(offset)
        deadline = time.monotonic() + max(0.0, p.get_float("timeout", 0.0) or 0.0)
        while True:
            updates = self._deliverable(offset, limit)
            remaining = deadline - time.monotonic()
            if updates or remaining <= 0 or self._closing:
                break
            await self._updates_signal.wait(remaining)
            if generation != self._poll_generation:
                raise rules.CONFLICT_POLL.error()
            if self.webhook is not None:
                raise rules.CONFLICT_WEBHOOK.error()
        transport = p.request.transport if p.request is not None else None
        if updates and (transport is None or transport.is_closing()):
            return []  # the client gave up waiting; keep the updates for its next call
        if updates:
            self._delivered(updates[-1]["update_id"])
        return updates

    @api_method("setWebhook")
    async def _set_webhook(self, p: Params) -> bool:
        url = p.get_str("url") or ""
        if not url:
            await self._remove_webhook(p)
            return True
        if not re.match(r"https?://", url):
            raise rules.WEBHOOK_NOT_HTTPS.error()
        secret = p.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise rules.SECRET_TOKEN_INVALID.error()
        allowed = p.get_json("allowed_updates")
        if allowed is not None:
            self._allowed_updates = list(allowed)
        await self._stop_webhook_delivery()
        if p.get_bool("drop_pending_updates"):
            self._drop_all()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": p.get_int("max_connections", 40),
        }
        self.webhook_error = None
        self._updates_signal.fire()  # waiting long polls end with 409
        self._webhook_task = asyncio.create_task(self._deliver_to_webhook(self.webhook))
        return True

    @api_method("deleteWebhook")
    async def _delete_webhook(self, p: Params) -> bool:
        await self._remove_webhook(p)
        return True

    async def _remove_webhook(self, p: Params) -> None:
        await self._stop_webhook_delivery()
        self.webhook = None
        if p.get_bool("drop_pending_updates"):
            self._drop_all()

    def _drop_all(self) -> None:
        for update in list(self._pending):
            self._drop(update)

    async def _stop_webhook_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @api_method("getWebhookInfo")
    async def _get_webhook_info(self, p: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
        if self._allowed_updates:
            info["allowed_updates"] = self._allowed_updates
        if self.webhook_error:
            info["last_error_date"], info["last_error_message"] = self.webhook_error
        return info

    async def _deliver_to_webhook(self, hook: dict[str, Any]) -> None:
        """Post pending updates to ``hook`` until cancelled (``bot.emulator.webhooks``)."""
        raise NotImplementedError
