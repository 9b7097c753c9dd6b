"""The HTTP face: a purchase's answer shows its stamps, a refund's what it took back, and
stamping costs the purchase as few round trips as it can (none without a card type)."""

from __future__ import annotations

from tests.api.conftest import Api, new_member, purchase, warm_purchase_trips
from tests.stamps.helpers import coffee_card


async def test_purchase_and_refund_answers_show_stamps(api: Api) -> None:
    await coffee_card(stamps_needed=2)
    alice = await new_member(501)
    status, first, _ = await api.call("POST", "/purchases", json=purchase(alice), idem="p1")
    assert status == 201, first
    assert [(s["added"], s["stamps"], s["filled"]) for s in first["stamps"]] == [(1, 1, 0)]
    status, second, _ = await api.call(
        "POST", "/purchases", json=purchase(alice, order="A-2"), idem="p2"
    )
    (stamp,) = second["stamps"]
    assert (stamp["stamps"], stamp["filled"], len(stamp["voucher_codes"])) == (2, 1, 1)
    status, again, _ = await api.call(
        "POST", "/purchases", json=purchase(alice, order="A-2"), idem="p2"
    )
    assert status == 200 and again["stamps"] == second["stamps"]
    body = {"receipt_code": first["receipt_code"], "amount_minor": first["amount_minor"]}
    status, refunded, _ = await api.call("POST", "/refunds", json=body, idem="r1")
    assert status == 201, refunded
    assert [s["added"] for s in refunded["stamps"]] == [-1]


async def test_round_trips_with_and_without_a_card_type(api: Api, store: str) -> None:
    alice = await new_member(501)
    bare = await warm_purchase_trips(api, alice, "bare")
    await coffee_card()
    stamped = await warm_purchase_trips(api, alice, "stamped")
    print(f"{store}: bare {bare.trips} trips, stamped {stamped.trips}: {stamped.what}")
    assert stamped.commits == 1
    extra = {"sqlite": 1, "postgres": 4}[store]  # the standing read (+ the queued writes on pg)
    assert stamped.trips <= bare.trips + extra
