"""What targeting costs at the till, and what the suggested catalogue costs, beside baselines.

Run: ``.venv/bin/python -m bench.offers [--postgres URL] [--n N]``. Rows, same run:

* baseline: one ``in_transaction()`` with one ``create()`` (as in ``bench.ledger``);
* earn with no campaign, with a campaign for everyone (no extra query), with a targeted
  campaign in force (one extra query: the member's ``campaign_member`` rows), and with a
  personal win-back offer used by each purchase (that query plus one conditional update);
* /rewards: the plain visible-rewards query (baseline) against the suggested order
  (affinity SQL over purchases and vouchers, then the ranking), 40 rewards, 200 members.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import timedelta
from decimal import Decimal

from tortoise.transactions import in_transaction

from bench import scratch
from bench.ledger import RULES, Rate, _members, _table, _timed
from models import ledger
from models.catalogue import browsing, vouchers
from models.ledger.rules import CampaignRule
from models.ledger.targeting import Audience, AudienceKind
from models.marketing import audiences, campaigns, offers
from models.marketing.campaigns import CampaignDraft
from models.store import clock, db
from models.store.tables import AuditLog, CampaignKind, CampaignMember, Reward


def _draft(name: str) -> CampaignDraft:
    now = clock.now()
    return CampaignDraft(
        names={"en": name},
        kind=CampaignKind.MULTIPLIER,
        multiplier=Decimal(2),
        starts_at=now,
        ends_at=now + timedelta(days=7),
        announce=False,
    )


async def earn_rows(n: int) -> list[tuple[str, Rate]]:
    members = await _members(200)
    codes = tuple(m.code for m in members[::2])
    everyone = await campaigns.create(_draft("all"), actor_telegram_id=None)
    assert isinstance(everyone, campaigns.CampaignCreated)
    targeted = await audiences.create_campaign(
        _draft("some"),
        Audience(AudienceKind.MEMBERS, codes=codes, control_percent=10),
        tier_keys=("member",),
        actor_telegram_id=None,
    )
    assert isinstance(targeted, audiences.TargetedCampaignCreated)
    rules_now = await campaigns.rules_at(clock.now())
    plain = [r for r in rules_now if not r.audience]
    program = await offers.program(offers.WinbackSettings(), clock.now())
    assert program is not None
    await CampaignMember.bulk_create(
        [
            CampaignMember(
                campaign_id=program.id,
                member_id=m.id,
                window=i,
                added_at=clock.now(),
                expires_at=clock.now() + timedelta(days=14),
            )
            for m in members
            for i in range(n // len(members) + 1)
        ]
    )
    winback = [CampaignRule.from_row(program)]

    async def baseline(i: int) -> None:
        async with in_transaction():
            await AuditLog.create(actor_kind="system", action="bench", created_at=clock.now())

    rounds = iter(range(1_000))

    def earn(given: list[CampaignRule]):
        tag = next(rounds)

        async def op(i: int) -> None:
            m = members[i % len(members)]
            key = f"{tag}:{i}"
            await ledger.earn_for_purchase(
                m.id, 12850, "CNY", idempotency_key=key, rules=RULES, campaigns=given
            )

        return op

    cases = [
        ("baseline: in_transaction + create", lambda: baseline),
        ("earn, no campaign", lambda: earn([])),
        ("earn, campaign for everyone", lambda: earn(plain)),
        ("earn, targeted campaign in force", lambda: earn(rules_now)),
        ("earn, win-back offer used", lambda: earn(winback)),
    ]
    return await _best_of_three(cases, n // 3)


async def _best_of_three(cases, n: int) -> list[tuple[str, Rate]]:
    """Interleaved rounds (each case once per round), the best rate of three per case."""
    best: dict[str, Rate] = {name: (0.0, 0.0) for name, _ in cases}
    for _ in range(3):
        for name, make in cases:
            best[name] = max(best[name], await _timed(n, make()))
    return list(best.items())


async def catalogue_rows(n: int) -> list[tuple[str, Rate]]:
    for i in range(40):
        await Reward.create(
            names={"en": f"r{i}"}, kind="gift", cost_points=50 + 37 * i, created_at=clock.now()
        )
    people = await _members_with_history()
    member = people[0]

    async def plain(i: int) -> None:
        await browsing._visible(member, RULES).order_by("sort_order", "cost_points", "id")

    async def suggested(i: int) -> None:
        await browsing.page(member, RULES, 0, 5)

    cases = [
        ("baseline: visible rewards query", lambda: plain),
        ("suggested catalogue page", lambda: suggested),
    ]
    return await _best_of_three(cases, n // 3)


async def _members_with_history():
    from models.store.tables import Member

    people = await Member.all().order_by("id").limit(200)
    rewards = await Reward.all().order_by("id")
    for i, m in enumerate(people):
        for j in range(3):
            await ledger.earn_for_purchase(
                m.id,
                50000,
                "CNY",
                idempotency_key=f"h{i}:{j}",
                rules=RULES,
                category=("coffee", "tea", "books", "food")[(i + j) % 4],
            )
        await vouchers.issue_for_reward(
            m.id, rewards[i % len(rewards)].id, idempotency_key=f"hv{i}", rules=RULES
        )
    return people


async def run(url: str, n: int) -> None:
    await db.open_fresh_store(url)
    try:
        _table(f"earn with targeting ({url.split(':')[0]}, n={n})", await earn_rows(n))
        _table(f"/rewards ({url.split(':')[0]}, n={n})", await catalogue_rows(n))
    finally:
        await db.close_store()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("JIFEN_TEST_POSTGRES_URL", ""))
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    async with scratch.sqlite("offers.sqlite3") as url:
        await run(url, args.n)
    if args.postgres:
        async with scratch.postgres(args.postgres) as url:
            await run(url, args.n)


if __name__ == "__main__":
    asyncio.run(main())
