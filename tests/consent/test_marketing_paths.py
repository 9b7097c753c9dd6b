"""A member who said "No, thanks" to offers hears no offer, by any path; one who said yes
hears each: campaign start announcement, broadcast, win-back offer, birthday greeting."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from models import ledger
from models.marketing import birthdays, broadcasts, offers, reminders
from models.store import clock
from models.store.tables import Member, OutboxMessage
from tests.consent.helpers import double_days
from tests.store.helpers import START, member, rules

MARKETING_PATHS = {
    "notice-campaign-started",
    "broadcast-text",
    "offers-winback",
    "notice-birthday-bonus",
}
WINBACK = offers.WinbackSettings(Decimal(2), control_percent=0)


async def _shopper(telegram_id: int, **fields: object) -> Member:
    """A member born today who bought 100 days ago: at risk, celebrating, in every audience."""
    clock.freeze(START - timedelta(days=100))
    m = await member(telegram_id, birthday=date(1990, START.month, START.day), **fields)
    await ledger.earn_for_purchase(m.id, 10000, "CNY", idempotency_key=f"buy:{m.id}", rules=rules())
    return m


async def _run_every_marketing_path() -> None:
    clock.freeze(START)
    await double_days(clock.now())
    assert (await reminders.queue_campaign_alerts()).queued >= 1
    draft = await broadcasts.create_draft(9001, "Spring menu is here")
    assert isinstance(await broadcasts.start_now(draft.id), broadcasts.Started)
    assert (await offers.issue_winback(WINBACK)).offered >= 1
    await birthdays.grant_birthday_bonuses(100)


async def test_a_member_who_declined_offers_hears_none(store: str) -> None:
    declined = await _shopper(7001, marketing_opt_in=False)
    # consent is the only switch that counts: reminders off does not silence offers
    fan = await _shopper(7002, marketing_opt_in=True, notifications_enabled=False)
    await _run_every_marketing_path()

    heard = set(
        await OutboxMessage.filter(member_id=declined.id).values_list("template", flat=True)
    )
    assert heard & MARKETING_PATHS == set()
    told = set(await OutboxMessage.filter(member_id=fan.id).values_list("template", flat=True))
    assert told >= MARKETING_PATHS
    # the birthday bonus itself is a gift on the books, paid whether or not we may say so
    assert (await Member.get(id=declined.id)).balance == 200
