"""Where the database is: ``--database`` > environment > saved setting > a local SQLite file."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from platformdirs import user_config_path, user_data_path

from hospital_desktop.core.services.accounts import SecuritySettings

APP_DIR_NAME = "hospital-desktop"
DATABASE_ENV = "HOSPITAL_DESKTOP_DATABASE_URL"


@dataclass(frozen=True)
class DatabaseChoice:
    url: str
    source: str  # "command line", "environment", "settings" or "default"


def data_dir() -> Path:
    return user_data_path(APP_DIR_NAME, appauthor=False)


def settings_path() -> Path:
    return user_config_path(APP_DIR_NAME, appauthor=False) / "settings.json"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'hospital.sqlite3'}"


def load_settings() -> dict[str, object]:
    try:
        loaded = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def save_database_url(url: str | None) -> None:
    """Remember a database for later runs (None forgets it and returns to the default)."""
    settings = load_settings()
    if url:
        settings["database_url"] = url
    else:
        settings.pop("database_url", None)
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(settings, indent=2), encoding="utf-8")
    temporary.replace(path)


def choose_database(
    command_line: str | None = None, environ: Mapping[str, str] | None = None
) -> DatabaseChoice:
    environ = os.environ if environ is None else environ
    if command_line:
        return DatabaseChoice(command_line, "command line")
    if environ.get(DATABASE_ENV):
        return DatabaseChoice(environ[DATABASE_ENV], "environment")
    saved = load_settings().get("database_url")
    if isinstance(saved, str) and saved:
        return DatabaseChoice(saved, "settings")
    return DatabaseChoice(default_database_url(), "default")


DEFAULT_IDLE_LOCK_MINUTES = 10
DEFAULT_MAX_FAILED_LOGINS = 5
DEFAULT_LOCKOUT_MINUTES = 15


def _whole_number(name: str, default: int, smallest: int) -> int:
    """A number from settings.json; anything else (text, negative, true) keeps the default."""
    value = load_settings().get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < smallest:
        return default
    return int(value)


def idle_lock_minutes() -> int:
    """Minutes without input before the window locks (settings.json ``idle_lock_minutes``;
    0 turns the lock off, for a workstation in a locked room)."""
    return _whole_number("idle_lock_minutes", DEFAULT_IDLE_LOCK_MINUTES, 0)


def lockout_rules() -> tuple[int, int]:
    """(wrong passwords in a row that lock an account, minutes it stays locked), from
    settings.json ``max_failed_logins`` and ``lockout_minutes``."""
    return (
        _whole_number("max_failed_logins", DEFAULT_MAX_FAILED_LOGINS, 1),
        _whole_number("lockout_minutes", DEFAULT_LOCKOUT_MINUTES, 1),
    )


def workstation_name() -> str:
    """How the audit trail names this computer."""
    return socket.gethostname()[:200] or "unknown workstation"


def security_from_settings() -> SecuritySettings:
    failures, minutes = lockout_rules()
    return SecuritySettings(max_failed_logins=failures, lockout=timedelta(minutes=minutes))
