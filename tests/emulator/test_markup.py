"""The emulator's HTML parse mode: what Telegram reads, what it refuses, and safe output."""

from __future__ import annotations

from typing import Any

import pytest

from bot.emulator.markup import entities_to_html, parse_html


@pytest.mark.parametrize(
    ("source", "plain", "entities"),
    [
        ("plain", "plain", []),
        (
            "<b>+128</b> pts &amp; &lt;more&gt;",
            "+128 pts & <more>",
            [{"type": "bold", "offset": 0, "length": 4}],
        ),
        ("🎁 <i>x</i>", "🎁 x", [{"type": "italic", "offset": 3, "length": 1}]),
        (
            '<a href="https://t.me/jifen_bot?start=m-1">card</a>',
            "card",
            [
                {
                    "type": "text_link",
                    "url": "https://t.me/jifen_bot?start=m-1",
                    "offset": 0,
                    "length": 4,
                }
            ],
        ),
        (
            '<pre><code class="language-py">x</code></pre>',
            "x",
            [{"type": "pre", "language": "py", "offset": 0, "length": 1}],
        ),
    ],
)
def test_parse_html(source: str, plain: str, entities: list[dict[str, Any]]) -> None:
    assert parse_html(source) == (plain, entities)


@pytest.mark.parametrize("source", ["<b>open", "a < b", "<b>x</i>", "</b>", "<script>x</script>"])
def test_parse_html_rejects_what_telegram_rejects(source: str) -> None:
    with pytest.raises(Exception, match="can't parse entities"):
        parse_html(source)


def test_entities_to_html_is_safe() -> None:
    text, entities = parse_html("<b>&lt;script&gt;</b> 🎁 <i>ok</i>")
    assert entities_to_html(text, entities) == "<b>&lt;script&gt;</b> 🎁 <i>ok</i>"
    bad_link = [{"type": "text_link", "url": "javascript:alert(1)", "offset": 0, "length": 1}]
    assert entities_to_html("x", bad_link) == "x"
