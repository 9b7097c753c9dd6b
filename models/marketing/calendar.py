"""When the frequent jobs have work: the moments campaigns start, are reminded of and end,
and scheduled broadcasts fall due.

The scheduler runs those jobs every 30 seconds to 5 minutes, which is what a real day
needs. The sandbox's time travel (``scheduler.timetravel``) stops at each of these moments
instead (and at every periodic job's slot), so a jump of months runs them where they
have something to do, not a hundred thousand times in between.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.queryset import QuerySet

from models.marketing.reminders import CAMPAIGN_END_LEAD
from models.store.tables import Broadcast, BroadcastStatus, Campaign, CampaignStatus


async def _first(query: QuerySet, field: str) -> datetime | None:
    found = await query.order_by(field).limit(1).values_list(field, flat=True)
    return found[0] if found else None


async def next_moment(after: datetime, until: datetime) -> datetime | None:
    """The earliest moment in ``(after, until]`` at which an active campaign starts, its
    end reminder falls due (:data:`CAMPAIGN_END_LEAD` before its end) or it ends, or a
    scheduled broadcast is due; ``None`` when nothing falls due in between."""
    # in UTC: an aware time in another zone would be compared by its wall time on SQLite
    after, until = after.astimezone(UTC), until.astimezone(UTC)
    running = Campaign.filter(status=CampaignStatus.ACTIVE)
    lead = CAMPAIGN_END_LEAD
    found = [
        await _first(running.filter(starts_at__gt=after, starts_at__lte=until), "starts_at"),
        await _first(running.filter(ends_at__gt=after, ends_at__lte=until), "ends_at"),
        await _first(
            running.filter(ends_at__gt=after + lead, ends_at__lte=until + lead), "ends_at"
        ),
        await _first(
            Broadcast.filter(
                status=BroadcastStatus.SCHEDULED, scheduled_at__gt=after, scheduled_at__lte=until
            ),
            "scheduled_at",
        ),
    ]
    if found[2] is not None:
        found[2] -= lead
    moments = [m for m in found if m is not None]
    return min(moments) if moments else None
