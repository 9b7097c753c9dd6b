"""Earning: record a purchase and award its points, and the member's receipt for it.

The busiest write, so it takes as few database trips as it can: the purchase, balance,
entry, lot and receipt are queued on one :class:`~models.ledger.journal.Journal` and
flushed together (in two flushes when the purchase may lift the member's tier).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.codes import tokens
from models.delivery import classes, outbox, webhooks
from models.ledger import hooks, referral_bonus, tiers
from models.ledger.config import RuleSet
from models.ledger.dates import expiry_for
from models.ledger.journal import Journal
from models.ledger.keys import _Reject, check_key, run_keyed
from models.ledger.postings import _lock_member_and_key, _resolve_rules, credit
from models.ledger.quotes import PointsQuote, explain, format_minor
from models.ledger.quoting import PurchaseRequest, Refused, plan_for, request_for
from models.ledger.results import PlanChanged, PurchaseRecorded, UnknownMember
from models.ledger.rules import CampaignRule, Item
from models.store import clock
from models.store.sql import Step
from models.store.tables import EntryKind, LedgerEntry, Member, Purchase

RECEIPT_TEMPLATE = "till-receipt-member"


async def _purchase_replay(purchase: Purchase | None) -> PurchaseRecorded | None:
    if purchase is None:
        return None
    entry = await LedgerEntry.get(purchase_id=purchase.id, kind=EntryKind.EARN)
    data = dict(entry.breakdown)
    extras = await hooks.replayed(purchase.id)
    return PurchaseRecorded(
        purchase_id=purchase.id,
        receipt_code=purchase.receipt_code,
        member_id=purchase.member_id,  # type: ignore[attr-defined]
        entry_id=entry.id,
        points=entry.points,
        balance=entry.balance_after,
        quote=PointsQuote.from_json(data),
        tier=data.get("tier", ""),
        upgraded_to=data.get("upgraded_to"),
        replayed=True,
        extras=extras,
    )


def _may_upgrade(rules: RuleSet, tier: str) -> bool:
    """Whether an earn could lift ``tier`` (not at the top already): else no tier sum."""
    return tiers.rank(rules.tiers, tier) < len(rules.tiers.levels) - 1


async def earn_for_purchase(
    member_id: int,
    amount_minor: int,
    currency: str,
    *,
    idempotency_key: str,
    rules: RuleSet | None = None,
    rule_version_id: int | None = None,
    category: str | None = None,
    items: Iterable[Item | Mapping[str, Any]] = (),
    location: str | None = None,
    channel: str = "telegram",
    staff_telegram_id: int | None = None,
    order_id: str | None = None,
    api_key_id: int | None = None,
    campaigns: Iterable[CampaignRule] = (),
    tz: str = "UTC",
    paid_points: int = 0,
    expect_points: int | None = None,
    written_with: Callable[[PointsQuote], Iterable[WithRow]] | None = None,
) -> PurchaseRecorded | Refused | UnknownMember | PlanChanged:
    """Record a purchase and award its points: the plan of
    :func:`models.ledger.quoting.plan_for`, computed under the member's lock, written.

    ``rules=None`` uses the current rule version. ``tz`` is the shop's time zone, for
    the daily cap's "day" and the end-of-period expiry. ``api_key_id``: the HTTP API key
    recording it (its ``order_id`` belongs to that key). ``paid_points``: points the
    member already paid part of this bill with (they earn nothing unless
    ``usage.earn_on_points_payment``). ``expect_points``: the points of the quote the
    person confirmed; a plan that earns otherwise now is refused as
    :class:`PlanChanged`, writing nothing. Queues the member's receipt (outbox
    ``till-receipt-member``) in the same transaction. ``written_with(quote)``: rows the
    caller writes in this same transaction and flush (the HTTP face's idempotency record
    and audit row: one commit, one trip for everything a purchase writes); each is
    ``(row, exprs)`` as :meth:`~models.ledger.journal.Journal.insert` takes them. The
    registered :mod:`~models.ledger.hooks` (stamp cards) write in the same flush.
    """
    key = check_key(idempotency_key)

    async def replay() -> PurchaseRecorded | None:
        return await _purchase_replay(await Purchase.get_or_none(idempotency_key=key))

    rules, version_id = await _resolve_rules(rules, rule_version_id)
    request = request_for(
        amount_minor,
        currency,
        rules,
        category=category,
        items=items,
        campaigns=campaigns,
        channel=channel,
        tz=tz,
        paid_points=paid_points,
    )
    if not isinstance(request, PurchaseRequest):
        # a retry is answered its first result, whatever the rules say now
        return await replay() or request

    async def op(conn: BaseDBAsyncClient) -> PurchaseRecorded | None:
        # the key is looked up in the statement that locks the member (a retry rolls back
        # and is answered by ``replay`` below); two first tries racing on different
        # connections meet on purchase's unique key and the loser replays (run_keyed)
        member, first_id = await _lock_member_and_key(
            conn, member_id, f"earn:{key}", with_referrer=True
        )
        if first_id is not None:
            raise _Reject(None)
        now = clock.now()
        quote = await plan_for(conn, member, request, rules, now=now, key=key)
        if expect_points is not None and quote.points != expect_points:
            raise _Reject(PlanChanged(expect_points, quote))
        tier_before = member.tier
        purchase = Purchase(
            member_id=member.id,
            receipt_code=tokens.receipt_code(),
            order_id=order_id,
            idempotency_key=key,
            amount_minor=request.amount_minor,
            currency=currency,
            category=category,
            items=[i.to_json() for i in request.items],
            location=location,
            channel=channel,
            staff_telegram_id=staff_telegram_id,
            api_key_id=api_key_id,
            points_awarded=quote.points,
            created_at=now,
        )
        journal = Journal(conn)
        journal.insert(purchase)
        upgraded = None
        if _may_upgrade(rules, member.tier):
            # the upgrade counts this purchase, so it is decided before the entry is written
            await journal.flush()
            upgraded = await tiers.upgrade_after_earn(
                conn, member, rules, now, pending_points=quote.points
            )
        entry = await credit(
            conn,
            member,
            quote.points,
            kind=EntryKind.EARN,
            key=f"earn:{key}",
            expires_at=expiry_for(now, rules.expiry, tz),
            now=now,
            journal=journal,
            last_purchase_at=now,
            links={"purchase_id": ("(SELECT id FROM purchase WHERE idempotency_key = ?)", [key])},
            rule_version_id=version_id,
            breakdown=quote.to_json() | {"tier": tier_before, "upgraded_to": upgraded},
            actor_telegram_id=staff_telegram_id,
            channel=channel,
        )
        member.last_purchase_at = now
        if classes.may_tell(member, RECEIPT_TEMPLATE):
            journal.insert(
                outbox.new_message(
                    chat_id=member.telegram_id,
                    template=RECEIPT_TEMPLATE,
                    args=receipt_args(member, purchase, quote, upgraded, rules),
                    kind="receipt",
                    member=member,
                )
            )
        for step in webhooks.emit_steps(  # the webhook event commits with the purchase
            "purchase.recorded", purchase_event(member, purchase), member_id=member.id
        ):
            journal.also(step)
        extras = {
            hook.name: await hook.on_purchase(
                conn, journal, member, purchase, request.items, now, tz
            )
            for hook in hooks.registered()
        }
        for row, exprs in written_with(quote) if written_with is not None else ():
            journal.insert(row, **exprs)
        await journal.flush()  # purchase (unless written above), balance, entry, lot, receipt
        await referral_bonus.reward_referrer_on_first_purchase(member, rules, using_db=conn, tz=tz)
        return PurchaseRecorded(
            purchase_id=purchase.id,
            receipt_code=purchase.receipt_code,
            member_id=member.id,
            entry_id=entry.id,
            points=quote.points,
            balance=member.balance,
            quote=quote,
            tier=tier_before,
            upgraded_to=upgraded,
            extras=extras,
        )

    result = await run_keyed(op, replay)
    return result if result is not None else await replay()  # type: ignore[return-value]


WithRow = tuple[Model, Mapping[str, Step]]
"""A row a caller writes with the purchase: ``(unsaved row, columns given as SQL)``."""


def purchase_event(member: Member, purchase: Purchase) -> dict[str, Any]:
    """Data of the ``purchase.recorded`` webhook (ids, minor units, points; no names)."""
    return {
        "member_id": member.id,
        "member_code": member.code,
        "receipt_code": purchase.receipt_code,
        "order_id": purchase.order_id,
        "amount_minor": purchase.amount_minor,
        "currency": purchase.currency,
        "points": purchase.points_awarded,
        "balance": member.balance,
        "location": purchase.location,
        "channel": purchase.channel,
    }


def receipt_args(
    member: Member,
    purchase: Purchase,
    quote: PointsQuote,
    upgraded: str | None,
    rules: RuleSet,
) -> dict[str, Any]:
    """Arguments of the ``till-receipt-member`` message (all strings or integers)."""
    upgraded_name = (
        tiers.tier_name(tiers.level(rules.tiers, upgraded), member.language) if upgraded else ""
    )
    return {
        "points": quote.points,
        "balance": member.balance,
        "amount": format_minor(purchase.amount_minor, quote.exponent, quote.symbol),
        "receipt": purchase.receipt_code,
        "breakdown": explain(quote, member.language),
        "tier": tiers.tier_name(tiers.level(rules.tiers, member.tier), member.language),
        "upgraded": upgraded_name,
        "location": purchase.location or "",
    }
