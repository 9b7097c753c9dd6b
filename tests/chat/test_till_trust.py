"""The till's trust holes, played: a phone suffix two members share, digits posing as a
receipt code, and deep links whose token is longer than any token column."""

from __future__ import annotations

import pytest

from models.members import privacy
from models.store.tables import AuditLog, Member, Purchase, Refund, StaffRole
from tests.chat.conftest import Rig
from tests.chat.test_till import hire, record

ALICE_PHONE, BOB_PHONE = "+8613800012345", "+8613900012345"


async def two_members_sharing_a_suffix(rig: Rig) -> None:
    for user_id, name, phone in ((1001, "Alice", ALICE_PHONE), (1002, "Bob", BOB_PHONE)):
        await rig.member(user_id, name).send("/start")
        await Member.filter(telegram_id=user_id).update(phone=phone)


async def test_checkout_by_a_shared_phone_suffix_asks_whom(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    await two_members_sharing_a_suffix(rig)
    await cashier.send("/checkout 12345")
    assert "Several members" in cashier.last_text
    labels = [b["text"] for b in cashier.last_message.buttons]
    assert labels == ["Alice · •••2345", "Bob · •••2345"]
    assert "8613" not in " ".join(labels)  # the rest of the number stays hidden
    assert await Purchase.all().count() == 0
    await cashier.press("Bob")
    await cashier.send("20")
    await cashier.press("Skip")
    await cashier.press("Confirm")
    bob, alice = [await Member.get(telegram_id=i) for i in (1002, 1001)]
    assert (bob.balance, alice.balance) == (20, 0)
    # the full number is no question
    await cashier.send(f"/checkout {ALICE_PHONE}")
    assert "Alice" in cashier.last_text and "Several" not in cashier.last_text


async def test_member_lookup_choice_and_a_candidate_deleted_meanwhile(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    await two_members_sharing_a_suffix(rig)
    await cashier.send("/member")
    await cashier.send("012345")
    assert "Several members" in cashier.last_text
    choice = cashier.last_message
    await cashier.press("Alice", message=choice)
    assert "Alice" in cashier.last_text and ALICE_PHONE in cashier.last_text
    alice = await Member.get(telegram_id=1001)
    await privacy.delete_account(alice.id, actor_telegram_id=None)
    await cashier.press("Alice", message=choice)
    edited = next(m for m in cashier.messages if m.message_id == choice.message_id)
    assert "No member found" in edited.visible_text
    await cashier.send("/member 12345")  # only Bob is left
    assert "Bob" in cashier.last_text and "Several" not in cashier.last_text


@pytest.mark.parametrize("typed", ["1", "１", "١", "²", "R-1"])
async def test_refund_by_digits_never_finds_an_internal_id(rig: Rig, typed: str) -> None:
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await record(rig, cashier, alice, "100")
    assert (await Purchase.get()).id == 1
    await cashier.send(f"/refund {typed}")
    assert "No purchase with that receipt code" in cashier.last_text
    assert await Refund.all().count() == 0


async def test_deep_links_with_overlong_tokens_are_refused_politely(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    dora = rig.member(1004, "Dora")
    await dora.send("/start")
    audit, roles = await AuditLog.all().count(), await StaffRole.all().count()
    long = "A" * 43
    for person in (cashier, dora):
        for kind in ("m", "v", "s", "c", "r"):
            await person.send(f"/start {kind}-{long}")
            assert "went wrong" not in person.last_text, (kind, person.last_text)
    assert await AuditLog.all().count() == audit and await StaffRole.all().count() == roles
