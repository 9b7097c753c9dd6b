"""Campaigns in the console are the chat's: the builder's count is ``audiences.preview``,
a campaign created here is the row ``/campaign`` would create, pause and end are the
chat's operations; all audited as ``console``; a refused write writes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.ledger import rule_versions
from models.ledger.targeting import Audience, AudienceKind
from models.marketing import audiences
from models.marketing.audiences import AudiencePreview
from models.marketing.campaigns import CampaignDraft
from models.store import clock
from models.store.tables import AuditLog, Campaign, CampaignKind
from tests.console.conftest import ADMIN, MARKETER, Console, new_member, written

API = "/console/api/campaigns"


def local(delta: timedelta) -> str:
    return (clock.now() + delta).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M")


def body(**audience: Any) -> dict[str, Any]:
    return {
        "name_en": "Gold week",
        "name_zh": "金卡周",
        "kind": "multiplier",
        "multiplier": "2",
        "starts_at": local(timedelta(minutes=-1)),
        "ends_at": local(timedelta(days=2)),
        **audience,
    }


def same(row: Campaign) -> dict[str, Any]:
    """A campaign's columns, less what two creations always differ in (id and times)."""
    moments = {"refreshed_at", "frozen_at"}
    shown = {k: v for k, v in dict(row).items() if k not in {"id", "created_at"}}
    shown["audience"] = {k: v for k, v in (row.audience or {}).items() if k not in moments}
    return shown


async def seed() -> None:
    for n in range(3):
        await new_member(5000 + n, tier="gold")
    await new_member(5100, tier="silver")


async def test_the_count_is_audiences_preview(console: Console) -> None:
    await seed()
    marketer = await console.log_in(MARKETER)
    status, found, _ = await console.call(
        "GET", f"{API}/audience-count?audience=tier&tiers=gold", as_=marketer
    )
    expected = await audiences.preview(Audience(AudienceKind.TIER, tiers=("gold",)))
    assert isinstance(expected, AudiencePreview)
    assert status == 200 and found["size"] == expected.size == 3
    status, found, _ = await console.call(
        "GET", f"{API}/audience-count?audience=tier&tiers=gold,silver", as_=marketer
    )
    assert found["size"] == 4
    codes = (await new_member(5200)).code
    status, found, _ = await console.call(
        "GET", f"{API}/audience-count?audience=members&codes={codes}+NOPE123", as_=marketer
    )
    assert (found["size"], found["unknown_codes"]) == (1, ["NOPE123"])
    # the htmx fragment under the builder says the same number, in the visitor's words
    status, html, _ = await console.call(
        "GET", "/console/campaigns/count?audience=tier&tiers=gold", as_=marketer
    )
    assert status == 200 and 'data-size="3"' in html and "3 members in this audience" in html
    status, html, _ = await console.call(
        "GET", "/console/campaigns/count?audience=tier&tiers=platinum-x", as_=marketer
    )
    assert "This audience cannot be used: check the tiers" in html
    status, found, _ = await console.call(
        "GET", f"{API}/audience-count?audience=tier&tiers=nope", as_=marketer
    )
    assert (status, found["error"]["code"]) == (422, "invalid_audience")


