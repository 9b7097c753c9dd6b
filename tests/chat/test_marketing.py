"""A marketer runs a campaign, fills the catalogue and hands out coupons; members claim
them and invite friends."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from PIL import Image

from models.access import staff
from models.store import clock
from models.store.tables import Campaign, CampaignKind, Coupon, Member, Reward, Role, Voucher
from tests.chat.conftest import Rig

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


async def marketer(rig: Rig, user_id: int = 3001):
    mia = rig.member(user_id, "Mia")
    await mia.send("/start")
    await staff.grant_role(user_id, Role.MARKETER, granted_by=None)
    return mia


async def test_marketer_creates_a_double_points_campaign_with_typed_dates(rig: Rig) -> None:
    clock.freeze(NOW)
    mia = await marketer(rig)
    await mia.send("/campaign")
    assert "highest multiplier wins" in mia.last_text
    await mia.press("New campaign")
    await mia.send("Double Day")
    await mia.press("Same as English")
    await mia.press("Multiplier")
    await mia.send("lots")  # not a number: asked again, nothing saved
    assert "not a multiplier" in mia.last_text
    await mia.send("-2")
    assert "not a multiplier" in mia.last_text
    await mia.send("2")
    await mia.press("Type dates")
    await mia.send("next saturday")
    assert "not a date" in mia.last_text
    await mia.send("2025-03-08 10:00")
    await mia.send("2025-03-08 09:00")  # before the start
    assert "after the start" in mia.last_text
    await mia.send("2025-03-09 22:00")
    assert "Double Day" in mia.last_text and "×2" in mia.last_text
    await mia.press("Weekdays")
    await mia.press("Sat")
    await mia.press("Sun")
    await mia.press("Done")
    assert "Sat, Sun" in mia.last_text
    assert await Campaign.all().count() == 0
    await mia.press("Confirm")
    assert "is saved" in mia.last_text
    row = await Campaign.get()
    assert row.kind == CampaignKind.MULTIPLIER and row.multiplier == "2"
    assert row.names == {"en": "Double Day", "zh-Hans": "Double Day"}
    assert row.weekdays == [5, 6] and row.starts_at == datetime(2025, 3, 8, 2, 0, tzinfo=UTC)
    await mia.send("/campaign")
    await mia.press("Campaigns")
    assert f"#{row.id}" in mia.last_text
    await mia.press(f"Pause #{row.id}")
    assert "paused" in mia.last_text
    await mia.press(f"Resume #{row.id}")
    assert (await Campaign.get(id=row.id)).status == "active"


async def test_a_member_cannot_run_campaigns(rig: Rig) -> None:
    bob = rig.member(1002, "Bob")
    await bob.send("/start")
    await bob.send("/campaign")
    assert "only for marketers" in bob.last_text
    await bob.send("/coupons")
    assert "only for marketers" in bob.last_text


async def test_reward_with_photo_then_coupons_claimed_by_deep_link(rig: Rig) -> None:
    mia = await marketer(rig, 3002)
    await mia.send("/reward")
    await mia.press("Add reward")
    await mia.send("Cookie")
    await mia.send("曲奇")
    await mia.press("Skip")  # description (en)
    await mia.press("Skip")  # description (zh)
    await mia.send("no photo, sorry")
    assert "send a photo" in mia.last_text
    await mia.send_photo(_photo())
    await mia.send("a lot")
    assert "not a number" in mia.last_text
    await mia.send("-5")
    assert "from 1 to 10000000" in mia.last_text
    await mia.send("80")
    await mia.press("Gift")
    await mia.send("100")
    await mia.press("No limit")
    await mia.press("Any tier")
    await mia.send("14")
    assert "Cookie" in mia.last_text and "80" in mia.last_text
    await mia.press("Confirm")
    assert "is in the catalogue" in mia.last_text
    reward = await Reward.get()
    assert reward.names == {"en": "Cookie", "zh-Hans": "曲奇"}
    assert reward.photo_file_id and (reward.stock, reward.voucher_validity_days) == (100, 14)

    await mia.send("/coupons")
    await mia.press("Cookie")
    await mia.send("0")
    assert "from 1 to 100,000" in mia.last_text
    await mia.send("5")
    assert "Generate 5 coupons" in mia.last_text and not [m for m in mia.messages if m.document]
    await mia.press("Confirm")
    documents = [m.document for m in mia.messages if m.document]
    names = [d.file_name for d in documents]
    assert any(n.endswith(".csv") for n in names) and any(n.endswith(".png") for n in names)
    csv_doc = next(d for d in documents if d.file_name.endswith(".csv"))
    rows = list(csv.reader(io.StringIO(csv_doc.data.decode("utf-8-sig"))))[1:]
    assert len(rows) == 5
    await mia.wait_for_text("0 claimed")  # the confirm message now shows the batch

    ann = rig.member(1003, "Ann")
    await ann.send("/start")
    await ann.open_link(rows[0][1])
    assert "Coupon claimed" in ann.last_text and "Cookie" in ann.last_text
    member = await Member.get(telegram_id=1003)
    voucher = await Voucher.get(member_id=member.id)
    assert voucher.cost_points == 0 and member.balance == 0
    await ann.send(f"/claim {rows[0][0]}")
    assert "claimed this coupon already" in ann.last_text
    bob = rig.member(1004, "Bob")
    await bob.send(f"/claim {rows[0][0]}")
    assert "already been claimed" in bob.last_text
    await bob.send(f"/claim {rows[1][0].lower()}")
    assert "Coupon claimed" in bob.last_text
    await bob.send("/claim NOPE")
    assert "don't know that coupon" in bob.last_text
    assert await Coupon.filter(claimed_by_id__isnull=False).count() == 2
    await mia.send("/coupons")
    assert "2 claimed" in mia.last_text


async def test_invite_link_attaches_the_referrer_and_pays_on_first_purchase(rig: Rig) -> None:
    ann = rig.member(1005, "Ann")
    await ann.send("/start")
    await ann.send("/invite")
    link = ann.last_message.caption or ""
    assert "?start=r-" in link
    url = next(word for word in link.split() if "?start=r-" in word)
    await ann.open_link(url)
    assert any("your own invite link" in (m.text or "") for m in ann.messages)
    ben = rig.member(1006, "Ben")
    await ben.open_link(url)
    assert any("invited by Ann" in (m.text or "") for m in ben.messages)
    await rig.earn(ben, 1000)
    notice = await ann.wait_for_text("first purchase")
    assert "Ben" in notice.text and "50" in notice.text
    assert (
        await Member.get(telegram_id=1005)
    ).balance == rig.settings.scheduler.referral_bonus_points
