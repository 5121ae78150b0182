"""Shared fixtures: real databases (a SQLite file, a PostgreSQL database), never mocks.

``backend_url`` is parametrised over SQLite and PostgreSQL. PostgreSQL tests skip with a
reason when no server answers, except under ``CI=true``, where a missing server fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.db.engine import build_engine
from hospital_desktop.core.db.migrate import upgrade_database
from hospital_desktop.core.db.models import Base
from tests import audit_watch

REPO_ROOT = Path(__file__).resolve().parents[1]
SYNTHEA_SAMPLE = REPO_ROOT.parent / "shared" / "data" / "synthea-sample"
SYNTHEA_TRIMMED = REPO_ROOT / "tests" / "data" / "synthea-trimmed"
POSTGRES_ADMIN_URLS = [
    os.environ.get("HOSPITAL_DESKTOP_TEST_POSTGRES", ""),
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
]
TABLES = [table.name for table in reversed(Base.metadata.sorted_tables)]


audit_watch.install()


@pytest.fixture(autouse=True)
def _every_write_is_audited() -> Iterator[None]:
    """Fails the test if any write it made through the services went unaudited."""
    audit_watch.violations.clear()
    yield
    found, audit_watch.violations[:] = list(audit_watch.violations), []
    assert not found, "\n".join(found)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Settings and the default database live in a throw-away home, never the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("HOSPITAL_DESKTOP_DATABASE_URL", raising=False)


def synthea_dir() -> Path:
    """The full shared sample when present, else the trimmed copy kept in the repository."""
    return SYNTHEA_SAMPLE if (SYNTHEA_SAMPLE / "patients.csv").exists() else SYNTHEA_TRIMMED


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file; each test gets a copy (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = build_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "hospital.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _admin_postgres_url() -> str | None:
    for candidate in filter(None, POSTGRES_ADMIN_URLS):
        engine = create_engine(candidate, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return candidate
        except Exception:
            continue
        finally:
            engine.dispose()
    return None


@contextmanager
def throwaway_postgres_database(prefix: str) -> Iterator[tuple[Engine, str, str]]:
    """A new, empty PostgreSQL database (admin engine, name, URL), dropped afterwards.

    Skips with the reason when no server answers, except under CI=true, where it fails.
    """
    admin_url = _admin_postgres_url()
    if admin_url is None:
        message = "PostgreSQL is not running on 127.0.0.1:5432"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI needs it (.ci/run starts it).")
        pytest.skip(f"{message}; start it to run the PostgreSQL tests.")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield admin, name, url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once, dropped at the end."""
    with throwaway_postgres_database("hospital_desktop_test") as (_admin, _name, url):
        engine = build_engine(url)
        upgrade_database(engine)
        engine.dispose()
        yield url


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """The run's PostgreSQL database, emptied before each test."""
    engine = create_engine(postgres_database)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def services(backend_url: str) -> Iterator[AppServices]:
    opened = open_services(backend_url)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_services(sqlite_url: str) -> Iterator[AppServices]:
    opened = open_services(sqlite_url)
    yield opened
    opened.close()
