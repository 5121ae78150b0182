"""Where the database is: ``--database`` > environment > saved setting > a local SQLite file."""

from __future__ import annotations

import json
import math
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
    return _read_settings() or {}


def _read_settings() -> dict[str, object] | None:
    """The saved settings; {} when there are none, None when the file cannot be read."""
    try:
        loaded = json.loads(settings_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def save_database_url(url: str | None) -> None:
    """Remember a database for later runs (None forgets it and returns to the default)."""
    path = settings_path()
    settings = _read_settings()
    if settings is None:  # unreadable: keep it aside rather than lose what was in it
        path.replace(path.with_name(path.name + ".unreadable"))
        settings = {}
    if url:
        settings["database_url"] = url
    else:
        settings.pop("database_url", None)
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


def _whole_number(name: str, default: int, smallest: int, largest: int) -> int:
    """A number from settings.json, rounded up and kept within reason; anything else (text,
    true, NaN, a negative) keeps the default."""
    value = load_settings().get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    if not math.isfinite(value) or value < smallest:
        return default
    return min(math.ceil(value), largest)


def idle_lock_minutes() -> int:
    """Minutes without input before the window locks (settings.json ``idle_lock_minutes``;
    0 turns the lock off, for a workstation in a locked room)."""
    return _whole_number("idle_lock_minutes", DEFAULT_IDLE_LOCK_MINUTES, 0, 24 * 60)


def lockout_rules() -> tuple[int, int]:
    """(wrong passwords in a row that lock an account, minutes it stays locked), from
    settings.json ``max_failed_logins`` and ``lockout_minutes``."""
    return (
        _whole_number("max_failed_logins", DEFAULT_MAX_FAILED_LOGINS, 1, 100),
        _whole_number("lockout_minutes", DEFAULT_LOCKOUT_MINUTES, 1, 7 * 24 * 60),
    )


def workstation_name() -> str:
    """How the audit trail names this computer."""
    return socket.gethostname()[:200] or "unknown workstation"


def security_from_settings() -> SecuritySettings:
    failures, minutes = lockout_rules()
    return SecuritySettings(max_failed_logins=failures, lockout=timedelta(minutes=minutes))
