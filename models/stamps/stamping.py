"""Stamping inside the purchase's own transaction (the :mod:`models.ledger.hooks` hook).

Under the member's lock the hook reads the member's standing on every card type the
purchase earns on (ONE statement), plans it (:mod:`.plan`) and queues the rows on the
purchase's journal: the stamp rows (keyed by the purchase's key, so a retry, a race or a
redelivered update writes nothing twice: the purchase's own key answers first), the
card updates, a full card's voucher (or points) and the member's stamp message. All of
it commits with the purchase, in the purchase's last flush.

The purchase without any card type in force costs no database trip: the active card
types are cached for :data:`FRESH_FOR` seconds (like the rule versions), and a purchase
that earns on none of them reads nothing. A paused type stops at once (the statement
under the lock reads the type's status); a new type starts within ``FRESH_FOR`` on the
other instances (at once on the one that made it).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.catalogue.vouchers import validity_days
from models.codes import tokens
from models.delivery import classes, outbox, webhooks
from models.ledger import credit, expiry_for, local_midnight, rule_versions
from models.ledger.journal import Journal
from models.ledger.rules import Item
from models.stamps.plan import CardMove, Snapshot, TypePlan, plan_type, stamps_for
from models.store import clock, sql
from models.store.db import connection
from models.store.tables import (
    CardState,
    CardTypeStatus,
    EntryKind,
    Member,
    Purchase,
    Reward,
    Stamp,
    StampCard,
    StampCardType,
    Voucher,
)

FRESH_FOR = 1.0
MESSAGE_TEMPLATE = "stamps-member"
_cache: tuple[float, list[StampCardType]] | None = None

CARD_BY_SEQ = "(SELECT id FROM stamp_card WHERE member_id = ? AND card_type_id = ? AND seq = ?)"
_VOUCHER_BY_KEY = "(SELECT id FROM voucher WHERE idempotency_key = ?)"
_PURCHASE_BY_KEY = "(SELECT id FROM purchase WHERE idempotency_key = ?)"


def forget() -> None:
    """Drop the cached card types (after an edit here, and in tests)."""
    global _cache
    _cache = None


async def active_types(conn: BaseDBAsyncClient | None = None) -> list[StampCardType]:
    """The card types in force (cached for :data:`FRESH_FOR` seconds)."""
    global _cache
    if _cache is not None and time.monotonic() - _cache[0] < FRESH_FOR:
        return _cache[1]
    rows = await StampCardType.filter(status=CardTypeStatus.ACTIVE).using_db(conn).order_by("id")
    _cache = (time.monotonic(), list(rows))
    return _cache[1]


def named(names: dict[str, str] | None, language: str) -> str:
    """A card type's name in ``language``, else English, else any."""
    names = names or {}
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


def type_name(card_type: StampCardType, language: str) -> str:
    return named(card_type.names, language)


def cups(stamps: int, needed: int, icon: str = "☕") -> str:
    """The card as the member sees it: a row of cups, filled then empty (never a number)."""
    stamps = max(0, min(stamps, needed))
    return icon * stamps + "○" * (needed - stamps)


async def snapshots(
    conn: BaseDBAsyncClient, member_id: int, type_ids: Sequence[int], now: datetime, tz: str
) -> list[Snapshot]:
    """The member's standing on ``type_ids`` (active ones only), in ONE statement."""
    if not type_ids:
        return []
    marks = ", ".join("?" for _ in type_ids)
    rows = await sql.rows(
        conn,
        f"SELECT {sql.select_list(StampCardType, 't')}, c.id AS c_id, c.seq AS c_seq,"
        " c.stamps AS c_stamps, c.expires_at AS c_expires_at,"
        " (SELECT COALESCE(MAX(x.seq), 0) FROM stamp_card x"
        "  WHERE x.member_id = ? AND x.card_type_id = t.id) AS last_seq,"
        " (SELECT COALESCE(SUM(s.stamps), 0) FROM stamp s WHERE s.member_id = ?"
        "  AND s.card_type_id = t.id AND s.created_at >= ? AND s.refund_id IS NULL) AS today"
        " FROM stamp_card_type t LEFT JOIN stamp_card c ON c.card_type_id = t.id"
        " AND c.member_id = ? AND c.state = 'collecting'"
        f" WHERE t.status = 'active' AND t.id IN ({marks}) ORDER BY t.id, c.seq",
        member_id,
        member_id,
        local_midnight(now, tz),
        member_id,
        *type_ids,
    )
    found: dict[int, Snapshot] = {}
    for row in rows:  # the newest open card wins (there is only ever one)
        card_type = sql.model_from_row(StampCardType, row)
        card = None
        if row["c_id"] is not None:
            card = StampCard(
                id=row["c_id"],
                member_id=member_id,
                card_type_id=card_type.id,
                seq=int(row["c_seq"]),
                stamps=int(row["c_stamps"]),
                expires_at=sql.as_datetime(row["c_expires_at"]),
            )
        last_seq, today = sql.as_int(row["last_seq"]), sql.as_int(row["today"])
        found[card_type.id] = Snapshot(card_type, card, last_seq, today)
    return list(found.values())


