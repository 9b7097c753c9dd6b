"""Broadcasts in the console are the chat's: the count is who the start queues (consent
respected), each preview is the row the sender renders for that language, sending and
scheduling are ``broadcasts.start_now`` / ``schedule``, cancelling withdraws only the
undelivered; audited as ``console``; a refused write writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from models.delivery import outbox_delivery
from models.marketing import broadcasts
from models.store import clock
from models.store.tables import (
    AuditLog,
    Broadcast,
    BroadcastStatus,
    OutboxMessage,
    OutboxStatus,
)
from scheduler.render import Renderer
from tests.console.conftest import ADMIN, MARKETER, Console, written
from tests.store.helpers import member

API = "/console/api/broadcasts"
EN, ZH = "Fresh <b>croissants</b> & coffee", "新鲜<b>可颂</b>和咖啡"


def body(**extra: Any) -> dict[str, Any]:
    return {"text_en": EN, "text_zh": ZH, "audience": "all", **extra}


async def population() -> None:
    """Opted-in members in both languages and in two tiers, and members the marketing
    class must leave out: not opted in, bot blocked, not enrolled, no Telegram id."""
    for n in range(6):
        await member(
            7000 + n,
            marketing_opt_in=True,
            enrolled=True,
            language="zh-Hans" if n % 2 else "en",
            tier="gold" if n < 2 else "member",
        )
    await member(7100, marketing_opt_in=False, enrolled=True, language="en")
    await member(7101, marketing_opt_in=True, enrolled=True, reachable=False, language="en")
    await member(7102, marketing_opt_in=True, enrolled=False, language="zh-Hans")
    await member(None, marketing_opt_in=True, enrolled=True, language="en")


def later(console: Console, minutes: int) -> str:
    """A time ``minutes`` from now as the shop's clock reads it (the form's zone)."""
    at = clock.now() + timedelta(minutes=minutes)
    return at.astimezone(ZoneInfo(console.settings.scheduler.timezone)).strftime("%Y-%m-%d %H:%M")


# ---- unhappy paths first ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"text_en": "", "text_zh": ""}, "text_en"),
        ({"text_en": "x" * 4000}, "text_en"),
        ({"button_text": "Order", "button_url": "http://plain.example/menu"}, "button_url"),
        ({"button_url": "https://shop.example/menu"}, "button_text"),
        ({"scheduled_at": "tomorrow"}, "scheduled_at"),
        ({"scheduled_at": "2001-01-01 10:00"}, "scheduled_at"),
        ({"audience": "tier", "value": "platinum-x"}, "value"),
        ({"audience": "language", "value": "fr"}, "value"),
        ({"audience": "inactive", "value": "0"}, "value"),
    ],
)
async def test_a_refused_broadcast_writes_nothing(
    console: Console, sent: dict[str, Any], field: str
) -> None:
    await population()
    marketer = await console.log_in(MARKETER)
    before = await written()
    status, found, _ = await console.call(
        "POST", API, as_=marketer, json=body(**sent), idem="bad-1"
    )
    assert status == 422 and found["error"]["field"] == field, found
    assert "Nothing was sent" in found["error"]["message"]
    assert await written() == before and await Broadcast.all().count() == 0


async def test_nobody_to_send_to_is_refused(console: Console) -> None:
    marketer = await console.log_in(MARKETER)
    before = await written()
    status, found, _ = await console.call("POST", API, as_=marketer, json=body(), idem="k")
    assert (status, found["error"]["code"]) == (422, "empty_audience")
    assert await written() == before and await Broadcast.all().count() == 0


async def test_a_key_reused_with_another_body_is_409(console: Console) -> None:
    await population()
    marketer = await console.log_in(MARKETER)
    status, first, _ = await console.call("POST", API, as_=marketer, json=body(), idem="k1")
    assert status == 201, first
    status, again, _ = await console.call("POST", API, as_=marketer, json=body(), idem="k1")
    assert (status, again) == (200, first)  # a replay: nothing queued twice
    before = await written()
    status, other, _ = await console.call(
        "POST", API, as_=marketer, json=body(text_en="Other"), idem="k1"
    )
    assert (status, other["error"]["code"]) == (409, "idempotency_conflict")
    assert await written() == before and await Broadcast.all().count() == 1


async def test_cancel_twice_and_an_unknown_broadcast(console: Console) -> None:
    await population()
    marketer = await console.log_in(MARKETER)
    status, made, _ = await console.call(
        "POST", API, as_=marketer, json=body(scheduled_at=later(console, 90)), idem="s1"
    )
    assert status == 201 and made["status"] == "scheduled", made
    cancel = f"{API}/{made['id']}/cancel"
    status, found, _ = await console.call("POST", cancel, as_=marketer, idem="c1")
    assert (status, found["withdrawn"]) == (200, 0)
    before = await written()
    status, found, _ = await console.call("POST", cancel, as_=marketer, idem="c2")
    assert (status, found["error"]["code"]) == (409, "broadcast_not_cancellable")
    assert "cancelled" in found["error"]["message"]
    status, found, _ = await console.call("POST", f"{API}/999999/cancel", as_=marketer, idem="c3")
    assert (status, found["error"]["code"]) == (404, "broadcast_not_found")
    assert await written() == before


# ---- the count and the previews are what members get ------------------------------------


@pytest.mark.parametrize(
    ("audience", "value"),
    [("all", ""), ("tier", "gold"), ("language", "zh-Hans"), ("language", "en")],
)
async def test_the_count_is_who_receives_it(console: Console, audience: str, value: str) -> None:
    await population()
    marketer = await console.log_in(MARKETER)
    query = f"audience={audience}&value={value}&text_en=Hi"
    status, preview, _ = await console.call("GET", f"{API}/preview?{query}", as_=marketer)
    assert status == 200, preview
    status, made, _ = await console.call(
        "POST", API, as_=marketer, json=body(audience=audience, value=value), idem="d1"
    )
    assert status == 201, made
    queued = await OutboxMessage.filter(broadcast_id=made["id"]).prefetch_related("member")
    assert preview["count"] == made["total"] == len(queued) > 0
    assert all(row.member.marketing_opt_in and row.member.reachable for row in queued)
    assert all(row.member.enrolled for row in queued)


async def test_each_preview_is_the_row_the_sender_renders(console: Console) -> None:
    await population()
    marketer = await console.log_in(MARKETER)
    extra = {"button_text": "Menu", "button_url": "https://shop.example/menu"}
    query = "&".join(f"{k}={v}" for k, v in {"audience": "all", **extra}.items())
    status, preview, _ = await console.call(
        "GET", f"{API}/preview?{query}", as_=marketer, headers={}
    )
    assert status == 422  # no text yet: said, not guessed
    from urllib.parse import urlencode

    params = urlencode({**body(), **extra})
    status, preview, _ = await console.call("GET", f"{API}/preview?{params}", as_=marketer)
    assert status == 200, preview
    status, made, _ = await console.call("POST", API, as_=marketer, json=body(**extra), idem="p")
    renderer = Renderer()
    for shown in preview["previews"]:
        row = await OutboxMessage.filter(
            broadcast_id=made["id"], language=shown["language"]
        ).first()
        assert row is not None
        sent = renderer.render(row)
        assert shown["text"] == sent.text
        assert sent.reply_markup is not None
        assert [b["text"] for b in shown["buttons"]] == ["Menu"]
    texts = {p["language"]: p["text"] for p in preview["previews"]}
    assert texts["en"].startswith("Fresh &lt;b&gt;croissants&lt;/b&gt; &amp; coffee")
    assert texts["zh-Hans"].startswith("新鲜&lt;b&gt;可颂")
    assert "/stopoffers" in texts["en"] and "/stopoffers" in texts["zh-Hans"]
    # the page's fragment shows both, escaped as Telegram shows them, and the count
    status, html, _ = await console.call(
        "GET", f"/console/broadcasts/preview?{params}", as_=marketer
    )
    assert status == 200 and 'data-count="6"' in html and "6 members will receive it" in html
    assert "Fresh &lt;b&gt;croissants&lt;/b&gt; &amp; coffee" in html
    assert "<b>croissants" not in html


async def test_a_chinese_reader_without_a_version_gets_the_english_one(
    console: Console,
) -> None:
    await population()
    marketer = await console.log_in(MARKETER)
    _, preview, _ = await console.call(
        "GET", f"{API}/preview?text_en=Hello&audience=all", as_=marketer
    )
    assert [p["text"].split("\n")[0] for p in preview["previews"]] == ["Hello", "Hello"]


# ---- sending, scheduling, progress, cancelling -------------------------------------------


async def test_send_now_is_audited_as_console_and_listed_with_progress(console: Console) -> None:
    await population()
    admin = await console.log_in(ADMIN)
    status, made, _ = await console.call("POST", API, as_=admin, json=body(), idem="n1")
    assert (status, made["status"], made["total"]) == (201, "sending", 6)
    row = await Broadcast.get(id=made["id"])
    assert row.status == BroadcastStatus.SENDING and row.texts == {"en": EN, "zh-Hans": ZH}
    audit = await AuditLog.get(action="broadcast.send", target=f"broadcast:{row.id}")
    assert (audit.actor_kind, audit.actor_telegram_id) == ("console", ADMIN)
    first = await OutboxMessage.filter(broadcast_id=row.id).order_by("id").first()
    assert first is not None
    await outbox_delivery.mark_sent(first.id, 1)
    status, listed, _ = await console.call("GET", API, as_=admin)
    item = listed["items"][0]
    assert (item["sent"], item["failed"], item["remaining"], item["total"]) == (1, 0, 5, 6)
    status, html, _ = await console.call("GET", "/console/broadcasts/list", as_=admin)
    assert "Sent 1 · failed 0 · remaining 5 of 6" in html and 'hx-trigger="every 2s"' in html


async def test_cancel_drops_only_undelivered_messages(console: Console) -> None:
    await population()
    marketer = await console.log_in(MARKETER)
    status, made, _ = await console.call("POST", API, as_=marketer, json=body(), idem="x1")
    rows = await OutboxMessage.filter(broadcast_id=made["id"]).order_by("id")
    for row in rows[:2]:
        await outbox_delivery.mark_sent(row.id, 1)
    status, found, _ = await console.call(
        "POST", f"{API}/{made['id']}/cancel", as_=marketer, idem="x2"
    )
    assert (status, found["withdrawn"]) == (200, 4)
    by_status = {
        status: await OutboxMessage.filter(broadcast_id=made["id"], status=status).count()
        for status in (OutboxStatus.SENT, OutboxStatus.CANCELLED, OutboxStatus.PENDING)
    }
    assert by_status == {OutboxStatus.SENT: 2, OutboxStatus.CANCELLED: 4, OutboxStatus.PENDING: 0}
    audit = await AuditLog.get(action="broadcast.cancel")
    assert audit.actor_kind == "console" and audit.details == {"withdrawn": 4}
    status, again, _ = await console.call(
        "POST", f"{API}/{made['id']}/cancel", as_=marketer, idem="x2"
    )
    assert (status, again) == (200, found)  # the same key: the first answer again


async def test_a_time_that_passes_while_writing_is_refused_and_leaves_nothing(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduled minute was ahead when read and behind when written (the refusal the
    schedule itself makes): the draft made on the way is gone, nothing is audited."""
    await population()
    marketer = await console.log_in(MARKETER)
    before = await written()

    async def too_late(*args: Any, **kwargs: Any) -> broadcasts.InvalidTime:
        return broadcasts.InvalidTime("past")

    monkeypatch.setattr(broadcasts, "schedule", too_late)
    status, found, _ = await console.call(
        "POST", API, as_=marketer, json=body(scheduled_at=later(console, 1)), idem="late"
    )
    assert (status, found["error"]["field"]) == (422, "scheduled_at"), found
    assert await written() == before and await Broadcast.all().count() == 0


