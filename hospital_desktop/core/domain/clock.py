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


def parse_local_datetime(text: str, time_zone: str) -> datetime | str:
    """The UTC instant of 'YYYY-MM-DD HH:MM' (optionally followed by the zone abbreviation)
    read on the wall clock of ``time_zone``, or a message saying what is wrong.

    A reading that a fall-back night shows twice needs its abbreviation (BST or GMT); one
    that a spring-forward change skips is refused.
    """
    parts = text.strip().split()
    if len(parts) not in (2, 3):
        return f"'{text.strip()}' is not a date and time; write it as YYYY-MM-DD HH:MM."
    try:
        wall_clock = datetime.strptime(f"{parts[0]} {parts[1]}", "%Y-%m-%d %H:%M")
    except ValueError:
        return f"'{text.strip()}' is not a date and time; write it as YYYY-MM-DD HH:MM."
    if not 1900 <= wall_clock.year <= 2200:
        return f"'{text.strip()}' is not a plausible year; check the date."
    zone = ZoneInfo(time_zone)
    readings = {fold: wall_clock.replace(tzinfo=zone, fold=fold) for fold in (0, 1)}
    real = {
        fold: aware
        for fold, aware in readings.items()
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall_clock
    }
    if not real:
        return (
            f"{wall_clock:%Y-%m-%d %H:%M} does not exist in {time_zone}: the clocks skip it "
            "when they change."
        )
    candidates = {aware.utcoffset(): aware for aware in real.values()}
    if len(parts) == 3:
        wanted = parts[2].upper()
        for aware in candidates.values():
            if (aware.tzname() or "").upper() == wanted:
                return aware.astimezone(UTC)
        names = " or ".join(sorted({aware.tzname() or "" for aware in candidates.values()}))
        return f"{wall_clock:%H:%M} on that day in {time_zone} is {names}, not {parts[2]}."
    if len(candidates) > 1:
        names = " or ".join(aware.tzname() or "" for aware in candidates.values())
        return (
            f"{wall_clock:%H:%M} happens twice that night in {time_zone}; add {names} after "
            "the time to say which."
        )
    return next(iter(candidates.values())).astimezone(UTC)
