"""A cashier's purchase whose steps land on different instances completes: what a flow
remembers lives in the store (the flows branch), updates go through the inbox (this one)."""

from __future__ import annotations

from bot.emulator import Player
from models.store import db
from models.store.tables import InboxUpdate, LedgerEntry, Member
from tests.instances.cluster import Cluster, until

CASHIER = 9001


def _replies(player: Player) -> int:
    return len([m for m in player.transcript if m.outgoing])


async def _step(player: Player, action: object) -> None:
    """Do one thing and wait for the bot's answer (it comes from another process)."""
    before = _replies(player) + sum(len(m.history) for m in player.transcript)
    await action  # type: ignore[misc]
    await until(
        lambda: _replies(player) + sum(len(m.history) for m in player.transcript) > before, 30
    )


async def test_a_cashiers_purchase_completes_across_instances(cluster: Cluster) -> None:
    emu = cluster.emu
    await cluster.start(3, JIFEN_ACCESS__ADMINS=f"[{CASHIER}]")
    await db.open_store(cluster.database_url, apply_migrations=False)
    alice = emu.player(1001, "Alice")
    await _step(alice, alice.send("/start"))
    card = (await Member.get(telegram_id=1001)).card_token
    cashier = emu.player(CASHIER, "Cara")
    await _step(cashier, cashier.open_link(f"https://t.me/{emu.bot_username}?start=m-{card}"))
    await _step(cashier, cashier.send("128.50"))
    await _step(cashier, cashier.press("Skip"))
    await _step(cashier, cashier.press("Confirm"))
    await until(lambda: any("+128" in m.visible_text for m in alice.transcript), 30)
    assert await LedgerEntry.filter(kind="earn").count() == 1
    cashier_updates = InboxUpdate.filter(chat_key=f"c{CASHIER}")
    assert len(set(await cashier_updates.values_list("claimed_by", flat=True))) >= 2
