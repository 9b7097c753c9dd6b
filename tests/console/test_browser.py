"""The console in real (headless) Chromium, in the sandbox.

The admin sends /console in the sandbox's chat page and opens the link it answers; the
dashboard draws its charts; she finds Alice by name, adjusts her points with a reason
and sees the new balance; she turns on the joining bonus in its rules form (the preview
says what changes), saves, and finds the change in the audit log; then the marketer
(Chinese) logs in the same way. Nothing is refused by the Content-Security-Policy and the
browser logs no error. Screenshots at 360 px and 1280 px in both languages land in
``test-artifacts/console/``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from models import ledger
from models.members import membership
from tests.sandbox.conftest import sandbox_settings
from tests.sandbox.test_browser import ARTIFACTS, _Page, chromium, in_chromium

__all__ = ["chromium"]
ADMIN, MARKETER = 3001, 4001
SHOTS = ARTIFACTS / "console"
LINK = re.compile(r"https?://\S+/console/login\?token=[A-Za-z0-9_-]+")
WIDTHS = (360, 1280)


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(sandbox_settings(tmp_path), demo=True, port=0, fresh_store=True) as running:
        yield running


async def test_log_in_find_a_member_and_adjust(chromium: None, box: Sandbox) -> None:
    alice, _ = await membership.ensure_member(1002, first_name="Alice", last_name="Smith")
    await ledger.grant_bonus(alice.id, 100, idempotency_key="browser-seed", reason="welcome")
    await asyncio.to_thread(
        in_chromium, lambda driver: _scenario(_Console(driver), box), "console.png"
    )


def _scenario(page: _Console, box: Sandbox) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.log_in(box, ADMIN)
    page.wait_css(".chart[data-chart=sales] canvas")
    page.wait_css(".chart[data-chart=points] canvas")
    page.shots("dashboard-en")

    page.driver.get(box.console_url + "members")
    page.wait_css("#q").send_keys("Alice")
    page.wait_link_text("Alice Smith")
    page.shots("members-en")
    page.wait_link_text("Alice Smith").click()  # found again: the search may have swapped rows
    assert page.wait_css("#balance").text == "100"
    page.wait_css("#adjust-points").send_keys("25")
    page.wait_css("#adjust-reason").send_keys("Welcome gift")
    page.wait_css("#adjust-submit").click()
    confirm = page.wait_css("#adjust-confirm")
    assert "100 → 125" in page.wait_css(".confirm-text").text
    confirm.click()
    page.wait_for_text("#balance", "125")  # the page reloaded after the write
    assert "Adjusted: Welcome gift" in page.wait_css("#history").text
    page.shots("member-en")
    page.no_errors()

    # a rule changed in its form: the preview under it, the save, the audit log
    page.driver.get(box.console_url + "rules")
    joined = page.wait_css("#rf-b_joined")
    joined.clear()  # type: ignore[attr-defined]
    joined.send_keys("10")  # type: ignore[attr-defined]
    page.wait_css("#rules-form-bonuses-preview-button").click()  # type: ignore[attr-defined]
    page.wait_for_contains("#rules-form-bonuses-preview", "Joining: 0 → 10")
    page.shots("rules-form-en")
    page.wait_css("#rules-form-bonuses-save").click()  # type: ignore[attr-defined]
    page.wait_for_value("#rf-b_joined", "10")  # the page reloaded with the new version
    page.driver.get(box.console_url + "audit?action=rules.")
    page.wait_for_contains("#audit-entries", "rules.update")
    page.shots("audit-en")
    page.no_errors()

    page.log_in(box, MARKETER)  # Mei Lin reads Chinese
    assert page.wait_css("h1").text == "概览"
    page.wait_css(".chart[data-chart=sales] canvas")
    page.shots("dashboard-zh")
    page.driver.get(box.console_url + "members")
    page.wait_css("#rows tr")
    page.shots("members-zh")
    page.no_errors()


class _Console(_Page):
    def log_in(self, box: Sandbox, uid: int) -> None:
        """/console in the person's chat on the sandbox page, then open the link."""
        self.open(box.url)
        self.show_only(uid)
        self.type(uid, "/console")
        self.wait_text(uid, "/console/login?token=")
        text = self.chat(uid).find_element("css selector", ".messages").text
        self.driver.get_log("browser")  # the chat page's own; what follows is the console's
        self.driver.get(LINK.findall(text)[-1])
        self.wait_css("main h1")

    def wait_css(self, css: str) -> object:
        return self.wait.until(lambda d: d.find_element("css selector", css))

    def wait_for_text(self, css: str, text: str) -> None:
        from selenium.common.exceptions import WebDriverException

        def shown(driver: object) -> bool:
            try:
                return driver.find_element("css selector", css).text == text  # type: ignore[attr-defined]
            except WebDriverException:  # not there yet, or replaced while the page reloads
                return False

        self.wait.until(shown)

    def wait_for_contains(self, css: str, text: str) -> None:
        self._wait_for(css, lambda element: text in element.text)

    def wait_for_value(self, css: str, value: str) -> None:
        self._wait_for(css, lambda element: element.get_attribute("value") == value)

    def _wait_for(self, css: str, holds: object) -> None:
        from selenium.common.exceptions import WebDriverException

        def shown(driver: object) -> bool:
            try:
                return bool(holds(driver.find_element("css selector", css)))  # type: ignore[attr-defined,operator]
            except WebDriverException:  # not there yet, or replaced while the page reloads
                return False

        self.wait.until(shown)

    def wait_link_text(self, text: str) -> object:
        from selenium.common.exceptions import WebDriverException

        def find(driver: object) -> object:
            try:
                for row in driver.find_elements("css selector", "#rows tr"):  # type: ignore[attr-defined]
                    if text in row.text:
                        return row.find_element("css selector", "a")
            except WebDriverException:  # the rows were swapped (htmx) while being read
                return False
            return False

        return self.wait.until(find)

    def shots(self, name: str) -> None:
        for width in WIDTHS:
            self.driver.set_window_size(width, 1000)
            self.driver.execute_script("window.dispatchEvent(new Event('resize'))")
            self.driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
        self.driver.set_window_size(1440, 900)

    def no_errors(self) -> None:
        logs = self.driver.get_log("browser")
        bad = [
            e["message"]
            for e in logs
            if e["level"] == "SEVERE" or "Content Security" in e["message"]
        ]
        assert bad == [], bad
