"""Upgrading a database that already holds records keeps them and fills new columns."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from hospital_desktop.core.db.engine import build_engine
from hospital_desktop.core.db.migrate import alembic_config, upgrade_database


def test_upgrade_from_the_first_schema_keeps_appointments_and_sets_what_they_block(tmp_path):
    path = tmp_path / "old.sqlite3"
    engine = build_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO hospitals (id, name, address, city, state, postal_code, phone, time_zone, version) "
                "VALUES (1, 'Old Hospital', '', '', '', '', '', 'UTC', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO doctors (id, hospital_id, name, specialty, phone, email, active, version) "
                "VALUES (1, 1, 'Dr Old', '', '', '', 1, 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO patients (id, medical_record_number, given_name, family_name, date_of_birth, "
                "sex, phone, email, address, city, state, postal_code, version) "
                "VALUES (1, 'M1', 'Ána', 'Old', '1970-01-01', 'female', '', '', '', '', '', '', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO appointments (id, patient_id, doctor_id, hospital_id, start_at, end_at, status, "
                "service, reason, notes, created_at, updated_at, version) VALUES (1, 1, 1, 1, "
                "'2026-01-05 09:00:00', '2026-01-05 09:30:00', 'booked', '', '', '', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
            )
        )
    backup = upgrade_database(engine)
    assert backup is not None and backup.exists()
    with engine.connect() as connection:
        row = connection.execute(text("SELECT end_at, blocked_until FROM appointments")).one()
        assert row[0] == row[1]
        name = connection.execute(text("SELECT given_name FROM patients")).scalar_one()
        assert name == "Ána"
    engine.dispose()


@pytest.mark.postgres
def test_a_postgres_database_with_clashing_bookings_still_upgrades():
    from tests.conftest import throwaway_postgres_database

    with throwaway_postgres_database("hospital_desktop_upgrade") as (_admin, _name, url):
        engine = build_engine(url)
        command.upgrade(alembic_config(engine), "0001")
        with engine.begin() as connection:
            _seed_first_schema(connection, extra_booking=True)
        upgrade_database(engine)
        with engine.connect() as connection:
            statuses = connection.execute(
                text("SELECT id, status FROM appointments ORDER BY id")
            ).all()
        assert statuses == [(1, "booked"), (2, "proposed")]
        engine.dispose()


def _seed_first_schema(connection, extra_booking: bool = False) -> None:
    connection.execute(
        text(
            "INSERT INTO hospitals (id, name, address, city, state, postal_code, phone, time_zone, version) "
            "VALUES (1, 'Old Hospital', '', '', '', '', '', 'UTC', 1)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO doctors (id, hospital_id, name, specialty, phone, email, active, version) "
            "VALUES (1, 1, 'Dr Old', '', '', '', true, 1)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO patients (id, medical_record_number, given_name, family_name, date_of_birth, "
            "sex, phone, email, address, city, state, postal_code, version) "
            "VALUES (1, 'M1', 'Ána', 'Old', '1970-01-01', 'female', '', '', '', '', '', '', 1)"
        )
    )
    for number, (start, end) in enumerate(
        [
            ("2026-01-05 09:00:00", "2026-01-05 09:30:00"),
            ("2026-01-05 09:15:00", "2026-01-05 09:45:00"),
        ][: 2 if extra_booking else 1],
        start=1,
    ):
        connection.execute(
            text(
                "INSERT INTO appointments (id, patient_id, doctor_id, hospital_id, start_at, end_at, status, "
                "service, reason, notes, created_at, updated_at, version) VALUES (:id, 1, 1, 1, "
                ":start, :end, 'booked', '', '', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
            ),
            {"id": number, "start": start, "end": end},
        )
