"""The CLI says which database it uses, refuses to create an empty default SQLite file on
a machine whose deployment lives elsewhere, runs any command against the sandbox's
database with ``--sandbox``, and ``migrate`` says what it applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder with no database, no env file and no deployment."""
    monkeypatch.chdir(tmp_path)
    for name in ("JIFEN_DATABASE__URL", "JIFEN_BOT__MODE", "JIFEN_SANDBOX__DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli, "DEPLOYMENT_ENV", tmp_path / "etc" / "jifen.env")
    return tmp_path


CONFIG = str(Path(__file__).resolve().parent.parent / "config.toml")


def jifen(*args: str) -> int:
    return cli.main(["--config", CONFIG, *args])


def test_migrate_says_what_it_applied(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert jifen("migrate") == 0
    out, err = capsys.readouterr()
    assert "applied 0001_initial" in out and "migration(s) applied" in out
    assert "jifen: database: sqlite://data/jifen.sqlite3" in err
    assert jifen("migrate") == 0
    assert "nothing to apply" in capsys.readouterr().out


@pytest.mark.parametrize("deployment", ["env file", "webhook mode"])
def test_no_new_default_database_where_a_deployment_is_configured(
    here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], deployment: str
) -> None:
    if deployment == "env file":
        (here / "etc").mkdir()
        (here / "etc" / "jifen.env").write_text("JIFEN_DATABASE__URL=postgres://x/y\n")
    else:
        monkeypatch.setenv("JIFEN_BOT__MODE", "webhook")
        monkeypatch.setenv("JIFEN_BOT__WEBHOOK_SECRET", "s" * 64)
    assert jifen("apikey", "create", "POS till 1") == 2
    err = capsys.readouterr().err
    assert "a new empty sqlite://data/jifen.sqlite3 would be created" in err
    assert "set -a; ." in err and "jf_" not in err
    assert not (here / "data" / "jifen.sqlite3").exists()
    monkeypatch.setenv("JIFEN_DATABASE__URL", f"sqlite://{here}/chosen.sqlite3")
    assert jifen("apikey", "create", "POS till 1") == 0  # a database was named: fine
    assert "jf_" in capsys.readouterr().out


def test_sandbox_flag_uses_the_sandboxs_database(
    here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIFEN_SANDBOX__DATABASE_URL", f"sqlite://{here}/sandbox.sqlite3")
    assert jifen("--sandbox", "apikey", "create", "demo shop") == 0
    _, err = capsys.readouterr()
    assert f"database (the sandbox's): sqlite://{here}/sandbox.sqlite3" in err
    assert (here / "sandbox.sqlite3").exists() and not (here / "data").exists()
    assert jifen("--sandbox", "apikey", "list") == 0
    assert "demo shop" in capsys.readouterr().out
