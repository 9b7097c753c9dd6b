"""``jifen import members``: bad rows refused with their line, dry runs, re-runs, balances."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from models import importing
from models.importing import ImportReport
from models.ledger import doctor
from models.members import membership, privacy
from models.reports import rollup
from models.store import clock
from models.store.tables import (
    AuditLog,
    EntryKind,
    LedgerEntry,
    Member,
    PointLot,
    ReportDay,
    TierChange,
)
from tests.store.helpers import rules

NOW = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)
HEADER = "external_id,phone,name,language,birthday,tier,points,points_expire_on,joined_on"


def write(path: Path, lines: Iterable[str], *, bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


async def run(path: Path, *, dry_run: bool = False, **kwargs: Any) -> ImportReport:
    return await importing.import_members(
        path,
        rules=rules(),
        default_country="CN",
        timezone="Asia/Shanghai",
        now=NOW,
        dry_run=dry_run,
        **kwargs,
    )


async def snapshot() -> dict[str, Any]:
    """Everything an import could write, row by row."""
    return {
        "members": await Member.all().order_by("id").values(),
        "entries": await LedgerEntry.all().order_by("id").values(),
        "lots": await PointLot.all().order_by("id").values(),
        "tiers": await TierChange.all().count(),
        "audit": await AuditLog.all().count(),
    }


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(NOW)


async def test_every_bad_row_kind_is_refused_with_its_line(store: str, tmp_path: Path) -> None:
    linked = await membership.set_phone(
        (await membership.ensure_member(77, first_name="Tg"))[0].id, "+86 139 0000 0000"
    )
    path = write(
        tmp_path / "old.csv",
        [
            HEADER,
            "G1,138 0013 8000,Alice,zh-Hans,1990-02-03,gold,500,,2020-01-01",  # 2 good
            ",13800138001,NoId,,,,,,",  # 3
            "B4,12345,BadPhone,,,,,,",  # 4
            "B5,,BadLang,fr,,,,,",  # 5
            "B6,,BadBirthday,,2099-01-01,,,,",  # 6
            "B7,,BadTier,,,platinum,,,",  # 7
            "B8,,NegPoints,,,,-5,,",  # 8
            "B9,,FloatPoints,,,,1.5,,",  # 9
            "B10,,Expired,,,,100,2001-01-01,",  # 10
            "B11,,BadExpiry,,,,100,31/12/2030,",  # 11
            "B12,,Future,,,,,,2099-01-01",  # 12
            "D13,13800138002,DupPhone,,,,,,",  # 13
            "D14,+8613800138002,DupPhone,,,,,,",  # 14
            "D15,,DupId,,,,,,",  # 15
            "D15,,DupIdOtherName,,,,,,",  # 16
            "B17,13900000000,TakenByTelegram,,,,,,",  # 17
            "B18,,TooMany,,,,,,,extra",  # 18
            "G19,,,,,,,,",  # 19 good: only an id
            "",  # blank lines are skipped
            "B21," + "x" * 129 + ",,,,,,,",  # 21: phone too long
        ],
    )
    assert linked == "+8613900000000"
    before = await snapshot()
    dry = await run(path, dry_run=True)
    assert await snapshot() == before and not importing.rejected_path(path).exists()
    report = await run(path)
    codes = {r.line: r.code for r in report.rejections}
    assert codes == {
        3: "missing_external_id",
        4: "invalid_phone",
        5: "invalid_language",
        6: "invalid_birthday",
        7: "unknown_tier",
        8: "invalid_points",
        9: "invalid_points",
        10: "points_expired",
        11: "invalid_points_expire_on",
        12: "invalid_joined_on",
        13: "duplicate_phone",
        14: "duplicate_phone",
        15: "duplicate_external_id",
        16: "duplicate_external_id",
        17: "phone_taken",
        18: "too_many_cells",
        21: "invalid_phone",
    }
    assert [(r.line, r.code) for r in dry.rejections] == [
        (r.line, r.code) for r in report.rejections
    ]
    assert "Telegram" in next(r.message for r in report.rejections if r.line == 17)
    assert report.exit_code == 1 and report.outcome.created == 2
    with importing.rejected_path(path).open(encoding="utf-8") as f:
        rejected = list(csv.DictReader(f))
    assert [int(r["line"]) for r in rejected] == sorted(codes)
    assert rejected[1]["name"] == "BadPhone" and rejected[1]["error_code"] == "invalid_phone"
    alice = await Member.get(external_id="G1")
    assert (alice.phone, alice.first_name, alice.language) == ("+8613800138000", "Alice", "zh-Hans")
    assert alice.birthday == date(1990, 2, 3) and alice.tier == "gold" and alice.balance == 500
    assert alice.telegram_id is None
    assert alice.created_at == datetime(2019, 12, 31, 16, 0, tzinfo=UTC)  # Shanghai midnight
    assert await TierChange.filter(member_id=alice.id, to_tier="gold", reason="import").exists()
    entry = await LedgerEntry.get(member_id=alice.id)
    assert entry.kind == EntryKind.OPENING and entry.points == 500 and entry.channel == "import"
    assert entry.breakdown == {"source": "old.csv"}
    lot = await PointLot.get(member_id=alice.id)
    assert lot.remaining == 500 and lot.expires_at == datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    assert await doctor.check() == []


async def test_rerun_changes_nothing_and_updates_are_audited(store: str, tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.csv",
        [HEADER, "A1,13800138000,Alice,en,,,300,2030-12-31,", "A2,,Bob,,,,,,"],
        bom=True,
    )
    first = await run(path)
    assert first.exit_code == 0 and first.outcome.created == 2
    assert first.outcome.opening_points == 300 and not importing.rejected_path(path).exists()
    lot = await PointLot.get()
    assert lot.expires_at == datetime(2030, 12, 30, 16, 0, tzinfo=UTC)  # local midnight
    before = await snapshot()
    again = await run(path)
    assert again.outcome.unchanged == 2 and again.outcome.created == 0
    assert await snapshot() == before

    # a changed profile is updated and audited; the opening balance stays granted once
    write(path, [HEADER, "A1,13800138009,Alicia,zh-Hans,,gold,300,,", "A2,,Bob,,,,50,,"])
    changed = await run(path)
    assert changed.outcome.updated == 1 and changed.outcome.opening_members == 1
    alice = await Member.get(external_id="A1")
    assert (alice.phone, alice.first_name, alice.tier) == ("+8613800138009", "Alicia", "gold")
    assert alice.balance == 300
    bob = await Member.get(external_id="A2")
    assert bob.balance == 50  # an existing member without an opening gets it, through the ledger
    log = await AuditLog.get(action="member.import.update")
    assert log.target == f"member:{alice.id}"
    assert log.details["fields"] == ["first_name", "language", "phone", "tier"]

    write(path, [HEADER, "A1,,,,,,999,,"])
    differs = await run(path)
    assert [r.code for r in differs.rejections] == ["opening_differs"]
    assert (await Member.get(external_id="A1")).balance == 300
    assert await LedgerEntry.filter(kind=EntryKind.OPENING).count() == 2
    assert await doctor.check() == []


async def test_deleted_member_and_phone_of_another_import(store: str, tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", [HEADER, "A1,13800138000,,,,,,,", "A2,,,,,,,,"])
    await run(path)
    await privacy.delete_account((await Member.get(external_id="A2")).id, actor_telegram_id=None)
    write(path, [HEADER, "A2,,,,,,,,", "A3,13800138000,,,,,,,"])
    report = await run(path)
    assert [(r.line, r.code) for r in report.rejections] == [
        (2, "member_deleted"),
        (3, "phone_taken"),
    ]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"external_id,nickname,colour\nA1,x,y\n", "unknown_columns"),
        (b"phone\n13800138000\n", "missing_column"),
        (b"external_id,external_id\nA,B\n", "duplicate_columns"),
        (b"external_id,name,\nA,B,\n", "unknown_columns"),
        (b"external_id,name\nA1,\xff\xfe\n", "unknown_encoding"),
    ],
)
async def test_unreadable_files(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(importing.FileError) as raised:
        await run(path, strict=True)
    assert raised.value.code == code
    with pytest.raises(importing.FileError) as missing:
        await run(tmp_path / "nope.csv")
    assert missing.value.code == "not_found"


async def test_xlsx(sqlite_store: str, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["X1", 13800138000, "Xia", "zh-Hans", datetime(1991, 5, 6), "", 120, None, None])
    sheet.append(["X2", "", "", "de", None, None, None, None, None])
    book.save(tmp_path / "m.xlsx")
    report = await run(tmp_path / "m.xlsx")
    assert [(r.line, r.code) for r in report.rejections] == [(3, "invalid_language")]
    member = await Member.get(external_id="X1")
    assert member.phone == "+8613800138000" and member.birthday == date(1991, 5, 6)
    assert member.balance == 120


async def test_round_trip_2000_rows(store: str, tmp_path: Path) -> None:
    lines = [HEADER]
    for i in range(2000):
        tier = "gold" if i % 10 == 0 else ""
        lines.append(f"R{i},+86138{i:08d},Name {i},en,1980-01-01,{tier},{i % 7 * 100},,")
    path = write(tmp_path / "big.csv", lines)
    seen: list[int] = []
    report = await run(path, progress=seen.append, batch_size=300)
    assert report.exit_code == 0 and report.outcome.created == 2000 and sum(seen) == 2000
    assert await Member.filter(external_id__startswith="R").count() == 2000
    total = sum(i % 7 * 100 for i in range(2000))
    assert report.outcome.opening_points == total
    assert sum(m.balance for m in await Member.all()) == total
    assert await TierChange.filter(reason="import").count() == 200
    assert await doctor.check() == []
    before = await snapshot()
    assert (await run(path)).outcome.unchanged == 2000
    assert await snapshot() == before


async def test_interrupted_import_finishes_on_the_next_run(store: str, tmp_path: Path) -> None:
    """A crash between batches leaves whole batches; running the file again completes it."""
    path = write(tmp_path / "m.csv", [HEADER, *(f"I{i},,,,,,{i + 1},," for i in range(25))])

    class Crash(Exception):
        pass

    def crash_after_first_batch(done: int) -> None:
        raise Crash

    with pytest.raises(Crash):
        await run(path, progress=crash_after_first_batch, batch_size=10)
    assert await Member.all().count() == 10
    assert await doctor.check() == []
    report = await run(path, batch_size=10)
    assert (report.outcome.created, report.outcome.unchanged) == (15, 10)
    assert await LedgerEntry.filter(kind=EntryKind.OPENING).count() == 25
    assert sum(m.balance for m in await Member.all()) == sum(range(1, 26))
    assert await doctor.check() == []


def test_cli_exit_codes_and_dry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """0 when every row is good, 1 when some were rejected, 2 when the file is unreadable."""
    from bot import cli

    monkeypatch.setenv("JIFEN_DATABASE__URL", f"sqlite://{tmp_path}/cli.sqlite3")
    good = write(tmp_path / "good.csv", [HEADER, "C1,13800138000,Cai,,,,40,,"])
    mixed = write(tmp_path / "mixed.csv", [HEADER, "C2,,,,,,,,", "C3,,,xx,,,,,"])
    unknown = write(tmp_path / "cols.csv", ["external_id,nickname", "C4,x"])
    assert cli.main(["import", "members", str(mixed), "--dry-run"]) == 1
    assert not importing.rejected_path(mixed).exists()
    assert cli.main(["import", "members", str(good)]) == 0
    assert cli.main(["import", "members", str(mixed)]) == 1
    out = capsys.readouterr().out
    assert "line 3: invalid_language" in out and "rejected rows written to" in out
    assert importing.rejected_path(mixed).exists()
    assert cli.main(["import", "members", str(unknown), "--strict"]) == 2
    assert "unknown_columns: unknown column(s): nickname" in capsys.readouterr().err
    assert cli.main(["import", "members", str(unknown)]) == 0  # ignored, with a warning
    assert "warning: column(s) ignored: nickname (known: external_id," in capsys.readouterr().err
    assert cli.main(["import", "members", str(tmp_path / "missing.csv")]) == 2
    assert cli.main(["doctor"]) == 0


async def test_an_import_drops_the_kept_report_days(store: str, tmp_path: Path) -> None:
    """Imported members join and hold points on days a report may have kept: it drops them
    (in the import's own transaction), so the next report reads them again."""
    shanghai = ZoneInfo("Asia/Shanghai")
    last = rollup.last_closed_day(shanghai)
    await rollup.days(last - timedelta(days=6), last, shanghai)
    assert await ReportDay.all().count() == 7
    report = await run(write(tmp_path / "m.csv", [HEADER, "A1,,Alice,en,,,300,,2025-05-20"]))
    assert report.exit_code == 0 and report.outcome.created == 1
    assert await ReportDay.all().count() == 0
