"""The Mini App wallet shows each stamp card as a row of cups (counts to draw, not a
number to read), and a reward waiting once a card is full."""

from __future__ import annotations

from tests.api.conftest import new_member
from tests.miniapp.conftest import Mini
from tests.stamps.helpers import buy, coffee_card


async def test_wallet_shows_cups_and_a_waiting_reward(mini: Mini) -> None:
    await coffee_card(stamps_needed=3, icon="☕")
    alice = await new_member(301)
    status, me = await mini.call("GET", "/me", user=301)
    assert status == 200, me
    assert me["stamps"] == [
        {"name": "Coffee card", "icon": "☕", "stamps": 0, "needed": 3, "ready": None}
    ]
    for key in ("a", "b", "c", "d"):
        await buy(alice.id, key)
    _, me = await mini.call("GET", "/me", user=301)
    (card,) = me["stamps"]
    assert (card["stamps"], card["needed"]) == (1, 3)
    assert "waiting" in card["ready"]
    page = await mini.client.get("/app/static/app.js")
    assert "cup full" in await page.text()
