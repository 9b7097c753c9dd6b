"""The console in real (headless) Chromium, in the sandbox.

The admin sends /console in the sandbox's chat page and opens the link it answers; the
dashboard draws its charts; she finds Alice by name, adjusts her points with a reason
and sees the new balance; she composes a broadcast in English and Chinese, sees both
previews and the count, and sends it; she turns on the joining bonus in its rules form
(the preview says what changes), saves, and finds the change in the audit log; then the
marketer (Chinese) logs in the same way. Nothing is refused by the
Content-Security-Policy and the browser logs no error. Screenshots at 360 px and 1280 px
in both languages land in ``test-artifacts/console/``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from models import ledger
from models.catalogue import coupons
from models.members import membership
from models.store.tables import Member, Reward
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
    # everyone agreed to offers, so the broadcast reaches someone
    await Member.filter(telegram_id__isnull=False).update(marketing_opt_in=True, enrolled=True)
    first = await Reward.filter(archived=False).order_by("id").first()
    assert first is not None
    await coupons.generate_batch(first.id, 8, actor_telegram_id=None)
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
    page.wait_link_text("Alice Smith").click()  # found again: htmx may have swapped the rows
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
    _broadcast(page, box)

    # a rule changed in its form: the preview under it, the save, the audit log
    page.driver.get(box.console_url + "rules")
    joined = page.wait_css("#rf-b_joined")
    joined.clear()  # type: ignore[attr-defined]
    joined.send_keys("10")  # type: ignore[attr-defined]
    page.wait_css("#rules-form-bonuses-preview-button").click()  # type: ignore[attr-defined]
    page.wait_for_part("#rules-form-bonuses-preview", "Joining: 0 → 10")
    page.shots("rules-form-en")
    version = page.wait_css("#rules-version").text  # type: ignore[attr-defined]
    page.wait_css("#rules-form-bonuses-save").click()  # type: ignore[attr-defined]
    # the page reloaded with the new version (the typed 10 alone says nothing: it was there)
    page.wait_for_change("#rules-version", version)
    page.wait_for_value("#rf-b_joined", "10")
    page.driver.get(box.console_url + "audit?action=rules.")
    page.wait_for_part("#audit-entries", "rules.update")
    page.shots("audit-en")
    page.no_errors()

    page.log_in(box, MARKETER)  # Mei Lin reads Chinese
    assert page.wait_css("h1").text == "概览"
    page.wait_css(".chart[data-chart=sales] canvas")
    page.shots("dashboard-zh")
    page.driver.get(box.console_url + "members")
    page.wait_css("#rows tr")
    page.shots("members-zh")
    page.driver.get(box.console_url + "rewards")
    page.wait_css("#reward-new")
    page.shots("rewards-zh")
    page.driver.get(box.console_url + "coupons")
    page.wait_css("#batches a[href$='/sheet']").click()  # type: ignore[attr-defined]
    page.wait_css("#sheet .coupon img")
    page.shots("coupons-sheet-zh")
    page.no_errors()


def _broadcast(page: _Console, box: Sandbox) -> None:
    """Compose in both languages, see both previews (as members get them) and the count,
    send; the list shows it with its progress."""
    page.driver.get(box.console_url + "broadcasts")
    page.wait_css("#broadcast-text-en").send_keys("Fresh croissants at 8!")
    page.wait_css("#broadcast-text-zh").send_keys("早上八点，新鲜可颂！")
    page.wait_for_part('.bubble[data-language="en"] .tg', "Fresh croissants at 8!")
    page.wait_for_part('.bubble[data-language="zh-Hans"] .tg', "早上八点，新鲜可颂！")
    count = int(page.wait_css("#broadcast-count").get_attribute("data-count"))  # type: ignore[attr-defined]
    assert count > 0 and "/stopoffers" in page.wait_css('.bubble[data-language="en"]').text  # type: ignore[attr-defined]
    page.shots("broadcasts-en")
    page.wait_css("#broadcast-send").click()
    page.wait_for_part("#broadcasts [data-broadcast]", f"of {count}")  # listed after reload
    page.shots("broadcasts-sent-en")
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

    def wait_for_part(self, css: str, text: str) -> None:
        """Until an element matching ``css`` holds ``text`` (htmx may swap it meanwhile)."""
        self._wait_for(css, lambda element: text in element.text)

    def wait_for_change(self, css: str, text: str) -> None:
        """Until an element matching ``css`` no longer reads ``text`` (a reload landed)."""
        self._wait_for(css, lambda element: element.text != text)

    def wait_for_value(self, css: str, value: str) -> None:
        self._wait_for(css, lambda element: element.get_attribute("value") == value)

    def _wait_for(self, css: str, holds: object) -> None:
        from selenium.common.exceptions import WebDriverException

        def shown(driver: object) -> bool:
            try:
                found = driver.find_elements("css selector", css)  # type: ignore[attr-defined]
                return any(holds(element) for element in found)  # type: ignore[operator]
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
