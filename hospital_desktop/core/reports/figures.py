"""The figures of a report, as plain values: what the screen, the PDF and the CSV all show.

Definitions (one place, so every view says the same):

- The period is a range of local dates in the hospital's zone, both ends included; an
  appointment belongs to it when it starts inside.
- Counted: every appointment of the period except those entered in error and those
  *rescheduled away* (cancelled because they moved; the new appointment counts instead).
- Served: fulfilled appointments only. Cancelled, no-show and rescheduled-away ones never
  count as served; a patient seen twice counts once in the patients served.
- No-show rate: no-shows / (fulfilled + no-shows), the appointments that were due to take
  place and were not cancelled. Cancellation rate: cancellations / counted appointments.
- Late cancellation: cancelled less than 24 hours before the appointment's start.
- New patients: patients served in the period who had never been served at the hospital
  (or by the doctor) before it.
- Fees billed, payer coverage and patient share: of fulfilled appointments; the patient's
  share is the fee less what the payer covers.
- Booked minutes: the length of the appointments that held the doctor's time (booked,
  arrived, checked in, fulfilled; a no-show's time was free again for a walk-in).
  Utilisation: booked minutes over the minutes of the doctors' timetables in the period
  (less closures and absences, and only from when each timetable entry existed); walk-ins
  outside the timetable can take it past 100 %.
- Satisfaction: the average of the 1-5 scores given for fulfilled appointments of the
  period, with the number of scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from hospital_desktop.core.domain.values import AppointmentStatus

LATE_CANCELLATION_HOURS = 24


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date  # included

    def describe(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


@dataclass(frozen=True, slots=True)
class Figures:
    """One row of a table (a service, a doctor) or the total under it."""

    label: str
    doctor_id: int | None = None
    appointments: int = 0
    fulfilled: int = 0
    no_shows: int = 0
    cancelled: int = 0
    late_cancellations: int = 0
    patients_served: int = 0
    fees_billed_cents: int = 0
    payer_coverage_cents: int = 0
    patient_share_cents: int = 0
    booked_minutes: int = 0
    timetable_minutes: int | None = None  # by doctor and in totals only
    ratings: int = 0
    average_satisfaction: float | None = None

    @property
    def no_show_rate(self) -> float | None:
        due = self.fulfilled + self.no_shows
        return self.no_shows / due if due else None

    @property
    def cancellation_rate(self) -> float | None:
        return self.cancelled / self.appointments if self.appointments else None

    @property
    def utilisation(self) -> float | None:
        if not self.timetable_minutes:
            return None
        return self.booked_minutes / self.timetable_minutes


@dataclass(frozen=True, slots=True)
class MonthCounts:
    """One bar of the chart: a local month ("2026-03"); a year ("2026") when the period is
    longer than three years, a decade ("1990s") when longer than thirty (hundreds of bars
    would not read)."""

    month: str
    by_status: dict[AppointmentStatus, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True, slots=True)
class Statistics:
    """A hospital's (or one doctor's) period: ``subject`` names which."""

    subject: str
    hospital_id: int
    hospital_name: str
    time_zone: str
    period: Period
    generated_at: datetime
    generated_by: str
    doctor_id: int | None = None
    total: Figures = field(default_factory=lambda: Figures("Total"))
    by_status: dict[AppointmentStatus, int] = field(default_factory=dict)
    new_patients: int = 0
    by_service: list[Figures] = field(default_factory=list)
    by_doctor: list[Figures] = field(default_factory=list)
    by_month: list[MonthCounts] = field(default_factory=list)
    by_weekday: list[int] = field(default_factory=lambda: [0] * 7)  # Monday first, local
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)  # local hour of the start

    @property
    def chart_unit(self) -> str:
        """What one bar of ``by_month`` stands for: "month", "year" or "decade"."""
        if not self.by_month:
            return "month"
        label = self.by_month[0].month
        return "decade" if label.endswith("s") else "year" if len(label) == 4 else "month"

    @property
    def busiest_days(self) -> list[int]:
        """Weekdays (0 = Monday), busiest first; days with none are left out."""
        return sorted(
            (d for d in range(7) if self.by_weekday[d]), key=lambda d: (-self.by_weekday[d], d)
        )

    @property
    def busiest_hours(self) -> list[int]:
        return sorted(
            (h for h in range(24) if self.by_hour[h]), key=lambda h: (-self.by_hour[h], h)
        )
