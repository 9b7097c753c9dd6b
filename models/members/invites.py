"""Staff invites: a one-time, expiring deep link ``s-<token>`` that grants a role.

An admin creates an invite (role + optional location); whoever opens it first, before
it expires, gets the role. Accepting is one conditional ``UPDATE … WHERE used_by IS NULL
AND expires_at > now`` in the same transaction as the grant, so an invite is used once
however many people open it at the same moment. Both steps are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from models.access import staff
from models.codes import tokens
from models.delivery import outbox
from models.members import membership
from models.store import audit, clock, sql
from models.store.db import write_transaction
from models.store.tables import Member, Role, StaffInvite


@dataclass(frozen=True)
class InviteAccepted:
    grant: staff.Grant
    invited_by: int


@dataclass(frozen=True)
class InviteUsed:
    at: datetime | None
    by: int | None


@dataclass(frozen=True)
class InviteExpired:
    on: datetime


@dataclass(frozen=True)
class UnknownInvite:
    token: str


async def create(
    role: Role,
    *,
    created_by: int,
    valid_hours: int,
    location: str | None = None,
    actor_kind: str = "telegram",
) -> StaffInvite:
    """A new invite valid for ``valid_hours`` (audited as ``invite.create``)."""
    now = clock.now()
    async with write_transaction() as conn:
        invite = await StaffInvite.create(
            token=tokens.token(),
            role=role,
            location=location,
            created_by=created_by,
            created_at=now,
            expires_at=now + timedelta(hours=valid_hours),
            using_db=conn,
        )
        await audit.record(
            "invite.create",
            actor_telegram_id=created_by,
            actor_kind=actor_kind,
            target=f"invite:{invite.id}",
            details={"role": role.value, "location": location, "hours": valid_hours},
            using_db=conn,
        )
    return invite


INVITE_USED = "till-invite-used-admin"
"""The notice the admin who made an invite gets when someone uses it."""


async def _tell_inviter(conn: BaseDBAsyncClient, invite: StaffInvite, telegram_id: int) -> None:
    """Queue the inviter's notice: who joined, as what (in the inviter's language)."""
    joined = await Member.get_or_none(telegram_id=telegram_id).using_db(conn)
    inviter = await Member.get_or_none(telegram_id=invite.created_by).using_db(conn)
    await outbox.enqueue(
        chat_id=int(invite.created_by),
        template=INVITE_USED,
        args={
            "name": joined.display_name if joined else str(telegram_id),
            "role": invite.role.value,
            "location": f" · {invite.location}" if invite.location else "",
        },
        member=inviter,
        using_db=conn,
    )


async def accept(
    token: str, telegram_id: int
) -> InviteAccepted | InviteUsed | InviteExpired | UnknownInvite:
    """Use the invite ``token`` for ``telegram_id``: exactly one opener ever wins."""
    invite = await StaffInvite.get_or_none(token=token) if tokens.looks_like_token(token) else None
    if invite is None:
        return UnknownInvite(token)
    now = clock.now()
    async with write_transaction() as conn:
        won = await sql.execute(
            conn,
            "UPDATE staff_invite SET used_by = ?, used_at = ?"
            " WHERE id = ? AND used_by IS NULL AND expires_at > ?",
            telegram_id,
            now,
            invite.id,
            now,
        )
        if won == 1:
            grant = await staff.grant_in(
                conn,
                telegram_id,
                invite.role,
                granted_by=invite.created_by,
                location=invite.location,
            )
            await membership.unenroll_if_unused(telegram_id, conn)
            await audit.record(
                "invite.accept",
                actor_telegram_id=telegram_id,
                target=f"invite:{invite.id}",
                details={"role": invite.role.value, "location": invite.location},
                using_db=conn,
            )
            if invite.created_by is not None:
                await _tell_inviter(conn, invite, telegram_id)
    if won == 1:
        return InviteAccepted(grant, invite.created_by)
    current = await StaffInvite.get(id=invite.id)
    if current.used_by is not None:
        return InviteUsed(at=current.used_at, by=current.used_by)
    return InviteExpired(on=current.expires_at)


async def open_invites(limit: int = 20) -> list[StaffInvite]:
    """Invites nobody has used yet that are still valid, newest first (the console shows
    their QR codes until they are used or expire)."""
    now = clock.now()
    query = StaffInvite.filter(used_by=None, expires_at__gt=now)
    return await query.order_by("-id").limit(limit)