async def test_schedule_for_later_queues_nothing_until_then(console: Console) -> None:
    await population()
    marketer = await console.log_in(MARKETER)
    when = later(console, 60).replace(" ", "T")  # as the browser's datetime-local sends it
    status, made, _ = await console.call(
        "POST", API, as_=marketer, json=body(scheduled_at=when), idem="t"
    )
    assert status == 201 and made["status"] == "scheduled", made
    row = await Broadcast.get(id=made["id"])
    assert row.status == BroadcastStatus.SCHEDULED and row.scheduled_at is not None
    assert await OutboxMessage.filter(broadcast_id=row.id).count() == 0
    audit = await AuditLog.get(action="broadcast.schedule")
    assert audit.actor_kind == "console"


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
async def test_the_page_in_both_languages(console: Console, language: str) -> None:
    await member(MARKETER, language=language, enrolled=True)
    marketer = await console.log_in(MARKETER)
    status, html, _ = await console.call("GET", "/console/broadcasts", as_=marketer)
    assert status == 200
    expected = {"en": ("New broadcast", "Broadcasts"), "zh-Hans": ("新群发", "群发")}[language]
    assert all(word in html for word in expected)
    assert 'id="broadcast-preview"' in html


def test_a_preview_shows_telegrams_tags_and_nothing_else() -> None:
    from api.console.telegram_html import shown

    hostile = (
        '<b>bold</b> <script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">x</a><a href="https://shop.example">ok</a><i>open'
    )
    assert str(shown(hostile)) == (
        "<b>bold</b> alert(1)"
        '<a href="" rel="noopener noreferrer">x</a>'
        '<a href="https://shop.example" rel="noopener noreferrer">ok</a><i>open</i>'
    )


async def test_the_fragment_says_a_problem_but_not_an_empty_form(console: Console) -> None:
    marketer = await console.log_in(MARKETER)
    status, html, _ = await console.call("GET", "/console/broadcasts/preview", as_=marketer)
    assert status == 200 and "broadcast-problem" not in html and "bubble" not in html
    status, html, _ = await console.call(
        "GET",
        "/console/broadcasts/preview?text_en=Hi&button_text=Go&button_url=http://x.example",
        as_=marketer,
    )
    assert 'id="broadcast-problem"' in html and "https://" in html
