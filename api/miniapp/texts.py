"""The page's fixed sentences, served as JSON so every word still comes from locales/.

Sentences with numbers in them (balance, quote, receipt, errors) are rendered by the
endpoints that return them; these are the labels the page shows around them.
"""

from __future__ import annotations

from functools import cache

from locales import translator

PAGE_KEYS = (
    "miniapp-console-entry",
    "miniapp-title",
    "miniapp-loading",
    "miniapp-open-in-telegram",
    "miniapp-tab-card",
    "miniapp-tab-rewards",
    "miniapp-tab-vouchers",
    "miniapp-tab-history",
    "miniapp-tab-scan",
    "miniapp-card-code",
    "miniapp-card-hint",
    "miniapp-points",
    "miniapp-recent",
    "miniapp-history-empty",
    "miniapp-history-more",
    "miniapp-rewards-empty",
    "miniapp-reward-redeem",
    "miniapp-reward-confirm",
    "miniapp-reward-locked",
    "miniapp-reward-out",
    "miniapp-vouchers-empty",
    "miniapp-vouchers-past",
    "miniapp-voucher-show",
    "miniapp-voucher-status-issued",
    "miniapp-voucher-status-redeemed",
    "miniapp-voucher-status-expired",
    "miniapp-voucher-status-voided",
    "miniapp-not-member",
    "miniapp-staff-title",
    "miniapp-scan-button",
    "miniapp-scan-prompt",
    "miniapp-scan-unsupported",
    "miniapp-scan-type-label",
    "miniapp-scan-type-go",
    "miniapp-scan-photo",
    "miniapp-scan-another",
    "miniapp-amount-label",
    "miniapp-amount-invalid",
    "miniapp-category-label",
    "miniapp-category-none",
    "miniapp-next",
    "miniapp-confirm",
    "miniapp-cancel",
    "miniapp-done",
    "miniapp-voucher-confirm",
    "miniapp-error-network",
)


@cache
def page_texts(language: str) -> dict[str, str]:
    """``{key without "miniapp-": sentence}`` in ``language``."""
    say = translator(language)
    return {key.removeprefix("miniapp-"): say(key) for key in PAGE_KEYS}
