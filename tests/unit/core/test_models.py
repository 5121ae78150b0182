"""UTCDateTime: aware UTC in, aware UTC out, and a naive datetime is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.db.models import Hospital, UTCDateTime
from tests.audit_watch import behind_the_services

SQLITE = sqlite.dialect()
POSTGRES = postgresql.dialect()


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=["sqlite", "postgresql"])
def test_naive_datetimes_are_refused(dialect: object) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2030, 1, 1, 9, 0), dialect)


def test_aware_values_are_stored_as_naive_utc() -> None:
    plus_nine = timezone(timedelta(hours=9))
    stored = UTCDateTime().process_bind_param(datetime(2030, 1, 1, 18, 0, tzinfo=plus_nine), SQLITE)
    assert stored == datetime(2030, 1, 1, 9, 0)
    assert stored is not None and stored.tzinfo is None
    assert UTCDateTime().process_bind_param(None, SQLITE) is None


def test_values_come_back_aware_utc() -> None:
    column = UTCDateTime()
    assert column.process_result_value(datetime(2030, 1, 1, 9, 0), SQLITE) == datetime(
        2030, 1, 1, 9, 0, tzinfo=UTC
    )
    minus_five = datetime(2030, 1, 1, 4, 0, tzinfo=timezone(timedelta(hours=-5)))
    back = column.process_result_value(minus_five, POSTGRES)
    assert back == datetime(2030, 1, 1, 9, 0, tzinfo=UTC) and back.tzinfo is UTC
    assert column.process_result_value(None, SQLITE) is None


def test_a_real_database_refuses_a_naive_value_and_round_trips_an_aware_one(
    sqlite_services: AppServices,
) -> None:
    with behind_the_services(Session(sqlite_services.engine)) as session:
        session.add(Hospital(name="Naive", time_zone="UTC", archived_at=datetime(2030, 1, 1)))
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()
        session.rollback()

        moment = datetime(2030, 1, 1, 18, 0, tzinfo=timezone(timedelta(hours=9)))
        session.add(Hospital(name="Aware", time_zone="UTC", archived_at=moment))
        session.commit()
    with Session(sqlite_services.engine) as session:
        stored = session.scalars(select(Hospital.archived_at)).one()
    assert stored == moment
    assert stored is not None and stored.tzinfo is UTC
