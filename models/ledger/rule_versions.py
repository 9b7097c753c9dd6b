"""The rules in force, as versions: seeded from ``config.toml``, edited in chat.

The current rules are the newest ``RuleVersion`` row. ``ensure_seeded`` (on start) adds a
``source="config"`` version only when ``config.toml``'s rules changed since the last
config-seeded version, so an edit made in chat survives restarts until the file itself
changes. Every ledger entry stores the version that produced it.

The current version is cached per process. A version saved here is seen at once; one
saved by another process within :data:`FRESH_FOR` seconds (one indexed ``MAX(id)`` probe
per window), which keeps the probe off the hot path of every message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.functions import Max

from models.ledger.config import RuleSet
from models.store import audit, clock, db
from models.store.db import write_transaction
from models.store.tables import RuleVersion

FRESH_FOR = 1.0
_cache: tuple[RuleVersion, RuleSet] | None = None
_checked_at = 0.0
_refreshing: asyncio.Future[tuple[RuleVersion, RuleSet]] | None = None


def digest(rules: RuleSet) -> str:
    """A stable fingerprint of a rule set (sha256 of its canonical JSON)."""
    text = json.dumps(rules.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def invalidate() -> None:
    """Forget the cached version (also done whenever the store closes)."""
    global _cache
    _cache = None


db.on_close(invalidate)


async def current(conn: BaseDBAsyncClient | None = None) -> tuple[RuleVersion, RuleSet]:
    """The newest rule version and its rules; seeds the defaults if there is none.

    When the cache goes stale under load, callers outside a transaction share one refresh
    instead of each probing. A caller inside a transaction refreshes on its own connection
    (on SQLite, waiting for a refresh on the shared connection would deadlock).
    """
    global _refreshing
    if _cache is not None and time.monotonic() - _checked_at < FRESH_FOR:
        return _cache
    if conn is None and isinstance(db.connection(), TransactionalDBClient):
        conn = db.connection()  # called inside a transaction without passing it
    if conn is not None:
        return await _refresh(conn)
    task = _refreshing
    if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
        task = _refreshing = asyncio.ensure_future(_refresh(None))
    return await asyncio.shield(task)


async def _refresh(conn: BaseDBAsyncClient | None) -> tuple[RuleVersion, RuleSet]:
    global _cache, _checked_at
    row = await RuleVersion.all().using_db(conn).annotate(m=Max("id")).values("m")
    newest = row[0]["m"] if row else None
    if newest is None:
        await ensure_seeded(RuleSet())
        return await _refresh(conn)
    if _cache is None or _cache[0].id != newest:
        version = await RuleVersion.get(id=newest).using_db(conn)
        _cache = (version, RuleSet.model_validate(version.rules))
    _checked_at = time.monotonic()
    return _cache


async def load(version_id: int) -> RuleSet | None:
    """The rules of one version (to explain an old entry)."""
    version = await RuleVersion.get_or_none(id=version_id)
    return RuleSet.model_validate(version.rules) if version else None


def _same_rules(stored: RuleVersion, fingerprint: str) -> bool:
    """Whether a stored version holds the rules of ``fingerprint``, read by this release:
    a release that only adds settings with defaults changes the digest of the written
    form, not the rules. (Writing a new version then would hand instances of the previous
    release, still serving during a rolling upgrade, rules they cannot read.)"""
    if stored.digest == fingerprint:
        return True
    try:
        return digest(RuleSet.model_validate(stored.rules)) == fingerprint
    except ValueError:  # pydantic's ValidationError: the stored form is not ours to read
        return False


async def ensure_seeded(config_rules: RuleSet) -> RuleVersion:
    """Store ``config_rules`` as a new version if they differ from the last config seed."""
    fingerprint = digest(config_rules)
    async with write_transaction() as conn:
        last = await RuleVersion.filter(source="config").using_db(conn).order_by("-id").first()
        if last is not None and _same_rules(last, fingerprint):
            return last
        version = await RuleVersion.create(
            rules=config_rules.model_dump(mode="json"),
            digest=fingerprint,
            source="config",
            created_at=clock.now(),
            using_db=conn,
        )
    invalidate()
    return version


async def save(
    rules: RuleSet, created_by: int | None, *, source: str = "chat", actor_kind: str | None = None
) -> RuleVersion:
    """Store rules edited in chat (or the console: ``source``/``actor_kind`` say which) as
    the new current version, with an audit row."""
    global _cache, _checked_at
    now = clock.now()
    async with write_transaction() as conn:
        version = await RuleVersion.create(
            rules=rules.model_dump(mode="json"),
            digest=digest(rules),
            source=source,
            created_by=created_by,
            created_at=now,
            using_db=conn,
        )
        await audit.record(
            "rules.update",
            actor_telegram_id=created_by,
            actor_kind=actor_kind or ("telegram" if created_by else "system"),
            target=f"rule_version:{version.id}",
            details={"digest": version.digest},
            using_db=conn,
        )
    _cache, _checked_at = (version, rules), time.monotonic()
    return version
