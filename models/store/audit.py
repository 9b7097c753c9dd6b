"""The audit trail: one row per privileged action, written in the action's transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
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


async def search(
    *,
    actors: Collection[int] | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditLog]:
    """Audit rows newest first, narrowed by actor ids, an action prefix (``role.`` or a
    whole action) and a time range ``[since, until)``; a page starts below ``before_id``
    (keyset: the next page is as fast as the first, and rows added meanwhile do not shift
    it). ``actors`` empty finds nothing."""
    query = AuditLog.all()
    if actors is not None:
        query = query.filter(actor_telegram_id__in=list(actors))
    if action:
        query = query.filter(action__startswith=action)
    if since is not None:
        query = query.filter(created_at__gte=since)
    if until is not None:
        query = query.filter(created_at__lt=until)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit)
