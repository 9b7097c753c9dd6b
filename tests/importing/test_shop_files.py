"""Files as shops export them: GBK CSVs from Chinese Excel, extra columns, every problem of
a row at once, dates as people type them, repeated rows, foreign phone numbers, and the
rejected-rows file corrected and imported as it is."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from models import importing
from models.store import clock
from models.store.tables import Member
from tests.importing.test_import import HEADER, NOW, run


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(NOW)


@pytest.mark.parametrize(
    ("encoding", "bom"), [("gbk", False), ("gb18030", False), ("utf-8", True), ("utf-8", False)]
)
async def test_chinese_excel_encodings(
    store: str, tmp_path: Path, encoding: str, bom: bool
) -> None:
    text = "external_id,name\nC1,张三\nC2,李四·王五\nC3,欧阳娜娜\n"
    path = tmp_path / "会员.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    report = await run(path)
    assert report.exit_code == 0 and report.outcome.created == 3
    names = await Member.all().order_by("external_id").values_list("first_name", flat=True)
    assert names == ["张三", "李四·王五", "欧阳娜娜"]


async def test_an_encoding_that_cannot_be_told_says_what_was_tried(tmp_path: Path) -> None:
    path = tmp_path / "mystery.csv"
    path.write_bytes("external_id,name\nA1,Café Müller Ærø\n".encode("latin-1"))
    with pytest.raises(importing.FileError) as refused:
        await run(path)
    assert refused.value.code == "unknown_encoding"
    assert "UTF-8" in refused.value.message and "GB18030" in refused.value.message
    assert "CSV UTF-8" in refused.value.message and "byte" not in refused.value.message


async def test_unknown_columns_are_ignored_with_a_warning(store: str, tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text("external_id,name,会员等级,colour\nA1,Ann,金卡,red\n", encoding="utf-8")
    report = await run(path)
    assert report.ignored_columns == ("会员等级", "colour")
    assert report.exit_code == 0 and await Member.filter(external_id="A1").exists()
    with pytest.raises(importing.FileError) as refused:
        await run(path, strict=True)
    assert refused.value.code == "unknown_columns"
    assert "会员等级, colour; known: external_id, phone, name" in refused.value.message


async def test_the_rejected_file_is_corrected_and_imported_as_it_is(
    store: str, tmp_path: Path
) -> None:
    path = tmp_path / "old.csv"
    path.write_text(f"{HEADER}\nR1,,Rita,fr,,,,,\nR2,,Ron,,,,,,\n", encoding="utf-8")
    report = await run(path)
    assert [r.line for r in report.rejections] == [2]
    rejected = importing.rejected_path(path)
    assert rejected.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel shows Chinese right
    with rejected.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][-3:] == ["line", "error_code", "error"]
    rows[1][rows[0].index("language")] = "zh-Hans"  # the correction, made in a spreadsheet
    with rejected.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    again = await run(rejected, strict=True)  # its own extra columns are not "unknown"
    assert again.exit_code == 0 and again.ignored_columns == ()
    assert (await Member.get(external_id="R1")).language == "zh-Hans"


async def test_every_problem_of_a_row_is_reported(store: str, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text(f"{HEADER}\nP1,12345,Pat,fr,1985-02-29,platinum,-1,,\n", encoding="utf-8")
    report = await run(path)
    (rejection,) = report.rejections
    assert rejection.code == (
        "invalid_phone,invalid_language,invalid_birthday,unknown_tier,invalid_points"
    )
    assert "1985-02-29 is not a date that exists" in rejection.message
    assert rejection.message.count("; ") == 4


@pytest.mark.parametrize("typed", ["1990/3/7", "1990-03-07", "1990.3.7"])
async def test_dates_in_the_forms_the_bot_reads(store: str, tmp_path: Path, typed: str) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(f"{HEADER}\nD1,,Dee,,{typed},,,,{typed}\n", encoding="utf-8")
    report = await run(path)
    assert report.exit_code == 0, report.rejections
    dee = await Member.get(external_id="D1")
    assert dee.birthday == date(1990, 3, 7)


async def test_a_date_that_does_not_exist_says_so(store: str, tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(f"{HEADER}\nD2,,,,,,,,2023.2.29\nD3,,,,,,,,１９９０-03-07\n", "utf-8")
    report = await run(path)
    assert [(r.line, r.code) for r in report.rejections] == [
        (2, "invalid_joined_on"),
        (3, "invalid_joined_on"),
    ]
    assert "2023.2.29 is not a date that exists" in report.rejections[0].message


async def test_an_exact_repeat_is_imported_once(store: str, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(f"{HEADER}\nT1,,Tom,,,,10,,\nT1,,Tom,,,,10,,\nT2,,Tia,,,,,,\n", "utf-8")
    report = await run(path)
    assert report.exit_code == 0 and report.repeated == ((3, 2),)
    assert (await Member.get(external_id="T1")).balance == 10


async def test_a_phone_with_its_own_country_code_is_judged_by_that_country(
    store: str, tmp_path: Path
) -> None:
    path = tmp_path / "abroad.csv"
    path.write_text(
        f"{HEADER}\nF1,+44 20 7946 0958,Fay,,,,,,\nF2,+44 12,Fin,,,,,,\nF3,12345,Fu,,,,,,\n",
        encoding="utf-8",
    )
    report = await run(path)
    assert (await Member.get(external_id="F1")).phone == "+442079460958"
    messages = {r.line: r.message for r in report.rejections}
    assert messages[3] == "not a valid phone number: '+44 12'"
    assert messages[4] == "not a valid phone number for CN: '12345'"
