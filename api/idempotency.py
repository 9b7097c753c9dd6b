"""HTTP idempotency: a retry with the same ``Idempotency-Key`` gets the first answer.

The key is claimed BEFORE the work, as an ``IdempotencyRecord`` holding a fingerprint of
the request (``operation`` = ``<op>:pending``), so the same key with another body is
refused (409 ``idempotency_conflict``) even while the first request is still running.
When the work is done the record is completed by a conditional update, in the same
transaction as the audit row, so each keyed write is audited exactly once.

Two kinds of work:

- ledger operations (purchase, refund) are idempotent by their own key, so a request
  finding the record pending simply runs them too: the ledger answers with the first
  result (``replayed``) and nothing is written twice;
- a voucher redemption is not keyed in the store, so a request finding the record
  pending waits for the first to finish (and answers 409 ``request_in_progress`` if it
  does not); a claim left pending by a crashed process is taken over after
  :data:`STALE_AFTER`.

Rejections found after the claim (e.g. a member deleted meanwhile) and failures (an
exception, a cancelled request) release a fresh claim instead of being stored, so a
request that writes nothing leaves no record and a corrected retry may reuse the key.

The Mini App's keyed writes (``/app/api``) use the same mechanism, with their own key
space (``miniapp:<Telegram id>:…``) and their caller as the audit row's actor.

A purchase goes one step further (:class:`Keyed`): the ledger is keyed, so no claim is
needed before it; the record (the request's fingerprint) and the audit row are written
by the ledger in the purchase's own transaction and flush. A refusal writes neither; a
retry is answered by the ledger's replay, and only then is the record read, to refuse
the same key with another request (409). One transaction, one commit per purchase.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from api.errors import ApiError
from models.store import audit, clock
from models.store.db import write_transaction
from models.store.tables import AuditLog, IdempotencyRecord

PENDING = ":pending"
STALE_AFTER = timedelta(seconds=30)
WAIT_FOR = 5.0
POLL_EVERY = 0.05


@dataclass(frozen=True)
class Answer:
    """What a keyed operation answers.

    ``replayed``: the store reported an earlier identical request (status becomes 200).
    ``final``: stored for retries; a non-final answer (a rejection) releases the claim.
    ``audit``: ``(action, target, details)`` written once, when the record is completed.
    """

    status: int
    body: dict[str, Any]
    replayed: bool = False
    final: bool = True
    audit: tuple[str, str, dict[str, Any]] | None = field(default=None, compare=False)


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def _replay(record: IdempotencyRecord) -> Answer:
    status = int(record.response["status"])
    return Answer(200 if status < 300 else status, record.response["body"], replayed=True)


async def _claim(key: str, operation: str, print_: str) -> tuple[IdempotencyRecord, bool]:
    """The record for ``key`` and whether this call created it."""
    try:
        record = await IdempotencyRecord.create(
            key=key,
            operation=operation + PENDING,
            response={"fingerprint": print_},
            created_at=clock.now(),
        )
        return record, True
    except IntegrityError:
        return await IdempotencyRecord.get(key=key), False


async def _wait(record: IdempotencyRecord) -> IdempotencyRecord:
    """Poll until the record is completed or :data:`WAIT_FOR` seconds have passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_FOR
    while record.operation.endswith(PENDING) and loop.time() < deadline:
        await asyncio.sleep(POLL_EVERY)
        record = await IdempotencyRecord.get(id=record.id)
    return record


@dataclass(frozen=True)
class Actor:
    """Who the audit row of a keyed write names: an API key (default) or a Telegram user."""

    telegram_id: int | None = None
    kind: str = "api"


API = Actor()


async def _complete(
    record: IdempotencyRecord, operation: str, print_: str, answer: Answer, actor: Actor
) -> None:
    response = {
        "fingerprint": print_,
        "status": answer.status,
        "body": answer.body,
    }
    async with write_transaction() as conn:
        changed = (
            await IdempotencyRecord.filter(id=record.id, operation=operation + PENDING)
            .using_db(conn)
            .update(operation=operation, response=response)
        )
        if changed and answer.audit is not None:
            action, target, details = answer.audit
            await audit.record(
                action,
                actor_telegram_id=actor.telegram_id,
                actor_kind=actor.kind,
                target=target,
                details=details,
                using_db=conn,
            )


async def run_once(
    key: str,
    operation: str,
    request: Any,
    work: Callable[[], Awaitable[Answer]],
    *,
    idempotent_work: bool,
    actor: Actor = API,
) -> Answer:
    """Answer ``work()`` once per ``key``; retries get the stored first answer."""
    print_ = fingerprint({"operation": operation, "request": request})
    record, fresh = await _claim(key, operation, print_)
    if record.response.get("fingerprint") != print_:
        raise ApiError(409, "idempotency_conflict")
    if not fresh and not idempotent_work and record.operation.endswith(PENDING):
        record = await _wait(record)
        if record.operation.endswith(PENDING) and clock.now() - record.created_at < STALE_AFTER:
            raise ApiError(409, "request_in_progress", headers={"Retry-After": "1"})
    if not record.operation.endswith(PENDING):
        return _replay(record)
    try:
        answer = await work()
        if answer.final:
            await _complete(record, operation, print_, answer, actor)
            return answer
    except BaseException:
        # a failure (a bug, a lost connection, a cancelled request) must not burn the key:
        # the claim goes, and a retry runs the work again (ledger work replays what it wrote)
        if fresh:
            await _release(record, operation)
        raise
    if fresh:
        await _release(record, operation)
    return answer


@dataclass(frozen=True)
class Keyed:
    """An HTTP key whose record a ledger write stores in its own transaction."""

    key: str
    operation: str
    fingerprint: str
    actor: Actor = API

    def rows(
        self, action: str, details: dict[str, Any], target: Any = None
    ) -> list[tuple[Any, dict[str, Any]]]:
        """The record and the audit row, for ``written_with`` (``target``: a value, or a
        SQL step naming a row of the same flush)."""
        now = clock.now()
        record = IdempotencyRecord(
            key=self.key,
            operation=self.operation,
            response={"fingerprint": self.fingerprint, "status": 201},
            created_at=now,
        )
        entry = AuditLog(
            actor_telegram_id=self.actor.telegram_id,
            actor_kind=self.actor.kind,
            action=action,
            target=target if isinstance(target, str) else None,
            details=details,
            created_at=now,
        )
        exprs = {"target": target} if isinstance(target, tuple) else {}
        return [(record, {}), (entry, exprs)]

    async def check_replay(self) -> None:
        """The ledger answered a replay: it must be of this very request (else 409)."""
        record = await IdempotencyRecord.get_or_none(key=self.key)
        if record is not None and record.response.get("fingerprint") != self.fingerprint:
            raise ApiError(409, "idempotency_conflict")


def keyed(key: str, operation: str, request: Any, *, actor: Actor = API) -> Keyed:
    return Keyed(key, operation, fingerprint({"operation": operation, "request": request}), actor)


async def _release(record: IdempotencyRecord, operation: str) -> None:
    """Give back a claim still pending (nothing was stored under it)."""
    await IdempotencyRecord.filter(id=record.id, operation=operation + PENDING).delete()
