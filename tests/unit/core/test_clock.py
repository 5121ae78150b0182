"""Wall clocks: UTC in storage, the hospital's zone on screen, the two 01:30s of a fall-back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hospital_desktop.core.domain.clock import (
    format_local,
    is_real_wall_time,
    local_to_utc,
    to_local,
    utc_now,
)

# Europe/London, 2027: summer time ends on Sunday 31 October at 01:00 UTC (02:00 BST becomes
# 01:00 GMT), and starts on Sunday 28 March at 01:00 UTC (01:00 GMT becomes 02:00 BST).
LONDON = "Europe/London"


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "2027-10-31 01:30 BST"),
        (datetime(2027, 10, 31, 0, 59, tzinfo=UTC), "2027-10-31 01:59 BST"),
        (datetime(2027, 10, 31, 1, 0, tzinfo=UTC), "2027-10-31 01:00 GMT"),
        (datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "2027-10-31 01:30 GMT"),
        (datetime(2027, 3, 28, 0, 59, tzinfo=UTC), "2027-03-28 00:59 GMT"),
        (datetime(2027, 3, 28, 1, 0, tzinfo=UTC), "2027-03-28 02:00 BST"),
    ],
)
def test_format_local_names_the_zone(moment: datetime, shown: str) -> None:
    assert format_local(moment, LONDON) == shown


def test_format_local_without_date_and_elsewhere() -> None:
    assert format_local(datetime(2027, 10, 31, 0, 30, tzinfo=UTC), LONDON, with_date=False) == (
        "01:30 BST"
    )
    assert format_local(datetime(2027, 10, 31, 1, 30, tzinfo=UTC), LONDON, with_date=False) == (
        "01:30 GMT"
    )
    new_york = datetime(2027, 7, 1, 16, 0, tzinfo=UTC)
    assert format_local(new_york, "America/New_York") == "2027-07-01 12:00 EDT"


def test_local_to_utc_picks_either_of_the_repeated_hour() -> None:
    wall = datetime(2027, 10, 31, 1, 30)
    assert local_to_utc(wall, LONDON) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert local_to_utc(wall, LONDON, fold=1) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert to_local(local_to_utc(wall, LONDON, fold=1), LONDON).tzname() == "GMT"


def test_skipped_wall_times_are_not_real() -> None:
    assert not is_real_wall_time(datetime(2027, 3, 28, 1, 30), LONDON)
    assert is_real_wall_time(datetime(2027, 3, 28, 2, 30), LONDON)
    assert is_real_wall_time(datetime(2027, 10, 31, 1, 30), LONDON)


def test_utc_now_is_aware_utc() -> None:
    now = utc_now()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
