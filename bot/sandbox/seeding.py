"""What the sandbox puts in its store before the bot starts: the personas' roles, the demo
(the first hour, or a whole season of history) and an API key to try the HTTP API with.

The season (:mod:`models.sandbox.season`) lets time pass through the scheduler's own time
travel (:func:`scheduler.timetravel.advance_to`) with a runner of its own, released
afterwards so the bot's scheduler takes the ``jobs`` lease at start.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from bot.sandbox.personas import grant_roles
from bot.settings import Settings
from models.access import api_keys
from models.sandbox import demo, season
from models.sandbox.cast import SHOPS
from models.store import clock
from scheduler import timetravel
from scheduler.jobs import Schedule

log = logging.getLogger(__name__)
API_KEY_NAME = "sandbox demo"
SEASON_HOLDER = "sandbox-season"


@dataclass(frozen=True)
class Seeded:
    api_key: str
    season: season.SeasonLoaded | None = None
    seconds: float = 0.0


async def seed(settings: Settings, *, demo_data: bool, season_size: int = 0) -> Seeded:
    """Roles, then a season of ``season_size`` members or (``demo_data``) the first-hour
    demo, then a fresh demo API key (the store is open). The clock runs on the real time
    afterwards."""
    await grant_roles()
    loaded, seconds = None, 0.0
    if season_size:
        started = time.monotonic()
        loaded = await seed_season(settings, size=season_size)
        seconds = time.monotonic() - started
    elif demo_data:
        log.info("demo data: %s", await demo.load(settings.rules))
    return Seeded(await demo_api_key(), loaded, seconds)


async def seed_season(
    settings: Settings,
    *,
    seed: int = season.DEFAULT_SEED,
    size: int = season.DEFAULT_SIZE,
    now: datetime | None = None,
) -> season.SeasonLoaded:
    """Six months of history ending ``now`` (default: the real now); jobs run on the way."""
    runner = timetravel.standalone_runner(settings, SEASON_HOLDER)

    async def pass_time(at: datetime) -> None:
        await timetravel.advance_to(runner, at, settle=False)

    try:
        return await season.load(
            settings.rules,
            seed=seed,
            size=size,
            now=now,
            tz=settings.scheduler.timezone,
            winback_time=Schedule.parse(settings.offers.winback_time).at,
            pass_time=pass_time,
        )
    finally:
        await runner.release()
        clock.unfreeze()


async def demo_api_key() -> str:
    """A new key for this sandbox's page (bound to the cashier's shop); the keys earlier
    starts made are revoked, since only this start can show its secret."""
    for key in await api_keys.list_keys(include_revoked=False):
        if key.name == API_KEY_NAME:
            await api_keys.revoke(key.prefix, actor_kind="sandbox")
    created = await api_keys.create(API_KEY_NAME, location=SHOPS[0], actor_kind="sandbox")
    assert isinstance(created, api_keys.ApiKeyCreated), created
    return created.key
