"""API keys for POS terminals and web shops: created once, shown once, stored as a hash.

A key reads ``jf_<prefix>_<secret>``: the prefix (8 hex digits) names the key in lists,
logs and the audit trail; the secret is 256 random bits. Only ``sha256(secret)`` is
stored: with a 256-bit random secret a slow hash adds nothing (nobody can enumerate the
space), and a fast one keeps every request cheap. Comparison is constant-time.
Creating and revoking are audited; ``last_used_at`` is refreshed at most once a minute
so a busy till does not turn every request into a write.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError

from models.store import audit, clock
from models.store.db import write_transaction
from models.store.tables import ApiKey

KEY_PREFIX = "jf"
SECRET_BYTES = 32
TOUCH_EVERY = timedelta(minutes=1)
PREFIX_PATTERN = re.compile(r"[0-9a-f]{8}")
"""A key's public prefix (8 hex digits), as lists and the audit trail name it."""
_KEY = re.compile(r"^jf_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class ApiKeyCreated:
    """The new key; ``key`` is the only time the full secret exists outside the caller."""

    key_id: int
    name: str
    prefix: str
    location: str | None
    key: str


@dataclass(frozen=True)
class InvalidKeyName:
    reason: str


@dataclass(frozen=True)
class KeyRevoked:
    prefix: str


@dataclass(frozen=True)
class UnknownKey:
    prefix: str


@dataclass(frozen=True)
class AlreadyRevoked:
    prefix: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create(
    name: str,
    *,
    location: str | None = None,
    created_by: int | None = None,
    actor_kind: str = "cli",
) -> ApiKeyCreated | InvalidKeyName:
    """A new key named ``name`` (bound to ``location`` if given); audited ``api_key.create``."""
    name = name.strip()
    if not name or len(name) > 64:
        return InvalidKeyName("empty" if not name else "too-long")
    if location is not None and (not location.strip() or len(location) > 64):
        return InvalidKeyName("location")
    for _ in range(5):  # an 8-hex-digit prefix may collide; try again
        prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(SECRET_BYTES)
        try:
            async with write_transaction() as conn:
                row = await ApiKey.create(
                    name=name,
                    prefix=prefix,
                    key_hash=_hash(secret),
                    location=location,
                    created_by=created_by,
                    created_at=clock.now(),
                    using_db=conn,
                )
                await audit.record(
                    "api_key.create",
                    actor_telegram_id=created_by,
                    actor_kind=actor_kind,
                    target=f"api_key:{prefix}",
                    details={"name": name, "location": location},
                    using_db=conn,
                )
        except IntegrityError:
            continue
        return ApiKeyCreated(row.id, name, prefix, location, f"{KEY_PREFIX}_{prefix}_{secret}")
    raise RuntimeError("could not find a free API key prefix")


async def list_keys(*, include_revoked: bool = True) -> list[ApiKey]:
    query = ApiKey.all() if include_revoked else ApiKey.filter(revoked_at=None)
    return await query.order_by("id")


async def revoke(
    prefix: str, *, revoked_by: int | None = None, actor_kind: str = "cli"
) -> KeyRevoked | UnknownKey | AlreadyRevoked:
    """Stop a key at once (a conditional update; revoking twice says so); audited."""
    now = clock.now()
    async with write_transaction() as conn:
        changed = (
            await ApiKey.filter(prefix=prefix, revoked_at=None)
            .using_db(conn)
            .update(revoked_at=now)
        )
        if changed:
            await audit.record(
                "api_key.revoke",
                actor_telegram_id=revoked_by,
                actor_kind=actor_kind,
                target=f"api_key:{prefix}",
                using_db=conn,
            )
            return KeyRevoked(prefix)
    exists = await ApiKey.filter(prefix=prefix).exists()
    return AlreadyRevoked(prefix) if exists else UnknownKey(prefix)


async def verify(presented: str) -> ApiKey | None:
    """The live key ``presented`` is, or ``None`` (malformed, unknown, wrong, revoked)."""
    match = _KEY.match(presented)
    if match is None:
        return None
    prefix, secret = match.groups()
    row = await ApiKey.get_or_none(prefix=prefix)
    if row is None or not hmac.compare_digest(row.key_hash, _hash(secret)):
        return None
    if row.revoked_at is not None:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        await ApiKey.filter(id=row.id).update(last_used_at=now)
        row.last_used_at = now
    return row
