"""Coupon batches: N single-use codes for a reward, claimed into vouchers at no points cost.

Each coupon has a human ``code`` (typed with ``/claim K7QM-4PXD``) and a 128-bit
``token`` (the ``c-<token>`` deep link in its QR). Claiming is ONE conditional update
(``claimed_by_id IS NULL`` → the member) in the transaction that issues the voucher, so
of any number of simultaneous claims of one coupon exactly one gets a voucher. A member
claims at most one coupon of a batch (a printed stack handed out is one per person).
Coupons do not take catalogue stock: the batch size is their own stock.

**Expiry.** A batch states one of two things, and a claim does exactly that:

- an end (``valid_until``, from :func:`expiry_after`: the end of the shop's day N days
  on): coupons can be claimed until then, and the voucher a claim gives is valid until
  that very moment. The batch's end wins over the reward's (or the rule's) voucher
  validity, shorter or longer: the marketer was shown that date, and it is printed on
  the sheet the member holds;
- no end: coupons never expire, and a claimed voucher lasts the reward's validity
  (:func:`models.catalogue.vouchers.validity_days`) from the claim; the batch states
  that number of days (:attr:`BatchStats.voucher_days`).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M
from tortoise.backends.base.client import BaseDBAsyncClient

from models.catalogue.vouchers import create_voucher, validity_days
from models.codes import fonts, tokens
from models.ledger import _Reject, lock_member, rule_versions, run_keyed
from models.ledger.config import RuleSet
from models.ledger.results import RewardUnavailable, UnknownMember
from models.spreadsheets.writing import csv_lines
from models.store import audit, clock, sql
from models.store.db import connection
from models.store.tables import Coupon, CouponBatch, Reward, Voucher, VoucherStatus

MAX_BATCH = 100_000
SHEET_CAP = 100
"""The printable sheet holds the first 100 coupons of a batch (the CSV holds them all)."""
SHEET_PER_PAGE = 20
EXPIRY_CHOICES = (7, 30, 90, 0)
"""The expiry a batch is offered, in days from today (to the end of that day in the
shop's zone, :func:`expiry_after`); 0: no expiry."""
_ROUNDS = 5
"""Rounds of fresh codes a batch may take to get past collisions with older ones."""
_CSV_PAGE = 5_000


# ---- typed results ----


@dataclass(frozen=True)
class InvalidBatchSize:
    maximum: int = MAX_BATCH


@dataclass(frozen=True)
class BatchCreated:
    batch_id: int
    reward_id: int
    size: int


@dataclass(frozen=True)
class UnknownCoupon:
    ref: str


@dataclass(frozen=True)
class CouponTaken:
    """Someone (``mine``: this very member) claimed it already."""

    at: datetime
    mine: bool


@dataclass(frozen=True)
class CouponExpired:
    on: datetime


@dataclass(frozen=True)
class OnePerMember:
    """The member already holds a coupon of this batch."""

    batch_id: int


@dataclass(frozen=True)
class CouponClaimed:
    coupon_id: int
    voucher_id: int
    voucher_token: str
    voucher_code: str
    reward_id: int
    valid_until: datetime
    replayed: bool = False


@dataclass(frozen=True)
class BatchStats:
    batch_id: int
    reward_id: int
    name: str
    size: int
    claimed: int
    used: int
    created_at: datetime
    valid_until: datetime | None = None
    voucher_days: int = 0
    """With no ``valid_until``: how many days a claimed voucher lasts (stated, then given)."""


# ---- expiry: what a batch states is what a claim gives ----


def expiry_after(days: int, tz: str, now: datetime | None = None) -> datetime | None:
    """The end (23:59) of the shop's day ``days`` from today in zone ``tz``; None for 0
    days (no expiry). Computed once, when the batch is proposed, and kept with it."""
    if days <= 0:
        return None
    zone = ZoneInfo(tz)
    day = (now or clock.now()).astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59), zone).astimezone(UTC)


def voucher_expiry(batch: CouponBatch, reward: Reward, rules: RuleSet, at: datetime) -> datetime:
    """The ``valid_until`` of the voucher a claim at ``at`` gives (see the module doc)."""
    if batch.valid_until is not None:
        return batch.valid_until
    return at + timedelta(days=validity_days(reward, rules))


