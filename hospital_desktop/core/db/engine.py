"""Engine and session factory: one per application, tuned per backend."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
SERIALIZED = "hospital_desktop_serialized"
"""Execution option: on SQLite, begin with BEGIN IMMEDIATE so that writers queue up and a
check made inside the transaction still holds when it commits."""


def build_engine(url: str) -> Engine:
    """Create the engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def fold(value: Any) -> Any:
    """Lower case without accents, for search: 'Zoë' and 'ZOE' both become 'zoe'.

    PostgreSQL's ``hd_fold`` (migration 0005) does the same with ``unaccent``.
    """
    if not isinstance(value, str):
        return value
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() folds ASCII only, so a case-insensitive search (ILIKE becomes
    # lower(x) LIKE lower(y)) missed 'JERÓNIMO' for 'Jerónimo'; PostgreSQL folds them all.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    dbapi_connection.create_function("hd_fold", 1, fold, deterministic=True)
    # SQLAlchemy emits BEGIN itself (below), so the driver must not begin on its own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Any) -> None:
    serialized = connection.get_execution_options().get(SERIALIZED, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if serialized else "BEGIN")


def build_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for memory databases and other backends."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def describe(url: str) -> str:
    """The URL as it may be shown to a user: no password."""
    return make_url(url).render_as_string(hide_password=True)
