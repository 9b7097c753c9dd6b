"""The till's people for the preview tests: a cashier in a language, a quote on screen."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator import Player
from models.store import clock
from models.store.tables import Campaign, CampaignKind
from tests.chat.conftest import Rig
from tests.chat.test_till import card_of


async def hire_cashier(rig: Rig, language: str = "en") -> Player:
    """A cashier who speaks ``language`` (the admin's invite, scanned)."""
    admin = rig.admin()
    await admin.send("/staff invite")
    invite = admin.last_photo_bytes()
    cashier = rig.person(2001, "Cara", language_code=language)
    await cashier.scan(invite)
    return cashier


async def quote_on_screen(
    rig: Rig, cashier: Player, member: Player, amount: str, skip: str = "Skip"
) -> str:
    await cashier.open_link(await card_of(rig, member))
    await cashier.send(amount)
    await cashier.press(skip)
    return cashier.last_text


async def double_points(name: str) -> None:
    """A campaign for everyone, doubling every purchase from now on."""
    now = clock.now()
    await Campaign.create(
        names={"en": name},
        kind=CampaignKind.MULTIPLIER,
        multiplier="2",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=1),
        created_at=now,
    )
