"""Events other systems reported about a member (``member_event.data``: a review's text,
an order's address) are theirs too: the privacy export lists them and a delete clears
their data (the rows stay, holding only the facts the ledger needs)."""

from __future__ import annotations

from models.ledger import events
from models.members import membership, privacy
from models.store.tables import MemberEvent
from tests.store.test_privacy_erase import traces

SECRET = "Zorblatt review of the flat white"


async def _member_with_event() -> int:
    member, _ = await membership.ensure_member(7000555001, first_name="Evie")
    recorded = await events.record(
        member.id,
        "review.written",
        "r-1",
        event_key="k:r-1",
        data={"text": SECRET, "stars": 5},
    )
    assert not isinstance(recorded, events.UnknownMember)
    return member.id


async def test_delete_clears_event_data_but_keeps_the_event(store: str) -> None:
    member_id = await _member_with_event()
    assert await traces(SECRET)
    await privacy.delete_account(member_id, actor_telegram_id=None)
    assert await traces(SECRET) == []
    event = await MemberEvent.get(member_id=member_id)
    assert (event.type, event.data) == ("review.written", {})


async def test_export_lists_the_events_with_their_data(store: str) -> None:
    member_id = await _member_with_event()
    exported = await privacy.export_data(member_id)
    [event] = exported["events"]
    assert event["type"] == "review.written" and event["event_id"] == "r-1"
    assert event["data"] == {"text": SECRET, "stars": 5}
    assert event["received_at"] and event["status"] == "no_rule"
