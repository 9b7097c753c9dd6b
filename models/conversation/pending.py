"""Pending actions: every confirm step is a row with a state, pending → done | cancelled |
expired (claimed as ``confirming`` while its operation runs).

The chat face creates the row, shows it with Confirm/Cancel buttons that carry only the
row's id, and binds the row to that message. A press is decided here by ONE conditional
UPDATE: the presser must be the actor, the pressed message the bound one, and the state
pending (or a ``confirming`` claim whose instance died: its operation is keyed
``pa:<id>``, so running it again is safe). Of Confirm vs Cancel, or two devices, exactly
one wins; the loser is told why from the row as it now stands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from models.store import clock, sql
from models.store.db import connection
from models.store.tables import ActionState, PendingAction

CLAIM_LEASE = timedelta(seconds=60)
"""A ``confirming`` claim older than this belongs to an instance that died mid-operation."""
KEEP_FINISHED = timedelta(days=7)
"""How long a finished or expired action is kept (a late press still gets its answer)."""
PURGE_EVERY = 64
"""Every 64th new action deletes those past ``KEEP_FINISHED`` (amortized housekeeping)."""


@dataclass(frozen=True)
class Claimed:
    """This press won: run the operation, then :func:`finish`."""

    action: PendingAction


@dataclass(frozen=True)
class Cancelled:
    """Cancel won (or had already won): nothing was or will be done."""


@dataclass(frozen=True)
class Done:
    """Confirmed before: the outcome recorded then."""

    result: dict[str, Any] | None


@dataclass(frozen=True)
class ActionExpired:
    pass


@dataclass(frozen=True)
class InProgress:
    """Another press is running the operation right now."""


@dataclass(frozen=True)
class NotYours:
    """Unknown id, or another person's action: refused, nothing written."""


@dataclass(frozen=True)
class StaleMessage:
    """The action is bound to another (newer) message than the one pressed."""


Refusal = Cancelled | Done | ActionExpired | InProgress | NotYours | StaleMessage


async def create(
    actor: int, chat_id: int, kind: str, payload: dict[str, Any], valid: timedelta
) -> PendingAction:
    """A new pending action (bind it to its message with :func:`bind` once sent)."""
    now = clock.now()
    action = await PendingAction.create(
        actor_telegram_id=actor,
        chat_id=chat_id,
        kind=kind,
        payload=payload,
        created_at=now,
        expires_at=now + valid,
    )
    if action.id % PURGE_EVERY == 0:
        await sql.execute(
            connection(), "DELETE FROM pending_action WHERE expires_at <= ?", now - KEEP_FINISHED
        )
    return action


async def get(action_id: int) -> PendingAction | None:
    return await PendingAction.get_or_none(id=action_id)


async def bind(action_id: int, message_id: int) -> bool:
    """Bind a pending action to the message showing it (the old message becomes stale)."""
    changed = await sql.execute(
        connection(),
        "UPDATE pending_action SET message_id = ? WHERE id = ? AND state = ?",
        message_id,
        action_id,
        ActionState.PENDING.value,
    )
    return changed == 1


def _press_sql(stamp: str, allowed: str) -> str:
    """A press's conditional UPDATE: the actor, the bound (or not yet bound) message, and
    ``allowed`` states; it binds an unbound action to the pressed message."""
    return (
        f"UPDATE pending_action SET state = ?, {stamp} = ?, message_id = COALESCE(message_id, ?)"
        " WHERE id = ? AND actor_telegram_id = ? AND (message_id = ? OR message_id IS NULL)"
        f" AND {allowed}"
    )


_CLAIM = _press_sql(
    "claimed_at", "((state = ? AND expires_at > ?) OR (state = ? AND claimed_at <= ?))"
)
_CLAIM_FRESH = _press_sql("claimed_at", "state = ? AND expires_at > ?")
"""For operations that are not idempotent: a dead claim is never run again."""
_CANCEL = _press_sql("finished_at", "state = ? AND expires_at > ?")


async def _press(
    statement: str, to: ActionState, action_id: int, actor: int, message_id: int, *allowed: object
) -> bool:
    """Run one press's UPDATE; True when this press won."""
    now = clock.now()
    changed = await sql.execute(
        connection(), statement, to.value, now, message_id, action_id, actor, message_id, *allowed
    )
    return changed == 1


