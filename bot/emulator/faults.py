"""Injected failures and Telegram's flood control, for tests of the bot's error handling."""

from __future__ import annotations

from collections.abc import Iterable

from bot.emulator.core import EmulatorState
from bot.emulator.protocol import ApiError, Params
from bot.emulator.state import (
    Fault,
    RateLimits,
)

SEND_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "copyMessage"}
)


class FaultsMixin(EmulatorState):
    """Failures a test injects, and the 429s of flood control when it is enforced."""

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        """The next `count` calls of `method` (to `chat_id`, if given) fail with this error."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        error = ApiError(error_code, description, retry_after)
        self._faults.append(Fault(method.lower(), error, chat_id, count))

    def enforce_limits(
        self,
        global_per_s: int | None = 30,
        per_chat_per_s: int | None = 1,
        methods: Iterable[str] = SEND_METHODS,
    ) -> None:
        """Answer 429 like Telegram's flood control (rule: see `RateLimits`)."""
        self._limits = RateLimits(global_per_s, per_chat_per_s, frozenset(methods))

    def disable_limits(self) -> None:
        self._limits = None

    def _raise_fault(self, name: str, params: Params) -> None:
        method = name.lower()
        for fault in self._faults:
            if fault.matches(method, params.raw("chat_id")):
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                raise fault.error
