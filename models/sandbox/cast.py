"""Who the season's members are and what they do: a cast drawn from one seed.

Pure (no database, no clock): :func:`draw` turns a seed, a size and the season's "today"
into people with an archetype, a name, a language, a way in (a paper card brought over by
the import on the season's first day, or /start in Telegram), a birthday, their answer to
the offers question, a home shop and their visits. :mod:`.season` plays the cast through
the store's own operations. Days count from today (0) backwards: −182 is six months ago.

Archetypes, so that every RFM segment, audience and chart has someone in it:

===========  ======================================================================
regular      comes every 4–9 days all season (champions, loyal)
big          every 1–2 weeks, large baskets (gold and silver tiers, top spenders)
occasional   every 3–6 weeks (promising, need attention)
lapsed       came often, stopped 2–5 months ago (at risk, win-back offers)
once         one or two visits early on (hibernating)
newcomer     joined in the last four weeks (new)
idle         joined but never bought (inactive); paper-card members who never came back
===========  ======================================================================

Alice (the page's English member) is a lapsed paper-card member whose old points expire
next week, whose birthday is in three days and who is about to be offered a win-back:
one press of "+1 week" shows all of it in her chat.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

SEASON_DAYS = 182
SHOPS = ("Downtown", "Riverside")
SEASON_IDS_FROM = 881_000_001
"""Telegram ids of season members (reserved, like the first-hour demo's 880_000_001…)."""
ALICE = (1002, "Alice", "Smith", "en", "+447700900123")
"""The page persona (``bot.sandbox.personas``) the season makes a member."""
ALICE_BIRTHDAY_IN = 3
ALICE_POINTS_EXPIRE_IN = 9
ALICE_OPENING = 900
ALICE_CARD = "paper-0000"
"""Alice's row in the paper-card import: a season is seeded once, while it is absent."""

# (category, lowest, highest) amounts in minor units
BASKETS = {
    "small": (("coffee", 2800, 4800), ("bakery", 1800, 6500), ("coffee", 3200, 5800)),
    "large": (("beans", 6800, 16800), ("merch", 9900, 39900), ("bakery", 8800, 19800)),
    "big": (("gifts", 38000, 150000), ("beans", 16800, 48000), ("merch", 29900, 89900)),
}
KINDS = (  # archetype, share of the cast
    ("regular", 0.22),
    ("big", 0.05),
    ("occasional", 0.20),
    ("lapsed", 0.16),
    ("once", 0.12),
    ("newcomer", 0.10),
    ("idle", 0.08),
)
PAPER_SHARE = 0.3
"""Of those who buy, the share who had a paper card before (imported on day −182)."""
PAPER_ONLY = 0.07
"""Extra paper-card members, as a share of the cast, who never come to Telegram."""

EN_FIRST = "Oliver Emma James Sophie Daniel Grace Lucas Chloe Ethan Mia Noah Ava Leo Isla Jack"
EN_FIRST += " Ruby Henry Lily Sam Zoe Tom Ella Max Amy Ben Kate"
EN_LAST = "Brown Taylor Wilson Evans Clark Lewis Walker Hall Young King Wright Green Baker Hill"
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
ZH_GIVEN = (
    "伟 芳 娜 敏 静 磊 洋 艳 勇 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 丽 强 婷 浩 宇 欣怡 子轩 雨桐"
)
LEAP_YEARS = (1972, 1976, 1980, 1984, 1988, 1992, 1996, 2000)


@dataclass(frozen=True)
class Visit:
    """A purchase: day (from today), minute after local midnight, basket, shop."""

    day: int
    minute: int
    amount_minor: int
    category: str
    shop: str


@dataclass(frozen=True)
class PaperCard:
    """What the old system knew (a row of the day −182 import)."""

    external_id: str
    points: int
    expire_day: int | None
    """When the old program's points expire (days from today); None: by the expiry policy."""
    joined_days_ago: int
    vip: bool = False
    """Imported in the second tier (silver, by default), as the old system had them."""


@dataclass
class Person:
    index: int
    kind: str
    first_name: str
    last_name: str
    language: str
    phone: str
    telegram_id: int | None
    """None: a paper-card member who never opened the bot."""
    joined_day: int
    """The day they open the bot (paper-card members: their first visit after the import)."""
    birthday: date | None
    consent: bool
    home: str
    paper: PaperCard | None = None
    visits: list[Visit] = field(default_factory=list)
    persona: bool = False


def draw(seed: int, size: int, today: date) -> list[Person]:
    """The cast: ``size`` people (Alice first), the same for the same seed and day."""
    rng = random.Random(seed)
    people = [_alice(today)]
    counts = [(kind, round(share * size)) for kind, share in KINDS]
    counts.append(("paper", round(PAPER_ONLY * size)))
    short = size - 1 - sum(n for _, n in counts)
    counts[2] = (counts[2][0], counts[2][1] + short)  # rounding goes to the occasional
    for kind, n in counts:
        for _ in range(n):
            people.append(_person(rng, len(people), kind, today))
    return people


def _alice(today: date) -> Person:
    telegram_id, first, last, language, phone = ALICE
    birthday = today + timedelta(days=ALICE_BIRTHDAY_IN)
    paper = PaperCard(ALICE_CARD, ALICE_OPENING, ALICE_POINTS_EXPIRE_IN, 700, vip=True)
    visits = [Visit(day, 8 * 60 + 20, 4200, "coffee", "Downtown") for day in range(-170, -60, 7)]
    return Person(
        0,
        "lapsed",
        first,
        last,
        language,
        phone,
        telegram_id,
        -170,
        date(1988, birthday.month, birthday.day),  # a leap year takes any day
        True,
        "Downtown",
        paper,
        visits,
        persona=True,
    )


def _person(rng: random.Random, index: int, kind: str, today: date) -> Person:
    language = "zh-Hans" if rng.random() < 0.7 else "en"
    if language == "en":
        first, last = rng.choice(EN_FIRST.split()), rng.choice(EN_LAST.split())
    else:
        first, last = rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN.split()), ""
    home = SHOPS[0] if rng.random() < 0.55 else SHOPS[1]
    start = -SEASON_DAYS
    joined = {
        "newcomer": rng.randint(-27, -1),
        "idle": rng.randint(start + 1, -45),
    }.get(kind, rng.randint(start + 1, -110))
    person = Person(
        index,
        kind,
        first,
        last,
        language,
        f"+86139{index:08d}",
        SEASON_IDS_FROM + index,
        joined,
        _birthday(rng, today),
        rng.random() < 0.65,
        home,
    )
    if kind == "paper":
        person.telegram_id = None
        person.paper = _paper(rng, index)
        return person
    person.visits = _visits(rng, kind, joined, home)
    if person.visits:
        person.joined_day = min(joined, person.visits[0].day)
    if person.visits and kind != "newcomer" and rng.random() < PAPER_SHARE:
        person.paper = _paper(rng, index)
        person.joined_day = person.visits[0].day
    return person


