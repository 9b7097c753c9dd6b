"""Telegram's HTML (what the sender sends with ``parse_mode=HTML``) shown on a console
page as Telegram shows it: its few tags kept, everything else escaped, so a preview can
neither run script nor differ from the message in its markup."""

from __future__ import annotations

from html.parser import HTMLParser

from markupsafe import Markup, escape


class _TelegramHtml(HTMLParser):
    """Telegram's HTML subset as safe HTML: its tags kept (without attributes, links
    https only), everything else escaped text."""

    KEPT = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre"}
    KEPT |= {"blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.KEPT:
            self.out.append(f"<{tag}>")
            self.open.append(tag)
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            safe = href if href.startswith("https://") else ""
            self.out.append(f'<a href="{escape(safe)}" rel="noopener noreferrer">')
            self.open.append("a")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == tag:
                    break

    def handle_data(self, data: str) -> None:
        self.out.append(str(escape(data)))

    def result(self) -> Markup:
        self.close()
        return Markup("".join(self.out) + "".join(f"</{t}>" for t in reversed(self.open)))


def shown(telegram_html: str) -> Markup:
    parser = _TelegramHtml()
    parser.feed(telegram_html)
    return parser.result()
