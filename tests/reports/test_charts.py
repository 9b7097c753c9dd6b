"""Charts are phone-sized PNGs in both languages, with or without a CJK font."""

from __future__ import annotations

import logging
import struct

import pytest

from handlers import charts
from models.ledger.config import Currency
from models.reports import series, summary
from models.reports.periods import Period, parse_period
from tests.reports import dataset
from tests.reports.conftest import TIERS, translator


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
async def test_charts_render_in_both_languages(sqlite_data: dataset.Chunk, language: str) -> None:
    period = parse_period("30d", "Asia/Shanghai")
    assert isinstance(period, Period)
    t = translator(language)
    report = await summary.summary(period, point_value_minor=summary.Decimal(1), tiers=TIERS)
    images = [
        await charts.issued_vs_redeemed_chart(await series.points_series(period), t),
        await charts.members_by_tier_chart(report.tiers, t, language=language),
        await charts.sales_per_day_chart(await series.sales_series(period), t, currency=Currency()),
    ]
    for image in images:
        assert png_size(image) == (1080, 1350)
        assert len(image) > 20_000


def test_missing_cjk_font_degrades_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(charts, "CJK_FONT_FILES", ())
    monkeypatch.setattr(charts, "CJK_FAMILY_HINTS", ("No Such Font Family",))
    monkeypatch.delenv("JIFEN_CJK_FONT", raising=False)
    with caplog.at_level(logging.WARNING, logger="handlers.charts"):
        assert charts.cjk_font.__wrapped__() is None
    assert "fonts-wqy-microhei" in caplog.text
