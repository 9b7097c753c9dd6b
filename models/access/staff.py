"""Who may do what: roles (admin, marketer, staff), granted and revoked with an audit entry.

Admins listed in ``access.admins`` are admins without a row; everyone else's role is a
``StaffRole`` row. Every check happens server-side, per update.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from models.access import console
from models.delivery import outbox
from models.store import audit, clock
from models.store.db import write_transaction
from models.store.tables import Member, Role, StaffRole

ROLE_ENDED = "till-role-ended"
"""The notice a person gets when their role is revoked."""

# What each role may also do: admin everything; marketer and staff each their own desk.
_INCLUDES: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.MARKETER: frozenset({Role.MARKETER}),
    Role.STAFF: frozenset({Role.STAFF}),
}


def may(role: Role | None, needed: Role | None) -> bool:
    """Whether someone with ``role`` may use something that needs ``needed`` (None = anyone)."""
    if needed is None:
        return True
    return role is not None and needed in _INCLUDES[role]


@dataclass(frozen=True, slots=True)
class Grant:
    telegram_id: int
    role: Role
    location: str | None


async def role_of(telegram_id: int, config_admins: Iterable[int] = ()) -> Grant | None:
    """The active role of a Telegram user, or None for a plain member."""
    if telegram_id in set(config_admins):
        return Grant(telegram_id, Role.ADMIN, None)
    row = await StaffRole.get_or_none(telegram_id=telegram_id, active=True)
    return Grant(row.telegram_id, row.role, row.location) if row else None


async def grant_role(
    telegram_id: int,
    role: Role,
    *,
    granted_by: int | None,
    location: str | None = None,
    actor_kind: str = "telegram",
) -> Grant:
    """Give (or change) a role; audited. Idempotent for the same role and location."""
    async with write_transaction() as conn:
        return await grant_in(
            conn,
            telegram_id,
            role,
            granted_by=granted_by,
            location=location,
            actor_kind=actor_kind,
        )


async def grant_in(
    conn: BaseDBAsyncClient,
    telegram_id: int,
    role: Role,
    *,
    granted_by: int | None,
    location: str | None = None,
    actor_kind: str = "telegram",
) -> Grant:
    """:func:`grant_role` inside the caller's transaction (e.g. accepting an invite)."""
    now = clock.now()
    row = await StaffRole.get_or_none(telegram_id=telegram_id).using_db(conn)
    previous = row.role if row and row.active else None
    if row is None:
        await StaffRole.create(
            telegram_id=telegram_id,
            role=role,
            location=location,
            granted_by=granted_by,
            granted_at=now,
            using_db=conn,
        )
    else:
        row.role, row.location, row.active = role, location, True
        row.granted_by, row.granted_at, row.revoked_at, row.revoked_by = (
            granted_by,
            now,
            None,
            None,
        )
        await row.save(using_db=conn)
    if previous is not None and previous != role:
        await console.end_all(telegram_id, conn)  # a console session was for the old role
    await audit.record(
        "role.grant",
        actor_telegram_id=granted_by,
        actor_kind=actor_kind,
        target=str(telegram_id),
        details={"role": role.value, "location": location, "previous": previous},
        using_db=conn,
    )
    return Grant(telegram_id, role, location)


async def revoke_role(
    telegram_id: int, *, revoked_by: int | None, actor_kind: str = "telegram"
) -> bool:
    """Take a role away; False if the user had none. Audited; the person is told their
    role ended (``till-role-ended``, a service message, queued with the change)."""
    async with write_transaction() as conn:
        held = await StaffRole.get_or_none(telegram_id=telegram_id, active=True).using_db(conn)
        changed = await (
            StaffRole.filter(telegram_id=telegram_id, active=True)
            .using_db(conn)
            .update(active=False, revoked_by=revoked_by, revoked_at=clock.now())
        )
        if changed:
            await console.end_all(telegram_id, conn)  # at once, not at the next request
            await audit.record(
                "role.revoke",
                actor_telegram_id=revoked_by,
                actor_kind=actor_kind,
                target=str(telegram_id),
                using_db=conn,
            )
            person = await Member.get_or_none(telegram_id=telegram_id).using_db(conn)
            await outbox.enqueue(
                chat_id=telegram_id,
                template=ROLE_ENDED,
                args={"role": held.role.value if held else ""},
                member=person,
                using_db=conn,
            )
    return bool(changed)


async def list_staff(config_admins: Iterable[int] = ()) -> list[Grant]:
    """Everyone with a role: configured admins first, then active rows by grant time."""
    configured = list(dict.fromkeys(config_admins))
    rows = await StaffRole.filter(active=True).order_by("granted_at", "id")
    return [Grant(t, Role.ADMIN, None) for t in configured] + [
        Grant(r.telegram_id, r.role, r.location) for r in rows if r.telegram_id not in configured
    ]


async def is_last_admin(telegram_id: int, config_admins: Iterable[int] = ()) -> bool:
    """Whether revoking ``telegram_id`` would leave nobody who can manage roles."""
    admins = {g.telegram_id for g in await list_staff(config_admins) if g.role == Role.ADMIN}
    return admins == {telegram_id}


async def names_of(telegram_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of people by Telegram id (their member row); an id with none stays
    out (the caller shows the id)."""
    wanted = {i for i in telegram_ids if i is not None}
    if not wanted:
        return {}
    rows = await Member.filter(telegram_id__in=wanted, deleted_at=None)
    return {m.telegram_id: m.display_name for m in rows if m.telegram_id is not None}


async def ids_named(text: str, limit: int = 200) -> list[int]:
    """Telegram ids of people whose name or username contains ``text`` (any case), for
    searching what people did (the audit trail names actors by id)."""
    found = Member.filter(
        Q(first_name__icontains=text) | Q(last_name__icontains=text) | Q(username__icontains=text),
        telegram_id__not_isnull=True,
    )
    return list(await found.limit(limit).values_list("telegram_id", flat=True))
