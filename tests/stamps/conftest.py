"""Stamp-card tests borrow the HTTP API's client fixture; the card-type cache starts empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models.stamps import stamping
from tests.api.conftest import api  # noqa: F401  (the fixture, for test_api)


@pytest.fixture(autouse=True)
def _fresh_card_types() -> Iterator[None]:
    stamping.forget()
    yield
    stamping.forget()


from tests.chat.conftest import rig  # noqa: F401, E402  (the chat rig, for test_chat)
from tests.console.conftest import console  # noqa: F401, E402  (the console, for test_console)
from tests.miniapp.conftest import mini  # noqa: F401, E402  (the Mini App, for test_miniapp)
