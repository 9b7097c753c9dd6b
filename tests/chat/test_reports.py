"""/report through the chat: figures, charts, exports, segments, refusals, weekly report."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from bot.emulator import Player
from locales import translator
from models.access import staff
from models.ledger import rule_versions
from models.marketing import segments
from models.reports import messages, periods, summary, weekly
from models.reports.periods import Period
from models.store import clock
from models.store.tables import ChatFlow, OutboxMessage, Role, StaffRole
from scheduler.jobs import Jobs
from tests.chat.conftest import ADMIN_ID, Rig
from tests.reports import dataset

PNG = b"\x89PNG\r\n\x1a\n"
SEED = 7
MEMBERS = 60


@pytest.fixture
async def data(rig: Rig) -> dataset.Chunk:
    """The seeded report data set (before anyone talks to the bot), clock at its 'now'."""
    clock.freeze(dataset.NOW)
    return await dataset.build(SEED, MEMBERS)


def _within(period: Period, rows: list[tuple], column: int) -> list[tuple]:
    return [r for r in rows if period.start <= r[column] < period.end]


def _new_messages(player: Player, before: int) -> list:
    return player.messages[before:]


async def _expected_summary(period: Period) -> str:
    _version, rules = await rule_versions.current()
    report = await summary.summary(
        period, point_value_minor=rules.usage.point_value_minor, tiers=rules.tiers
    )
    key, args = messages.summary_message(report, currency=rules.currency, language="en")
    return translator("en")(key, **args)


async def test_report_summary_charts_and_exports(rig: Rig, data: dataset.Chunk) -> None:
    ada = rig.admin()
    await ada.send("/report 30d")
    period = periods.parse_period("30d", rig.settings.scheduler.timezone)
    assert isinstance(period, Period)
    sent = ada.messages
    texts = [m for m in sent if m.text is not None]
    summary_text = texts[0].text or ""
    assert summary_text == await _expected_summary(period)
    purchases = _within(period, data.purchases, 12)
    issued = sum(e[3] for e in _within(period, data.entries, 9) if e[2] in ("earn", "bonus"))
    assert f"Purchases: {len(purchases):,}" in summary_text
    assert f"Points issued: {issued:,}" in summary_text
    assert texts[0].history, "the progress message was edited into the summary"
    photos = [m.photo for m in sent if m.photo is not None]
    assert len(photos) == 3 and all(p.data.startswith(PNG) for p in photos)
    album = ada.last_album  # one album, captioned with the key numbers
    assert [m.photo for m in album] == photos and album[0].caption
    assert f"{len(purchases):,} purchases" in album[0].caption
    assert "What next?" in ada.last_text

    await ada.press("Export ▸")
    await ada.press("Purchases · CSV")
    name, content = ada.last_document()
    assert name == "jifen-purchases-2026-02-19_2026-03-20.csv"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "ID" and len(rows) == 1 + len(purchases)
    assert "rows" in ada.last_text

    await ada.press("Ledger · XLSX")
    name, content = ada.last_document()
    assert name == "jifen-ledger-2026-02-19_2026-03-20.xlsx"
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    assert sum(1 for _ in sheet.iter_rows()) == 1 + len(_within(period, data.entries, 9))

    await ada.press("Back")
    await ada.press("Segments (RFM)")
    counts = await segments.segment_counts()
    shown = next(m.visible_text for m in reversed(ada.messages) if "Member segments" in m)
    assert f"At risk: {counts[segments.Segment.AT_RISK]}" in shown
    name, content = ada.last_document()
    assert name == "jifen-segments-2026-03-20.csv"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 1 + sum(counts.values())

    await ada.press("At-risk members")
    assert f"At-risk members: {await segments.at_risk_members().count()}" in ada.last_text
    assert "/broadcast" in ada.last_text


async def test_marketer_may_report_members_and_cashiers_may_not(rig: Rig) -> None:
    await staff.grant_role(2001, Role.MARKETER, granted_by=ADMIN_ID)
    await staff.grant_role(2002, Role.STAFF, granted_by=ADMIN_ID)
    mia = rig.member(2001, "Mia")
    await mia.send("/report today")
    assert "What next?" in mia.last_text
    for player in (rig.member(2002, "Cal"), rig.member(2003, "Bob")):
        before = len(player.messages)
        await player.send("/report")
        assert "only for marketers" in player.last_text
        assert len(player.messages) == before + 1


async def test_bad_period_is_explained(rig: Rig) -> None:
    ada = rig.admin()
    await ada.send("/report fortnight")
    assert "I don't understand the period “fortnight”" in ada.last_text
    await ada.send("/report 2026-03-10..2026-03-01")
    assert "I don't understand the period" in ada.last_text


async def test_export_button_of_a_forgotten_location_has_expired(rig: Rig) -> None:
    ada = rig.admin()
    await ada.send("/report today north")
    await ada.press("Export ▸")
    await ChatFlow.all().delete()  # the flow state that remembered "north" is gone
    await ada.press("Members · CSV")
    assert "expired" in (ada.last_toast or "")


async def test_weekly_report_is_queued_once_per_person_and_week(
    rig: Rig, data: dataset.Chunk
) -> None:
    ada = rig.admin()
    await ada.send("/report weekly on")
    assert "weekly report" in ada.last_text
    row = await StaffRole.get(telegram_id=ADMIN_ID)
    assert row.weekly_report and not row.active  # the flag only: grants nothing
    await staff.grant_role(2001, Role.MARKETER, granted_by=ADMIN_ID)
    mia = rig.member(2001, "Mia", language_code="zh-hans")
    await mia.send("/report weekly on")
    await staff.grant_role(2002, Role.STAFF, granted_by=ADMIN_ID)
    await StaffRole.filter(telegram_id=2002).update(weekly_report=True)  # not a report role

    first = await Jobs(rig.settings).run_periodic("weekly-report")
    second = await weekly.queue_weekly_reports(clock.now())
    assert first.result["queued"] == 2  # type: ignore[union-attr]
    assert (second.queued, second.already) == (0, 2)
    rows = await OutboxMessage.filter(template="reports-weekly").order_by("chat_id")
    assert [r.dedupe_key for r in rows] == ["weekly:2001:2026-W12", f"weekly:{ADMIN_ID}:2026-W12"]
    week = Period.of_days(
        dataset.NOW.date().replace(day=13),
        dataset.NOW.date().replace(day=19),
        periods.zone(rig.settings.scheduler.timezone),  # type: ignore[arg-type]
    )
    assert week.label in (await ada.wait_for_text("Your weekly report")).visible_text
    await mia.wait_for_text("每周报表")

    await ada.send("/report weekly off")
    assert "off" in ada.last_text
    assert (await weekly.queue_weekly_reports(clock.now())).queued == 0


async def test_bound_hook_ignores_config_admins_no_longer_configured(rig: Rig) -> None:
    ada = rig.admin()
    await ada.send("/report weekly on")
    assert (await weekly.hook("UTC", [])(clock.now())).queued == 0
    assert (await weekly.hook("UTC", [ADMIN_ID])(clock.now())).queued == 1


async def test_chinese_report_and_localized_filename(rig: Rig) -> None:
    li = rig.admin("Li", language_code="zh-hans")
    await rig.member(1001, "Ann").send("/start")
    await li.send("/report today")
    assert "报表" in li.messages[0].visible_text
    await li.press("导出 ▸")
    await li.press("会员 · XLSX")
    name, content = li.last_document()
    today = clock.now().astimezone(periods.zone(rig.settings.scheduler.timezone)).date()
    assert name == f"jifen-会员-{today}_{today}.xlsx"
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()] if sheet else []
    assert len(rows) == 2 and "Ann" in rows[1]  # header + Ann: the admin is staff, no member
