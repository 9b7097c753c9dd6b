"""Webhook delivery as Telegram does it: POSTs to the URL given to setWebhook, with the
secret header, up to ``max_connections`` at once, but one chat at a time and in order; an
update whose answer is not 2xx (or that cannot be posted) is sent again with backoff and
holds back the rest of its chat meanwhile. Several receivers sit behind one URL (a
balancer), as in tests/instances.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import aiohttp

from bot.emulator.updates import UpdatesMixin
from bot.updates import chat_key

_LOGGER = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_FIRST_BACKOFF = 0.05
_MAX_BACKOFF = 1.0


class WebhooksMixin(UpdatesMixin):
    """getUpdates and setWebhook (``UpdatesMixin``) with the delivery task setWebhook starts."""

    async def _deliver_to_webhook(self, hook: dict[str, Any]) -> None:
        headers = {"Content-Type": "application/json"}
        if hook["secret_token"]:
            headers[SECRET_HEADER] = hook["secret_token"]
        limit = max(1, int(hook.get("max_connections") or 40))
        busy: set[str] = set()
        tasks: set[asyncio.Task[None]] = set()
        backoff: dict[str, float] = {}
        try:
            while True:
                started = False
                for update in self._heads(busy):
                    if len(tasks) >= limit:
                        break
                    chat = chat_key(update)
                    busy.add(chat)
                    task = asyncio.create_task(self._post(hook, headers, update, chat, backoff))
                    task.add_done_callback(lambda t, c=chat: (busy.discard(c), tasks.discard(t)))
                    tasks.add(task)
                    started = True
                if started:
                    continue
                waiter = asyncio.ensure_future(self._updates_signal.wait(None))
                await asyncio.wait({waiter, *tasks}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _heads(self, busy: set[str]) -> list[dict[str, Any]]:
        """The oldest pending update of every chat that has nothing in flight."""
        seen: set[str] = set()
        heads = []
        for update in self._deliverable(None, len(self._pending)):
            chat = chat_key(update)
            if chat not in seen and chat not in busy:
                heads.append(update)
            seen.add(chat)
        return heads

    async def _post(
        self,
        hook: dict[str, Any],
        headers: dict[str, str],
        update: dict[str, Any],
        chat: str,
        backoff: dict[str, float],
    ) -> None:
        error: str | None = None
        try:
            assert self._session is not None
            async with self._session.post(hook["url"], json=update, headers=headers) as resp:
                await resp.read()
                if not 200 <= resp.status < 300:
                    error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc!r}"
        if error is None:
            with contextlib.suppress(ValueError):
                self._pending.remove(update)
            self._delivered(update["update_id"])
            backoff.pop(chat, None)
        else:
            _LOGGER.warning("webhook delivery failed: %s", error)
            self.webhook_error = (int(time.time()), error)
            wait = backoff.get(chat, _FIRST_BACKOFF)
            backoff[chat] = min(wait * 2, _MAX_BACKOFF)
            await asyncio.sleep(wait)  # the chat stays held: its order is kept
        self._updates_signal.fire()
