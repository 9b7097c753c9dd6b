"""Coupons: unique batches, exactly one claimant, vouchers that redeem, the sheet and CSV."""

from __future__ import annotations

import asyncio
import csv
import io

from models.catalogue import coupons, vouchers
from models.catalogue.coupons import (
    BatchCreated,
    CouponClaimed,
    CouponTaken,
    InvalidBatchSize,
    OnePerMember,
    UnknownCoupon,
)
from models.ledger.results import Redeemed, RewardUnavailable
from models.store import clock
from models.store.tables import Coupon, Reward, Voucher
from tests.store.helpers import START, member


async def reward(**fields) -> Reward:
    return await Reward.create(
        names={"en": "Free cookie"}, kind="gift", cost_points=50, created_at=clock.now(), **fields
    )


async def test_batch_of_1000_unique_codes(store: str) -> None:
    r = await reward()
    batch = await coupons.generate_batch(r.id, 1000, actor_telegram_id=7)
    assert isinstance(batch, BatchCreated) and batch.size == 1000
    rows = await Coupon.filter(batch_id=batch.batch_id)
    assert len(rows) == 1000
    assert len({c.code for c in rows}) == 1000 and len({c.token for c in rows}) == 1000
    assert all(len(c.token) >= 22 for c in rows)  # 128 bits
    assert await coupons.generate_batch(r.id, 0, actor_telegram_id=7) == InvalidBatchSize()
    assert await coupons.generate_batch(r.id, 100_001, actor_telegram_id=7) == InvalidBatchSize()
    unknown = await coupons.generate_batch(999, 5, actor_telegram_id=7)
    assert isinstance(unknown, RewardUnavailable)


async def test_twenty_concurrent_claims_one_voucher(store: str) -> None:
    r = await reward()
    batch = await coupons.generate_batch(r.id, 1, actor_telegram_id=7)
    assert isinstance(batch, BatchCreated)
    coupon = await Coupon.get(batch_id=batch.batch_id)
    people = [await member(telegram_id=100 + i) for i in range(20)]
    results = await asyncio.gather(*(coupons.claim(p.id, "c-" + coupon.token) for p in people))
    winners = [r for r in results if isinstance(r, CouponClaimed)]
    assert len(winners) == 1
    assert all(isinstance(r, CouponTaken) and not r.mine for r in results if r not in winners)
    assert await Voucher.all().count() == 1
    voucher = await Voucher.get()
    assert voucher.cost_points == 0
    claimed = await Coupon.get(id=coupon.id)
    assert claimed.voucher_id == voucher.id and claimed.claimed_by_id == voucher.member_id


async def test_claimed_coupon_cannot_be_claimed_again_and_its_voucher_redeems(store: str) -> None:
    clock.freeze(START)
    r = await reward(voucher_validity_days=3)
    batch = await coupons.generate_batch(r.id, 3, actor_telegram_id=7)
    assert isinstance(batch, BatchCreated)
    first, second, _ = await coupons.coupons_of(batch.batch_id)
    alice, bob = await member(telegram_id=1), await member(telegram_id=2)
    got = await coupons.claim(alice.id, first.code.lower().replace("-", ""))
    assert isinstance(got, CouponClaimed) and not got.replayed
    assert (got.valid_until - START).days == 3
    again = await coupons.claim(alice.id, first.code)
    assert isinstance(again, CouponClaimed) and again.replayed
    assert again.voucher_id == got.voucher_id
    taken = await coupons.claim(bob.id, first.code)
    assert isinstance(taken, CouponTaken) and not taken.mine
    assert await coupons.claim(alice.id, second.code) == OnePerMember(batch.batch_id)
    assert await coupons.claim(alice.id, "NOPE-NOPE") == UnknownCoupon("NOPE-NOPE")
    stats = await coupons.batch_stats(batch.batch_id)
    assert stats is not None and (stats.size, stats.claimed, stats.used) == (3, 1, 0)
    done = await vouchers.redeem(got.voucher_code, staff_telegram_id=5)
    assert isinstance(done, Redeemed) and done.member_id == alice.id
    [stats] = await coupons.list_batches()
    assert (stats.claimed, stats.used) == (1, 1)
    await Reward.filter(id=r.id).update(archived=True)
    assert isinstance(await coupons.claim(bob.id, second.code), RewardUnavailable)


async def test_csv_and_sheet(store: str) -> None:
    r = await reward()
    batch = await coupons.generate_batch(r.id, 25, actor_telegram_id=7)
    assert isinstance(batch, BatchCreated)
    data = await coupons.export_csv(batch.batch_id, "https://t.me/bot?start=")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["code", "link", "claimed_at", "voucher_status"] and len(rows) == 26
    assert rows[1][1].startswith("https://t.me/bot?start=c-")
    items = [(row[1], row[0]) for row in rows[1:]]
    kind, sheet = await asyncio.to_thread(coupons.render_sheet, items[:5], "Cookie")
    assert kind == "png" and sheet.startswith(b"\x89PNG")
    kind, sheet = await asyncio.to_thread(coupons.render_sheet, items, "Cookie")
    assert kind == "pdf" and sheet.startswith(b"%PDF")


async def test_codes_colliding_with_older_batches_are_replaced(store: str, monkeypatch) -> None:
    """39-bit codes collide somewhere in a big table: the batch skips and tops them up."""
    r = await reward()
    first = await coupons.generate_batch(r.id, 3, actor_telegram_id=7)
    assert isinstance(first, BatchCreated)
    old = [c.code for c in await coupons.coupons_of(first.batch_id)]
    real = coupons.tokens.human_codes
    rounds: list[int] = []

    def colliding(n: int) -> list[str]:
        rounds.append(n)
        return (old + real(n))[:n] if len(rounds) == 1 else real(n)

    monkeypatch.setattr(coupons.tokens, "human_codes", colliding)
    batch = await coupons.generate_batch(r.id, 5, actor_telegram_id=7)
    assert isinstance(batch, BatchCreated)
    assert rounds == [5, 3]  # three codes were taken: a second round made them up
    mine = [c.code for c in await coupons.coupons_of(batch.batch_id)]
    assert len(set(mine)) == 5 and not set(mine) & set(old)
    assert await Coupon.all().count() == 8


def test_the_sheet_prints_chinese_letters_not_boxes() -> None:
    """Two different Chinese letters draw differently: the sheet's font has them (a font
    without CJK draws the same empty box for both)."""
    from PIL import Image, ImageDraw

    from models.codes import fonts

    def drawn(letter: str) -> bytes:
        image = Image.new("L", (40, 40), 255)
        ImageDraw.Draw(image).text((4, 4), letter, fill=0, font=fonts.sheet_font(22))
        return image.tobytes()

    assert fonts.cjk_font_file() is not None, "install fonts-wqy-microhei (see .ci/run)"
    assert drawn("有") != drawn("效")
