"""What the coupon screens state is what a claim gives: the batch's expiry is the claimed
voucher's, and the printed sheet shows it, in the marketer's language."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.emulator import Player
from models.catalogue import coupons
from models.store import clock
from models.store.tables import CouponBatch, Member, Reward, Voucher
from tests.chat.conftest import Rig
from tests.chat.test_marketing import marketer

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
ENDS = datetime(2026, 12, 14, 15, 59, tzinfo=UTC)  # 2026-12-14 23:59 in Shanghai


async def _reward(validity_days: int | None = 30) -> Reward:
    return await Reward.create(
        names={"en": "Cookie", "zh-Hans": "曲奇"},
        kind="gift",
        cost_points=50,
        voucher_validity_days=validity_days,
        created_at=clock.now(),
    )


async def _asked(rig: Rig, expiry: str, language: str = "en") -> Player:
    """A marketer has asked for 3 coupons of the Cookie with the ``expiry`` button pressed:
    the confirm step (with the stated expiry) is their last message."""
    mia = await marketer(rig)
    if language != "en":
        await Member.filter(telegram_id=mia.user_id).update(language=language)
    await mia.send("/coupons")
    await mia.press("曲奇" if language == "zh-Hans" else "Cookie")
    await mia.send("3")
    await mia.press(expiry)
    return mia


async def _batch_of_seven_days(rig: Rig, language: str = "en") -> list[list[str]]:
    """A marketer generates 3 coupons "valid 7 days"; the CSV's rows (code, link, …)."""
    mia = await _asked(rig, "7", language)
    assert "2026-12-14 23:59" in mia.last_text  # the stated expiry
    await mia.press("确认" if language == "zh-Hans" else "Confirm")
    documents = [m.document for m in mia.messages if m.document]
    csv_doc = next(d for d in documents if d.file_name.endswith(".csv"))
    return list(csv.reader(io.StringIO(csv_doc.data.decode("utf-8-sig"))))[1:]


async def test_a_seven_day_batch_gives_vouchers_valid_to_its_stated_end(rig: Rig) -> None:
    clock.freeze(NOW)
    try:
        await _reward(validity_days=30)  # the reward's own validity must not win
        rows = await _batch_of_seven_days(rig)
        batch = await CouponBatch.get()
        assert batch.valid_until == ENDS
        ann = rig.member(1003, "Ann")
        await ann.send("/start")
        await ann.open_link(rows[0][1])
        assert "Coupon claimed" in ann.last_text and "2026-12-14 23:59" in ann.last_text
        voucher = await Voucher.get()
        assert voucher.valid_until == ENDS
    finally:
        clock.unfreeze()


async def test_the_confirmed_batch_keeps_the_expiry_its_summary_showed(rig: Rig) -> None:
    """Confirm pressed after midnight still makes the batch end on the day it showed."""
    clock.freeze(datetime(2026, 12, 7, 15, 58, tzinfo=UTC))  # 23:58 in Shanghai
    try:
        await _reward()
        mia = await _asked(rig, "7")
        assert "2026-12-14 23:59" in mia.last_text
        clock.freeze(datetime(2026, 12, 7, 16, 5, tzinfo=UTC))  # 00:05 the next day
        await mia.press("Confirm")
        assert (await CouponBatch.get()).valid_until == ENDS
    finally:
        clock.unfreeze()


async def test_a_batch_without_expiry_states_the_voucher_validity_it_gives(rig: Rig) -> None:
    clock.freeze(NOW)
    try:
        await _reward(validity_days=14)
        mia = await _asked(rig, "No expiry")
        assert "14 days" in mia.last_text  # what a claim will give, stated before Confirm
        await mia.press("Confirm")
        code = (await coupons.coupons_of((await CouponBatch.get()).id))[0].code
        ann = rig.member(1003, "Ann")
        await ann.send("/start")
        await ann.send(f"/claim {code}")
        assert "2026-12-21 10:00" in ann.last_text
        assert (await Voucher.get()).valid_until == datetime(2026, 12, 21, 2, 0, tzinfo=UTC)
    finally:
        clock.unfreeze()


@pytest.mark.parametrize(
    ("language", "until", "name"),
    [("zh-Hans", "有效期至 2026-12-14", "曲奇"), ("en", "Valid until 2026-12-14", "Cookie")],
)
async def test_the_printed_sheet_shows_the_expiry_in_the_marketer_s_language(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, language: str, until: str, name: str
) -> None:
    drawn: list[dict[str, Any]] = []
    real = coupons.render_sheet

    def spy(items: Any, title: str, note: str = "") -> tuple[str, bytes]:
        drawn.append({"title": title, "note": note})
        return real(items, title, note)

    monkeypatch.setattr(coupons, "render_sheet", spy)
    clock.freeze(NOW)
    try:
        await _reward()
        await _batch_of_seven_days(rig, language)
    finally:
        clock.unfreeze()
    [sheet] = drawn
    assert name in sheet["title"] and until in sheet["title"]
    assert until in sheet["note"]  # under every code, as each coupon is cut out alone
