"""Databases that are missing, go away, or hold an older or newer schema."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.db import migrate
from hospital_desktop.core.db.engine import build_engine
from hospital_desktop.core.db.migrate import current_revision, head_revision, upgrade_database
from hospital_desktop.core.db.models import Base
from hospital_desktop.core.db.uow import UNAVAILABLE_MESSAGE
from hospital_desktop.core.domain.errors import DatabaseUnavailableError
from hospital_desktop.core.domain.values import HospitalDraft, ListQuery
from hospital_desktop.core.importers.synthea import SyntheaImporter
from tests.conftest import SYNTHEA_TRIMMED, throwaway_postgres_database

TABLES = {"alembic_version", *Base.metadata.tables}


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nobody@127.0.0.1:5999/x",
        "nonsense",
        "nonsense://host/db",
        "mysql://someone@127.0.0.1/db",
    ],
)
def test_opening_a_database_that_cannot_be_reached(url: str) -> None:
    with pytest.raises(DatabaseUnavailableError):
        open_services(url)


def test_opening_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.sqlite3"
    not_a_database.write_text("shopping list\n" * 100)
    with pytest.raises(DatabaseUnavailableError, match="file is not a database"):
        open_services(f"sqlite:///{not_a_database}")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(DatabaseUnavailableError):
        open_services(f"sqlite:///{blocker}/hospital.sqlite3")


# --- a PostgreSQL database that goes away ----------------------------------------------------


@pytest.fixture
def own_postgres() -> Iterator[tuple[Engine, str, str]]:
    """A database of this test's own (it gets dropped): admin engine, its name and URL."""
    with throwaway_postgres_database("hospital_desktop_gone") as created:
        yield created


def _terminate_connections(admin: Engine, name: str) -> int:
    with admin.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalar_one()
    return int(ended)


@pytest.mark.postgres
def test_killed_connections_are_replaced(own_postgres: tuple[Engine, str, str]) -> None:
    admin, name, url = own_postgres
    services = open_services(url)
    try:
        first = services.hospitals.create(HospitalDraft(name="North", time_zone="UTC"))
        assert _terminate_connections(admin, name) >= 1
        # The pool notices the dead connection and opens a new one.
        assert services.hospitals.get(first.id) == first
        services.hospitals.create(HospitalDraft(name="South", time_zone="UTC"))
        assert services.summary().hospitals == 2
    finally:
        services.close()


@pytest.mark.postgres
def test_a_dropped_database_gives_a_domain_error(own_postgres: tuple[Engine, str, str]) -> None:
    admin, name, url = own_postgres
    services: AppServices = open_services(url)
    try:
        hospital = services.hospitals.create(HospitalDraft(name="North", time_zone="UTC"))
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))

        calls = [
            lambda: services.hospitals.get(hospital.id),
            lambda: services.hospitals.list(ListQuery()),
            lambda: services.hospitals.create(HospitalDraft(name="South", time_zone="UTC")),
            lambda: services.patients.list(ListQuery(search="ann")),
            services.summary,
            lambda: SyntheaImporter(services.unit_of_work, services.changes).run(SYNTHEA_TRIMMED),
        ]
        for call in calls:
            with pytest.raises(DatabaseUnavailableError) as caught:
                call()
            assert str(caught.value) == UNAVAILABLE_MESSAGE
    finally:
        services.close()


# --- schema upgrades -------------------------------------------------------------------------


def test_an_up_to_date_database_needs_no_upgrade(backend_url: str) -> None:
    engine = build_engine(backend_url)
    try:
        assert current_revision(engine) == head_revision(engine)
        assert upgrade_database(engine) is None
    finally:
        engine.dispose()


def test_a_fresh_file_gets_the_schema_and_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "new folder" / "hospital.sqlite3"
    services = open_services(f"sqlite:///{path}")
    try:
        assert services.backup_path is None
        assert set(inspect(services.engine).get_table_names()) == TABLES
        assert current_revision(services.engine) == head_revision(services.engine)
        assert services.summary().hospitals == 0
    finally:
        services.close()
    assert [p.name for p in path.parent.iterdir() if p.suffix == ".bak"] == []


EXTRA_REVISION = '''"""a later schema, for the upgrade test"""

import sqlalchemy as sa
from alembic import op

revision = "9000"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("upgrade_probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("upgrade_probe")
'''


def _query_file(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection, connection:
        return connection.execute(sql).fetchall()


def _revision_in_file(path: Path) -> str:
    return str(_query_file(path, "SELECT version_num FROM alembic_version")[0][0])


def _hospital_names(path: Path) -> list[object]:
    return [row[0] for row in _query_file(path, "SELECT name FROM hospitals ORDER BY id")]


def test_upgrading_a_file_with_data_keeps_a_backup(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(make_url(sqlite_url).database or "")
    services = open_services(sqlite_url)
    services.hospitals.create(HospitalDraft(name="North", time_zone="UTC"))
    old_head = head_revision(services.engine)
    services.close()

    # This version's migrations plus one more: the file is now one revision behind.
    later = tmp_path / "later-migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, later, ignore=shutil.ignore_patterns("__pycache__"))
    (later / "versions" / "9000_upgrade_probe.py").write_text(
        EXTRA_REVISION.format(head=old_head), encoding="utf-8"
    )
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", later)

    upgraded = open_services(sqlite_url)
    try:
        backup = upgraded.backup_path
        assert backup is not None and backup.is_file()
        assert backup.parent == path.parent
        assert backup.name.startswith(f"{path.name}.before-9000-")
        assert "upgrade_probe" in inspect(upgraded.engine).get_table_names()
        assert [h.name for h in upgraded.hospitals.list(ListQuery()).items] == ["North"]
    finally:
        upgraded.close()
    assert _revision_in_file(path) == "9000"
    assert _revision_in_file(backup) == old_head
    assert _hospital_names(backup) == ["North"]

    again = open_services(sqlite_url)  # up to date now: no second copy
    assert again.backup_path is None
    again.close()


def test_a_schema_from_a_newer_version_is_refused_untouched(sqlite_url: str) -> None:
    path = Path(make_url(sqlite_url).database or "")
    _query_file(path, "UPDATE alembic_version SET version_num = 'f00d'")
    with pytest.raises(DatabaseUnavailableError, match="newer version"):
        open_services(sqlite_url)
    assert _revision_in_file(path) == "f00d"
    assert [p.name for p in path.parent.iterdir() if ".bak" in p.name] == []


def test_a_sqlite_file_deleted_while_open_saves_nothing_and_says_so(sqlite_url: str) -> None:
    services = open_services(sqlite_url)
    try:
        services.hospitals.create(HospitalDraft(name="Before", time_zone="UTC"))
        path = Path(sqlite_url.removeprefix("sqlite:///"))
        path.unlink()
        with pytest.raises(DatabaseUnavailableError, match="moved or deleted"):
            services.hospitals.create(HospitalDraft(name="After", time_zone="UTC"))
    finally:
        services.close()
