"""The summary as a message: Fluent arguments in the reader's language."""

from __future__ import annotations

from decimal import Decimal

import locales
from models.ledger.config import Currency
from models.reports.summary import Figure, Report


def format_money(minor: int, currency: Currency) -> str:
    """``¥1,234.50``: symbol, thousands separators, the currency's minor digits."""
    return locales.money(minor, currency.symbol, currency.exponent)


def _change(figure: Figure) -> str:
    """`` (+12%)`` after a figure, or nothing (no stray space) when there is no basis."""
    pct = figure.change_percent
    if pct is None:
        return ""
    return f" ({pct:+d}%)"


def _percent(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"


def _name(names: dict[str, str], language: str, fallback: str) -> str:
    return names.get(language) or names.get("en") or next(iter(names.values()), fallback)


def summary_message(
    report: Report, *, currency: Currency, language: str
) -> tuple[str, dict[str, str | int]]:
    """The locale key and arguments of the ``/report`` text: the handler only renders it.

    Counts are Fluent numbers; money, percentages and the list lines (tiers, rewards,
    members, campaigns) are preformatted, language-neutral strings (names come from data).
    """

    def money(minor: int) -> str:
        return format_money(minor, currency)

    args: dict[str, str | int] = {
        "period": report.period.label,
        "location": report.location or "",
        "has_location": "yes" if report.location else "no",
    }
    counts = {
        "new_members": report.new_members,
        "active_members": report.active_members,
        "purchases": report.purchases,
        "points_issued": report.points_issued,
        "points_redeemed": report.points_redeemed,
        "points_expired": report.points_expired,
        "points_adjusted": report.points_adjusted,
        "liability_points": report.liability_points,
    }
    for key, figure in counts.items():
        args[key] = figure.current
        args[f"{key}_change"] = _change(figure)
    for key, figure in {
        "sales": report.sales_minor,
        "refunded": report.refunded_minor,
        "average_ticket": report.average_ticket_minor,
        "liability_money": report.liability_minor,
    }.items():
        args[key] = money(figure.current)
        args[f"{key}_change"] = _change(figure)
    args["redemption_rate"] = _percent(report.redemption_rate.current)
    args["breakage"] = _percent(report.breakage.current)
    args["tiers"] = " · ".join(
        f"{_name(t.names, language, t.key)} {t.count.current}" for t in report.tiers
    )
    args["top_rewards"] = (
        "\n".join(
            f"{i}. {_name(r.names, language, str(r.reward_id or '?'))} × {r.vouchers.current}"
            for i, r in enumerate(report.top_rewards, 1)
        )
        or "—"
    )
    args["top_members"] = (
        "\n".join(
            f"{i}. {m.name} ({m.code}) {money(m.spend_minor)}"
            for i, m in enumerate(report.top_members, 1)
        )
        or "—"
    )
    args["campaigns"] = (
        "\n".join(
            f"• {_name(c.names, language, str(c.campaign_id))}: "
            f"{money(c.sales_minor.previous)} → {money(c.sales_minor.current)}"
            f"{_change(c.sales_minor)}"
            for c in report.campaigns
        )
        or "—"
    )
    return "reports-summary", args
