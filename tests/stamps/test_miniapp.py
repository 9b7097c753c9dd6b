"""The Mini App wallet shows each stamp card as a row of cups (counts to draw, not a
number to read), and a reward waiting once a card is full."""

from __future__ import annotations

from models.access import staff
from models.store.tables import Role
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


async def test_the_mini_app_till_says_what_it_will_stamp_and_what_it_stamped(mini: Mini) -> None:
    """The quote's stamp line is the plan the purchase writes; the receipt's is what it
    wrote (as the chat's till says them)."""
    await coffee_card(stamps_needed=2, icon="☕")
    await staff.grant_role(701, Role.STAFF, granted_by=None)
    alice = await new_member(702)
    body = {"member": alice.code, "amount_minor": 3000}
    status, quote = await mini.call("POST", "/purchases/quote", user=701, json=body)
    assert status == 200, quote
    assert quote["stamps"] == ["🎟 Coffee card: +1 · ☕○ 1/2"]
    assert quote["text"].endswith("\n" + quote["stamps"][0])
    status, done = await mini.call("POST", "/purchases", user=701, json=body, idem="screen-1")
    assert status == 200 and done["stamps"] == quote["stamps"], done
    status, quote = await mini.call("POST", "/purchases/quote", user=701, json=body)
    assert "2/2" in quote["stamps"][0] and "full" in quote["stamps"][0]
