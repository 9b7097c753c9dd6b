"""Members: joining, finding, and the profile facts the chat face shows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from models.access import staff
from models.codes import tokens
from models.conversation import flows
from models.delivery import outbox, webhooks
from models.delivery.classes import MessageClass
from models.ledger import action_bonus, dates, tiers
from models.ledger.config import RuleSet
from models.members import phones
from models.reports import rollup
from models.store import audit, clock, sql
from models.store.db import connection, write_transaction
from models.store.tables import LedgerEntry, Member, Role


async def ensure_member(
    telegram_id: int,
    *,
    first_name: str = "",
    last_name: str | None = None,
    username: str | None = None,
    language: str = "en",
    enrolled: bool = True,
) -> tuple[Member, bool]:
    """The member for a Telegram user, created on first contact; ``(member, created)``.

    ``enrolled`` False: a row for someone who is staff, not (yet) a member.

    Safe under races: two first updates at once create one row (the unique telegram_id
    makes the loser re-read the winner's row).
    """
    member = await Member.get_or_none(telegram_id=telegram_id)
    if member is not None:
        return member, False
    try:
        async with write_transaction() as conn:
            member = await _create_member(
                conn,
                telegram_id=telegram_id,
                code=tokens.human_code(groups=2, size=4).replace("-", ""),
                first_name=first_name[:128],
                last_name=(last_name or "")[:128],
                username=username,
                language=language,
                card_token=tokens.token(),
                referral_code=tokens.human_code(groups=2, size=4).replace("-", ""),
                created_at=clock.now(),
                last_seen_at=clock.now(),
                enrolled=enrolled,
            )
            if enrolled:
                await action_bonus.award(conn, member.id, "joined")
    except IntegrityError:
        return await Member.get(telegram_id=telegram_id), False
    return member, True


async def _create_member(conn: BaseDBAsyncClient, **fields: Any) -> Member:
    """A new member row and its ``member.joined`` webhook, in the caller's transaction
    (every way in: first contact, enrolment, import); staff who are not members join
    later, if ever (:func:`enroll`)."""
    member = await Member.create(**fields, using_db=conn)
    if member.enrolled:
        await webhooks.emit_joined(conn, [(member.id, member.code, member.language)])
    return member


_UNNAMED = {"marketing_consent_at"}
"""Fields that change with another and are not named apart (the answer's time travels with
``marketing_opt_in``)."""


async def _update_profile(
    member_id: int,
    filters: dict[str, Any],
    *,
    stopped: Sequence[MessageClass] = (),
    **changes: Any,
) -> int:
    """Change profile fields and emit ``member.updated`` naming them (never their values),
    in one transaction; the number of rows changed (0 when ``filters`` did not match).
    Messages of the ``stopped`` classes still queued to the member are withdrawn with it."""
    async with write_transaction() as conn:
        changed = await Member.filter(id=member_id, **filters).using_db(conn).update(**changes)
        if changed:
            await emit_updated(conn, member_id, sorted(set(changes) - _UNNAMED))
            for message_class in stopped:
                await outbox.withdraw(member_id, message_class, conn)
            await _bonuses_for(conn, member_id, changes)
    return changed


async def _bonuses_for(conn: BaseDBAsyncClient, member_id: int, changes: dict[str, Any]) -> None:
    """The bonuses a profile change earns (in its transaction): ``offers`` for saying yes
    to offers, ``profile`` once birthday and phone are both given."""
    if changes.get("marketing_opt_in") is True:
        await action_bonus.award(conn, member_id, "offers")
    if {"birthday", "phone"} & set(changes):
        row = await Member.get(id=member_id).using_db(conn)
        if row.birthday is not None and row.phone:
            await action_bonus.award(conn, member_id, "profile")


async def emit_updated(conn: BaseDBAsyncClient, member_id: int, fields: list[str]) -> None:
    data = {"member_id": member_id, "changed": fields}
    await webhooks.emit("member.updated", data, member_id=member_id, using_db=conn)


def _identify_sql() -> str:
    """The member row, their active role and their live flow state (both joins are unique)."""
    return (
        f"SELECT {sql.select_list(Member, 'm')}, s.role AS staff_role,"
        " s.location AS staff_location, f.state AS flow_state, f.version AS flow_version"
        " FROM member m"
        " LEFT JOIN staff_role s ON s.telegram_id = m.telegram_id AND s.active = ?"
        " LEFT JOIN chat_flow f ON f.telegram_id = m.telegram_id AND f.expires_at > ?"
        " WHERE m.telegram_id = ?"
    )


async def identify(
    telegram_id: int,
    *,
    first_name: str = "",
    last_name: str | None = None,
    username: str | None = None,
    language: str = "en",
    config_admins: Iterable[int] = (),
) -> tuple[Member, bool, staff.Grant | None, flows.Flow]:
    """Who sent an update: ``(member, created, role grant, flow)`` in ONE query when known.

    This runs for every update, so the active role is joined to the member row instead of
    a second round trip, and the statement is a fixed string: building it with the query
    builder cost several times the query itself (bench/bot.py). The row becomes a Member
    exactly as Tortoise's own select does. First contact falls back to
    :func:`ensure_member`.
    """
    row = await sql.one(connection(), _identify_sql(), True, clock.now(), telegram_id)
    if row is None:
        grant = await staff.role_of(telegram_id, config_admins)
        member, created = await ensure_member(
            telegram_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language=language,
            enrolled=grant is None,  # staff are members only when they choose to join
        )
        return member, created, grant, await flows.load(telegram_id)
    flow = flows.Flow.loaded(telegram_id, row.pop("flow_state"), row.pop("flow_version"))
    member, grant = _member_and_grant(telegram_id, row, config_admins)
    return member, False, grant, flow


async def known(
    telegram_id: int, config_admins: Iterable[int] = ()
) -> tuple[Member | None, staff.Grant | None]:
    """The member row (deleted ones too) and active role of a Telegram user, creating nothing:
    ONE query when they are a member (the Mini App's hot path), two when not."""
    row = await sql.one(connection(), _identify_sql(), True, clock.now(), telegram_id)
    if row is None:
        return None, await staff.role_of(telegram_id, config_admins)
    del row["flow_state"], row["flow_version"]
    return _member_and_grant(telegram_id, row, config_admins)


def _member_and_grant(
    telegram_id: int, row: dict[str, Any], config_admins: Iterable[int]
) -> tuple[Member, staff.Grant | None]:
    """A Member exactly as Tortoise's own select makes it, and the role joined to it."""
    role, location = row.pop("staff_role"), row.pop("staff_location")
    member = sql.model_from_row(Member, row)
    if telegram_id in set(config_admins):
        return member, staff.Grant(telegram_id, Role.ADMIN, None)
    return member, staff.Grant(telegram_id, Role(role), location) if role else None


async def find_by_card(card_token: str) -> Member | None:
    """A live member by card token; anything not shaped like a token finds nothing."""
    if not tokens.looks_like_token(card_token):
        return None
    return await Member.get_or_none(card_token=card_token, deleted_at=None)


async def find_by_code_or_phone(text: str) -> Member | None:
    """The ONE member a typed code or phone number names, else ``None`` (several match
    too: callers that can offer a choice use :func:`lookup`)."""
    found = await lookup(text)
    return found if isinstance(found, Member) else None


@dataclass(frozen=True)
class AmbiguousMember:
    """Several live members match what was typed (phones ending in the same digits).

    Never resolved by guessing: the API answers 409 and discloses nothing, the till lists
    ``candidates`` (at most :data:`MAX_CANDIDATES`) for the cashier to choose from.
    """

    candidates: tuple[Member, ...]


MAX_CANDIDATES = 5
MIN_PHONE_DIGITS = 5
_PHONE_TEXT = re.compile(r"^\+?[0-9 ().\-]+$")


async def lookup(text: str) -> Member | AmbiguousMember | None:
    """A member by member code (``K7QM4PXD``) or phone number, as staff type them.

    A phone number is ASCII digits (with ``+``, spaces, dashes, dots, brackets), at least
    :data:`MIN_PHONE_DIGITS` of them: a full number matches exactly, else as the end of
    stored numbers. More than one match is :class:`AmbiguousMember`.
    """
    cleaned = text.strip()
    code = tokens.normalize_code(cleaned)
    if code is not None:
        member = await Member.get_or_none(code=code.replace("-", ""), deleted_at=None)
        if member is not None:
            return member
    if not is_phone_text(cleaned):
        return None
    digits = "".join(ch for ch in cleaned if ch in "0123456789")
    if not MIN_PHONE_DIGITS <= len(digits) < phones.MAX_LENGTH:
        return None
    live = Member.filter(deleted_at=None)
    matches = await live.filter(phone=f"+{digits}").limit(MAX_CANDIDATES + 1)
    if not matches:
        matches = await live.filter(phone__endswith=digits).limit(MAX_CANDIDATES + 1)
    if len(matches) > 1:
        return AmbiguousMember(tuple(sorted(matches, key=lambda m: m.id)[:MAX_CANDIDATES]))
    return matches[0] if matches else None


def is_phone_text(text: str) -> bool:
    """Whether what staff typed reads as (part of) a phone number rather than a name."""
    return bool(_PHONE_TEXT.match(text.strip()))


def masked_phone(phone: str | None) -> str:
    """A phone number as a list of candidates shows it: the last four digits only."""
    digits = "".join(ch for ch in phone or "" if ch in "0123456789")
    return f"•••{digits[-4:]}" if len(digits) >= 4 else "—"


async def enroll(member_id: int) -> bool:
    """Staff choosing to join as a member (one conditional update, and then the
    ``member.joined`` webhook); False if already one."""
    async with write_transaction() as conn:
        if (
            not await Member.filter(id=member_id, enrolled=False)
            .using_db(conn)
            .update(enrolled=True)
        ):
            return False
        row = await Member.get(id=member_id).using_db(conn)
        await webhooks.emit_joined(conn, [(row.id, row.code, row.language)])
        await action_bonus.award(conn, row.id, "joined")
        await rollup.forget(conn)  # members per tier count the enrolled, back to joining
    return True


async def has_joined(telegram_id: int) -> bool:
    """Whether this Telegram account is a member (staff who never joined are not)."""
    return await Member.filter(telegram_id=telegram_id, enrolled=True, deleted_at=None).exists()


async def unenroll_if_unused(telegram_id: int, using_db: Any = None) -> None:
    """Someone whose row exists only because they opened a staff invite is staff, not a
    member: no phone, no purchase, no ledger entry (a customer turned cashier stays one)."""
    row = await Member.filter(telegram_id=telegram_id).using_db(using_db).first()
    if row is None or row.phone or row.last_purchase_at or row.balance:
        return
    if await LedgerEntry.filter(member_id=row.id).using_db(using_db).exists():
        return
    await Member.filter(id=row.id).using_db(using_db).update(enrolled=False)
    await rollup.forget(using_db)


SEARCH_LIMIT = 8


async def search(text: str, limit: int = SEARCH_LIMIT) -> list[Member]:
    """Members by part of a name in any script ("li", "Wei", "李"; every word must match
    the first or last name); codes and phones are :func:`lookup`'s. Members only (not
    deleted, enrolled), at most ``limit``, oldest first."""
    words = text.split()
    if not words or is_phone_text(text):
        return []
    query = Member.filter(deleted_at=None, enrolled=True)
    for word in words[:4]:
        query = query.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return await query.order_by("id").limit(limit)


# ---- the member's own profile (/profile, /language, onboarding) -------------------------


@dataclass(frozen=True)
class BirthdaySet:
    birthday: date


@dataclass(frozen=True)
class InvalidBirthday:
    """``reason``: format | future | already-set."""

    reason: str


_BIRTHDAY = re.compile(r"^(?:([0-9]{4})-)?([0-9]{1,2})-([0-9]{1,2})$")
_NO_YEAR = 1904
"""A leap year standing for "year not given", so 02-29 is a valid birthday."""


def parse_birthday(text: str, today: date) -> date | InvalidBirthday:
    """``YYYY-MM-DD`` or ``MM-DD`` (stored with year 1904 = unknown), never in the future."""
    match = _BIRTHDAY.match(text.strip().replace("/", "-").replace(".", "-"))
    if match is None:
        return InvalidBirthday("format")
    year, month, day = match.groups()
    try:
        value = date(int(year) if year else _NO_YEAR, int(month), int(day))
    except ValueError:
        return InvalidBirthday("format")
    if value > today or value.year < 1900:
        return InvalidBirthday("future" if value > today else "format")
    return value


def birthday_has_year(value: date) -> bool:
    return value.year != _NO_YEAR


async def set_birthday(member_id: int, text: str) -> BirthdaySet | InvalidBirthday:
    """Set the birthday ONCE: members cannot move it around to collect birthday bonuses.

    Only the first value is taken (a conditional update on ``birthday IS NULL``); staff
    may correct it in the admin tools.
    """
    parsed = parse_birthday(text, clock.now().date())
    if isinstance(parsed, InvalidBirthday):
        return parsed
    changed = await _update_profile(
        member_id, {"birthday": None, "deleted_at": None}, birthday=parsed
    )
    return BirthdaySet(parsed) if changed else InvalidBirthday("already-set")


async def set_phone(member_id: int, phone: str) -> str:
    """Store the phone number the member shared (their own contact), normalised to +digits."""
    normalised = phones.from_contact(phone)
    await _update_profile(member_id, {"deleted_at": None}, phone=normalised)
    return normalised


@dataclass(frozen=True)
class TypedPhoneTaken:
    """Another member has this number: only sharing the contact (which proves it is the
    person's own) may link them."""


async def set_typed_phone(
    member_id: int, text: str, default_country: str
) -> str | TypedPhoneTaken | None:
    """A number the member typed instead of sharing: stored when it is a valid number no
    other member has (E.164); None when it is not a phone number at all."""
    phone = phones.normalize(text, default_country)
    if phone is None:
        return None
    if await Member.filter(phone=phone, deleted_at=None).exclude(id=member_id).exists():
        return TypedPhoneTaken()
    await _update_profile(member_id, {"deleted_at": None}, phone=phone)
    return phone


async def set_language(member_id: int, language: str) -> str:
    chosen = language if language in ("en", "zh-Hans") else "en"
    await _update_profile(member_id, {"language__not": chosen}, language=chosen)
    return chosen


async def set_preferences(
    member_id: int, *, marketing: bool | None = None, notifications: bool | None = None
) -> Member:
    """Marketing consent and reminders (``notifications_enabled``, the *service* class);
    ``None`` leaves a switch as it is.

    An answer about marketing, either way, is recorded with its time
    (``marketing_consent_at``): joining asks until the member has answered once. A switch
    turned off withdraws what is still queued of its class, so "stop" means now.
    """
    changes: dict[str, Any] = {}
    stopped: list[MessageClass] = []
    if marketing is not None:
        changes["marketing_opt_in"] = marketing
        changes["marketing_consent_at"] = clock.now()
        if not marketing:
            stopped.append(MessageClass.MARKETING)
    if notifications is not None:
        changes["notifications_enabled"] = notifications
        if not notifications:
            stopped.append(MessageClass.SERVICE)
    if changes:
        await _update_profile(member_id, {}, stopped=stopped, **changes)
    return await Member.get(id=member_id)


def consent_asked(member: Member) -> bool:
    """Whether the member has answered the marketing question (joining asks it once)."""
    return member.marketing_consent_at is not None


async def regenerate_card(member_id: int, *, actor_telegram_id: int | None) -> str:
    """A new card token: the old membership QR stops working at once (audited)."""
    new = tokens.token()
    async with write_transaction() as conn:
        await Member.filter(id=member_id).using_db(conn).update(card_token=new)
        await emit_updated(conn, member_id, ["card"])
        await audit.record(
            "member.card.regenerate",
            actor_telegram_id=actor_telegram_id,
            target=f"member:{member_id}",
            using_db=conn,
        )
    return new


@dataclass(frozen=True)
class Expiring:
    points: int
    on: datetime


@dataclass(frozen=True)
class BalanceView:
    """What /balance shows beyond the member row: tier progress and what expires first."""

    progress: tiers.TierProgress
    expiring: Expiring | None


_SOONEST = (
    "SELECT MIN(expires_at) FROM point_lot"
    " WHERE member_id = ? AND remaining > 0 AND expires_at IS NOT NULL"
)


async def balance_view(member: Member, rules: RuleSet, tz: str = "UTC") -> BalanceView:
    """Tier progress and the points that expire first: all the member's lots expiring on
    the soonest local day (shop time zone ``tz``), as the date /balance states.

    One statement for the qualifying total (``models.ledger.tiers``' own query as a scalar
    subquery, so the rule stays written once) and the soonest expiry; when there is one, a
    second (indexed) sum over the lots expiring that local day.
    """
    conn = connection()
    qualifying = tiers.one_member_total_sql(rules)
    row = await sql.one(
        conn,
        f"SELECT ({qualifying}) AS total, ({_SOONEST}) AS first_at",
        tiers.window_start(rules, clock.now()),
        member.id,
        member.id,
    )
    row = row or {}
    first_at = sql.as_datetime(row.get("first_at"))
    expiring = None
    if first_at is not None:
        day = await sql.one(
            conn,
            "SELECT SUM(remaining) AS points FROM point_lot WHERE member_id = ?"
            " AND remaining > 0 AND expires_at >= ? AND expires_at < ?",
            member.id,
            first_at,
            dates.next_local_midnight(first_at, tz),
        )
        expiring = Expiring(sql.as_int(day and day["points"]), first_at)
    return BalanceView(_progress(member, rules, sql.as_int(row.get("total"))), expiring)


def _progress(member: Member, rules: RuleSet, total: int) -> tiers.TierProgress:
    """``tiers.progress`` from an already-read qualifying total (no query)."""
    current = tiers.level(rules.tiers, member.tier)
    index = tiers.rank(rules.tiers, current.key)
    levels = rules.tiers.levels
    nxt = levels[index + 1] if index + 1 < len(levels) else None
    needed = max(0, nxt.threshold - total) if nxt else 0
    return tiers.TierProgress(current, nxt, total, needed, rules.tiers.basis)
