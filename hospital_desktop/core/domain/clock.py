"""Time-zone helpers: stored times are UTC, shown times are the hospital's wall clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_local(moment: datetime, time_zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(time_zone))


def format_local(moment: datetime, time_zone: str, *, with_date: bool = True) -> str:
    """``2027-10-31 01:00 GMT``: the zone abbreviation tells the two 01:00s of a fall-back
    night apart."""
    local = to_local(moment, time_zone)
    pattern = "%Y-%m-%d %H:%M %Z" if with_date else "%H:%M %Z"
    return local.strftime(pattern)


def local_to_utc(wall_clock: datetime, time_zone: str, *, fold: int = 0) -> datetime:
    """The UTC instant of a naive wall-clock reading in ``time_zone``.

    ``fold`` picks the first (0) or second (1) of a repeated fall-back hour.
    """
    return wall_clock.replace(tzinfo=ZoneInfo(time_zone), fold=fold).astimezone(UTC)


def is_real_wall_time(wall_clock: datetime, time_zone: str) -> bool:
    """False for a reading skipped by a spring-forward change (it never shows on a clock)."""
    aware = wall_clock.replace(tzinfo=ZoneInfo(time_zone))
    round_trip = aware.astimezone(UTC).astimezone(ZoneInfo(time_zone))
    return round_trip.replace(tzinfo=None) == wall_clock
