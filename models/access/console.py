"""Who is in the console: one-time login links and the sessions they open.

``/console`` in chat (admins and marketers) makes a login link: a 256-bit random token,
stored only as its SHA-256, valid :data:`LINK_VALID` and for one opening. Opening it is
one conditional update (``used_at IS NULL AND expires_at > now``), so of two openings
exactly one gets a session; the link of someone whose role has gone opens nothing.

A session is a row holding the hash of the cookie's token. Every request looks it up,
checks it was used within the idle limit and touches it (at most once a
:data:`TOUCH_EVERY`, so a page's burst of requests writes once). The role is checked on
every request by the caller, and sessions are deleted when:

- the person sends ``/console logout`` (every session of theirs, at once);
- their role is revoked or changed (:func:`end_all` from :mod:`.staff`, in the same
  transaction as the role change);
- they log out in the console (that session).

The CSRF token of a session is derived from its secret (HMAC-SHA256), so nothing more is
stored and a stolen database row (a hash) cannot produce it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from models.store import audit, clock
from models.store.db import write_transaction
from models.store.tables import ConsoleLogin, ConsoleSession

LINK_VALID = timedelta(minutes=10)
TOUCH_EVERY = timedelta(minutes=1)
ACTOR_KIND = "console"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: derived from its secret, never stored."""
    return hmac.new(session_token.encode(), b"jifen-console-csrf", hashlib.sha256).hexdigest()


def csrf_matches(session_token: str, presented: str) -> bool:
    return hmac.compare_digest(csrf_token(session_token), presented)


async def create_link(telegram_id: int) -> str:
    """A new one-time login token for ``telegram_id`` (the caller checked the role)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await ConsoleLogin.create(
        token_hash=_hash(token),
        telegram_id=telegram_id,
        created_at=now,
        expires_at=now + LINK_VALID,
    )
    return token


@dataclass(frozen=True)
class Opened:
    """A session opened for ``telegram_id``; ``token`` goes into the cookie, once."""

    telegram_id: int
    token: str


async def _open_session(conn: BaseDBAsyncClient, telegram_id: int, via: str) -> Opened:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await ConsoleSession.create(
        token_hash=_hash(token),
        telegram_id=telegram_id,
        via=via,
        created_at=now,
        last_seen_at=now,
        using_db=conn,
    )
    await audit.record(
        "console.login",
        actor_telegram_id=telegram_id,
        actor_kind=ACTOR_KIND,
        target=str(telegram_id),
        details={"via": via},
        using_db=conn,
    )
    return Opened(telegram_id, token)


async def use_link(token: str) -> int | None:
    """Spend a login link: the Telegram id it was made for, or None when the token is
    unknown, expired or already used (one conditional update: one winner)."""
    if not token or len(token) > 128:
        return None
    digest, now = _hash(token), clock.now()
    async with write_transaction() as conn:
        changed = (
            await ConsoleLogin.filter(token_hash=digest, used_at=None, expires_at__gt=now)
            .using_db(conn)
            .update(used_at=now)
        )
        if not changed:
            return None
        row = await ConsoleLogin.get(token_hash=digest).using_db(conn)
    return row.telegram_id


async def open_session(telegram_id: int, *, via: str) -> Opened:
    """A new session for someone whose role the caller has just checked (audited)."""
    async with write_transaction() as conn:
        return await _open_session(conn, telegram_id, via)


async def session_of(token: str, idle: timedelta) -> int | None:
    """The Telegram id of a live session, touching it; None when unknown or idle too long
    (an idle session is deleted on the spot)."""
    if not token or len(token) > 128:
        return None
    row = await ConsoleSession.get_or_none(token_hash=_hash(token))
    if row is None:
        return None
    now = clock.now()
    if now - row.last_seen_at >= idle:
        await ConsoleSession.filter(id=row.id).delete()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        await ConsoleSession.filter(id=row.id).update(last_seen_at=now)
    return row.telegram_id


async def end_session(token: str) -> bool:
    """Log out of one session (the console's own log-out button)."""
    return bool(await ConsoleSession.filter(token_hash=_hash(token)).delete())


async def end_all(telegram_id: int, using_db: BaseDBAsyncClient | None = None) -> int:
    """End every session of ``telegram_id`` and void their unused login links."""
    ended = await ConsoleSession.filter(telegram_id=telegram_id).using_db(using_db).delete()
    await (
        ConsoleLogin.filter(telegram_id=telegram_id, used_at=None)
        .using_db(using_db)
        .update(used_at=clock.now())
    )
    return int(ended)


async def log_out_everywhere(telegram_id: int) -> int:
    """``/console logout``: every session ends at once (audited); how many there were."""
    async with write_transaction() as conn:
        ended = await end_all(telegram_id, conn)
        await audit.record(
            "console.logout",
            actor_telegram_id=telegram_id,
            actor_kind="telegram",
            target=str(telegram_id),
            details={"sessions": ended},
            using_db=conn,
        )
    return ended
