"""The one availability engine: timetable, exceptions and bookings in, free slots out.

The slot list and the booking check both ask this module, so they cannot disagree. Pure:
callers hand it plain values (rules, exceptions, busy intervals) and a clock reading.

Rules, in the words of the product:
- A timetable entry covers every instant whose local wall-clock reading on that date lies in
  [start, end); an end at or before the start runs past midnight into the next day.
- Slots tile each contiguous stretch from its start, one every slot length + buffer; a slot
  must end inside the stretch, its trailing buffer may run past the end.
- Intervals are half-open. Only active appointments block time, each with its buffer.
- Minimum notice and booking horizon come from the hospital.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hospital_desktop.core.scheduling.local_time import (
    Interval,
    merge,
    overlaps,
    subtract,
    utc_intervals,
)


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """One timetable entry: a weekday (0 = Monday) and wall-clock times in the hospital zone."""

    id: int
    weekday: int
    start: time
    end: time
    slot_minutes: int
    buffer_minutes: int = 0
    valid_from: date | None = None
    valid_until: date | None = None

    @property
    def runs_past_midnight(self) -> bool:
        return self.end <= self.start

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )

    def local_range(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, self.start)
        end_day = day + timedelta(days=1) if self.runs_past_midnight else day
        return start, datetime.combine(end_day, self.end)


@dataclass(frozen=True, slots=True)
class LocalRange:
    """A wall-clock range in the hospital's zone: an absence, a meeting, a closure."""

    start: datetime  # naive local
    end: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BusyInterval:
    """An active appointment's time, with the buffer that follows it."""

    start: datetime
    end: datetime
    buffer_minutes: int = 0
    appointment_id: int | None = None

    @property
    def blocked(self) -> Interval:
        return self.start, self.end + timedelta(minutes=self.buffer_minutes)


@dataclass(frozen=True, slots=True)
class Policy:
    min_notice: timedelta = timedelta(hours=2)
    horizon: timedelta = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class Stretch:
    """A contiguous run of bookable time from one occurrence of one rule."""

    rule_id: int
    day: date  # the local date the occurrence belongs to
    start: datetime
    end: datetime
    slot_minutes: int
    buffer_minutes: int


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    rule_id: int
    buffer_minutes: int

    @property
    def blocked(self) -> Interval:
        return self.start, self.end + timedelta(minutes=self.buffer_minutes)


WALK_IN_GRACE = timedelta(minutes=15)  # a walk-in entered a few minutes after arriving


