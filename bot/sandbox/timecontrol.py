"""The sandbox's clock on the page: where time stands, and jumps that run what falls due.

    GET  /api/sandbox          the sandbox's time (Unix ms) and time zone, a jump's
                               progress ("day 12 of 30"), the demo API key with a curl line
                               that records a purchase, the console's address when one is
                               served, and the command line for ``jifen --sandbox``
    POST /api/sandbox/clock    {"jump": "1h" | "1d" | "7d" | "30d"} or {"date": "YYYY-MM-DD"}
                               (the same time of day on that date), and "lang": 202 while
                               the jump runs; 400 {"error"} in that language for a date that
                               is not one, not ahead or too far; 409 while time is moving

A jump is :func:`scheduler.timetravel.advance_to` through the scheduler's own
:class:`~scheduler.runner.JobRunner` (APScheduler's triggers are paused meanwhile), or a
runner of its own when this sandbox's scheduler does not run jobs. Afterwards the clock
runs on from the target (:func:`models.store.clock.run_from`), and the jump is recorded as
a ``JobRun`` of ``sandbox-clock`` at the target, so a restarted sandbox resumes its time.
The POST is guarded like the page's own (:func:`bot.emulator.web.from_the_page`).
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from telegram.ext import Application

from bot.emulator.web import from_the_page
from bot.settings import Settings
from locales import language_for, translator
from models.sandbox import demo
from models.store import clock, jobs
from scheduler import timetravel
from scheduler.runner import JobRunner

log = logging.getLogger(__name__)

STEPS = {
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
MAX_JUMP = timedelta(days=731)
JOB = "sandbox-clock"
HOLDER = "sandbox-clock"
CLI_EXAMPLE = "jifen --sandbox doctor"
CONSOLE = "/console/"


@dataclass(frozen=True)
class Refused:
    """A jump that cannot be made: the locale key saying why."""

    key: str


def target_of(body: dict[str, Any], now: datetime, tz: str) -> datetime | Refused:
    """Where a jump goes: ``now`` plus a step, or the same local time on a later date."""
    step = STEPS.get(str(body.get("jump", "")))
    if step is not None:
        return now + step
    try:
        day = date.fromisoformat(str(body.get("date", "")))
    except ValueError:
        return Refused("sandbox-clock-bad-date")
    zone = ZoneInfo(tz)
    target = datetime.combine(day, now.astimezone(zone).timetz().replace(tzinfo=None), zone)
    if target <= now:
        return Refused("sandbox-clock-not-ahead")
    if target - now > MAX_JUMP:
        return Refused("sandbox-clock-too-far")
    return target


class TimeControl:
    """The page's clock and tools; :meth:`attach` gives it the running bot."""

    def __init__(self, settings: Settings, app: web.Application) -> None:
        self.settings = settings
        self.app = app
        self.application: Application | None = None
        self.api_key: str | None = None
        self.task: asyncio.Task[None] | None = None
        self.progress = (0, 0)
        self.failure: str | None = None
        self._own: JobRunner | None = None
        app.add_routes(
            [
                web.get("/api/sandbox", self.state),
                web.post("/api/sandbox/clock", from_the_page(self.jump)),
            ]
        )

    def attach(self, application: Application) -> None:
        self.application = application

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    async def resume(self) -> None:
        """Take up the time this sandbox had reached, when that is ahead of the real one
        (the store is open)."""
        reached = await jobs.latest_start()
        if reached is not None and reached > clock.now():
            clock.run_from(reached)

    # ---- the page ----

    async def state(self, request: web.Request) -> web.Response:
        day, days = self.progress
        return web.json_response(
            {
                "now": int(clock.now().timestamp() * 1000),
                "tz": self.settings.scheduler.timezone,
                "busy": self.busy,
                "day": day,
                "days": days,
                "failure": self.failure,
                "api_key": self.api_key,
                "curl": await self._curl(request),
                "console": console_link(self.app),
                "cli": CLI_EXAMPLE,
            }
        )

    async def jump(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        t = translator(language_for(str(body.get("lang", ""))))
        if self.busy:
            return web.json_response({"ok": False, "error": t("sandbox-clock-busy")}, status=409)
        target = target_of(body, clock.now(), self.settings.scheduler.timezone)
        if isinstance(target, Refused):
            return web.json_response({"ok": False, "error": t(target.key)}, status=400)
        self.failure = None
        self.progress = (0, timetravel.days_between(clock.now(), target))
        self.task = asyncio.create_task(self._travel(target), name="sandbox-clock")
        return web.json_response({"ok": True, "target": int(target.timestamp() * 1000)}, status=202)

    # ---- moving time ----

    async def travel(self, target: datetime) -> timetravel.Travelled:
        """Move the sandbox to ``target`` (what the POST starts; tests call it directly)."""
        handle = self.application.bot_data.get("scheduler") if self.application else None
        runner = handle.runner if handle is not None and handle.runner is not None else None
        if runner is None:
            self._own = self._own or timetravel.standalone_runner(self.settings, HOLDER)
            runner = self._own
        async with timetravel.triggers_held(handle):
            try:
                travelled = await timetravel.advance_to(runner, target, progress=self._step)
                await jobs.run_once(JOB, f"{JOB}:{target.isoformat()}", _summary(travelled))
            finally:
                clock.run_from(clock.now())
        return travelled

    def _step(self, day: int, days: int) -> None:
        self.progress = (day, days)

    async def _travel(self, target: datetime) -> None:
        try:
            await self.travel(target)
        except Exception as exc:
            log.exception("sandbox: moving time to %s failed", target)
            self.failure = type(exc).__name__

    async def close(self) -> None:
        if self.busy and self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self._own is not None:
            await self._own.release()

    # ---- the tools ----

    async def _curl(self, request: web.Request) -> str | None:
        """A shell line that records a purchase for a member on the page (Alice, else Li
        Wei, else a demo shopper) with the demo key; None without a key or a member."""
        code = await demo.example_member_code()
        if self.api_key is None or code is None:
            return None
        url = f"{request.scheme}://{request.host}/api/v1/purchases"
        currency = self.settings.rules.currency.code
        body = (
            f'{{"member":{{"code":"{code}"}},"amount_minor":4200,"currency":"{currency}",'
            '"category":"coffee","order_id":"web-'
        )
        return (
            f"curl -s {shlex.quote(url)} -H {shlex.quote('Authorization: Bearer ' + self.api_key)}"
            " -H 'Content-Type: application/json'"
            f" -d '{body}'$(date +%s)'\"}}'"
        )


def console_link(app: web.Application) -> str | None:
    """``/console/`` when this server serves the console (the page links to it), else None."""
    for resource in app.router.resources():
        if (resource.canonical or "").startswith(CONSOLE.rstrip("/")):
            return CONSOLE
    return None


def _summary(travelled: timetravel.Travelled) -> Any:
    async def work() -> dict[str, Any]:
        return {"from": travelled.start.isoformat(), "stops": travelled.stops, **travelled.ran}

    return work
