"""Idempotency keys: one write transaction per keyed call, and the first answer on a retry.

Every ledger operation (and the voucher and coupon operations built on the ledger) runs
through :func:`run_keyed`, so a caller's retry or a race on one key is answered once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from models.store import group_commit
from models.store.tables import LedgerEntry

T = TypeVar("T")
MAX_KEY_LENGTH = 112
"""Caller keys are at most this long (the column holds 128 with our namespace prefix)."""


class _Reject(Exception):
    """Roll the transaction back and answer ``result`` (a rejection found mid-way)."""

    def __init__(self, result: Any) -> None:
        super().__init__(result)
        self.result = result


async def run_keyed(
    op: Callable[[BaseDBAsyncClient], Awaitable[T]],
    replay: Callable[[], Awaitable[T | None]],
    *,
    attempts: int = 3,
) -> T:
    """Run ``op`` in one write transaction (on SQLite in a savepoint of a group commit, see
    :mod:`models.store.group_commit`); a race on a unique key answers ``replay()``.

    ``op`` may raise :class:`_Reject` to roll back and answer a rejection. A unique
    violation that is not explained by the idempotency key (a random code collided)
    is retried a few times.
    """
    for attempt in range(attempts):
        try:
            return await group_commit.run(op)
        except _Reject as rejected:
            return rejected.result
        except IntegrityError:
            first = await replay()
            if first is not None:
                return first
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency key must have 1..{MAX_KEY_LENGTH} characters")
    return key


async def _entry_by_key(key: str) -> LedgerEntry | None:
    return await LedgerEntry.get_or_none(idempotency_key=key)
