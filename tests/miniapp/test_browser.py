"""The Mini App in real (headless) Chromium through the sandbox's phone panels.

Alice opens the Mini App and sees her balance; the cashier opens the scanner, "scans"
Alice's card by clicking its QR in her panel, types ¥128.50 on the keypad, confirms; the
receipt arrives in Alice's chat on the sandbox page, and her card shows the new balance.
Then she redeems a reward in the Mini App and the cashier scans the voucher's QR in her
panel and redeems it; her chat is told it was used.
The screenshot lands in ``test-artifacts/miniapp.png``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from models.members import membership
from models.store import clock
from models.store.tables import Reward
from tests.sandbox.conftest import sandbox_settings
from tests.sandbox.test_browser import _Page, chromium, in_chromium

__all__ = ["chromium"]
ALICE, CASHIER = 1002, 2001


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(sandbox_settings(tmp_path), port=0, fresh_store=True) as running:
        yield running


async def test_cashier_scans_a_card_in_the_mini_app(chromium: None, box: Sandbox) -> None:
    await membership.ensure_member(ALICE, first_name="Alice", last_name="Smith")
    names = {"en": "Free coffee", "zh-Hans": "免费咖啡"}
    await Reward.create(names=names, kind="gift", cost_points=100, created_at=clock.now())
    await asyncio.to_thread(_play, box)


def _play(box: Sandbox) -> None:
    in_chromium(lambda driver: _scenario(_Phones(driver), box), "miniapp.png")


def _scenario(phones: _Phones, box: Sandbox) -> None:
    phones.open(f"{box.miniapp_url}?left={ALICE}&right={CASHIER}")
    assert phones.text(0, "#balance") == "0"  # Alice sees her balance
    assert phones.text(1, "h1") == "Till"  # the cashier's panel opens on the scanner

    phones.click(1, "#scan-button")  # showScanQrPopup: the page waits for a QR click
    phones.wait_overlay(shown=True)
    phones.click(0, "#card-qr")  # "scan" Alice's card in her panel
    phones.wait_overlay(shown=False)
    assert phones.text(1, "#scanned-name") == "Alice Smith"
    for key in "128.50":
        phones.click(1, f'[data-key="{key}"]')
    assert phones.text(1, "#amount").endswith("128.50")
    phones.main_button(1, "Next")
    assert "128 points" in phones.text(1, "#quote")
    phones.main_button(1, "Confirm")
    receipt = phones.text(1, "#receipt")
    assert receipt.startswith("Recorded") and "128 points" in receipt
    code = receipt.split("receipt ", 1)[1].split(")", 1)[0]

    chat = _Page(phones.driver)  # the receipt arrives in Alice's chat, through the outbox
    chat.open(box.url)
    chat.show_only(ALICE)
    chat.wait_text(ALICE, code)

    phones.open(f"{box.miniapp_url}?left={ALICE}&right={CASHIER}")
    assert phones.text(0, "#balance") == "128"
    assert phones.text(0, "#tier-text").startswith("872 more")
    assert 0 < phones.fill_ratio(0) < 0.3  # 128 of 1000 points to Silver

    # Alice redeems a reward in the Mini App; the cashier scans the voucher's QR there
    phones.click(0, "#tab-rewards")
    phones.click(0, "button[data-reward]")
    phones.main_button(0, "Confirm")
    assert phones.text(0, ".card .code")  # the voucher, with its QR
    phones.click(1, "#scan-button")
    phones.wait_overlay(shown=True)
    phones.click(0, "img.qr[data-qr]")
    phones.wait_overlay(shown=False)
    assert phones.text(1, "#voucher-reward") == "Free coffee"
    phones.main_button(1, "Redeem voucher")
    assert phones.text(1, "#redeemed") == "Redeemed: Free coffee."
    chat.open(box.url)
    chat.show_only(ALICE)
    chat.wait_text(ALICE, "has been used")

    # Telegram Desktop has no scanner: the page says so and offers typing or a photo
    phones.open(f"{box.miniapp_url}?left={ALICE}&right={CASHIER}")
    phones.platform(1, "tdesktop")
    assert "cannot scan" in phones.text(1, "#no-scanner")
    assert phones.text(1, "#photo-button") == "Choose a photo of the QR code"

    # nothing the page does is refused by its Content-Security-Policy
    logs = phones.driver.get_log("browser")
    refused = [e["message"] for e in logs if "Content Security Policy" in e["message"]]
    assert refused == []


class _Phones(_Page):
    """The sandbox's Mini App page: phone panels by index (0 left, 1 right)."""

    def _phone(self, index: int) -> object:
        return self.driver.find_element("css selector", f'section.phone[data-phone="{index}"]')

    def _inside(self, index: int, css: str) -> object:
        """Switches into the panel's frame and waits for ``css`` there."""
        self.driver.switch_to.default_content()
        self.driver.switch_to.frame(self._phone(index).find_element("css selector", "iframe"))
        return self.wait.until(lambda d: d.find_element("css selector", css))

    def text(self, index: int, css: str) -> str:
        found = self._inside(index, css)
        self.wait.until(lambda _: found.text.strip())
        text = found.text.strip()
        self.driver.switch_to.default_content()
        return text

    def click(self, index: int, css: str) -> None:
        self._inside(index, css).click()
        self.driver.switch_to.default_content()

    def platform(self, index: int, value: str) -> None:
        from selenium.webdriver.support.ui import Select

        self.driver.switch_to.default_content()
        chooser = self._phone(index).find_element("css selector", "select[data-role=platform]")
        Select(chooser).select_by_value(value)

    def fill_ratio(self, index: int) -> float:
        bar = self._inside(index, ".bar")
        fill = bar.find_element("css selector", "span")
        ratio = fill.size["width"] / bar.size["width"]
        self.driver.switch_to.default_content()
        return ratio

    def wait_overlay(self, *, shown: bool) -> None:
        self.driver.switch_to.default_content()
        overlay = self.driver.find_element("css selector", "#scan-overlay")
        self.wait.until(lambda _: overlay.is_displayed() == shown)

    def main_button(self, index: int, label: str) -> None:
        """Telegram's MainButton (drawn under the panel) once it reads ``label``."""
        self.driver.switch_to.default_content()
        button = self._phone(index).find_element("css selector", ".tg-main")
        self.wait.until(lambda _: button.text == label and button.is_enabled())
        button.click()
