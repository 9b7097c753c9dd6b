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


@pytest.mark.parametrize("days", [1, 3])
def test_a_one_day_points_chart_is_bars_not_a_lone_dot(
    monkeypatch: pytest.MonkeyPatch, days: int
) -> None:
    from datetime import date, timedelta

    drawn: list = []
    monkeypatch.setattr(charts, "_png", lambda fig: drawn.append(fig) or b"")
    points = [
        series.DayPoints(date(2026, 3, 1) + timedelta(days=i), 1200, 300, 50) for i in range(days)
    ]
    labels = {k: k for k in ("title", "axis", "issued", "redeemed", "expired")}
    charts._draw_points(points, labels)
    ax = drawn[0].axes[0]
    if days == 1:
        assert len(ax.patches) == 3 and not ax.lines  # a bar for each of the three
        assert sorted(p.get_height() for p in ax.patches) == [50, 300, 1200]
    else:
        assert len(ax.lines) == 3