async def test_a_campaign_created_here_is_the_chats_row(console: Console) -> None:
    await seed()
    marketer = await console.log_in(MARKETER)
    status, made, _ = await console.call(
        "POST",
        API,
        as_=marketer,
        json=body(audience="tier", tiers="gold", control_percent=10),
        idem="c1",
    )
    assert status == 201, made
    assert made["audience_size"] == 3
    row = await Campaign.get(id=made["id"])
    # what the chat's /campaign creates for the same choices
    draft = CampaignDraft(
        names={"en": "Gold week", "zh-Hans": "金卡周"},
        kind=CampaignKind.MULTIPLIER,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        multiplier=Decimal(row.multiplier),
    )
    tier_keys = [lvl.key for lvl in (await rule_versions.current())[1].tiers.levels]
    chat = await audiences.create_campaign(
        draft,
        Audience(AudienceKind.TIER, tiers=("gold",), control_percent=10),
        tier_keys=tier_keys,
        actor_telegram_id=MARKETER,
    )
    twin = await Campaign.get(id=chat.campaign_id)
    assert same(row) == same(twin), str((row.audience, twin.audience))
    audit = await AuditLog.get(action="campaign.create", target=f"campaign:{row.id}")
    assert (audit.actor_kind, audit.actor_telegram_id) == ("console", MARKETER)
    # listed with its audience and lift
    status, listed, _ = await console.call("GET", API, as_=marketer)
    mine = next(c for c in listed["items"] if c["id"] == row.id)
    assert mine["audience"]["kind"] == "tier" and mine["audience"]["size"] == 3
    assert mine["lift"]["targeted_members"] + mine["lift"]["control_members"] == 3
    status, page, _ = await console.call("GET", "/console/campaigns", as_=marketer)
    assert status == 200 and "Gold week" in page


async def test_pause_resume_and_end(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    status, made, _ = await console.call("POST", API, as_=admin, json=body(), idem="c2")
    assert status == 201 and made["audience_size"] is None
    url = f"{API}/{made['id']}"
    assert (await console.call("POST", f"{url}/pause", as_=admin, idem="p"))[1]["status"] == (
        "paused"
    )
    again = await console.call("POST", f"{url}/pause", as_=admin, idem="p")
    assert again[0] == 200 and again[2]["Idempotent-Replayed"] == "true"
    assert (await console.call("POST", f"{url}/resume", as_=admin, idem="r"))[1]["status"] == (
        "active"
    )
    assert (await console.call("POST", f"{url}/end", as_=admin, idem="e"))[1]["status"] == "ended"
    before = await written()
    status, refused, _ = await console.call("POST", f"{url}/end", as_=admin, idem="e2")
    assert (status, refused["error"]["code"]) == (409, "campaign_not_changeable")
    assert refused["error"]["message"]
    assert await written() == before
    actions = await AuditLog.filter(target=f"campaign:{made['id']}").values_list(
        "action", "actor_kind"
    )
    assert sorted(actions) == sorted(
        [
            ("campaign.create", "console"),
            ("campaign.pause", "console"),
            ("campaign.resume", "console"),
            ("campaign.end", "console"),
        ]
    )


async def test_refused_campaigns_write_nothing(console: Console) -> None:
    await seed()
    marketer = await console.log_in(MARKETER)
    before, campaigns_before = await written(), await Campaign.all().count()
    cases = [
        (body(multiplier="1"), 422, "invalid_campaign", "multiplier must be more than 1"),
        (body(name_en="", name_zh=""), 422, "invalid_campaign", "give it a name"),
        (body(ends_at=local(timedelta(days=-1))), 422, "invalid_campaign", "end after"),
        (body(audience="tier", tiers="nope"), 422, "invalid_audience", "the tiers"),
        (body(audience="category", category="tea"), 422, "empty_audience", "Nobody"),
        (
            body(audience="tier", tiers="gold", control_percent=80),
            422,
            "invalid_audience",
            "0 to 50",
        ),
        (body(kind="other"), 422, "invalid_field", ""),
        (body(starts_at="tomorrow"), 422, "invalid_campaign", "check starts_at"),
        (body(extra=1), 422, "invalid_field", ""),
    ]
    for n, (sent, status, code, words) in enumerate(cases):
        got = await console.call("POST", API, as_=marketer, json=sent, idem=f"k{n}")
        assert (got[0], got[1]["error"]["code"]) == (status, code), (sent, got[1])
        assert words in got[1]["error"]["message"], got[1]
    missing = await console.call("POST", f"{API}/999999/pause", as_=marketer, idem="x")
    assert (missing[0], missing[1]["error"]["code"]) == (404, "campaign_not_found")
    assert await written() == before
    assert await Campaign.all().count() == campaigns_before
