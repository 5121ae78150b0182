"""Which database: --database > environment > saved setting > a SQLite file in the data dir.

The autouse fixture in tests/conftest.py points XDG_DATA_HOME and XDG_CONFIG_HOME at a
throw-away home and removes the environment variable, so these never touch the user's files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hospital_desktop.config import (
    DATABASE_ENV,
    DatabaseChoice,
    choose_database,
    data_dir,
    default_database_url,
    load_settings,
    save_database_url,
    settings_path,
)

FLAG = "sqlite:////flag/hospital.sqlite3"
ENVIRONMENT = "postgresql+psycopg://clerk@db.example/hospital"
SAVED = "sqlite:////saved/hospital.sqlite3"


def test_default_is_a_sqlite_file_in_the_xdg_data_folder() -> None:
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert data_dir() == data_home / "hospital-desktop"
    assert (
        default_database_url() == f"sqlite:///{data_home / 'hospital-desktop' / 'hospital.sqlite3'}"
    )
    assert (
        settings_path()
        == Path(os.environ["XDG_CONFIG_HOME"]) / "hospital-desktop" / "settings.json"
    )
    assert choose_database() == DatabaseChoice(default_database_url(), "default")


def test_precedence_with_every_source_present(monkeypatch: pytest.MonkeyPatch) -> None:
    save_database_url(SAVED)
    monkeypatch.setenv(DATABASE_ENV, ENVIRONMENT)
    assert choose_database(FLAG) == DatabaseChoice(FLAG, "command line")
    assert choose_database() == DatabaseChoice(ENVIRONMENT, "environment")
    monkeypatch.delenv(DATABASE_ENV)
    assert choose_database() == DatabaseChoice(SAVED, "settings")
    save_database_url(None)
    assert choose_database() == DatabaseChoice(default_database_url(), "default")


def test_an_explicit_environment_mapping_is_used_instead_of_os_environ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DATABASE_ENV, ENVIRONMENT)
    assert choose_database(environ={}) == DatabaseChoice(default_database_url(), "default")
    assert choose_database(environ={DATABASE_ENV: SAVED}).source == "environment"
    # Empty values count as absent.
    assert choose_database("", environ={DATABASE_ENV: ""}).source == "default"


def test_saving_keeps_other_settings_and_forgetting_removes_only_the_url() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"window": "maximised"}', encoding="utf-8")
    save_database_url(SAVED)
    assert load_settings() == {"window": "maximised", "database_url": SAVED}
    save_database_url(None)
    assert load_settings() == {"window": "maximised"}
    assert not path.with_suffix(".tmp").exists()


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"database_url": 42}', ""])
def test_a_damaged_settings_file_is_ignored(content: str) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    assert choose_database() == DatabaseChoice(default_database_url(), "default")


def test_idle_lock_and_lockout_come_from_the_settings_file() -> None:
    import json

    from hospital_desktop.config import idle_lock_minutes, lockout_rules, security_from_settings

    assert idle_lock_minutes() == 10 and lockout_rules() == (5, 15)
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(
        json.dumps({"idle_lock_minutes": 0, "max_failed_logins": 3, "lockout_minutes": 30})
    )
    assert idle_lock_minutes() == 0 and lockout_rules() == (3, 30)
    assert security_from_settings().lockout.total_seconds() == 30 * 60
    settings_path().write_text(
        json.dumps({"idle_lock_minutes": "soon", "max_failed_logins": 0, "lockout_minutes": True})
    )
    assert idle_lock_minutes() == 10 and lockout_rules() == (5, 15)  # nonsense: the defaults


def test_numbers_out_of_reason_and_unreadable_settings() -> None:
    from hospital_desktop.config import idle_lock_minutes, lockout_rules

    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(
        '{"idle_lock_minutes": 40000, "max_failed_logins": NaN, "lockout_minutes": 1e300}'
    )
    assert idle_lock_minutes() == 24 * 60 and lockout_rules() == (5, 7 * 24 * 60)
    settings_path().write_text('{"idle_lock_minutes": 0.5}')
    assert idle_lock_minutes() == 1  # half a minute is a minute, not "never"
    settings_path().write_text("not json at all")
    save_database_url(SAVED)
    assert load_settings() == {"database_url": SAVED}
    kept = settings_path().with_name("settings.json.unreadable")
    assert kept.read_text() == "not json at all"
