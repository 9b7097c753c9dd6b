"""Who may be told what: every outbox template's class, and each class's one audience rule.

DESIGN.md, "Messages the bot starts". The three classes:

=============  ==============================================================================
transactional  what the member (or staff member) did or must know: receipts, vouchers,
               refunds, adjustments, payments, referral rewards, staff work notices.
               Always, to anyone with a chat who has not deleted their account; a member who
               blocked the bot is still tried, one message at a time, and the sender records
               it ``blocked`` (so a member who unblocked without writing gets their receipt)
service        what keeps a membership in order: expiry reminders, tier changes. Unless the
               member turned reminders off (``notifications_enabled``) or blocked the bot
marketing      what we would like them to buy: campaign announcements, broadcasts, win-back
               and birthday offers. Only to enrolled members with marketing consent
               (``marketing_opt_in``) who have not blocked the bot; every one ends with how to
               stop marketing only (``scheduler.render`` appends ``marketing-stop-footer``)
=============  ==============================================================================

The rule is written once, in :data:`RULES`, as Tortoise lookups on ``member``; it is read
three ways from there: as a query filter (:func:`audience`, for the queries that choose
recipients), as SQL (:func:`sql_condition`, for the raw statements), and against a loaded
row (:func:`admits`). ``models.delivery.outbox`` asks it for every message it queues.

Adding a template: add its key to :data:`TEMPLATES` (``tests/consent`` fails for a template
queued anywhere in the code without a class).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise.expressions import Q

from models.store.tables import Member


class MessageClass(StrEnum):
    TRANSACTIONAL = "transactional"
    SERVICE = "service"
    MARKETING = "marketing"


T, S, M = MessageClass.TRANSACTIONAL, MessageClass.SERVICE, MessageClass.MARKETING

TEMPLATES: dict[str, MessageClass] = {
    # the member's own purchases, vouchers, payments and points
    "till-receipt-member": T,
    "till-refund-member": T,
    "stamps-member": T,
    "till-adjust-member": T,
    "till-voucher-redeemed-member": T,
    "till-pay-ask-member": T,
    "marketing-referral-rewarded": T,  # points the member earned by referring a friend
    # staff at work (their role, not a member's consent, decides)
    "till-pay-staff-paid": T,
    "till-pay-staff-unpaid": T,
    "till-pay-staff-declined": T,
    "reports-weekly": T,
    "webhook-failed-admin": T,
    "till-invite-used-admin": T,  # the admin who made an invite: it was used
    "till-role-ended": S,  # a person's role at the shop ended
    # keeping the membership in order
    "notice-expiry-reminder": S,
    "tier-downgraded": S,
    "tier-upgraded": S,  # reaching a tier, with its perks
    # offers
    "notice-campaign-started": M,
    "notice-campaign-ending": M,
    "broadcast-text": M,
    "offers-winback": M,
    "notice-birthday-bonus": M,
}
"""Every outbox template (a locale key) and its class."""

_EVERYONE: dict[str, Any] = {"telegram_id__not_isnull": True, "deleted_at__isnull": True}

RULES: dict[MessageClass, dict[str, Any]] = {
    T: _EVERYONE,
    S: _EVERYONE | {"reachable": True, "notifications_enabled": True},
    M: _EVERYONE | {"reachable": True, "enrolled": True, "marketing_opt_in": True},
}
"""Each class's audience: ``member`` lookups that must all hold."""

FOOTERS: dict[MessageClass, str] = {M: "notice-marketing-footer"}
"""The locale key of the line a class's messages end with (how to stop marketing only)."""


class UnclassifiedTemplate(LookupError):
    """A template nobody gave a class: a bug (``tests/consent`` lists them)."""


def class_of(template: str) -> MessageClass:
    try:
        return TEMPLATES[template]
    except KeyError:
        raise UnclassifiedTemplate(f"outbox template {template!r} has no class") from None


def footer_of(template: str) -> str | None:
    """The locale key of the last line ``template``'s messages carry, if its class has one."""
    return FOOTERS.get(class_of(template))


def templates_of(message_class: MessageClass) -> list[str]:
    return sorted(k for k, c in TEMPLATES.items() if c == message_class)


def audience(message_class: MessageClass) -> Q:
    """The rule as a query filter on ``Member``: ``Member.filter(audience(MARKETING), …)``."""
    return Q(**RULES[message_class])


def _parts(lookup: str) -> tuple[str, str]:
    column, _, op = lookup.partition("__")
    return column, op


def sql_condition(message_class: MessageClass, alias: str = "m") -> tuple[str, list[Any]]:
    """The rule as SQL on the member table under ``alias``, with its parameters."""
    terms: list[str] = []
    params: list[Any] = []
    for lookup, want in RULES[message_class].items():
        column, op = _parts(lookup)
        if op == "isnull":
            terms.append(f"{alias}.{column} IS {'' if want else 'NOT '}NULL")
        elif op == "not_isnull":
            terms.append(f"{alias}.{column} IS {'NOT ' if want else ''}NULL")
        else:
            terms.append(f"{alias}.{column} = ?")
            params.append(want)
    return " AND ".join(terms), params


def admits(member: Member | None, message_class: MessageClass) -> bool:
    """Whether the loaded ``member`` may be told a message of ``message_class``."""
    if member is None:
        return False
    for lookup, want in RULES[message_class].items():
        column, op = _parts(lookup)
        value = getattr(member, column)
        if op == "isnull":
            held = (value is None) == want
        elif op == "not_isnull":
            held = (value is not None) == want
        else:
            held = value == want
        if not held:
            return False
    return True


def may_tell(member: Member | None, template: str) -> bool:
    """Whether ``member`` may be sent ``template`` (its class's rule)."""
    return admits(member, class_of(template))
