"""The console's credentials: one-time login links and the sessions they open.

Only hashes of the secrets are stored (SHA-256 of a 256-bit random token), so a copy of
the database opens no console. See :mod:`models.access.console` for the rules.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ConsoleLogin(Model):
    """A one-time login link ``/console/login?token=…`` (``/console`` in chat).

    Valid for ten minutes and for one opening: ``used_at`` is set by the conditional
    update that opens it, so of two openings exactly one gets a session.
    """

    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    telegram_id = fields.BigIntField(db_index=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "console_login"


class ConsoleSession(Model):
    """A console session (the cookie's hash), checked on every request.

    It ends when idle for ``console.session_idle_minutes``, on ``/console logout``, on
    the console's own log-out, and when the person's role is revoked or changed.
    """

    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    telegram_id = fields.BigIntField(db_index=True)
    via = fields.CharField(max_length=16, description="link | telegram (the Mini App)")
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "console_session"
