"""A reward photo uploaded in the console (bytes kept with the reward) is sent with the
reward's card, and Telegram's file id is remembered so the bytes go up once."""

from __future__ import annotations

import io

from PIL import Image

from models.catalogue import photos, rewards
from models.store import clock
from models.store.tables import Reward
from tests.chat.conftest import Rig
from tests.chat.test_member_screens import joined


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="PNG")
    kept = photos.clean(out.getvalue())
    assert isinstance(kept, bytes)
    return kept


async def test_the_card_sends_the_kept_photo_then_its_file_id(rig_on_both: Rig) -> None:
    rig = rig_on_both
    kept = jpeg()
    item = await Reward.create(
        names={"en": "Cake", "zh-Hans": "蛋糕"}, kind="gift", cost_points=10, created_at=clock.now()
    )
    await rewards.set_photo(item.id, kept, actor_telegram_id=9001, actor_kind="console")
    ana = await joined(rig, 2301, "Ana")
    await ana.send("/rewards")
    await ana.press("Cake")
    card = next(m for m in reversed(ana.messages) if m.photo is not None)
    assert "Cake" in (card.caption or "")
    remembered = (await Reward.get(id=item.id)).photo_file_id
    assert remembered  # Telegram's id for the same picture, kept for next time
    await ana.send("/rewards")
    await ana.press("Cake")
    again = next(m for m in reversed(ana.messages) if m.photo is not None)
    assert again.message_id != card.message_id
    # a new upload replaces both the bytes and the remembered id
    other = jpeg()
    await rewards.set_photo(item.id, other + b"", actor_telegram_id=9001)
    row = await Reward.get(id=item.id)
    assert row.photo_file_id is None and bytes(row.photo) == other
