"""The limiter never lets more than the limit arrive in any one second, whatever the delays."""

from __future__ import annotations

import math

import pytest

from scheduler.ratelimit import ArrivalWindow


def test_a_call_counts_until_one_second_after_its_answer() -> None:
    window = ArrivalWindow(3)
    for _ in range(3):
        assert window.wait(0.0) == 0.0
        window.grant()
    assert window.wait(0.1) == math.inf  # all three may still arrive: wait for an answer
    window.answered(0.5)  # answered at 0.5: counted by the server at 0.5 at the latest
    assert window.wait(0.6) == pytest.approx(0.9)  # room again at 1.5
    assert window.wait(1.5) == 0.0
    window.grant()
    assert window.wait(1.5) == math.inf


def test_late_answers_keep_the_window_full_longer() -> None:
    window = ArrivalWindow(2)
    window.grant()
    window.grant()
    window.answered(3.0)  # a slow round trip: the first call may have arrived at 3.0
    assert window.wait(3.5) == 0.5  # one still open, one counted until 4.0
    window.answered(3.2)
    assert window.wait(3.9) == pytest.approx(0.1)
    assert window.wait(4.0) == 0.0
