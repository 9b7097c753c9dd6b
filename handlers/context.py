"""The per-update context every handler receives: who is talking, in which language.

Resolved once per update by :func:`resolve_person` (a handler in group -100), so a
handler reads like STYLE.md §1: ``context.member``, ``context.role``, ``context.t(...)``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from locales import Translator, language_for, translator
from models.access import staff
from models.conversation import flows
from models.members import membership
from models.store import clock
from models.store.tables import Member, Role

if TYPE_CHECKING:
    from bot.settings import Settings
    from handlers.callbacks import CallbackCodec

_SEEN_EVERY = timedelta(minutes=10)


class JifenContext(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], dict[str, Any]]):
    """PTB's context plus the resolved member, their role and a translator."""

    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ):
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.member: Member | None = None
        self.grant: staff.Grant | None = None
        self.created = False
        """Whether this update created the member row (first contact, or after deletion)."""
        self.flow: flows.Flow | None = None
        """What this person's half-done flow remembers (handlers/flows.py), saved after."""

    @property
    def role(self) -> Role | None:
        return self.grant.role if self.grant else None

    @property
    def lang(self) -> str:
        if self.member is not None:
            return self.member.language
        return self.settings.bot.default_language

    @property
    def t(self) -> Translator:
        return translator(self.lang)

    @property
    def settings(self) -> Settings:
        return self.bot_data["settings"]

    @property
    def codec(self) -> CallbackCodec:
        return self.bot_data["codec"]


async def resolve_person(update: object, context: JifenContext) -> None:
    """Load (or create) the member behind an update and their role; never stops the update."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    user = update.effective_user
    if user.is_bot:
        return
    member, created, grant, flow = await membership.identify(
        user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language=language_for(user.language_code, context.settings.bot.default_language),
        config_admins=context.settings.access.admins,
    )
    now = clock.now()
    if not created and (
        not member.reachable
        or member.last_seen_at is None
        or now - member.last_seen_at > _SEEN_EVERY
    ):
        # Writing to us again means they unblocked the bot.
        member.reachable, member.last_seen_at = True, now
        await Member.filter(id=member.id).update(reachable=True, last_seen_at=now)
    context.member, context.grant, context.flow = member, grant, flow
    context.created = created