# ---- generating ----


async def _insert_coupons(conn: BaseDBAsyncClient, batch_id: int, size: int) -> None:
    """``size`` new coupons in batch ``batch_id``, rows written by ``executemany``.

    A code or token that collides with an existing one (39-bit codes: likely somewhere
    in a 100,000 batch once the table holds millions) is skipped by ``ON CONFLICT DO
    NOTHING`` and made up for by another round, so a collision never fails the batch.
    """
    statement = "INSERT INTO coupon (batch_id, code, token) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
    missing = size
    for _ in range(_ROUNDS):
        codes, secrets = tokens.human_codes(missing), tokens.tokens(missing)
        await sql.many(
            conn, statement, [[batch_id, c, t] for c, t in zip(codes, secrets, strict=True)]
        )
        row = await sql.one(conn, "SELECT COUNT(*) AS n FROM coupon WHERE batch_id = ?", batch_id)
        missing = size - sql.as_int(row and row["n"])
        if missing == 0:
            return
    raise RuntimeError(f"coupon batch {batch_id}: codes kept colliding")


def check_batch_size(size: object) -> InvalidBatchSize | None:
    """Why ``size`` cannot be a batch (1..MAX_BATCH), or None."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_BATCH:
        return InvalidBatchSize()
    return None


async def generate_batch(
    reward_id: int,
    size: int,
    *,
    actor_telegram_id: int | None,
    name: str | None = None,
    valid_until: datetime | None = None,
    actor_kind: str = "telegram",
) -> BatchCreated | InvalidBatchSize | RewardUnavailable:
    """Create a batch of ``size`` (1..100,000) unclaimed coupons for an active reward.

    All or nothing, in one write transaction (100,000 rows hold SQLite's write lock for
    about a second: see ``bench/coupons.py``).
    """
    if (problem := check_batch_size(size)) is not None:
        return problem

    async def op(conn: BaseDBAsyncClient) -> BatchCreated:
        reward = await Reward.get_or_none(id=reward_id).using_db(conn)
        if reward is None or reward.archived:
            raise _Reject(RewardUnavailable(reward_id, "archived" if reward else "unknown"))
        now = clock.now()
        batch = await CouponBatch.create(
            name=(name or f"#{reward_id} {now:%Y-%m-%d %H:%M}")[:128],
            reward_id=reward_id,
            size=size,
            valid_until=valid_until,
            created_by=actor_telegram_id,
            created_at=now,
            using_db=conn,
        )
        await _insert_coupons(conn, batch.id, size)
        await audit.record(
            "coupons.generate",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"coupon_batch:{batch.id}",
            details={"reward_id": reward_id, "size": size},
            using_db=conn,
        )
        return BatchCreated(batch.id, reward_id, size)

    async def replay() -> None:  # nothing is keyed here: a unique error is a bug
        return None

    return await run_keyed(op, replay, attempts=1)


# ---- claiming ----


async def find(token_or_code: str) -> Coupon | None:
    """A coupon by its token (with or without ``c-``) or its typed code."""
    return await tokens.find_by_reference(Coupon, token_or_code, "c")


async def claim(
    member_id: int, token_or_code: str
) -> (
    CouponClaimed
    | UnknownCoupon
    | CouponTaken
    | CouponExpired
    | OnePerMember
    | RewardUnavailable
    | UnknownMember
):
    """Turn a coupon into a voucher for ``member_id`` (free). A retry by the member who
    claimed it answers the same voucher (``replayed=True``)."""
    coupon = await find(token_or_code)
    if coupon is None:
        return UnknownCoupon(token_or_code)
    rules = (await rule_versions.current())[1]

    async def op(conn: BaseDBAsyncClient) -> CouponClaimed:
        member = await lock_member(conn, member_id)
        current = await Coupon.get(id=coupon.id).using_db(conn)
        if current.claimed_by_id is not None:  # type: ignore[attr-defined]
            raise _Reject(await _taken(current, member.id, conn))
        now = clock.now()
        batch = await CouponBatch.get(id=current.batch_id).using_db(conn)  # type: ignore[attr-defined]
        if batch.valid_until is not None and now >= batch.valid_until:
            raise _Reject(CouponExpired(batch.valid_until))
        reward = await Reward.get_or_none(id=batch.reward_id).using_db(conn)  # type: ignore[attr-defined]
        if reward is None or reward.archived:
            raise _Reject(RewardUnavailable(batch.reward_id, "archived"))  # type: ignore[attr-defined]
        if await Coupon.filter(batch_id=batch.id, claimed_by_id=member.id).using_db(conn).exists():
            raise _Reject(OnePerMember(batch.id))
        won = await sql.execute(
            conn,
            "UPDATE coupon SET claimed_by_id = ?, claimed_at = ?"
            " WHERE id = ? AND claimed_by_id IS NULL",
            member.id,
            now,
            current.id,
        )
        if won != 1:
            raise _Reject(await _taken(await Coupon.get(id=current.id).using_db(conn), member.id))
        voucher = await create_voucher(
            conn,
            member.id,
            reward,
            rules,
            cost_points=0,
            key=f"coupon:{current.id}",
            now=now,
            valid_until=voucher_expiry(batch, reward, rules, now),
        )
        await Coupon.filter(id=current.id).using_db(conn).update(voucher_id=voucher.id)
        return _claimed(current.id, voucher, replayed=False)

    async def replay() -> None:  # a voucher code collided: try again
        return None

    return await run_keyed(op, replay)


def _claimed(coupon_id: int, voucher: Voucher, *, replayed: bool) -> CouponClaimed:
    return CouponClaimed(
        coupon_id=coupon_id,
        voucher_id=voucher.id,
        voucher_token=voucher.token,
        voucher_code=voucher.code,
        reward_id=voucher.reward_id,  # type: ignore[attr-defined]
        valid_until=voucher.valid_until,
        replayed=replayed,
    )


async def _taken(
    coupon: Coupon, member_id: int, conn: BaseDBAsyncClient | None = None
) -> CouponTaken | CouponClaimed:
    """The answer for a coupon claimed already: the same voucher again for its claimant."""
    if coupon.claimed_by_id == member_id and coupon.voucher_id is not None:  # type: ignore[attr-defined]
        voucher = await Voucher.get(id=coupon.voucher_id).using_db(conn)  # type: ignore[attr-defined]
        return _claimed(coupon.id, voucher, replayed=True)
    assert coupon.claimed_at is not None
    return CouponTaken(at=coupon.claimed_at, mine=coupon.claimed_by_id == member_id)  # type: ignore[attr-defined]


# ---- reading ----


async def batch_stats(batch_id: int) -> BatchStats | None:
    batch = await CouponBatch.get_or_none(id=batch_id)
    if batch is None:
        return None
    return await _stats(batch, (await rule_versions.current())[1])


async def stated_voucher_days(reward_id: int) -> int:
    """How many days a voucher of ``reward_id`` claimed from a batch with no end lasts."""
    return _voucher_days(await Reward.get_or_none(id=reward_id), (await rule_versions.current())[1])


def _voucher_days(reward: Reward | None, rules: RuleSet) -> int:
    return validity_days(reward, rules) if reward else rules.usage.voucher_validity_days


async def _stats(batch: CouponBatch, rules: RuleSet) -> BatchStats:
    claimed = await Coupon.filter(batch_id=batch.id, claimed_by_id__isnull=False).count()
    used = await Coupon.filter(batch_id=batch.id, voucher__status=VoucherStatus.REDEEMED).count()
    reward = await Reward.get_or_none(id=batch.reward_id)  # type: ignore[attr-defined]
    return BatchStats(
        batch_id=batch.id,
        reward_id=batch.reward_id,  # type: ignore[attr-defined]
        name=batch.name,
        size=batch.size,
        claimed=claimed,
        used=used,
        created_at=batch.created_at,
        valid_until=batch.valid_until,
        voucher_days=_voucher_days(reward, rules),
    )


async def list_batches(*, reward_id: int | None = None, limit: int = 10) -> list[BatchStats]:
    """Newest batches first, with their claimed/used counts."""
    query = CouponBatch.all() if reward_id is None else CouponBatch.filter(reward_id=reward_id)
    rules = (await rule_versions.current())[1]
    return [await _stats(b, rules) for b in await query.order_by("-id").limit(limit)]


async def coupons_of(batch_id: int, limit: int | None = None) -> list[Coupon]:
    query = Coupon.filter(batch_id=batch_id).order_by("id")
    return await (query.limit(limit) if limit else query)


async def iter_csv(batch_id: int, link_prefix: str) -> AsyncIterator[bytes]:
    """The CSV of :func:`export_csv`, a page of rows at a time (no ORM objects)."""
    yield csv_lines([("code", "link", "claimed_at", "voucher_status")], first=True).encode()
    after = 0
    while True:
        page = await sql.rows(
            connection(),
            "SELECT c.id, c.code, c.token, c.claimed_at, v.status FROM coupon c"
            " LEFT JOIN voucher v ON v.id = c.voucher_id"
            " WHERE c.batch_id = ? AND c.id > ? ORDER BY c.id LIMIT ?",
            batch_id,
            after,
            _CSV_PAGE,
        )
        if not page:
            return
        lines = []
        for row in page:
            claimed = sql.as_datetime(row["claimed_at"])
            lines.append(
                [
                    row["code"],
                    f"{link_prefix}c-{row['token']}",
                    claimed.isoformat() if claimed else "",
                    row["status"] or "",
                ]
            )
        yield csv_lines(lines).encode()
        after = page[-1]["id"]


async def export_csv(batch_id: int, link_prefix: str) -> bytes:
    """Every coupon of a batch: code, deep link, claimed at, voucher status (UTF-8 BOM,
    so spreadsheet programs open it right). ``link_prefix`` ends with ``start=``."""
    return b"".join([chunk async for chunk in iter_csv(batch_id, link_prefix)])


# ---- the printable sheet (render in a thread: it is CPU work) ----


def _qr_image(data: str, box: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


def _fitting(
    draw: ImageDraw.ImageDraw, text: str, size: int, width: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The sheet's font at ``size`` pixels, smaller (down to 10) until ``text`` fits."""
    face = fonts.sheet_font(size)
    while size > 10 and draw.textlength(text, font=face) > width:
        size -= 1
        face = fonts.sheet_font(size)
    return face