async def claim(
    action_id: int,
    actor: int,
    message_id: int,
    known: PendingAction | None = None,
    *,
    retake: bool = True,
) -> Claimed | Refusal:
    """Confirm pressed on ``message_id``: pending → confirming, one winner. ``known`` is
    the row as the caller read it (kind, actor and payload never change), saving a read.
    ``retake`` lets a press take over a claim older than :data:`CLAIM_LEASE` (its
    operation must be idempotent); without it such an action stays "in progress"."""
    now = clock.now()
    pending_, confirming = ActionState.PENDING.value, ActionState.CONFIRMING.value
    statement, allowed = (
        (_CLAIM, (pending_, now, confirming, now - CLAIM_LEASE))
        if retake
        else (_CLAIM_FRESH, (pending_, now))
    )
    if await _press(statement, ActionState.CONFIRMING, action_id, actor, message_id, *allowed):
        return Claimed(known or await PendingAction.get(id=action_id))
    return await _why(action_id, actor, message_id)


async def finish(action_id: int, result: dict[str, Any]) -> None:
    """The operation ran: confirming → done, with the outcome a repeat press shows."""
    await sql.execute(
        connection(),
        "UPDATE pending_action SET state = ?, result = ?, finished_at = ?"
        " WHERE id = ? AND state = ?",
        ActionState.DONE.value,
        json.dumps(result),
        clock.now(),
        action_id,
        ActionState.CONFIRMING.value,
    )


async def release(action_id: int) -> None:
    """The operation failed (a bug; its transaction rolled back): pending again."""
    await sql.execute(
        connection(),
        "UPDATE pending_action SET state = ?, claimed_at = NULL WHERE id = ? AND state = ?",
        ActionState.PENDING.value,
        action_id,
        ActionState.CONFIRMING.value,
    )


async def cancel(action_id: int, actor: int, message_id: int) -> Cancelled | Refusal:
    """Cancel pressed on ``message_id``: pending → cancelled, one winner."""
    allowed = (ActionState.PENDING.value, clock.now())
    if await _press(_CANCEL, ActionState.CANCELLED, action_id, actor, message_id, *allowed):
        return Cancelled()
    return await _why(action_id, actor, message_id)


async def withdraw(action_id: int) -> None:
    """A newer confirm step of the same flow replaces this one: pending → cancelled."""
    await sql.execute(
        connection(),
        "UPDATE pending_action SET state = ?, finished_at = ? WHERE id = ? AND state = ?",
        ActionState.CANCELLED.value,
        clock.now(),
        action_id,
        ActionState.PENDING.value,
    )


async def supersede(action_id: int, kind: str, actor: int, by: int) -> bool:
    """Another person's confirmed step (action ``by``) replaces this open one: pending →
    cancelled, by one conditional update, so of it and its own Confirm exactly one wins.
    True when this call (or an earlier run of ``by``) withdrew it; False when it was
    confirmed, cancelled or replaced otherwise first."""
    mark = {"superseded_by": by}
    changed = await sql.execute(
        connection(),
        "UPDATE pending_action SET state = ?, finished_at = ?, result = ?"
        " WHERE id = ? AND kind = ? AND actor_telegram_id = ? AND state = ?",
        ActionState.CANCELLED.value,
        clock.now(),
        json.dumps(mark),
        action_id,
        kind,
        actor,
        ActionState.PENDING.value,
    )
    if changed == 1:
        return True
    row = await PendingAction.get_or_none(id=action_id)
    return row is not None and _decoded(row.result) == mark


async def _why(action_id: int, actor: int, message_id: int) -> Refusal:
    """Why a press lost, read from the row as it now stands (an overdue one is marked)."""
    row = await PendingAction.get_or_none(id=action_id)
    if row is None or row.actor_telegram_id != actor:
        return NotYours()
    if row.message_id is not None and row.message_id != message_id:
        return StaleMessage()
    if row.state == ActionState.DONE:
        return Done(_decoded(row.result))
    if row.state == ActionState.CANCELLED:
        return Cancelled()
    if row.state == ActionState.CONFIRMING:
        return InProgress()
    if row.state == ActionState.PENDING:
        await sql.execute(
            connection(),
            "UPDATE pending_action SET state = ?, finished_at = ? WHERE id = ? AND state = ?",
            ActionState.EXPIRED.value,
            clock.now(),
            action_id,
            ActionState.PENDING.value,
        )
    return ActionExpired()


def _decoded(value: Any) -> dict[str, Any] | None:
    return json.loads(value) if isinstance(value, str | bytes) else value
