"""The audit trail: one row per privileged action, written in the action's transaction."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.store import clock
from models.store.tables import AuditLog


async def record(
    action: str,
    *,
    actor_telegram_id: int | None,
    actor_kind: str = "telegram",
    target: str | None = None,
    details: dict[str, Any] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> AuditLog:
    """Append an audit entry (``action`` is a dotted verb such as ``role.grant``)."""
    return await AuditLog.create(
        actor_telegram_id=actor_telegram_id,
        actor_kind=actor_kind,
        action=action,
        target=target,
        details=details or {},
        created_at=clock.now(),
        using_db=using_db,
    )
