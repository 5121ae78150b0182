"""Schema upgrades through Alembic, run by the application itself on start."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from hospital_desktop import APP_NAME
from hospital_desktop.core.db.engine import sqlite_path
from hospital_desktop.core.domain.errors import DatabaseUnavailableError

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def copy_sqlite_file(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API: it includes what is still in the WAL
    file and waits for another workstation's write to finish, where a file copy would not."""
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)


def upgrade_database(engine: Engine) -> Path | None:
    """Bring the schema to the newest revision.

    A SQLite file that already holds data is copied aside first, so a failed upgrade never
    costs the user their records. Returns the path of that copy, if one was made.
    """
    current = current_revision(engine)
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    head = scripts.get_current_head()
    if current == head:
        return None
    if current is not None and current not in {rev.revision for rev in scripts.walk_revisions()}:
        raise DatabaseUnavailableError(
            f"The database has schema version {current}, which this version of "
            f"{APP_NAME} does not know: it was probably made by a newer version. "
            "Nothing was changed; use the newer version."
        )
    backup = None
    path = sqlite_path(str(engine.url))
    if current is not None and path is not None and path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = path.with_name(f"{path.name}.before-{head}-{stamp}.bak")
        engine.dispose()
        copy_sqlite_file(path, backup)
    command.upgrade(alembic_config(engine), "head")
    return backup
