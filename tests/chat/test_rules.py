"""/rules: an admin changes the rules in chat, with a preview; others cannot."""

from __future__ import annotations

from models.access import staff
from models.ledger import rule_versions
from models.store.tables import LedgerEntry, Role, RuleVersion
from tests.chat.conftest import Rig


async def test_admin_doubles_points_per_unit_and_the_next_purchase_earns_double(rig: Rig) -> None:
    ada = rig.admin()
    await ada.send("/rules")
    assert "Points per unit: 1" in ada.last_text
    before = await RuleVersion.all().count()
    await ada.press("Points per unit")
    assert "Send the new value" in ada.last_text
    await ada.send("2")
    # ¥128.50 of coffee (×1.5) by a Gold member (×1.2): 231 now, 462 after
    assert "1 → 2" in ada.last_text
    assert "231 points now, 462 points after" in ada.last_text
    assert await RuleVersion.all().count() == before  # nothing saved before confirming
    await ada.press("Confirm")
    assert "Saved" in ada.last_text
    version, rules = await rule_versions.current()
    assert rules.earning.points_per_unit == 2
    assert version.created_by == ada.user_id and version.source == "chat"

    bob = rig.member(1101, "Bob")
    await bob.send("/start")
    result = await rig.earn(bob, 10000)  # ¥100.00, no category, plain member
    assert result.points == 200
    entry = await LedgerEntry.get(member__telegram_id=bob.user_id)
    assert entry.rule_version_id == version.id

    await ada.send("/rules")
    await ada.press("History")
    assert f"#{version.id}" in ada.last_text and "Ada" in ada.last_text


async def test_invalid_values_are_refused_and_nothing_changes(rig: Rig) -> None:
    ada = rig.admin()
    await ada.send("/rules")
    before = await RuleVersion.all().count()
    await ada.press("Points per unit")
    await ada.send("two")
    assert "could not read “two”" in ada.last_text  # the part it could not read
    await ada.send("-3")
    assert "at least 0" in ada.last_text
    await ada.press("Cancel")
    await ada.send("/rules")
    await ada.press("Gold threshold")
    await ada.send("500")  # below Silver's 1000: thresholds must increase
    assert "clashes" in ada.last_text
    await ada.press("Cancel")
    assert await RuleVersion.all().count() == before
    _version, rules = await rule_versions.current()
    assert rules.earning.points_per_unit == 1


async def test_choice_fields_and_chinese(rig: Rig) -> None:
    ada = rig.admin(language_code="zh-hans")
    await ada.send("/rules")
    assert "当前规则" in ada.last_text
    await ada.press("过期规则")
    await ada.press("永不过期")
    assert "确认保存" in ada.last_text
    await ada.press("确认")
    _version, rules = await rule_versions.current()
    assert rules.expiry.policy == "never"


async def test_staff_cannot_use_rules(rig: Rig) -> None:
    await staff.grant_role(1201, Role.STAFF, granted_by=None)
    cashier = rig.person(1201, "Cat")
    await cashier.send("/rules")
    assert "only for admins" in cashier.last_text
