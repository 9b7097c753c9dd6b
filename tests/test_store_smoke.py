"""The store opens on both databases and the schema round-trips a member."""

from models.store import clock
from models.store.tables import Member


async def test_member_round_trip(store: str) -> None:
    await Member.create(code="M1", card_token="t" * 20, referral_code="R1", created_at=clock.now())
    assert (await Member.get(code="M1")).balance == 0
