"""The catalogue in the console is the chat's: adding and editing are ``rewards.add`` /
``edit`` (the same validation), disabling is archiving, the order moves one place at a
time, a photo is taken only as JPEG, PNG or WebP by its bytes and kept re-encoded; all
audited as ``console``; a refused write writes nothing."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import pytest
from PIL import Image

from models.catalogue import rewards
from models.catalogue.rewards import RewardDraft, RewardSaved
from models.store.tables import AuditLog, Reward
from tests.console.conftest import MARKETER, Console, written
from tests.store.helpers import member

API = "/console/api/rewards"


def picture(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, "orange")
    image.save(out, format=fmt, **({"exif": b"Exif\x00\x00secret-place"} if fmt == "JPEG" else {}))
    return out.getvalue()


def form(data: bytes, name: str = "photo", filename: str = "p.png", kind: str = "image/png") -> Any:
    sent = aiohttp.FormData()
    sent.add_field(name, data, filename=filename, content_type=kind)
    return sent


async def reward(name: str = "Tea", cost: int = 10) -> int:
    saved = await rewards.add(RewardDraft({"en": name}, cost), actor_telegram_id=None)
    assert isinstance(saved, RewardSaved)
    return saved.reward_id


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)
HOSTILE = [
    pytest.param(SVG, "image/svg+xml", 422, "type", id="svg-with-script"),
    pytest.param(b"GIF89a" + b"\x00" * 64, "image/png", 422, "type", id="gif-said-png"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"<script>" * 20, "image/png", 422, "broken", id="fake"),
    pytest.param(b"<html><script>x</script>", "image/jpeg", 422, "type", id="html-said-jpeg"),
    pytest.param(
        b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 10), "image/jpeg", 413, "size", id="big"
    ),
]


@pytest.mark.parametrize(("data", "kind", "status", "reason"), HOSTILE)
async def test_a_hostile_upload_is_refused_and_nothing_kept(
    console: Console, data: bytes, kind: str, status: int, reason: str
) -> None:
    reward_id = await reward()
    marketer = await console.log_in(MARKETER)
    before = await written()
    code, found, _ = await console.call(
        "POST",
        f"{API}/{reward_id}/photo",
        as_=marketer,
        data=form(data, kind=kind),
        idem="up-1",
    )
    assert (code, found["error"]["code"], found["error"]["reason"]) == (
        status,
        "invalid_photo",
        reason,
    ), found
    row = await Reward.get(id=reward_id)
    assert row.photo is None and await written() == before


async def test_an_upload_must_be_one_photo_part(console: Console) -> None:
    reward_id = await reward()
    marketer = await console.log_in(MARKETER)
    before = await written()
    status, found, _ = await console.call(
        "POST", f"{API}/{reward_id}/photo", as_=marketer, json={"photo": "x"}, idem="a"
    )
    assert (status, found["error"]["code"]) == (422, "invalid_photo")
    status, found, _ = await console.call(
        "POST", f"{API}/{reward_id}/photo", as_=marketer, data=form(b"x", name="file"), idem="b"
    )
    assert (status, found["error"]["field"]) == (422, "photo")
    assert await written() == before


async def test_a_malformed_multipart_body_is_refused(console: Console) -> None:
    reward_id = await reward()
    marketer = await console.log_in(MARKETER)
    before = await written()
    raw = (
        b'--b\r\nContent-Disposition: form-data; name="photo"\r\n'
        b"[[-1.0e+308, 'Infinity']]--b--\r\n"
    )
    status, found, _ = await console.call(
        "POST",
        f"{API}/{reward_id}/photo",
        as_=marketer,
        data=raw,
        idem="m",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert (status, found["error"]["code"]) == (422, "invalid_photo"), found
    assert await written() == before


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
async def test_a_photo_is_kept_re_encoded_and_served(console: Console, fmt: str) -> None:
    reward_id = await reward()
    await Reward.filter(id=reward_id).update(photo_file_id="AgAD-telegram")
    marketer = await console.log_in(MARKETER)
    upload = picture(fmt, (2000, 1000))
    status, found, _ = await console.call(
        "POST", f"{API}/{reward_id}/photo", as_=marketer, data=form(upload), idem="p1"
    )
    assert status == 200, found
    row = await Reward.get(id=reward_id)
    kept = bytes(row.photo)
    assert row.photo_file_id is None  # the Telegram photo was replaced
    assert kept.startswith(b"\xff\xd8\xff") and b"secret-place" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert max(image.size) == 1280
    audit = await AuditLog.get(action="reward.photo")
    assert audit.actor_kind == "console" and audit.details["bytes"] == len(kept)
    status, served, headers = await console.call(
        "GET", f"/console/rewards/{reward_id}/photo", as_=marketer
    )
    assert (status, served, headers["Content-Type"]) == (200, kept, "image/jpeg")
    # the same key with another file is a conflict, and changes nothing
    status, found, _ = await console.call(
        "POST",
        f"{API}/{reward_id}/photo",
        as_=marketer,
        data=form(picture("PNG", (10, 10))),
        idem="p1",
    )
    assert (status, found["error"]["code"]) == (409, "idempotency_conflict")
    assert bytes((await Reward.get(id=reward_id)).photo) == kept


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"name_en": "", "cost_points": 10}, "names"),
        ({"name_en": "Tea", "cost_points": 0}, "cost_points"),
        ({"name_en": "Tea", "cost_points": 10, "min_tier": "platinum-x"}, "min_tier"),
        ({"name_en": "Tea", "cost_points": 10, "kind": "cash"}, "kind"),
        ({"name_en": "Tea", "cost_points": 10, "per_member_limit": 0}, "per_member_limit"),
    ],
)
async def test_a_refused_reward_writes_nothing(
    console: Console, sent: dict[str, Any], field: str
) -> None:
    marketer = await console.log_in(MARKETER)
    before = await written()
    status, found, _ = await console.call("POST", API, as_=marketer, json=sent, idem="r")
    assert status == 422 and found["error"]["field"] == field, found
    assert "Nothing was saved" in found["error"]["message"]
    assert await written() == before and await Reward.all().count() == 0


async def test_add_edit_disable_and_restore(console: Console) -> None:
    marketer = await console.log_in(MARKETER)
    sent = {
        "name_en": "Cake",
        "name_zh": "蛋糕",
        "cost_points": 120,
        "kind": "gift",
        "stock": 5,
        "per_member_limit": 1,
        "min_tier": "gold",
        "voucher_validity_days": None,
    }
    status, made, _ = await console.call("POST", API, as_=marketer, json=sent, idem="a1")
    assert status == 201, made
    row = await Reward.get(id=made["id"])
    assert (row.names, row.stock, row.per_member_limit, row.min_tier) == (
        {"en": "Cake", "zh-Hans": "蛋糕"},
        5,
        1,
        "gold",
    )
    assert (await AuditLog.get(action="reward.add")).actor_kind == "console"
    path = f"{API}/{row.id}"
    status, _, _ = await console.call(
        "POST", path, as_=marketer, json={"stock": None, "min_tier": ""}, idem="e1"
    )
    row = await Reward.get(id=row.id)
    assert status == 200 and row.stock is None and row.min_tier is None
    status, _, _ = await console.call("POST", path, as_=marketer, json={"archived": True}, idem="d")
    assert status == 200 and (await Reward.get(id=row.id)).archived
    assert (await AuditLog.get(action="reward.archive")).actor_kind == "console"
    status, listed, _ = await console.call("GET", API, as_=marketer)
    assert [(r["id"], r["archived"]) for r in listed["items"]] == [(row.id, True)]
    status, _, _ = await console.call(
        "POST", path, as_=marketer, json={"archived": False}, idem="r"
    )
    assert status == 200 and not (await Reward.get(id=row.id)).archived
    before = await written()
    status, found, _ = await console.call(
        "POST", f"{API}/999999", as_=marketer, json={"stock": 1}, idem="x"
    )
    assert (status, found["error"]["code"]) == (404, "reward_not_found")
    assert await written() == before


async def test_moving_up_and_down(console: Console) -> None:
    tea, cake, pie = await reward("Tea"), await reward("Cake"), await reward("Pie")
    marketer = await console.log_in(MARKETER)

    async def order() -> list[int]:
        _, listed, _ = await console.call("GET", API, as_=marketer)
        return [r["id"] for r in listed["items"]]

    assert await order() == [tea, cake, pie]
    status, _, _ = await console.call(
        "POST", f"{API}/{pie}/move", as_=marketer, json={"direction": "up"}, idem="m1"
    )
    assert status == 200 and await order() == [tea, pie, cake]
    before = await written()
    status, found, _ = await console.call(
        "POST", f"{API}/{tea}/move", as_=marketer, json={"direction": "up"}, idem="m2"
    )
    assert (status, found["error"]["code"]) == (409, "reward_cannot_move")
    assert "already first" in found["error"]["message"]
    status, found, _ = await console.call(
        "POST", f"{API}/{tea}/move", as_=marketer, json={"direction": "sideways"}, idem="m3"
    )
    assert status == 422
    assert await written() == before and await order() == [tea, pie, cake]
    audit = await AuditLog.get(action="reward.move")
    assert audit.actor_kind == "console" and audit.details == {"direction": "up", "position": 2}


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
async def test_the_page_in_both_languages(console: Console, language: str) -> None:
    await member(MARKETER, language=language, enrolled=True)
    reward_id = await reward("Tea")
    marketer = await console.log_in(MARKETER)
    status, html, _ = await console.call("GET", "/console/rewards", as_=marketer)
    assert status == 200 and f'data-reward="{reward_id}"' in html
    expected = {"en": ("New reward", "Upload photo"), "zh-Hans": ("新奖励", "上传图片")}[language]
    assert all(word in html for word in expected)
