"""The sandbox page in real (headless) Chromium: a member joins, the cashier scans her card
and records a purchase, she redeems a reward and the cashier redeems the voucher; in a
season, "+1 week" moves the header's clock and Alice's reminders arrive.

Selenium drives Debian's ``/usr/bin/chromium`` with ``/usr/bin/chromedriver`` (``.ci/run``
installs them); screenshots land in ``test-artifacts/``, and with
``JIFEN_DOCS_SCREENSHOTS=1`` the season's also in ``docs/sandbox/`` (the README shows them).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import Sandbox
from tests.conftest import skip_unless_ci

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DOCS = ROOT / "docs" / "sandbox"
ALICE, CASHIER, MARKETER = 1002, 2001, 4001
WAIT = 10
WEEK_MS = 7 * 24 * 3600 * 1000


@pytest.fixture
def chromium() -> None:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        skip_unless_ci(
            f"Chromium for the browser test is not installed ({CHROMIUM}, {CHROMEDRIVER}): "
            "apt-get install chromium chromium-driver"
        )


async def test_member_and_cashier_in_the_browser(chromium: None, sandbox: Sandbox) -> None:
    await asyncio.to_thread(_play, sandbox.url)


def _play(url: str) -> None:
    in_chromium(lambda driver: _conversation(_Page(driver), url), "sandbox.png")


async def test_a_week_passes_in_the_browser(chromium: None, season_box: Sandbox) -> None:
    await asyncio.to_thread(
        in_chromium, lambda driver: _a_week(_Page(driver), season_box.url), "sandbox-week.png"
    )


def _a_week(page: _Page, url: str) -> None:
    page.open(url)
    page.show_only(ALICE, MARKETER)
    clock = page.wait.until(lambda d: d.find_element("css selector", "#sandbox-now[data-ms]"))
    before, shown = int(clock.get_attribute("data-ms")), clock.text
    assert shown and "day" not in shown

    page.driver.find_element("css selector", '.clock-jumps button[data-jump="7d"]').click()
    page.wait.until(
        lambda d: (
            int(d.find_element("css selector", "#sandbox-now").get_attribute("data-ms"))
            >= before + WEEK_MS
        )
    )
    page.wait.until(lambda d: d.find_element("css selector", "body[data-clock=still]"))
    assert page.driver.find_element("css selector", "#sandbox-now").text != shown
    for words in ("points expire", "Happy birthday", "We miss you", "free tasting"):
        page.wait_text(ALICE, words)
    page.wait_text(MARKETER, "weekly report")  # Mei Lin's, on Monday morning
    docs_screenshot(page.driver, "week.png")

    page.driver.find_element("css selector", "#sandbox-tools").click()
    curl = page.wait.until(lambda d: d.find_element("css selector", "#tools-curl"))
    assert curl.text.startswith("curl ") and "/api/v1/purchases" in curl.text
    docs_screenshot(page.driver, "tools.png")


def docs_screenshot(driver: Any, name: str) -> None:
    """The README's pictures, when asked for (``JIFEN_DOCS_SCREENSHOTS=1``)."""
    if os.environ.get("JIFEN_DOCS_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(DOCS / name))


def in_chromium(scene: Callable[[Any], None], screenshot: str) -> None:
    """Run ``scene(driver)`` in headless Chromium (console kept for ``get_log("browser")``),
    then save a screenshot as ``test-artifacts/<screenshot>``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="jifen-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1440,900",
        "--lang=en-US",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        scene(driver)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / screenshot))
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _conversation(page: _Page, url: str) -> None:
    page.open(url)
    page.show_only(ALICE, CASHIER)

    # Alice joins: Start, shares her phone from the reply keyboard, declines offers
    page.click_start(ALICE)
    page.wait_text(ALICE, "Welcome to")
    page.tap_key(ALICE, "Share my phone number")
    page.press(ALICE, "No, thanks")
    page.type(ALICE, "/balance")
    page.wait_text(ALICE, "You have 0 points")

    # the cashier scans her card from her chat and records ¥128.50
    photos = page.photo_count(ALICE)
    page.type(ALICE, "/card")
    page.scan_last_photo(ALICE, scanner=CASHIER, beyond=photos)
    page.wait_text(CASHIER, "How much")
    page.type(CASHIER, "128.50")
    page.press(CASHIER, "Skip")
    page.press(CASHIER, "Confirm")
    page.wait_text(CASHIER, "Recorded")
    page.wait_text(ALICE, "R-")  # her receipt, through the outbox

    # Alice redeems a reward; the cashier scans the voucher and confirms
    page.type(ALICE, "/rewards")
    page.press(ALICE, "Free coffee")
    page.press(ALICE, "Redeem")
    photos = page.photo_count(ALICE)
    page.press(ALICE, "Confirm", newest_only=True)
    page.wait_text(ALICE, "Your voucher is below")
    page.scan_last_photo(ALICE, scanner=CASHIER, beyond=photos)  # the voucher, not the card
    page.wait_text(CASHIER, "Free coffee")
    page.press(CASHIER, "Confirm")
    page.wait_text(CASHIER, "Redeemed")
    page.wait_text(ALICE, "has been used")


class _Page:
    """The sandbox page as a person sees it: chats by persona id."""

    def __init__(self, driver: object) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.wait = WebDriverWait(driver, WAIT)

    def open(self, url: str) -> None:
        self.driver.get(url)
        self.wait.until(lambda d: d.find_element("css selector", "body[data-ready=true]"))

    def chat(self, uid: int) -> object:
        return self.driver.find_element("css selector", f'section.chat[data-uid="{uid}"]')

    def show_only(self, *uids: int) -> None:
        """Clicks tabs until exactly these people's chats are shown (tabs are redrawn)."""
        for tab_uid in [int(t.get_attribute("data-uid")) for t in self._tabs()]:
            tab = self.driver.find_element("css selector", f'#tabs .tab[data-uid="{tab_uid}"]')
            if (tab.get_attribute("aria-pressed") == "true") != (tab_uid in uids):
                tab.click()
        for uid in uids:
            assert self.chat(uid).is_displayed()

    def _tabs(self) -> list:
        return self.driver.find_elements("css selector", "#tabs .tab")

    def click_start(self, uid: int) -> None:
        self.chat(uid).find_element("css selector", ".empty .start").click()

    def type(self, uid: int, text: str) -> None:
        before = self._count(uid)
        field = self.chat(uid).find_element("css selector", ".composer .text")
        field.send_keys(text + "\n")
        self.wait.until(lambda _: self._count(uid) > before)  # the sent bubble shows

    def tap_key(self, uid: int, label: str) -> None:
        keys = self.chat(uid).find_elements("css selector", ".reply-keyboard .key")
        next(k for k in keys if label in k.text).click()

    def press(self, uid: int, label: str, *, newest_only: bool = False) -> None:
        """Presses the newest inline button whose label contains ``label``."""

        def find(_: object) -> object:
            rows = self.chat(uid).find_elements("css selector", ".row.bot")
            for row in reversed(rows[-1:] if newest_only else rows):
                for button in reversed(row.find_elements("css selector", "button.inline")):
                    if label in button.text:
                        return button
            return False

        before = self._signature(uid)
        self._click(find)
        self.wait.until(lambda _: self._signature(uid) != before)

    def _click(self, find: Callable[[object], object]) -> None:
        """Find and click in one retried step: a message arriving in between redraws the
        chat and leaves the element found a moment ago stale."""
        from selenium.common.exceptions import StaleElementReferenceException

        def click(driver: object) -> bool:
            try:
                element = find(driver)
                if not element:
                    return False
                element.click()  # type: ignore[attr-defined]
            except StaleElementReferenceException:
                return False
            return True

        self.wait.until(click)

    def wait_text(self, uid: int, text: str) -> None:
        messages = self.chat(uid).find_element("css selector", ".messages")
        try:
            self.wait.until(lambda _: text in messages.text)
        except Exception as exc:
            raise AssertionError(
                f"{text!r} never appeared in chat {uid}: {messages.text[-600:]!r}"
            ) from exc

    def photo_count(self, uid: int) -> int:
        return len(self.chat(uid).find_elements("css selector", ".row.bot img.photo"))

    def scan_last_photo(self, owner: int, *, scanner: int, beyond: int = 0) -> None:
        """Scan the newest photo once more than ``beyond`` photos are shown (it may still
        be on its way when the text before it has arrived)."""
        photo = self.wait.until(
            lambda _: (
                self.chat(owner).find_elements("css selector", ".row.bot img.photo")[beyond:]
                or [False]
            )[-1]
        )
        self.wait.until(lambda _: photo.get_attribute("complete") == "true")
        photo.click()
        button = self.wait.until(
            lambda d: d.find_element("css selector", f'#scan-dialog [data-scan-as="{scanner}"]')
        )
        button.click()

    def _count(self, uid: int) -> int:
        return len(self.chat(uid).find_elements("css selector", ".messages .row"))

    def _signature(self, uid: int) -> str:
        return self.chat(uid).find_element("css selector", ".messages").get_attribute("innerHTML")
