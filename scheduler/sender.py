"""The outbox sender: delivers queued messages within Telegram's limits, exactly once in
practice and at least once in the worst case.

One loop per process claims due rows with a lease
(:func:`models.delivery.outbox_delivery.claim_due`),
renders each in its recipient's language, waits for a slot from the token buckets
(:mod:`scheduler.ratelimit`) and hands the Bot API call to a task, so a slow round trip
does not cap the rate. Calls in flight are bounded by a window sized from the round trip
(:class:`scheduler.ratelimit.CallWindow`, at most ``concurrency``). No database
transaction is open during a call.

Outcomes: success records ``sent_at`` and the Telegram message id (batched, below); 429
pauses *all* sending for ``retry_after`` and puts the row back without counting an attempt;
403 marks the row ``blocked`` and the member unreachable; a 400 is permanent (``failed``);
anything else is retried with exponential backoff until ``outbox.max_attempts``.

Successes are recorded in batches: an accepted message joins a buffer that one UPDATE
(:func:`models.delivery.outbox_delivery.mark_sent_many`) writes ``SENT_FLUSH_DELAY`` (20 ms)
after the
first entry arrived, or at once when ``SENT_FLUSH_ROWS`` are waiting; one statement per
~20 rows instead of one per row keeps the database off the critical path at 1000/s.

Crash safety. The only window for a duplicate is a hard crash between Telegram accepting a
message and the UPDATE that records it: a message accepted at time t is recorded by
t + 20 ms + the duration of that UPDATE (a few ms; longer only while the database is
slow), so a hard crash repeats at most the calls in flight plus the messages accepted in
the last ~20 ms before it (≈ 20 at 1000/s, ≤ ``SENT_FLUSH_ROWS`` + those in a flush
under way); their leases lapse and they are sent again (at-least-once, never lost). Other
outcomes (429, 403, errors) are recorded row by row at once. A clean stop (``stop()`` or
cancelling ``run()``) closes the window: nothing new is dispatched, calls in flight
finish, the buffer is written, claimed-but-unsent rows are handed back at once.

Broadcast progress: every ``progress_interval`` seconds the sender edits each running
broadcast's progress message (a text bar and counts) and, once nothing is pending, closes
the broadcast (a conditional update, so one instance does it) and turns the message into
the exact delivery report, counted in SQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from models.delivery import outbox_delivery
from models.delivery.outbox_delivery import BroadcastCounts
from models.store import clock
from models.store.tables import Broadcast, Member, OutboxMessage, OutboxStatus
from observability.metrics import TELEGRAM_SENDS
from scheduler.pace import SharedPace
from scheduler.ratelimit import CallWindow, SendLimiter
from scheduler.render import Rendered, Renderer, TranslatorFactory
from scheduler.worker import WorkerLoop

if TYPE_CHECKING:  # the composition root passes its settings in; no import upwards
    from bot.settings import Settings

log = logging.getLogger(__name__)

BAR_CELLS = 20
MAX_BACKOFF = timedelta(hours=1)
DEFER_CHAT_AFTER = 0.5  # seconds: a row for a busy chat goes back to the queue instead
SENT_FLUSH_DELAY = 0.02  # seconds an accepted message may wait to be recorded (see above)
SENT_FLUSH_ROWS = 200  # ... or fewer, when this many are waiting


@dataclass
class SenderStats:
    """What this sender did since it was created (for tests, benchmarks and logs)."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried: int = 0
    flood_waits: int = 0
    deferred: int = 0
    reports: int = 0