def _birthday(rng: random.Random, today: date) -> date | None:
    roll = rng.random()
    if roll < 0.03:  # birthdays this week
        day = today + timedelta(days=rng.randint(1, 7))
        return date(rng.choice(LEAP_YEARS), day.month, day.day)
    if roll < 0.45:
        return date(rng.randint(1960, 2003), rng.randint(1, 12), rng.randint(1, 28))
    return None


def _paper(rng: random.Random, index: int) -> PaperCard:
    """Old points: a third expired last month, a third expire within weeks, a third by
    the policy (a year after the import)."""
    expire = rng.choice((rng.randint(-32, -18), rng.randint(3, 26), None))
    vip = rng.random() < 0.15
    return PaperCard(
        f"paper-{index:04d}", rng.randrange(150, 2500, 10), expire, rng.randint(200, 1500), vip
    )


def _visits(rng: random.Random, kind: str, joined: int, home: str) -> list[Visit]:
    """From the day they joined: every few days (by archetype) until they stop."""
    if kind == "idle":
        return []
    if kind == "once":
        days = sorted({joined, joined + rng.randint(0, 20)})[: rng.randint(1, 2)]
        return [_visit(rng, kind, day, home) for day in days]
    low, high = {
        "regular": (4, 9),
        "big": (6, 15),
        "occasional": (18, 42),
        "lapsed": (5, 12),
        "newcomer": (3, 10),
    }[kind]
    stop = rng.randint(-150, -65) if kind == "lapsed" else 0
    limit = rng.randint(0, 3) if kind == "newcomer" else 999
    day = joined + rng.randint(0, 2)
    visits: list[Visit] = []
    while day < stop and len(visits) < limit:
        visits.append(_visit(rng, kind, day, home))
        day += rng.randint(low, high)
    if kind == "lapsed" and len(visits) < 3:  # "were frequent": at least three visits
        visits = [_visit(rng, kind, stop - 7 * k, home) for k in range(3, 0, -1)]
    return visits


def _visit(rng: random.Random, kind: str, day: int, home: str) -> Visit:
    size = "big" if kind == "big" else ("large" if rng.random() < 0.15 else "small")
    category, low, high = rng.choice(BASKETS[size])
    shop = home if rng.random() < 0.85 else next(s for s in SHOPS if s != home)
    hour = rng.choice((7, 8, 8, 9, 11, 12, 12, 13, 15, 16, 17, 18, 18, 19, 20))
    return Visit(day, hour * 60 + rng.randint(0, 59), rng.randrange(low, high, 10), category, shop)
