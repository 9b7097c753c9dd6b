"""The chat rig (tests/chat) for the chat tests of consent."""

from tests.chat.conftest import rig

__all__ = ["rig"]