def earned(
    types: Iterable[StampCardType], amount_minor: int, category: str | None, items: Sequence[Item]
) -> dict[int, int]:
    """Stamps the purchase earns per card type (before daily limits), none left out as 0."""
    counts = {t.id: stamps_for(t, amount_minor, category, items) for t in types}
    return {type_id: n for type_id, n in counts.items() if n > 0}


async def plans(
    conn: BaseDBAsyncClient,
    member_id: int,
    amount_minor: int,
    category: str | None,
    items: Sequence[Item],
    now: datetime,
    tz: str,
) -> list[TypePlan]:
    """What this purchase does to every card type it earns on (no trip when none)."""
    counts = earned(await active_types(conn), amount_minor, category, items)
    if not counts:
        return []
    found = await snapshots(conn, member_id, list(counts), now, tz)
    return [plan_type(s, counts[s.card_type.id], now) for s in found]


@dataclass(frozen=True)
class CardResult:
    """One card type after a purchase (or now): what the member and the cashier read."""

    card_type_id: int
    names: dict[str, str]
    icon: str
    added: int
    stamps: int
    needed: int
    filled: int
    """Cards this purchase filled."""
    voucher_codes: tuple[str, ...] = ()
    points: int = 0

    def cups(self) -> str:
        return cups(self.stamps, self.needed, self.icon)

    def to_json(self) -> dict[str, Any]:
        return {
            "card_type_id": self.card_type_id,
            "added": self.added,
            "stamps": self.stamps,
            "needed": self.needed,
            "filled": self.filled,
            "voucher_codes": list(self.voucher_codes),
            "points": self.points,
        }


def result_of(plan: TypePlan, codes: Sequence[str] = ()) -> CardResult:
    """The plan as the member reads it: the last card touched, how many it filled."""
    card_type, last = plan.card_type, plan.moves[-1] if plan.moves else None
    filled = sum(1 for m in plan.moves if m.fills)
    return CardResult(
        card_type.id,
        dict(card_type.names or {}),
        card_type.icon,
        plan.added,
        last.after if last is not None else 0,
        card_type.stamps_needed,
        filled,
        tuple(codes),
        filled * card_type.reward_points if card_type.reward_id is None else 0,  # type: ignore[attr-defined]
    )


@dataclass
class Writer:
    """Queues one plan's rows on a journal (a purchase's, or a refund's own)."""

    journal: Journal
    member: Member
    now: datetime
    tz: str
    key: str
    """What makes every row's key unique to this operation (``p:<purchase key>``, ``r:<id>``)."""
    purchase_key: str | None = None
    refund_id: int | None = None
    _tags: int = 0

    async def apply(self, plan: TypePlan) -> CardResult:
        if plan.expire_card_id is not None:
            self.journal.also(
                (
                    "UPDATE stamp_card SET state = 'expired' WHERE id = ? AND state = 'collecting'",
                    [plan.expire_card_id],
                )
            )
        codes = [await self.move(plan.card_type, m) for m in plan.moves]
        return result_of(plan, [c for c in codes if c])

    def stamp(
        self, card_type_id: int, seq: int, stamps: int, tag: str, *, of_purchase: bool = True
    ) -> None:
        """One stamp row on the member's card ``seq`` (``tag`` keeps its key unique);
        ``of_purchase=False`` for stamps a refund moves between cards (not the purchase's)."""
        self._tags += 1
        tag = f"{tag}{self._tags}"
        exprs: dict[str, sql.Step] = {
            "card_id": (CARD_BY_SEQ, [self.member.id, card_type_id, seq]),
        }
        if self.purchase_key is not None and of_purchase:
            exprs["purchase_id"] = (_PURCHASE_BY_KEY, [self.purchase_key])
        self.journal.insert(
            Stamp(
                member_id=self.member.id,
                card_type_id=card_type_id,
                stamps=stamps,
                refund_id=self.refund_id,
                idempotency_key=f"{self.key}:{card_type_id}:{seq}:{tag}",
                created_at=self.now,
            ),
            **exprs,
        )

    async def move(
        self, card_type: StampCardType, move: CardMove, *, of_purchase: bool = True
    ) -> str | None:
        """Queue ``move``: the card (new or updated), its stamp row, a full card's reward."""
        reward_key = f"stampcard:{self.member.id}:{card_type.id}:{move.seq}:{self.key}"
        voucher, entry_key = None, None
        if move.fills:
            voucher, entry_key = await self.reward(card_type, reward_key)
        filled = CardState.FILLED if move.fills else CardState.COLLECTING
        link = {"voucher_id": (_VOUCHER_BY_KEY, [reward_key])} if voucher else {}
        if move.card_id is None:
            self.journal.insert(
                StampCard(
                    member_id=self.member.id,
                    card_type_id=card_type.id,
                    seq=move.seq,
                    stamps=move.after,
                    state=filled,
                    started_at=self.now,
                    expires_at=move.expires_at,
                    filled_at=self.now if move.fills else None,
                    reward_entry_key=entry_key,
                ),
                **link,
            )
        else:
            voucher_sql, voucher_params = link.get("voucher_id", ("NULL", []))
            self.journal.also(
                (
                    f"UPDATE stamp_card SET stamps = stamps + ?, state = ?, filled_at = ?,"
                    f" voucher_id = {voucher_sql}, reward_entry_key = ? WHERE id = ?",
                    [
                        move.added,
                        filled.value,
                        self.now if move.fills else None,
                        *voucher_params,
                        entry_key,
                        move.card_id,
                    ],
                )
            )
        self.stamp(card_type.id, move.seq, move.added, "add", of_purchase=of_purchase)
        return voucher.code if voucher else None

    async def reward(self, card_type: StampCardType, key: str) -> tuple[Voucher | None, str | None]:
        """A full card's voucher (free) or points, queued; the key names it for the card."""
        rules = (await rule_versions.current(self.journal.conn))[1]
        if card_type.reward_id is not None:  # type: ignore[attr-defined]
            reward = await Reward.get(id=card_type.reward_id).using_db(self.journal.conn)  # type: ignore[attr-defined]
            voucher = Voucher(
                token=tokens.token(),
                code=tokens.human_code(),
                member_id=self.member.id,
                reward_id=reward.id,
                cost_points=0,
                idempotency_key=key,
                issued_at=self.now,
                valid_until=self.now + timedelta(days=validity_days(reward, rules)),
            )
            self.journal.insert(voucher)
            for step in webhooks.voucher_issued_steps(voucher):  # after it, in the same trip
                self.journal.also(step)
            return voucher, None
        if card_type.reward_points > 0:
            await credit(
                self.journal.conn,
                self.member,
                card_type.reward_points,
                kind=EntryKind.BONUS,
                key=key,
                expires_at=expiry_for(self.now, rules.expiry, self.tz),
                now=self.now,
                journal=self.journal,
                reason="stamp card",
            )
            return None, key
        return None, None

    def tell(self, result: CardResult) -> None:
        """The member's stamp message (transactional, like the receipt it follows)."""
        if not classes.may_tell(self.member, MESSAGE_TEMPLATE):
            return
        self.journal.insert(
            outbox.new_message(
                chat_id=self.member.telegram_id,
                template=MESSAGE_TEMPLATE,
                args={
                    "name": type_name_of(result, self.member.language),
                    "added": result.added,
                    "cups": result.cups(),
                    "stamps": result.stamps,
                    "needed": result.needed,
                    "filled": result.filled,
                    "codes": ", ".join(result.voucher_codes),
                    "points": result.points,
                    "reward": "voucher" if result.voucher_codes else "points",
                },
                kind="stamps",
                member=self.member,
            )
        )


