"""The chat monkey: people who press any button they can see (current or stale), type the
wrong thing at every step and open random deep links, in random order.

A hypothesis state machine drives personas (member, cashier, marketer, admin, a cashier
whose role was revoked) against the real bot on the emulator. After every step: nobody was
told "Something went wrong", nothing was logged as an error, and the ledger adds up
(``doctor``); at the end of each run every chat-side ledger write traces back to a Confirm.

The machine runs in a worker thread (hypothesis is synchronous); each step's coroutine is
run on the test's event loop, where the bot lives. ``JIFEN_MONKEY_EXAMPLES`` sets the budget
(CI: the default below; longer on demand).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import os
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bot.emulator import Player
from bot.emulator.players import PlayerError
from locales import LANGUAGES, translator
from models.access import staff
from models.ledger import doctor
from models.store import clock
from models.store.tables import (
    ActionState,
    LedgerEntry,
    Member,
    PendingAction,
    Purchase,
    Reward,
    Role,
    Voucher,
)
from tests.chat.conftest import ADMIN_ID, Rig

T = TypeVar("T")
EXAMPLES = int(os.environ.get("JIFEN_MONKEY_EXAMPLES", "40"))
STEPS = int(os.environ.get("JIFEN_MONKEY_STEPS", "25"))
ERROR_TEXTS = tuple(translator(language)("common-error") for language in LANGUAGES)
PERSONAS = ("member", "cashier", "marketer", "admin", "revoked", "newcomer")
"""``newcomer`` starts at /start and is never walked through joining: the monkey does it."""

PHONE_ASKS = tuple(
    translator(language)(key).split("{")[0][:20]
    for language in LANGUAGES
    for key in ("member-contact-hint", "member-phone-typed-taken")
)
"""How the bot's phone questions begin, in every language."""

LOST = tuple(
    translator(language)(key)[:15]
    for language in LANGUAGES
    for key in ("common-unknown-command", "common-hint-member", "common-hint-staff")
)
"""How the bot answers what it cannot place: never the answer to a key it showed."""

COMMANDS = (
    "/start",
    "/help",
    "/balance",
    "/history",
    "/card",
    "/rewards",
    "/vouchers",
    "/profile",
    "/privacy",
    "/language",
    "/invite",
    "/claim",
    "/checkout",
    "/member",
    "/redeem",
    "/refund",
    "/adjust",
    "/staff",
    "/staff invite",
    "/staff invite boss",
    "/campaign",
    "/reward",
    "/coupons",
    "/broadcast",
    "/report",
    "/report 7d",
    "/rules",
    "/cancel",
    "/nonsense",
)
WORDS = (
    "128.50",
    "1",
    "0",
    "-5",
    "12,50",
    "1e5",
    "NaN",
    "１２８",
    "٣",
    "999999999999",
    "abc",
    "coffee",
    "Skip",
    "Confirm",
    "Cancel",
    "yes",
    "2026-12-05",
    "2026-12-05..2026-12-07",
    "🙂",
    "积分",
    "+5 sorry",
    "-300 correction",
    "K7QM-4PXD",
    "R-1",
    " ",
    "<b>x</b>",
    "x" * 300,
)
texts = st.one_of(
    st.sampled_from(COMMANDS),
    st.sampled_from(WORDS),
    st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != ""),
)


findings: list[str] = []
"""What the monkey saw go wrong, with the steps that led there (hypothesis replays a failing
example against a bot whose state has moved on, so its own report can be about the replay)."""


def noted(step: Callable[..., None]) -> Callable[..., None]:
    """Record each step in the run's trail; a step that fails leaves a finding."""

    @functools.wraps(step)
    def recorded(self: Any, **kwargs: Any) -> None:
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        self.trail.append(f"{step.__name__}({args})")
        try:
            step(self, **kwargs)
        except Exception as exc:
            findings.append(f"{exc!r}\nafter: " + "\n  ".join(self.trail))
            raise

    return recorded


def check(machine: Any, ok: bool, what: str) -> None:
    if not ok:
        findings.append(f"{what}\nafter: " + "\n  ".join(machine.trail))
        raise AssertionError(what)


