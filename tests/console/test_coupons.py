"""Coupon batches in the console are the chat's: ``coupons.generate_batch`` with the end
``expiry_after`` computes, the CSV is ``iter_csv`` (formula-safe cells), the printable
sheet a QR per coupon in the reader's language; audited as ``console``."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from models.catalogue import coupons, rewards
from models.catalogue.rewards import RewardDraft, RewardSaved
from models.store.tables import AuditLog, Coupon, CouponBatch
from tests.console.conftest import MARKETER, Console, written
from tests.store.helpers import member

API = "/console/api/coupons"


async def reward(name: str = "Free coffee") -> int:
    saved = await rewards.add(
        RewardDraft({"en": name, "zh-Hans": "免费咖啡"}, 50), actor_telegram_id=None
    )
    assert isinstance(saved, RewardSaved)
    return saved.reward_id


@pytest.mark.parametrize(
    ("sent", "status"),
    [
        ({"count": 5, "expiry_days": -1}, 422),
        ({"count": 5, "expiry_days": 100_000}, 422),
        ({"count": 5, "expiry_days": "soon"}, 422),
        ({"count": 5}, 422),
        ({"count": 0, "expiry_days": 30}, 422),
        ({"count": coupons.MAX_BATCH + 1, "expiry_days": 30}, 422),
    ],
)
async def test_a_bad_batch_writes_nothing(
    console: Console, sent: dict[str, Any], status: int
) -> None:
    reward_id = await reward()
    marketer = await console.log_in(MARKETER)
    before = await written()
    code, found, _ = await console.call(
        "POST", API, as_=marketer, json={"reward_id": reward_id, **sent}, idem="b"
    )
    assert code == status, found
    assert await written() == before and await CouponBatch.all().count() == 0


async def test_a_disabled_reward_gets_no_batch(console: Console) -> None:
    reward_id = await reward()
    await rewards.edit(reward_id, {"archived": True}, actor_telegram_id=None)
    marketer = await console.log_in(MARKETER)
    before = await written()
    status, found, _ = await console.call(
        "POST",
        API,
        as_=marketer,
        json={"reward_id": reward_id, "count": 3, "expiry_days": 7},
        idem="k",
    )
    assert (status, found["error"]["code"]) == (422, "reward_unavailable")
    assert await written() == before and await CouponBatch.all().count() == 0


async def test_create_list_and_a_conflicting_key(console: Console) -> None:
    reward_id = await reward()
    marketer = await console.log_in(MARKETER)
    sent = {"reward_id": reward_id, "count": 3, "expiry_days": 30}
    status, made, _ = await console.call("POST", API, as_=marketer, json=sent, idem="c1")
    assert status == 201 and made["size"] == 3, made
    tz = console.settings.scheduler.timezone
    batch = await CouponBatch.get(id=made["id"])
    assert batch.valid_until is not None
    assert abs((batch.valid_until - coupons.expiry_after(30, tz)).total_seconds()) < 1
    assert await Coupon.filter(batch_id=batch.id).count() == 3
    audit = await AuditLog.get(action="coupons.generate")
    assert (audit.actor_kind, audit.actor_telegram_id) == ("console", MARKETER)
    status, again, _ = await console.call("POST", API, as_=marketer, json=sent, idem="c1")
    assert (status, again) == (200, made)
    before = await written()
    status, other, _ = await console.call(
        "POST", API, as_=marketer, json={**sent, "count": 4}, idem="c1"
    )
    assert (status, other["error"]["code"]) == (409, "idempotency_conflict")
    assert await written() == before and await CouponBatch.all().count() == 1
    status, listed, _ = await console.call("GET", API, as_=marketer)
    item = listed["items"][0]
    assert (item["id"], item["size"], item["claimed"], item["reward"]) == (
        batch.id,
        3,
        0,
        "Free coffee",
    )
    status, made, _ = await console.call(
        "POST", API, as_=marketer, json={**sent, "expiry_days": 0}, idem="c2"
    )
    assert status == 201 and made["valid_until"] is None


async def test_the_csv_is_the_chats_and_formula_safe(console: Console) -> None:
    reward_id = await reward("=HYPERLINK(evil)")
    made = await coupons.generate_batch(reward_id, 4, actor_telegram_id=None)
    marketer = await console.log_in(MARKETER)
    status, text, headers = await console.call(
        "GET", f"/console/coupons/{made.batch_id}/csv", as_=marketer
    )
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    expected = await coupons.export_csv(made.batch_id, "https://t.me/?start=")
    assert text.encode() == expected.removeprefix(b"\xef\xbb\xbf") or text.encode() == expected
    lines = text.strip().splitlines()
    assert len(lines) == 5 and lines[0].lstrip("\ufeff").startswith("code,link")
    status, _, _ = await console.call("GET", "/console/coupons/999999/csv", as_=marketer)
    assert status == 404


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
async def test_the_printable_sheet_in_the_readers_language(console: Console, language: str) -> None:
    await member(MARKETER, language=language, enrolled=True)
    reward_id = await reward()
    tz = console.settings.scheduler.timezone
    made = await coupons.generate_batch(
        reward_id, 3, actor_telegram_id=None, valid_until=coupons.expiry_after(7, tz)
    )
    marketer = await console.log_in(MARKETER)
    status, html, _ = await console.call(
        "GET", f"/console/coupons/{made.batch_id}/sheet", as_=marketer
    )
    assert status == 200
    codes = [c.code for c in await coupons.coupons_of(made.batch_id)]
    assert all(code in html for code in codes) and html.count('class="coupon"') == 3
    assert html.count("data:image/svg+xml;base64,") == 3
    first = html.split("data:image/svg+xml;base64,")[1].split('"')[0]
    assert base64.b64decode(first).lstrip().startswith(b"<")
    expected = {"en": ("Valid until", "Free coffee"), "zh-Hans": ("免费咖啡", "CSV")}[language]
    assert all(word in html for word in expected)
    status, page, _ = await console.call("GET", "/console/coupons", as_=marketer)
    assert status == 200 and f'data-batch="{made.batch_id}"' in page