def render_sheet(items: Sequence[tuple[str, str]], title: str, note: str = "") -> tuple[str, bytes]:
    """A printable sheet of (link, code) pairs: QR codes with the code under each, 20 a
    page (4 × 5 on A4 at ~100 dpi). ``title`` heads every page and ``note`` (the expiry)
    is printed under every code, since each coupon is cut out and handed out alone; both
    come translated, and a CJK font draws them (:mod:`models.codes.fonts`). One page →
    ``("png", bytes)``, several → ``("pdf", bytes)``. Only the first :data:`SHEET_CAP`
    items are drawn."""
    items = list(items)[:SHEET_CAP]
    cols, rows_ = 4, 5
    width, height, margin, header = 827, 1169, 40, 50
    cell_w, cell_h = (width - 2 * margin) // cols, (height - 2 * margin - header) // rows_
    small = fonts.sheet_font(16)
    pages: list[Image.Image] = []
    count = max(1, -(-len(items) // SHEET_PER_PAGE))
    for page_no in range(count):
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        draw.text((margin, margin), f"{title}  ({page_no + 1}/{count})", fill=0, font=small)
        chunk = items[page_no * SHEET_PER_PAGE : (page_no + 1) * SHEET_PER_PAGE]
        for i, (link, code) in enumerate(chunk):
            x = margin + (i % cols) * cell_w
            y = margin + header + (i // cols) * cell_h
            qr = _qr_image(link, 4)
            side = min(cell_w - 20, cell_h - 72)
            qr = qr.resize((side, side), Image.Resampling.NEAREST)
            page.paste(qr, (x + (cell_w - side) // 2, y))
            for text, size, dy in ((code, 22, 6), (note, 16, 34)):
                face = _fitting(draw, text, size, cell_w - 12)
                text_w = draw.textlength(text, font=face)
                draw.text((x + (cell_w - text_w) / 2, y + side + dy), text, fill=0, font=face)
            draw.rectangle((x + 2, y - 6, x + cell_w - 2, y + cell_h - 6), outline=200)
        pages.append(page)
    buffer = io.BytesIO()
    if len(pages) == 1:
        pages[0].save(buffer, format="PNG")
        return "png", buffer.getvalue()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=100)
    return "pdf", buffer.getvalue()
