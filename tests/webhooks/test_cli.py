"""``jifen webhook …`` through the real entry point (its own store), and no secret in logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import main


def test_the_jifen_command_wires_webhook_add_list_remove(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("JIFEN_DATABASE__URL", f"sqlite://{tmp_path}/cli.sqlite3")
    monkeypatch.setenv("JIFEN_WEBHOOKS__ALLOW_PRIVATE", "true")
    caplog.set_level(logging.DEBUG)
    assert main(["webhook", "list"]) == 0
    assert "no webhooks" in capsys.readouterr().out
    assert main(["webhook", "add", "http://127.0.0.1:9/hooks", "--events", "nope"]) == 1
    assert "unknown event type(s): nope" in capsys.readouterr().err
    assert main(["webhook", "add", "http://127.0.0.1:9/hooks", "--events", "tier.changed"]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    assert main(["webhook", "test", "1"]) == 1  # nothing listens on port 9
    assert "failed" in capsys.readouterr().out
    assert main(["webhook", "list"]) == 0
    listed = capsys.readouterr().out
    assert "127.0.0.1:9/hooks" in listed and "[tier.changed]" in listed and "pending 1" in listed
    assert secret not in listed
    assert main(["webhook", "remove", "1"]) == 0
    assert main(["webhook", "list"]) == 0
    assert "no webhooks" in capsys.readouterr().out
    assert secret not in caplog.text and secret.removeprefix("whsec_") not in caplog.text
