"""The week as the calendar shows it: seven local days, each 23, 24 or 25 hours long.

Pure layout data for the calendar widget: which instants each local day holds, where its
hour lines fall and how they are labelled (the repeated hour of a fall-back night shows
twice, told apart by the zone abbreviation), and the items to draw. The widget paints this
and nothing else, so every time-zone rule is decided, and tested, here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hospital_desktop.core.domain.values import AppointmentStatus
from hospital_desktop.core.scheduling.availability import DoctorCalendar, Slot
from hospital_desktop.core.scheduling.local_time import (
    local_day_bounds,
    merge,
    transitions,
    utc_intervals,
)


class ItemKind(enum.StrEnum):
    OPEN = "open"  # timetabled time (background)
    FREE_SLOT = "free-slot"  # a slot that can be booked now (clickable)
    APPOINTMENT = "appointment"
    ABSENCE = "absence"  # the doctor is away: greyed
    CLOSED = "closed"  # the hospital is closed all day: greyed


@dataclass(frozen=True, slots=True)
class CalendarAppointment:
    """What the calendar needs to know of an appointment."""

    id: int
    start: datetime
    end: datetime
    status: AppointmentStatus
    patient_name: str
    reason: str
    version: int = 1


@dataclass(frozen=True, slots=True)
class WeekItem:
    kind: ItemKind
    start: datetime  # UTC, clipped to the day
    end: datetime
    title: str = ""
    detail: str = ""
    appointment: CalendarAppointment | None = None
    slot: Slot | None = None


@dataclass(frozen=True, slots=True)
class HourMark:
    """An hour line: the instant and its wall-clock label ('01:00', or '01:00 GMT')."""

    at: datetime
    label: str
    repeated: bool = False  # the second 01:00 of a fall-back night


@dataclass(frozen=True, slots=True)
class DayColumn:
    day: date
    start: datetime  # UTC instant of local midnight
    end: datetime  # UTC instant of the next local midnight
    hour_marks: tuple[HourMark, ...]
    items: tuple[WeekItem, ...]
    closed_reason: str | None = None
    changes_clocks: bool = False  # a 23- or 25-hour day

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class WeekLayout:
    time_zone: str
    monday: date
    days: tuple[DayColumn, ...]
    now: datetime
    notes: tuple[str, ...] = field(default=())

    @property
    def start(self) -> datetime:
        return self.days[0].start

    @property
    def end(self) -> datetime:
        return self.days[-1].end

    def day_of(self, moment: datetime) -> DayColumn | None:
        return next((d for d in self.days if d.start <= moment < d.end), None)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def hour_marks(day_start: datetime, day_end: datetime, time_zone: str) -> tuple[HourMark, ...]:
    """A line at every instant in the day whose local reading is on the hour.

    On a fall-back day the repeated hour appears twice, each labelled with its abbreviation;
    on a spring-forward day the skipped hour has no line. Zones with 30-minute offsets keep
    their lines on their own whole hours.
    """
    zone = ZoneInfo(time_zone)
    # From a minute before midnight: a change exactly at the day's start counts too.
    changes = bool(transitions(zone, day_start - timedelta(minutes=1), day_end))
    marks: list[HourMark] = []
    seen: set[str] = set()
    moment = day_start
    while moment < day_end:
        local = moment.astimezone(zone)
        if local.minute == 0 and local.second == 0:
            hour = local.strftime("%H:%M")
            repeated = hour in seen
            seen.add(hour)
            label = f"{hour} {local.tzname()}" if changes and _near_change(zone, moment) else hour
            marks.append(HourMark(moment, label, repeated))
        moment += timedelta(minutes=15)
    return tuple(marks)


def _near_change(zone: ZoneInfo, moment: datetime) -> bool:
    return bool(transitions(zone, moment - timedelta(hours=3), moment + timedelta(hours=3)))


def build_week(
    calendar: DoctorCalendar,
    appointments: Iterable[CalendarAppointment],
    monday: date,
    now: datetime,
    closure_reasons: dict[date, str] | None = None,
) -> WeekLayout:
    """Lay out one doctor's week starting on ``monday`` (a local date in the hospital zone)."""
    zone = calendar.time_zone
    closure_reasons = closure_reasons or {}
    appointments = list(appointments)
    days: list[DayColumn] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        start, end = local_day_bounds(datetime(day.year, day.month, day.day), zone)
        items: list[WeekItem] = []
        closed = day in calendar.closed_days
        if closed:
            reason = closure_reasons.get(day, "Closed")
            items.append(WeekItem(ItemKind.CLOSED, start, end, title=reason))
        for stretch in calendar.stretches(start, end):
            items.append(WeekItem(ItemKind.OPEN, max(stretch.start, start), min(stretch.end, end)))
        for absence in calendar.absences:
            for piece_start, piece_end in utc_intervals(absence.start, absence.end, zone):
                if piece_end > start and piece_start < end:
                    items.append(
                        WeekItem(
                            ItemKind.ABSENCE,
                            max(piece_start, start),
                            min(piece_end, end),
                            title=absence.reason or "Away",
                        )
                    )
        for slot in calendar.free_slots(start, end, now):
            items.append(
                WeekItem(
                    ItemKind.FREE_SLOT, slot.start, min(slot.end, end), title="Free", slot=slot
                )
            )
        for appointment in appointments:
            if appointment.end > start and appointment.start < end:
                items.append(
                    WeekItem(
                        ItemKind.APPOINTMENT,
                        max(appointment.start, start),
                        min(appointment.end, end),
                        title=appointment.patient_name,
                        detail=appointment.reason,
                        appointment=appointment,
                    )
                )
        items = _dedupe_open(items)
        days.append(
            DayColumn(
                day=day,
                start=start,
                end=end,
                hour_marks=hour_marks(start, end, zone),
                items=tuple(sorted(items, key=lambda i: (i.start, _draw_order(i.kind)))),
                closed_reason=closure_reasons.get(day, "Closed") if closed else None,
                changes_clocks=(end - start) != timedelta(hours=24),
            )
        )
    return WeekLayout(zone, monday, tuple(days), now)


def _dedupe_open(items: list[WeekItem]) -> list[WeekItem]:
    """Open time is drawn as merged background bands."""
    opens = merge([(i.start, i.end) for i in items if i.kind is ItemKind.OPEN])
    others = [i for i in items if i.kind is not ItemKind.OPEN]
    return [WeekItem(ItemKind.OPEN, s, e) for s, e in opens] + others


def _draw_order(kind: ItemKind) -> int:
    return [
        ItemKind.CLOSED,
        ItemKind.OPEN,
        ItemKind.ABSENCE,
        ItemKind.FREE_SLOT,
        ItemKind.APPOINTMENT,
    ].index(kind)
