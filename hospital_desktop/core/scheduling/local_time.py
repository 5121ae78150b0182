"""Wall-clock ranges in an IANA zone, turned into the UTC instants they cover.

A timetable says "09:00-17:00 on Mondays" on the hospital's wall clock. Which instants
that covers changes on the nights the clocks move: a skipped reading covers nothing, a
repeated one covers both instants. Everything here follows one rule: an instant belongs to a
local range when its local wall-clock reading lies in [start, end).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]  # [start, end), aware UTC
SAMPLE = timedelta(hours=1)
MARGIN = timedelta(hours=30)  # wider than any UTC offset (at most +/-14 h) on either side


def offset_at(zone: ZoneInfo, moment: datetime) -> timedelta:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The instants in [start, end) at which the zone's UTC offset changes (to the second)."""
    return list(_transitions(zone.key, start.astimezone(UTC), end.astimezone(UTC)))


@lru_cache(maxsize=4096)
def _transitions(key: str, start: datetime, end: datetime) -> tuple[datetime, ...]:
    zone = ZoneInfo(key)
    found: list[datetime] = []
    previous_time, previous_offset = start, offset_at(zone, start)
    moment = start
    while moment < end:
        moment = min(moment + SAMPLE, end)
        offset = offset_at(zone, moment)
        if offset != previous_offset:
            low, high = previous_time, moment  # offset(low) = previous, offset(high) = new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if offset_at(zone, middle) == previous_offset:
                    low = middle
                else:
                    high = middle
            found.append(high.replace(microsecond=0))
        previous_time, previous_offset = moment, offset
    return tuple(found)


def constant_offset_spans(
    zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """[start, end) cut where the offset changes: (span start, span end, offset)."""
    cuts = [start, *transitions(zone, start, end), end]
    return [(first, last, offset_at(zone, first)) for first, last in pairwise(cuts) if last > first]


def utc_intervals(local_start: datetime, local_end: datetime, time_zone: str) -> list[Interval]:
    """The UTC instants whose wall-clock reading in ``time_zone`` lies in [start, end).

    ``local_start`` and ``local_end`` are naive wall-clock readings. The answer is sorted and
    merged: usually one interval; none for a range the clocks skip; two when a range lies in
    an hour the clocks repeat.
    """
    if local_end <= local_start:
        return []
    zone = ZoneInfo(time_zone)
    naive_start = local_start.replace(tzinfo=UTC)
    naive_end = local_end.replace(tzinfo=UTC)
    pieces: list[Interval] = []
    for span_start, span_end, offset in constant_offset_spans(
        zone, naive_start - MARGIN, naive_end + MARGIN
    ):
        first = max(span_start, naive_start - offset)
        last = min(span_end, naive_end - offset)
        if last > first:
            pieces.append((first, last))
    return merge(pieces)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """``intervals`` less every instant in ``holes`` (both sorted or not)."""
    result: list[Interval] = []
    holes = merge(holes)
    for start, end in merge(intervals):
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def overlaps(first: Interval, second: Interval) -> bool:
    """Half-open: 09:00-09:30 and 09:30-10:00 do not overlap."""
    return first[0] < second[1] and second[0] < first[1]


def local_day_bounds(day: datetime, time_zone: str) -> Interval:
    """The UTC instants of one local calendar day (23, 24 or 25 hours long)."""
    start = datetime(day.year, day.month, day.day)
    covered = utc_intervals(start, start + timedelta(days=1), time_zone)
    return covered[0][0], covered[-1][1]
