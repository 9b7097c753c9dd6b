"""Report charts as PNG bytes, sized and lettered to be read on a phone.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global figure state),
in a worker thread (``asyncio.to_thread``) because a render takes a few hundred
milliseconds. Labels are translated before the thread starts, through the translator
``t(key, **args)`` the caller passes. Chinese needs a CJK font: :func:`cjk_font` looks
for one (``JIFEN_CJK_FONT``, then Debian's ``fonts-wqy-microhei`` / ``fonts-noto-cjk``,
then any installed font with a CJK family name) and adds it as a fallback behind
DejaVu Sans; without one the charts still render, with a warning in the log, and Chinese
glyphs show as boxes.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import threading
from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from models.codes.fonts import CJK_FONT_FILES
from models.ledger.config import Currency
from models.reports.series import DayPoints, DaySales
from models.reports.summary import TierCount

log = logging.getLogger(__name__)

Translator = Callable[..., str]

SIZE_INCHES = (8, 8 * 1350 / 1080)
"""1080×1350 px at :data:`DPI`: a portrait picture that fills a phone's width."""
DPI = 135
COLORS = {"issued": "#2e7d32", "redeemed": "#1565c0", "expired": "#c62828", "bar": "#546e7a"}
CAMPAIGN_COLOR = "#f9a825"

CJK_FAMILY_HINTS = (
    "WenQuanYi",
    "Noto Sans CJK",
    "Noto Sans SC",
    "Source Han",
    "Droid Sans Fallback",
)

_setup_lock = threading.Lock()


@cache
def cjk_font() -> str | None:
    """The family name of a usable CJK font, registered with matplotlib; ``None`` if absent."""
    candidates = [os.environ.get("JIFEN_CJK_FONT", ""), *CJK_FONT_FILES]
    for path in candidates:
        if path and Path(path).is_file():
            try:
                font_manager.fontManager.addfont(path)
                return font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError, ValueError) as exc:  # a broken font file
                log.warning("cannot load CJK font %s: %s", path, exc)
    for entry in font_manager.fontManager.ttflist:
        if any(hint in entry.name for hint in CJK_FAMILY_HINTS):
            return entry.name
    log.warning(
        "no CJK font found (install Debian's fonts-wqy-microhei or set JIFEN_CJK_FONT);"
        " Chinese chart labels will show as boxes"
    )
    return None


def _setup() -> None:
    with _setup_lock:
        family = ["DejaVu Sans"]
        cjk = cjk_font()
        if cjk:
            family.append(cjk)
        matplotlib.rcParams.update(
            {
                "font.family": family,
                # Read on a phone, often as an album thumbnail: a third of the screen's
                # width, so letters are large and ticks few.
                "font.size": 24,
                "axes.titlesize": 34,
                "axes.titleweight": "bold",
                "axes.labelsize": 26,
                "xtick.labelsize": 22,
                "ytick.labelsize": 22,
                "legend.fontsize": 22,
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        )


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _thousands(value: float, _pos: object = None) -> str:
    return f"{value:,.0f}"


def _day_labels(days: Sequence[date]) -> list[str]:
    return [d.strftime("%m-%d") for d in days]


def _date_axis(ax: object, days: Sequence[date]) -> None:
    positions = list(range(len(days)))
    step = max(1, -(-len(days) // 6))  # at most six dates under the axis
    ax.set_xticks(positions[::step])  # type: ignore[attr-defined]
    ax.set_xticklabels(_day_labels(days)[::step], rotation=45, ha="right")  # type: ignore[attr-defined]


def _draw_points(series: Sequence[DayPoints], labels: dict[str, str]) -> bytes:
    _setup()
    fig = Figure(figsize=SIZE_INCHES, layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(series)))
    keys = ("issued", "redeemed", "expired")
    for i, key in enumerate(keys):
        values = [getattr(p, key) for p in series]
        if len(series) == 1:  # one day is a bar each: a line of one point is a lone dot
            width = 0.25
            ax.bar([(i - 1) * width], values, width, color=COLORS[key], label=labels[key])
            continue
        ax.plot(
            x, values, marker="o", markersize=8, linewidth=4, color=COLORS[key], label=labels[key]
        )
        ax.fill_between(x, values, alpha=0.08, color=COLORS[key])
    ax.set_title(labels["title"])
    ax.set_ylabel(labels["axis"])
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_ylim(bottom=0)
    _date_axis(ax, [p.day for p in series])
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left")
    return _png(fig)


def _draw_tiers(rows: Sequence[tuple[str, int]], labels: dict[str, str]) -> bytes:
    _setup()
    fig = Figure(figsize=SIZE_INCHES, layout="constrained")
    ax = fig.add_subplot()
    names, counts = [r[0] for r in rows], [r[1] for r in rows]
    bars = ax.barh(names, counts, color=COLORS["bar"])
    ax.bar_label(bars, labels=[f"{c:,}" for c in counts], padding=8, fontsize=26)
    ax.invert_yaxis()
    ax.set_title(labels["title"])
    ax.set_xlabel(labels["axis"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.margins(x=0.15)
    return _png(fig)


def _draw_sales(series: Sequence[DaySales], labels: dict[str, str], exponent: int) -> bytes:
    _setup()
    fig = Figure(figsize=SIZE_INCHES, layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(series)))
    amounts = [s.sales_minor / 10**exponent for s in series]
    colors = [CAMPAIGN_COLOR if s.campaign else COLORS["bar"] for s in series]
    ax.bar(x, amounts, color=colors)
    if any(s.campaign for s in series):
        from matplotlib.patches import Patch

        ax.legend(
            handles=[
                Patch(color=COLORS["bar"], label=labels["regular"]),
                Patch(color=CAMPAIGN_COLOR, label=labels["campaign"]),
            ],
            loc="upper left",
        )
    ax.set_title(labels["title"])
    ax.set_ylabel(labels["axis"])
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    _date_axis(ax, [s.day for s in series])
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


async def issued_vs_redeemed_chart(series: Sequence[DayPoints], t: Translator) -> bytes:
    """Points issued, redeemed and expired per day (from ``reports.points_series``)."""
    labels = {
        "title": t("reports-chart-points-title"),
        "axis": t("reports-chart-points-axis"),
        "issued": t("reports-chart-issued"),
        "redeemed": t("reports-chart-redeemed"),
        "expired": t("reports-chart-expired"),
    }
    return await asyncio.to_thread(_draw_points, list(series), labels)


async def members_by_tier_chart(
    tiers: Sequence[TierCount], t: Translator, *, language: str
) -> bytes:
    """Members per tier at the period's end (``Report.tiers``), names in ``language``."""
    rows = [
        (tier.names.get(language) or tier.names.get("en") or tier.key, tier.count.current)
        for tier in tiers
    ]
    labels = {"title": t("reports-chart-tiers-title"), "axis": t("reports-chart-members-axis")}
    return await asyncio.to_thread(_draw_tiers, rows, labels)


async def sales_per_day_chart(
    series: Sequence[DaySales], t: Translator, *, currency: Currency
) -> bytes:
    """Sales per day (``reports.sales_series``), campaign days in another colour."""
    labels = {
        "title": t("reports-chart-sales-title"),
        "axis": t("reports-chart-sales-axis", currency=currency.symbol),
        "regular": t("reports-chart-regular-day"),
        "campaign": t("reports-chart-campaign-day"),
    }
    return await asyncio.to_thread(_draw_sales, list(series), labels, currency.exponent)