def type_name_of(result: CardResult, language: str) -> str:
    return named(result.names, language)


async def on_purchase(
    conn: BaseDBAsyncClient,
    journal: Journal,
    member: Member,
    purchase: Purchase,
    items: Iterable[Item],
    now: datetime,
    tz: str,
) -> list[CardResult]:
    """The hook: stamp every card type this purchase earns on (see the module docstring)."""
    lines = list(items)
    found = await plans(conn, member.id, purchase.amount_minor, purchase.category, lines, now, tz)
    writer = Writer(
        journal, member, now, tz, f"p:{purchase.idempotency_key}", purchase.idempotency_key
    )
    results = []
    for plan in found:
        if not plan.moves and plan.expire_card_id is None:
            continue
        result = await writer.apply(plan)
        if result.added:
            writer.tell(result)
            results.append(result)
    return results


async def replay_results(rows: Sequence[Stamp]) -> list[CardResult]:
    """The results a first try returned, read back from its stamp rows (a retry's answer)."""
    by_type: dict[int, list[Stamp]] = {}
    for row in rows:
        by_type.setdefault(row.card_type_id, []).append(row)  # type: ignore[attr-defined]
    results = []
    for type_id, mine in by_type.items():
        card_type = await StampCardType.get(id=type_id)
        last = mine[-1]
        after = await Stamp.filter(card_id=last.card_id, id__lte=last.id).values_list(  # type: ignore[attr-defined]
            "stamps", flat=True
        )
        touched = await StampCard.filter(id__in=[r.card_id for r in mine]).prefetch_related(  # type: ignore[attr-defined]
            "voucher"
        )
        filled = [c for c in touched if c.filled_at is not None and c.state == CardState.FILLED]
        results.append(
            CardResult(
                type_id,
                dict(card_type.names or {}),
                card_type.icon,
                sum(r.stamps for r in mine),
                sum(after),
                card_type.stamps_needed,
                len(filled) if last.stamps > 0 else 0,
                tuple(c.voucher.code for c in filled if c.voucher is not None and last.stamps > 0),
            )
        )
    return results


async def quote(
    member_id: int,
    amount_minor: int,
    category: str | None,
    items: Iterable[Item | dict[str, Any]],
    tz: str,
) -> list[CardResult]:
    """What recording this purchase now would stamp (the till's quote), by the very plan
    the write follows; voucher codes are not known before the write."""
    now = clock.now()
    lines = [Item.parse(i) for i in items]
    found = await plans(connection(), member_id, amount_minor, category, lines, now, tz)
    return [result_of(p) for p in found if p.moves]
