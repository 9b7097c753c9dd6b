"""Members enrolled elsewhere take over their membership in Telegram.

An imported member is found by the phone they share at /start; a member enrolled by a
web shop opens their ``j-`` join link. Their balance, tier and history are there.
"""

from __future__ import annotations

from pathlib import Path

from models import importing
from models.access import staff
from models.ledger import rule_versions
from models.members import enrolment
from models.store import clock
from models.store.tables import AuditLog, JoinLink, Member, Role
from tests.chat.conftest import Rig

HEADER = "external_id,phone,name,language,birthday,tier,points,points_expire_on,joined_on"


async def _import(rig: Rig, tmp_path: Path, *rows: str) -> None:
    path = tmp_path / "old.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    report = await importing.import_members(
        path,
        rules=(await rule_versions.current())[1],
        default_country="CN",
        timezone=rig.settings.scheduler.timezone,
        now=clock.now(),
    )
    assert report.exit_code == 0, report.rejections


async def test_imported_member_is_linked_by_the_phone_they_share(rig: Rig, tmp_path: Path) -> None:
    await _import(rig, tmp_path, "OLD-7,138 0013 8000,Wang Fang,zh-Hans,,silver,1234,,2019-05-01")
    imported = await Member.get(external_id="OLD-7")
    wang = rig.member(3001, "Fang", language_code="en")
    await wang.send("/start")
    assert "Welcome to" in wang.last_text  # not known yet: the usual welcome
    await wang.share_contact("+86 138 0013 8000")
    linked = wang.messages[-2].visible_text
    assert "欢迎回来" in linked and "1,234" in linked and "银卡" in linked
    await wang.press("👍 好的")
    row = await rig.member_row(wang)
    assert row.id == imported.id and row.balance == 1234 and row.tier == "silver"
    assert row.marketing_opt_in is True
    assert await Member.filter(first_name="Fang").count() == 0  # the throw-away row is gone
    await wang.send("/history")
    assert "转入积分 +1,234" in wang.last_text  # signed and grouped like every number
    log = await AuditLog.get(action="member.link")
    assert log.target == f"member:{imported.id}" and log.details["via"] == "phone"


async def test_phone_of_a_member_with_history_is_not_merged(rig: Rig, tmp_path: Path) -> None:
    await _import(rig, tmp_path, "OLD-8,13800138001,Li,,,,500,,")
    li = rig.member(3002, "Li")
    await li.send("/start")
    await rig.earn(li, 5000)  # this Telegram account already earned on its own
    await li.share_contact("+8613800138001")
    assert any("already has its own points history" in m.visible_text for m in li.messages)
    assert (await Member.get(external_id="OLD-8")).telegram_id is None
    assert (await rig.member_row(li)).phone is None  # one phone, one member


async def test_join_link_links_once(rig: Rig) -> None:
    enrolled = await enrolment.enrol(
        external_id="shop-42", phone="+8613800138042", name="Zhao", created_by="api:test"
    )
    assert isinstance(enrolled, enrolment.Enrolled) and enrolled.join_token
    token = enrolled.join_token
    zhao = rig.member(3003, "Zhao Telegram")
    await zhao.send(f"/start j-{token}")
    assert any("now linked" in m.visible_text for m in zhao.messages)
    row = await rig.member_row(zhao)
    assert row.external_id == "shop-42" and row.phone == "+8613800138042"
    assert "May we send you news" in zhao.last_text  # phone known: the consent question
    await zhao.press("No, thanks")
    await zhao.send(f"/start j-{token}")
    assert "already yours" in zhao.messages[-2].visible_text

    other = rig.member(3004, "Mallory")
    await other.send(f"/start j-{token}")
    assert "already been used" in other.last_text
    assert (await rig.member_row(other)).external_id is None
    await other.send("/start j-AAAAAAAAAAAAAAAAAAAAAA")
    assert "not valid" in other.last_text
    link = await JoinLink.get(token=token)
    assert link.used_by == zhao.user_id


async def test_join_link_refused_for_history_and_for_staff(rig: Rig) -> None:
    enrolled = await enrolment.enrol(external_id="shop-43", phone=None, created_by="api:test")
    assert isinstance(enrolled, enrolment.Enrolled)
    busy = rig.member(3005, "Busy")
    await busy.send("/start")
    await rig.earn(busy, 3000)
    await busy.send(f"/start j-{enrolled.join_token}")
    assert await busy.wait_for_text("already has its own points history")
    await staff.grant_role(3006, Role.STAFF, granted_by=None)
    cashier = rig.member(3006, "Cara")
    await cashier.send(f"/start j-{enrolled.join_token}")
    assert "customer's join link" in cashier.last_text
    assert (await Member.get(external_id="shop-43")).telegram_id is None
    assert await JoinLink.filter(used_at=None).count() == 1