class Refusal(enum.StrEnum):
    OUTSIDE_TIMETABLE = "outside-timetable"
    OVERLAPS = "overlaps"
    TOO_SOON = "too-soon"
    TOO_FAR = "too-far"
    IN_THE_PAST = "in-the-past"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The booking check's answer: ``refusal`` is None when the time may be booked."""

    refusal: Refusal | None
    message: str = ""
    conflict: BusyInterval | None = None
    buffer_minutes: int = 0

    @property
    def allowed(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class DoctorCalendar:
    """Everything that decides one doctor's availability at one hospital."""

    time_zone: str
    rules: tuple[WeeklyRule, ...]
    closed_days: frozenset[date] = frozenset()
    absences: tuple[LocalRange, ...] = ()
    cancelled_occurrences: frozenset[tuple[int, date]] = frozenset()
    busy: tuple[BusyInterval, ...] = ()
    policy: Policy = Policy()
    closure_reasons: Mapping[date, str] = field(default_factory=dict, compare=False)

    # --- time the timetable offers -------------------------------------------------------

    def __post_init__(self) -> None:
        # Per-instance memo of each local day's stretches: the slot list and the check ask
        # for the same days many times. The calendar itself never changes.
        object.__setattr__(self, "_days", {})
        # Away time: absences, and every instant of a closed local day (which also cuts the
        # part of the previous night's entry that runs past midnight into it).
        away = [(a.start, a.end) for a in self.absences]
        away += [
            (datetime.combine(d, time()), datetime.combine(d, time()) + timedelta(days=1))
            for d in self.closed_days
        ]
        absent = [p for s, e in away for p in utc_intervals(s, e, self.time_zone)]
        object.__setattr__(self, "_absent", merge(absent))

    def stretches(self, start: datetime, end: datetime) -> list[Stretch]:
        """Timetabled stretches meeting [start, end), less closures and absences."""
        found = [
            stretch
            for day in _local_days_around(start, end, self.time_zone)
            for stretch in self._stretches_of(day)
            if stretch.end > start and stretch.start < end
        ]
        return sorted(found, key=lambda s: (s.start, s.rule_id))

    def _stretches_of(self, day: date) -> list[Stretch]:
        """The stretches of the entries that run on local date ``day``."""
        memo: dict[date, list[Stretch]] = self._days  # type: ignore[attr-defined]
        if day in memo:
            return memo[day]
        found: list[Stretch] = []
        if day not in self.closed_days:
            for rule in self.rules:
                if not rule.applies_on(day) or (rule.id, day) in self.cancelled_occurrences:
                    continue
                local_start, local_end = rule.local_range(day)
                pieces = utc_intervals(local_start, local_end, self.time_zone)
                for piece_start, piece_end in subtract(pieces, self._absent):  # type: ignore[attr-defined]
                    found.append(
                        Stretch(
                            rule.id,
                            day,
                            piece_start,
                            piece_end,
                            rule.slot_minutes,
                            rule.buffer_minutes,
                        )
                    )
        memo[day] = found
        return found

    # --- the one check -------------------------------------------------------------------

    def check(
        self,
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        outside_timetable_allowed: bool = False,
        ignore_appointment: int | None = None,
        history: bool = False,
    ) -> Verdict:
        """May [start, end) be booked now? ``ignore_appointment``: the one being moved.

        ``outside_timetable_allowed`` (a walk-in or an urgent case, booked with an explicit
        override) waives the timetable and the notice; ``history`` (recording what already
        happened) leaves only the overlap rule.
        """
        if end <= start:
            return Verdict(Refusal.OUTSIDE_TIMETABLE, "The appointment must end after it starts.")
        return self._judge(
            start,
            end,
            self.stretch_holding(start, end),
            now,
            outside_timetable_allowed=outside_timetable_allowed,
            ignore_appointment=ignore_appointment,
            history=history,
        )

    def free_slots(self, start: datetime, end: datetime, now: datetime) -> list[Slot]:
        """The slots in [start, end) that the check accepts now."""
        free = []
        for stretch in self.stretches(start, end):
            for slot in _tile(stretch, start, end):
                if self._judge(slot.start, slot.end, stretch, now).allowed:
                    free.append(slot)
        return sorted(free, key=lambda slot: slot.start)

    def slots(self, start: datetime, end: datetime) -> list[Slot]:
        """Every slot of the grid starting in [start, end), free or not."""
        grid = [slot for s in self.stretches(start, end) for slot in _tile(s, start, end)]
        return sorted(grid, key=lambda slot: slot.start)

    def _judge(
        self,
        start: datetime,
        end: datetime,
        stretch: Stretch | None,
        now: datetime,
        *,
        outside_timetable_allowed: bool = False,
        ignore_appointment: int | None = None,
        history: bool = False,
    ) -> Verdict:
        buffer = stretch.buffer_minutes if stretch else 0
        if not history:
            # A walk-in or urgent case (the override) may start now, without notice and
            # outside the timetable, but not in the past or beyond the horizon.
            grace = WALK_IN_GRACE if outside_timetable_allowed else timedelta(0)
            if start < now - grace:
                return Verdict(Refusal.IN_THE_PAST, "That time has already passed.")
            if not outside_timetable_allowed and start < now + self.policy.min_notice:
                notice = _describe(self.policy.min_notice)
                return Verdict(Refusal.TOO_SOON, f"Appointments need {notice} notice.")
            if start > now + self.policy.horizon:
                horizon = _describe(self.policy.horizon)
                return Verdict(
                    Refusal.TOO_FAR, f"Appointments can be booked at most {horizon} ahead."
                )
        if stretch is None and not (history or outside_timetable_allowed):
            return Verdict(
                Refusal.OUTSIDE_TIMETABLE,
                "That time is outside the doctor's timetable, or the doctor is away.",
            )
        wanted = (start, end + timedelta(minutes=buffer))
        for busy in self.busy:
            if ignore_appointment is not None and busy.appointment_id == ignore_appointment:
                continue
            if overlaps(wanted, busy.blocked):
                return Verdict(
                    Refusal.OVERLAPS,
                    "The doctor already has an appointment at that time.",
                    conflict=busy,
                    buffer_minutes=buffer,
                )
        return Verdict(None, buffer_minutes=buffer)

    def stretch_holding(self, start: datetime, end: datetime) -> Stretch | None:
        """The stretch in which [start, end) begins, if the timetable covers all of it
        (touching entries count as one run of open time)."""
        nearby = self.stretches(start - timedelta(days=1), end + timedelta(days=1))
        covered = merge([(s.start, s.end) for s in nearby])
        if not any(first <= start and end <= last for first, last in covered):
            return None
        return next((s for s in nearby if s.start <= start < s.end), None)


def _tile(stretch: Stretch, start: datetime, end: datetime) -> Iterator[Slot]:
    """The stretch's grid: one slot every slot length + buffer, each ending inside it."""
    length = timedelta(minutes=stretch.slot_minutes)
    step = length + timedelta(minutes=stretch.buffer_minutes)
    moment = stretch.start
    while moment + length <= stretch.end:
        if start <= moment < end:
            yield Slot(moment, moment + length, stretch.rule_id, stretch.buffer_minutes)
        moment += step


def nearest_free(slots: Iterable[Slot], wanted: datetime, count: int = 3) -> list[Slot]:
    """The free slots closest in time to the one the user wanted."""
    return sorted(slots, key=lambda slot: (abs(slot.start - wanted), slot.start))[:count]


def _local_days_around(start: datetime, end: datetime, time_zone: str) -> Iterator[date]:
    """Local dates whose entries could meet [start, end): one day either side covers entries
    that run past midnight and every UTC offset."""
    zone = ZoneInfo(time_zone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _describe(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} day" + ("s" if days != 1 else "")
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minutes"