class ErrorLog(logging.Handler):
    """Collects every ERROR record (a handler that raised, a refused Telegram call)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def monkey_machine(rig: Rig, run: Callable[[Awaitable[T]], T]) -> type[RuleBasedStateMachine]:
    """The state machine class bound to one running bot; each run gets fresh people."""
    ids = itertools.count(1)

    class ChatMonkey(RuleBasedStateMachine):
        @initialize(language=st.sampled_from(("en", "zh-hans")))
        def hire(self, language: str) -> None:
            self.lang = "zh-Hans" if language.startswith("zh") else "en"
            self.trail: list[str] = [f"hire(language={language!r})"]
            base = 100_000 + 10 * next(ids)
            self.people: dict[str, Player] = {
                "member": rig.member(base + 1, "Mia", language),
                "cashier": rig.person(base + 2, "Cara"),
                "marketer": rig.person(base + 3, "Mark"),
                "revoked": rig.person(base + 4, "Rex"),
                "admin": rig.admin(),
                "newcomer": rig.member(base + 6, "Nia", language),
            }
            run(self._hire(base))

        async def _hire(self, base: int) -> None:
            member = self.people["member"]
            await member.send("/start")
            await member.share_contact(f"+86138{base:07d}")
            for name, role in (("cashier", Role.STAFF), ("marketer", Role.MARKETER)):
                await staff.grant_role(base + PERSONAS.index(name) + 1, role, granted_by=ADMIN_ID)
            await staff.grant_role(base + 4, Role.STAFF, granted_by=ADMIN_ID)
            for person in self.people.values():
                if person is not member:
                    await person.send("/start")  # the newcomer is left at the phone step
            # The revoked cashier scans a card (so input is awaited), then loses the role.
            await self.people["revoked"].open_link(await self._card_link())
            await staff.revoke_role(base + 4, revoked_by=ADMIN_ID)
            await rig.earn(member, 50_000)

        async def _card_link(self) -> str:
            row = await rig.member_row(self.people["member"])
            return f"https://t.me/{rig.emu.bot_username}?start=m-{row.card_token}"

        # ---- what people do

        @rule(who=st.sampled_from(PERSONAS), pick=st.integers(min_value=0))
        @noted
        def press_what_is_in_front(self, who: str, pick: int) -> None:
            """A button on the newest message that has any (what a person usually presses)."""
            run(self._press_in_front(self.people[who], pick))

        @rule(who=st.sampled_from(PERSONAS), pick=st.integers(min_value=0))
        @noted
        def press_any_button(self, who: str, pick: int) -> None:
            """Any callback button ever shown in this person's chat, stale ones included
            (replaced by an edit: another device may still show them)."""
            person = self.people[who]
            shown = [b for b in person.buttons(stale=True) if b.callback_data is not None]
            if shown:
                run(person.press_button(shown[pick % len(shown)]))

        @rule(who=st.sampled_from(PERSONAS), victim=st.sampled_from(PERSONAS), pick=st.integers(0))
        @noted
        def press_someone_elses_button(self, who: str, victim: str, pick: int) -> None:
            """A forged client sends callback data shown to another person."""
            person, other = self.people[who], self.people[victim]
            foreign = [
                b["callback_data"]
                for m in other.messages
                for b in m.buttons
                if "callback_data" in b
            ]
            if foreign and person.messages:
                run(person.press_data(foreign[pick % len(foreign)]))

        @rule(who=st.sampled_from(PERSONAS), text=texts)
        @noted
        def type_text(self, who: str, text: str) -> None:
            run(self.people[who].send(text))

        @rule(who=st.sampled_from(PERSONAS), pick=st.integers(min_value=0))
        @noted
        def tap_reply_key(self, who: str, pick: int) -> None:
            person = self.people[who]
            keys = [k for row in (person.reply_keyboard or []) for k in row]
            if keys:
                label = keys[pick % len(keys)]
                if "📱" in label or "phone" in label.lower() or "手机" in label:
                    run(person.share_contact(f"+86139{person.user_id:07d}"))
                else:
                    run(person.tap(label))
                answer = person.last_text if person.messages else ""
                check(
                    self, not answer.startswith(LOST), f"the key {label!r} did nothing: {answer!r}"
                )

        @rule(own=st.booleans(), who=st.sampled_from(("newcomer", "member")))
        @noted
        def share_a_contact(self, own: bool, who: str) -> None:
            """Onboarding's unhappy path: someone else's contact, or one's own again."""
            person = self.people[who]

            async def share() -> None:
                if own:
                    await person.share_contact(f"+86137{person.user_id:07d}")
                    return
                _, update_id = rig.emu.user_message(
                    person.user_id,
                    contact={"phone_number": "+15550009999", "first_name": "Eve", "user_id": 4242},
                )
                await rig.emu.settle(update_id)

            run(share())

        @rule(who=st.sampled_from(PERSONAS))
        @noted
        def scan_member_card(self, who: str) -> None:
            async def scan() -> None:
                await self.people[who].open_link(await self._card_link())

            run(scan())

        @rule(who=st.sampled_from(PERSONAS))
        @noted
        def scan_a_voucher(self, who: str) -> None:
            async def scan() -> None:
                row = await rig.member_row(self.people["member"])
                voucher = await Voucher.filter(member_id=row.id).order_by("-id").first()
                if voucher is not None:
                    await self.people[who].send(f"/start v-{voucher.token}")

            run(scan())

        # ---- journeys that reach a confirm step (the random presses take it from there)

        @rule(
            amount=st.sampled_from(("128.50", "3", "99999")),
            pick=st.integers(0),
            then=st.sampled_from(("stop", "press", "press twice")),
        )
        @noted
        def cashier_reaches_purchase_confirm(self, amount: str, pick: int, then: str) -> None:
            async def journey() -> None:
                cashier = self.people["cashier"]
                await cashier.open_link(await self._card_link())
                await cashier.send(amount)
                await self._press_in_front(cashier, pick)
                if then != "stop":
                    await self._press_in_front(cashier, pick // 7)
                if then == "press twice":
                    await self._press_in_front(cashier, pick // 11)

            run(journey())

        async def _press_in_front(self, person: Player, pick: int) -> None:
            current = [b for b in person.buttons(stale=False) if b.callback_data is not None]
            if current:
                newest = [b for b in current if b.message is current[-1].message]
                await person.press_button(newest[pick % len(newest)])

        @rule(pick=st.integers(0))
        @noted
        def member_reaches_redeem_confirm(self, pick: int) -> None:
            async def journey() -> None:
                member = self.people["member"]
                shown = [m for m in await member.send("/rewards") if m.buttons]
                rewards = [b for m in shown for b in m.buttons if b["text"].startswith("✅")]
                if rewards:
                    await member.press(rewards[pick % len(rewards)]["text"], message=shown[0])
                    with contextlib.suppress(PlayerError):
                        await member.press(translator(self.lang)("member-reward-redeem"))
                        await self._press_in_front(member, pick // 3)

            run(journey())

        @rule(who=st.sampled_from(PERSONAS), points=st.sampled_from(("+5", "-3", "-999999", "0")))
        @noted
        def someone_adjusts(self, who: str, points: str) -> None:
            async def journey() -> None:
                row = await rig.member_row(self.people["member"])
                await self.people[who].send(f"/adjust {row.code} {points} monkey")

            run(journey())

        @rule(who=st.sampled_from(PERSONAS), part=st.sampled_from(("", " 1", " 0.01", " 99999")))
        @noted
        def someone_refunds(self, who: str, part: str) -> None:
            async def journey() -> None:
                row = await rig.member_row(self.people["member"])
                purchase = await Purchase.filter(member_id=row.id).order_by("-id").first()
                if purchase is not None:
                    await self.people[who].send(f"/refund {purchase.receipt_code}{part}")

            run(journey())

        @rule(
            who=st.sampled_from(PERSONAS),
            payload=st.one_of(
                st.from_regex(r"\A[mvsrcx]-[A-Za-z0-9_-]{1,62}\Z"),
                st.text(max_size=70),
            ),
        )
        @noted
        def open_random_link(self, who: str, payload: str) -> None:
            run(self.people[who].send(f"/start {payload}".strip()))

        @rule(minutes=st.sampled_from((5, 90, 60 * 25)))
        @noted
        def time_passes(self, minutes: int) -> None:
            clock.advance(timedelta(minutes=minutes))

        # ---- what must always hold

        @invariant()
        def nobody_saw_an_error(self) -> None:
            for person in self.people.values():
                try:
                    person.assert_never_told(*ERROR_TEXTS)
                except PlayerError as exc:
                    check(self, False, str(exc))

        @invariant()
        def every_write_traces_to_a_confirm_that_won(self) -> None:
            """A chat-side write carries its pending action's key (``pa:<id>``): that action
            was confirmed, never cancelled or expired (checked when the write first appears;
            finished actions are purged after a week of the monkey's clock)."""
            new = {w: a for w, a in run(chat_write_keys()).items() if w not in traced}
            states = run(action_states({int(a) for a in new.values()}))
            for what, action_id in new.items():
                state = states.get(int(action_id))
                check(self, state in CONFIRMED, f"{what} written by action {action_id} ({state})")
            traced.update(new)

        @invariant()
        def joining_is_never_stuck(self) -> None:
            """Whenever the bot asks the newcomer for their phone (the welcome, the hint), the
            keys to share it or skip are in front of them."""
            person = self.people["newcomer"]
            asking = [message.text or "" for message in person.messages]
            if asking and asking[-1].startswith(PHONE_ASKS):
                keys = [k for row in (person.reply_keyboard or []) for k in row]
                check(self, len(keys) == 2, f"phone step without its keys: {asking[-1]!r}")

        @invariant()
        def every_text_is_tidy(self) -> None:
            """No sentence ends in stray spaces and no placeholder leaked (a Fluent
            reference that did not resolve, a Python repr)."""
            for person in self.people.values():
                for message in person.messages:
                    text = message.text or message.caption or ""
                    tidy = all(line == line.rstrip() for line in text.split("\n"))
                    leaked = "{$" in text or "{ $" in text or "None" in text
                    check(self, tidy and not leaked, f"untidy text: {text!r}")

        @invariant()
        def nothing_was_logged_as_an_error(self) -> None:
            found = [r.getMessage() for r in errors.records]
            errors.records.clear()
            check(self, not found, f"logged as errors: {found}")

        def teardown(self) -> None:
            problems = run(doctor.check())
            check(self, problems == [], f"doctor: {problems}")

    return ChatMonkey


errors = ErrorLog()
traced: dict[str, str] = {}
"""Every chat-side write seen in the run (the test fails if the monkey never confirmed one)."""
CONFIRMED = (ActionState.DONE, ActionState.CONFIRMING)
_ACTION_KEY = re.compile(r"pa:(\d+)")


async def chat_write_keys() -> dict[str, str]:
    """Every ledger entry, purchase and voucher written under a pending action's key."""
    found: dict[str, str] = {}
    for table in (LedgerEntry, Purchase, Voucher):
        rows = await table.filter(idempotency_key__contains="pa:").values_list(
            "id", "idempotency_key"
        )
        for row_id, key in rows:
            match = _ACTION_KEY.search(key or "")
            if match:
                found[f"{table.__name__} {row_id}"] = match.group(1)
    return found


async def action_states(ids: set[int]) -> dict[int, ActionState]:
    rows = await PendingAction.filter(id__in=ids).values_list("id", "state")
    return {row_id: ActionState(state) for row_id, state in rows}


async def _seed_catalogue() -> None:
    for cost in (100, 1_000, 10**7):
        await Reward.create(
            names={"en": f"Gift {cost}", "zh-Hans": f"礼物 {cost}"},
            kind="gift",
            cost_points=cost,
            created_at=clock.now(),
        )


async def test_chat_monkey(rig: Rig) -> None:
    await _seed_catalogue()
    loop = asyncio.get_running_loop()

    def run(step: Awaitable[T]) -> T:
        async def wrapped() -> T:
            return await step

        return asyncio.run_coroutine_threadsafe(wrapped(), loop).result(timeout=60)

    machine = monkey_machine(rig, run)
    machine.TestCase.settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        derandomize=not os.environ.get("JIFEN_MONKEY_RANDOM"),
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target),
        suppress_health_check=list(HealthCheck),
    )
    logging.getLogger().addHandler(errors)
    findings.clear()
    traced.clear()
    try:
        await asyncio.to_thread(machine.TestCase().runTest)
    except Exception:
        if findings:
            pytest.fail(f"the monkey found: {findings[0]}", pytrace=False)
        raise
    finally:
        logging.getLogger().removeHandler(errors)
        clock.unfreeze()
    assert await Member.filter(telegram_id__isnull=False).count() > EXAMPLES
    kinds = {what.split()[0] for what in traced}
    assert {"LedgerEntry", "Purchase"} <= kinds, f"the monkey confirmed too little: {kinds}"