def _retry_after(error: RetryAfter) -> float:
    """Seconds to wait, whether PTB gives an int (v22 default) or a timedelta (opt-in)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class OutboxSender:
    """Delivers the outbox. ``run()`` until ``stop()``; tests use ``run_until_idle()``.

    ``bot`` is PTB's ``Bot`` (e.g. ``application.bot``); its HTTP pool should allow
    ``concurrency`` parallel requests (PTB's ApplicationBuilder default of 256 does). That
    is a ceiling: the window in use follows the round trip (:class:`CallWindow`).
    """

    def __init__(
        self,
        bot: Bot,
        settings: Settings,
        translator: TranslatorFactory | None = None,
        *,
        concurrency: int | None = None,
        claim_lease: timedelta = timedelta(seconds=60),
        poll_interval: float = 1.0,
        progress_interval: float = 2.0,
        retry_base: timedelta = timedelta(seconds=2),
        pace: SharedPace | None = None,
        holder: str | None = None,
    ) -> None:
        out = settings.outbox
        self.bot = bot
        # the budget shared with replies (and other instances); the limiter below still
        # keeps the per-chat limit and 429 pauses of this sender
        self.pace = pace
        self.holder = holder
        # the bot's own rate limiter (bot.pace) must not pace these calls a second time
        paced = isinstance(bot, ExtBot) and bot.rate_limiter is not None
        self._call_args: dict[str, Any] = {"rate_limit_args": {"paced": True}} if paced else {}
        self.renderer = Renderer(translator, settings.bot.default_language)
        self.limiter = SendLimiter(out.messages_per_second, out.per_chat_per_second)
        self.max_attempts = out.max_attempts
        # enough rows for ~5 s of sending, so the lease never runs out under a batch
        self.batch_size = max(1, min(out.batch_size, math.ceil(out.messages_per_second * 5)))
        self.concurrency = concurrency or max(8, min(256, math.ceil(out.messages_per_second / 2)))
        self.claim_lease = claim_lease
        self.poll_interval = poll_interval
        self.progress_interval = progress_interval
        self.retry_base = retry_base
        self.stats = SenderStats()
        self.window = CallWindow(self.concurrency)
        self._calls = 0  # dispatched deliveries not yet finished
        self._slot_freed = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._sent: list[tuple[int, int | None]] = []  # accepted, not yet recorded
        self._flusher: asyncio.Task[None] | None = None
        self._flush_now = asyncio.Event()
        self._held: dict[int, OutboxMessage] = {}
        self._loop = WorkerLoop(lambda: self.poll_interval, log)
        self._progress_texts: dict[int, str] = {}
        self._last_progress = 0.0

    # ------------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        """Send until :meth:`stop` (or cancellation); always leaves the outbox consistent.

        The shared worker loop (:class:`scheduler.worker.WorkerLoop`); a failing turn ends
        it, as it always did here."""
        self._loop.rearm()
        await self._loop.run(self._turn, settle=self._settle)

    async def _turn(self) -> bool:
        claimed = await self._cycle()
        await self._progress_if_due()
        return claimed > 0

    def stop(self) -> None:
        """Finish what is in flight and return from :meth:`run`."""
        self._loop.stop()

    def wake(self) -> None:
        """New rows were queued: look now instead of at the next poll."""
        self._loop.wake()

    async def run_until_idle(self, *, horizon: float = 5.0) -> SenderStats:
        """Send until nothing is pending that falls due within ``horizon`` seconds (retries
        after a flood wait included), then write broadcast progress and reports.

        Bound it with ``asyncio.timeout`` where a hang must fail a test."""
        self._loop.rearm()
        try:
            while True:
                if await self._cycle():
                    await self._progress_if_due()
                    continue
                await self._wait_inflight()
                soon = clock.now() + timedelta(seconds=horizon)
                if not await OutboxMessage.filter(
                    status=OutboxStatus.PENDING, next_attempt_at__lte=soon
                ).exists():
                    break
                await asyncio.sleep(0.05)
        finally:
            await self._settle()
        await self.update_progress()
        return self.stats

    drain = run_until_idle

    # ------------------------------------------------------------------ claiming

    async def _claim(self) -> list[OutboxMessage]:
        task = asyncio.ensure_future(
            outbox_delivery.claim_due(self.batch_size, self.claim_lease, holder=self.holder)
        )
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # the claim may have committed: hand its rows straight back
            rows = await task
            await outbox_delivery.release([r.id for r in rows], holder=self.holder)
            raise

    async def _cycle(self) -> int:
        """Claim one batch and dispatch it; the number of rows claimed."""
        rows = await self._claim()
        if not rows:
            return 0
        self._held = {r.id: r for r in rows}
        lease_ends = time.monotonic() + self.claim_lease.total_seconds() * 0.8
        deferred: list[tuple[int, float]] = []
        try:
            for row in rows:
                if self._loop.stopping or time.monotonic() > lease_ends:
                    break
                wait = self.limiter.chat_wait(row.chat_id)
                if wait > DEFER_CHAT_AFTER:
                    deferred.append((row.id, wait))
                    del self._held[row.id]
                    continue
                if self.pace is not None:
                    await self.pace.bulk_slot()
                await self.limiter.acquire(row.chat_id)
                await self._slot()
                del self._held[row.id]
                task = asyncio.create_task(self._deliver(row))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
        finally:
            held, self._held = list(self._held), {}
            await outbox_delivery.release(held, holder=self.holder)
            for row_id, wait in deferred:
                self.stats.deferred += 1
                at = clock.now() + timedelta(seconds=wait)
                await outbox_delivery.release([row_id], at, holder=self.holder)
        return len(rows)

    async def _slot(self) -> None:
        """Wait until the call window has room, then take a place in it."""
        while self._calls >= self.window.size:
            self.window.waited()
            self._slot_freed.clear()
            await self._slot_freed.wait()
        self._calls += 1

    async def _wait_inflight(self) -> None:
        """Let calls in flight finish and write every recorded outcome."""
        while self._inflight or self._sent or self._flusher:
            if self._inflight:
                await asyncio.wait(set(self._inflight))
            if self._flusher:
                await asyncio.wait({self._flusher})
            await self._flush_sent()

    async def _settle(self) -> None:
        """Hand back undispatched rows and let calls in flight finish and be recorded."""
        if self._held:
            held, self._held = list(self._held), {}
            await outbox_delivery.release(held, holder=self.holder)
        await self._wait_inflight()

    # ------------------------------------------------------------------ delivering

    async def _call(self, chat_id: int, rendered: Rendered) -> Message:
        if rendered.photo:
            return await self.bot.send_photo(
                chat_id,
                rendered.photo,
                caption=rendered.text,
                parse_mode="HTML",
                reply_markup=rendered.reply_markup,
                **self._call_args,
            )
        return await self.bot.send_message(
            chat_id,
            rendered.text,
            parse_mode="HTML",
            reply_markup=rendered.reply_markup,
            **self._call_args,
        )

    async def _deliver(self, row: OutboxMessage) -> None:
        try:
            await self._deliver_one(row)
        except Exception:
            # the database failed us: the row's lease lapses and it is tried again
            log.exception("recording outbox row %s failed", row.id)
        finally:
            self.limiter.answered()
            self._calls -= 1
            self._slot_freed.set()

    async def _deliver_one(self, row: OutboxMessage) -> None:
        try:
            rendered = self.renderer.render(row)
        except Exception as exc:
            log.exception("outbox row %s (%s) cannot be rendered", row.id, row.template)
            self.stats.failed += 1
            await outbox_delivery.mark_failed(row.id, f"render: {exc!r}")
            return
        started = time.perf_counter()
        try:
            message = await self._call(row.chat_id, rendered)
        except RetryAfter as exc:
            seconds = _retry_after(exc)
            self.limiter.pause(seconds)
            self.stats.flood_waits += 1
            TELEGRAM_SENDS.labels("429").inc()
            at = clock.now() + timedelta(seconds=seconds)
            await outbox_delivery.release([row.id], at, holder=self.holder)
        except Forbidden as exc:
            self.stats.blocked += 1
            TELEGRAM_SENDS.labels("403").inc()
            await outbox_delivery.mark_blocked(row.id, row.member_id, str(exc))
        except BadRequest as exc:
            self.stats.failed += 1
            TELEGRAM_SENDS.labels("other").inc()
            await outbox_delivery.mark_failed(row.id, str(exc))
        except (TelegramError, OSError) as exc:
            TELEGRAM_SENDS.labels("other").inc()
            if row.attempts + 1 >= self.max_attempts:
                self.stats.failed += 1
                await outbox_delivery.mark_failed(row.id, str(exc))
            else:
                self.stats.retried += 1
                backoff = min(self.retry_base * 2**row.attempts, MAX_BACKOFF)
                await outbox_delivery.retry_later(row.id, clock.now() + backoff, str(exc))
        else:
            self.window.observe(time.perf_counter() - started)
            self.stats.sent += 1
            TELEGRAM_SENDS.labels("ok").inc()
            self._record_sent(row.id, message.message_id)

    def _record_sent(self, row_id: int, message_id: int | None) -> None:
        """Buffer a success; a flush writes it within ``SENT_FLUSH_DELAY``."""
        self._sent.append((row_id, message_id))
        if len(self._sent) >= SENT_FLUSH_ROWS:
            self._flush_now.set()
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_later())

    async def _flush_later(self) -> None:
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flush_now.wait(), SENT_FLUSH_DELAY)
            self._flush_now.clear()
            await self._flush_sent()
        finally:
            # successes that arrived during the write get their own flush
            self._flusher = asyncio.create_task(self._flush_later()) if self._sent else None

    async def _flush_sent(self) -> None:
        batch, self._sent = self._sent, []
        if not batch:
            return
        try:
            await outbox_delivery.mark_sent_many(batch)
        except Exception:
            # the database failed us: the rows' leases lapse and they are sent again
            log.exception("recording %d sent outbox rows failed", len(batch))

    # ------------------------------------------------------------------ broadcast progress

    async def _progress_if_due(self) -> None:
        if time.monotonic() - self._last_progress >= self.progress_interval:
            await self.update_progress()

    async def update_progress(self) -> None:
        """Edit live progress messages; close finished broadcasts with their report."""
        self._last_progress = time.monotonic()
        for broadcast in await outbox_delivery.unfinished_broadcasts():
            counts = await outbox_delivery.broadcast_counts(broadcast.id)
            if counts.pending == 0 and await outbox_delivery.finish_broadcast(broadcast.id):
                await broadcast.refresh_from_db()
                await self._report(broadcast, await outbox_delivery.broadcast_counts(broadcast.id))
            elif broadcast.progress_chat_id and broadcast.progress_message_id:
                t = await self._marketer_t(broadcast)
                text = t("broadcast-progress", **progress_args(broadcast.id, counts))
                await self._show(broadcast, text)

    async def _report(self, broadcast: Broadcast, counts: BroadcastCounts) -> None:
        if not broadcast.progress_chat_id:
            return
        t = await self._marketer_t(broadcast)
        took = (
            broadcast.finished_at - broadcast.started_at
            if broadcast.finished_at and broadcast.started_at
            else timedelta(0)
        )
        text = t(
            "broadcast-report",
            id=str(broadcast.id),
            status=str(broadcast.status),
            total=counts.total,
            sent=counts.sent,
            blocked=counts.blocked,
            failed=counts.failed,
            cancelled=counts.cancelled,
            duration=str(timedelta(seconds=round(took.total_seconds()))),
        )
        self.stats.reports += 1
        await self._show(broadcast, text, final=True)

    async def _marketer_t(self, broadcast: Broadcast) -> Any:
        creator = await Member.filter(telegram_id=broadcast.created_by).first()
        return self.renderer.t(creator.language if creator else None)

    async def _show(self, broadcast: Broadcast, text: str, *, final: bool = False) -> None:
        """Edit the progress message (or send the report if there is none); best effort."""
        chat_id = broadcast.progress_chat_id
        assert chat_id is not None
        if self._progress_texts.get(broadcast.id) == text:
            return
        for _attempt in range(3 if final else 1):
            await self.limiter.acquire(chat_id)
            try:
                if broadcast.progress_message_id:
                    # Keep the Cancel button while sending; the final report drops it.
                    buttons = None if final else broadcast.progress_buttons
                    await self.bot.edit_message_text(
                        text,
                        chat_id=chat_id,
                        message_id=broadcast.progress_message_id,
                        reply_markup=Renderer.keyboard(buttons, self.renderer.t(None)),
                        **self._call_args,
                    )
                else:
                    if self.pace is not None:
                        await self.pace.bulk_slot()
                    await self.bot.send_message(chat_id, text, **self._call_args)
            except RetryAfter as exc:
                self.limiter.pause(_retry_after(exc))
                continue
            except TelegramError as exc:
                if "not modified" not in str(exc):
                    log.warning("broadcast %s progress message: %s", broadcast.id, exc)
            finally:
                self.limiter.answered()
            self._progress_texts[broadcast.id] = text
            break
        if final:
            self._progress_texts.pop(broadcast.id, None)


def progress_args(broadcast_id: int, counts: BroadcastCounts) -> dict[str, Any]:
    """Arguments of ``broadcast-progress``: a text bar, the percentage and the counts."""
    share = counts.done / counts.total if counts.total else 1.0
    filled = round(share * BAR_CELLS)
    return {
        "id": str(broadcast_id),
        "bar": "▓" * filled + "░" * (BAR_CELLS - filled),
        "percent": math.floor(share * 100),
        "sent": counts.sent,
        "failed": counts.failed,
        "blocked": counts.blocked,
        "pending": counts.pending,
        "total": counts.total,
    }
