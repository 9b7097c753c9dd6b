"""What a conversation remembers between updates, and the confirm steps it is waiting on.

Both live in the store, never in the process, so a restart or another instance continues
a half-done flow (DESIGN.md, "what a flow remembers").
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ChatFlow(Model):
    """One person's flow state (awaited input, button step, drafts), one row at most.

    ``version`` makes every write conditional, so of two instances writing the same
    person's state exactly one wins; a row past ``expires_at`` is ignored and purged.
    """

    id = fields.BigIntField(primary_key=True)
    telegram_id = fields.BigIntField(unique=True)
    state = fields.JSONField(default=dict)
    version = fields.IntField(default=1)
    updated_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "chat_flow"


class ActionState(StrEnum):
    PENDING = "pending"
    CONFIRMING = "confirming"
    """Claimed by a Confirm press; the operation runs under the key ``pa:<id>``."""
    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class PendingAction(Model):
    """A confirm step: what Confirm will do, for whom, shown on which message.

    Buttons carry only the id; every transition is one conditional UPDATE, so Confirm and
    Cancel (or two devices) have exactly one winner.
    """

    id = fields.BigIntField(primary_key=True)
    actor_telegram_id = fields.BigIntField(db_index=True)
    chat_id = fields.BigIntField()
    message_id = fields.BigIntField(null=True, description="the message it is bound to")
    kind = fields.CharField(max_length=32)
    payload = fields.JSONField(default=dict)
    state = fields.CharEnumField(ActionState, max_length=16, default=ActionState.PENDING)
    result = fields.JSONField(null=True, description="the outcome shown on Confirm")
    created_at = fields.DatetimeField()
    claimed_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "pending_action"
