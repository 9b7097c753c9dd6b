"""Rule versions: config seeds once per change, chat edits win over an unchanged config."""

from __future__ import annotations

import asyncio

from models.ledger import rule_versions, tiers
from models.ledger.config import EarningRules, RuleSet
from models.store import clock
from models.store.db import write_transaction
from models.store.tables import AuditLog, RuleVersion
from tests.store.helpers import member, rules


async def test_seed_edit_and_reseed(store: str) -> None:
    rule_versions.invalidate()
    config = RuleSet()
    first = await rule_versions.ensure_seeded(config)
    assert (await rule_versions.ensure_seeded(config)).id == first.id
    edited = RuleSet(earning=EarningRules(points_per_unit=2))
    await rule_versions.save(edited, created_by=42)
    assert (await rule_versions.current())[1] == edited
    await rule_versions.ensure_seeded(config)  # unchanged config: the chat edit stays
    assert (await rule_versions.current())[1] == edited
    changed = RuleSet(earning=EarningRules(points_per_unit=3))
    await rule_versions.ensure_seeded(changed)
    version, current = await rule_versions.current()
    assert current == changed and version.source == "config"
    assert await RuleVersion.all().count() == 3
    assert await AuditLog.filter(action="rules.update").count() == 1


async def test_an_upgrade_that_only_adds_defaults_seeds_no_version(store: str) -> None:
    """The previous release wrote the config's rules without this release's new settings;
    they are the same rules, so no new version (which the previous release's instances,
    still serving during a rolling upgrade, could not read)."""
    rule_versions.invalidate()
    config = RuleSet()
    written = config.model_dump(mode="json")
    for newer in ("events", "bonuses"):
        written.pop(newer)
    written["usage"].pop("earn_on_points_payment")
    old = await RuleVersion.create(
        rules=written, digest="of-the-previous-release", source="config", created_at=clock.now()
    )
    assert (await rule_versions.ensure_seeded(config)).id == old.id
    assert await RuleVersion.all().count() == 1
    changed = RuleSet(earning=EarningRules(points_per_unit=3))  # a real change still lands
    assert (await rule_versions.ensure_seeded(changed)).id != old.id


async def test_tier_progress_and_review(store: str) -> None:
    from models import ledger
    from models.store import clock
    from tests.store.helpers import START

    clock.freeze(START)
    r = rules()
    m = await member(telegram_id=3)
    await ledger.earn_for_purchase(m.id, 120000, "CNY", idempotency_key="a", rules=r)
    await m.refresh_from_db()
    assert m.tier == "gold"
    p = await tiers.progress(m, r)
    assert p.current.key == "gold" and p.next is None and p.qualifying == 1200
    clock.advance(__import__("datetime").timedelta(days=400))
    changes = await tiers.review(rules=r)
    assert [(c.from_tier, c.to_tier) for c in changes] == [("gold", "member")]
    assert await tiers.review(rules=r) == []


async def test_a_stale_cache_is_refreshed_once_for_many_callers(store: str) -> None:
    """Under load, callers share one refresh instead of each probing the database."""
    await rule_versions.ensure_seeded(rules())
    first = await rule_versions.current()
    rule_versions._checked_at = 0.0  # the cache goes stale
    probes = 0
    original = rule_versions._refresh

    async def counted(conn):  # type: ignore[no-untyped-def]
        nonlocal probes
        probes += 1
        return await original(conn)

    rule_versions._refresh = counted  # type: ignore[assignment]
    try:
        results = await asyncio.gather(*(rule_versions.current() for _ in range(50)))
    finally:
        rule_versions._refresh = original  # type: ignore[assignment]
    assert probes == 1
    assert all(r[0].id == first[0].id for r in results)


async def test_current_inside_a_transaction_does_not_wait_for_the_shared_refresh(
    store: str,
) -> None:
    await rule_versions.ensure_seeded(rules())
    rule_versions._checked_at = 0.0
    async with write_transaction():
        version, _ = await asyncio.wait_for(rule_versions.current(), 5)
    assert version.id is not None
