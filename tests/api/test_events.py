"""POST /events: stored once, priced by the event rules, refused without a trace;
``jifen events replay`` applies a rule added later once; the webhook commits with it."""

from __future__ import annotations

import argparse
import asyncio
import json

from bot.cli import build_parser
from bot.events_cli import run_events_command
from models.delivery import webhooks
from models.ledger import doctor, rule_versions
from models.ledger.config import EventRule
from models.store.tables import LedgerEntry, MemberEvent, WebhookEvent
from tests.api.conftest import Api, new_member, written


def event(member, event_id: str = "ev-1", kind: str = "review.written", **extra) -> dict:
    return {"member": {"code": member.code}, "type": kind, "id": event_id, **extra}


async def with_rule(**rule: int) -> None:
    _, current = await rule_versions.current()
    rules = current.model_copy(update={"events": {"review.written": EventRule(**rule)}})
    await rule_versions.save(rules, created_by=None)


async def stored() -> dict[str, int]:
    return {**await written(), "events": await MemberEvent.all().count()}


async def test_refusals_write_nothing(api: Api) -> None:
    alice = await new_member(201)
    before = await stored()
    for body, status, code in (
        ({**event(alice), "member": {"code": "M-NOPE"}}, 404, "member_not_found"),
        (event(alice, kind="Review Written"), 422, "invalid_field"),
        ({**event(alice), "data": [1]}, 422, "invalid_field"),
        ({**event(alice), "data": {"nested": {"a": 1}}}, 422, "invalid_field"),
        ({**event(alice), "data": {"stars": 4.5}}, 422, "invalid_field"),
        ({**event(alice), "extra": 1}, 422, "invalid_field"),
        ({"member": {"code": alice.code}, "type": "review.written"}, 422, "invalid_field"),
    ):
        got, answer, _ = await api.call("POST", "/events", json=body, idem="r-1")
        assert (got, answer["error"]["code"]) == (status, code), answer
    assert await stored() == before


async def test_unknown_type_is_stored_and_replayed_later_once(api: Api, capsys) -> None:
    alice = await new_member(202)
    status, body, _ = await api.call("POST", "/events", json=event(alice, data={"stars": 5}))
    assert status == 202 and body["status"] == "no_rule" and body["balance"] is None, body
    row = await MemberEvent.get()
    assert row.data == {"stars": 5} and row.type == "review.written"
    await with_rule(points=40)
    args: argparse.Namespace = build_parser().parse_args(
        ["events", "replay", "review.written", "--since", "2000-01-01"]
    )
    assert await run_events_command(api.settings, args) == 0
    assert await run_events_command(api.settings, args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "review.written: 1 awarded (40 points), 0 capped, 0 still without a rule",
        "review.written: 0 awarded (0 points), 0 capped, 0 still without a rule",
    ]
    entry = await LedgerEntry.get(reason="event:review.written:ev-1")
    assert entry.points == 40 and entry.rule_version_id is not None
    assert await doctor.check() == []


async def test_awarded_once_per_event_id_under_any_key(api: Api) -> None:
    alice = await new_member(203)
    await with_rule(points=30)
    await webhooks.add("http://127.0.0.1:9/hook", events=None, allow_private=True)
    status, first, _ = await api.call("POST", "/events", json=event(alice), idem="a")
    assert status == 201 and first["points"] == 30 and first["balance"] == 30, first
    status, again, headers = await api.call("POST", "/events", json=event(alice), idem="a")
    assert status == 200 and headers["Idempotent-Replayed"] == "true" and again == first
    status, other_key, _ = await api.call("POST", "/events", json=event(alice), idem="b")
    assert status == 200 and other_key["points"] == 30 and other_key["balance"] == 30
    conflict = await api.call("POST", "/events", json=event(alice, data={"x": 1}), idem="a")
    assert conflict[0] == 409
    assert await LedgerEntry.filter(member_id=alice.id, reason__startswith="event:").count() == 1
    hooks = await WebhookEvent.filter(type="points.earned_by_event")
    assert len(hooks) == 1 and json.loads(hooks[0].body)["data"]["points"] == 30


async def test_concurrent_events_near_the_daily_cap(api: Api) -> None:
    alice = await new_member(204)
    await with_rule(points=25, daily_cap_points=60)
    answers = await asyncio.gather(
        *(api.call("POST", "/events", json=event(alice, f"c{i}")) for i in range(10))
    )
    assert sum(body["points"] for _, body, _ in answers) == 60
    assert sorted(status for status, _, _ in answers) == [201] * 3 + [202] * 7
    same = await asyncio.gather(
        *(api.call("POST", "/events", json=event(alice, "c0"), idem=f"k{i}") for i in range(10))
    )
    assert {body["points"] for _, body, _ in same} == {answers[0][1]["points"]}
    assert await MemberEvent.filter(member_id=alice.id).count() == 10
    assert await doctor.check() == []
