"""A period's figures for a hospital or a doctor, aggregated by the database.

No appointment row is loaded into Python: each table is one GROUP BY query whose total row
comes from the same statement (UNION ALL over the same filtered rows), so a total always
matches the rows above it. Local months, weekdays and hours come from counts per UTC
quarter hour, turned into local time afterwards (a few thousand buckets at most a year).
See ``figures.py`` for what each figure means.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from hospital_desktop.core.db.models import Appointment, Doctor, Hospital, TimetableEntry
from hospital_desktop.core.db.scheduling import SchedulingRepository
from hospital_desktop.core.db.sql_time import QUARTER_HOUR_SECONDS, minutes_between, quarter_hour
from hospital_desktop.core.domain.values import AppointmentStatus
from hospital_desktop.core.reports.figures import (
    LATE_CANCELLATION_HOURS,
    Figures,
    MonthCounts,
    Period,
    Statistics,
)
from hospital_desktop.core.scheduling.local_time import local_day_bounds

# Appointments that held the doctor's time (their minutes count as booked). A no-show's
# time was free again for a walk-in, so counting it too would count that time twice.
HELD = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.FULFILLED,
)
NOT_COUNTED = (AppointmentStatus.ENTERED_IN_ERROR,)
NO_SERVICE = "(no service given)"
MONTHLY_BARS_UP_TO = 36  # months; a longer period gets a bar a year,
YEARLY_BARS_UP_TO = 30  # years; a longer one a bar a decade ("1990s")


def period_bounds(period: Period, time_zone: str) -> tuple[datetime, datetime]:
    """UTC [start, end) of the local dates ``period.first`` .. ``period.last``."""
    start = local_day_bounds(datetime.combine(period.first, datetime.min.time()), time_zone)[0]
    end = local_day_bounds(datetime.combine(period.last, datetime.min.time()), time_zone)[1]
    return start, end


def counted(
    start: datetime, end: datetime, *, hospital_id: int | None, doctor_id: int | None
) -> ColumnElement[bool]:
    """The appointments a report counts (see figures.py): in the period, not entered in
    error, not rescheduled away, not archived."""
    successor = aliased(Appointment)
    conditions = [
        Appointment.start_at >= start,
        Appointment.start_at < end,
        Appointment.status.not_in([s.value for s in NOT_COUNTED]),
        Appointment.archived_at.is_(None),
        ~exists().where(successor.rescheduled_from_id == Appointment.id),
    ]
    if hospital_id is not None:
        conditions.append(Appointment.hospital_id == hospital_id)
    if doctor_id is not None:
        conditions.append(Appointment.doctor_id == doctor_id)
    return and_(*conditions)


def _is(status: AppointmentStatus) -> ColumnElement[bool]:
    return Appointment.status == status.value


def _count_where(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _measures() -> list[Any]:
    """The aggregate columns every figures table shares, in ``Figures`` field order."""
    fulfilled = _is(AppointmentStatus.FULFILLED)
    late = and_(
        _is(AppointmentStatus.CANCELLED),
        Appointment.cancelled_at.is_not(None),
        minutes_between(Appointment.cancelled_at, Appointment.start_at)
        < LATE_CANCELLATION_HOURS * 60,
    )
    coverage = func.coalesce(Appointment.payer_coverage_cents, 0)
    fee = func.coalesce(Appointment.fee_cents, 0)
    return [
        func.count().label("appointments"),
        _count_where(fulfilled).label("fulfilled"),
        _count_where(_is(AppointmentStatus.NOSHOW)).label("no_shows"),
        _count_where(_is(AppointmentStatus.CANCELLED)).label("cancelled"),
        _count_where(late).label("late_cancellations"),
        func.count(distinct(case((fulfilled, Appointment.patient_id)))).label("patients_served"),
        func.coalesce(func.sum(case((fulfilled, Appointment.fee_cents), else_=0)), 0).label(
            "fees_billed_cents"
        ),
        func.coalesce(func.sum(case((fulfilled, coverage), else_=0)), 0).label(
            "payer_coverage_cents"
        ),
        func.coalesce(
            func.sum(case((fulfilled, fee - coverage), else_=0)),
            0,
        ).label("patient_share_cents"),
        func.coalesce(
            func.sum(
                case(
                    (
                        Appointment.status.in_([s.value for s in HELD]),
                        minutes_between(Appointment.start_at, Appointment.end_at),
                    ),
                    else_=0,
                )
            ),
            0,
        ).label("booked_minutes"),
        func.count(case((fulfilled, Appointment.satisfaction_score))).label("ratings"),
        func.avg(case((fulfilled, Appointment.satisfaction_score))).label("average_satisfaction"),
    ]


def _figures(row: Any, label: str, doctor_id: int | None = None) -> Figures:
    average = row.average_satisfaction
    return Figures(
        label=label,
        doctor_id=doctor_id,
        appointments=int(row.appointments),
        fulfilled=int(row.fulfilled),
        no_shows=int(row.no_shows),
        cancelled=int(row.cancelled),
        late_cancellations=int(row.late_cancellations),
        patients_served=int(row.patients_served),
        fees_billed_cents=int(row.fees_billed_cents),
        payer_coverage_cents=int(row.payer_coverage_cents),
        patient_share_cents=int(row.patient_share_cents),
        booked_minutes=round(float(row.booked_minutes)),
        ratings=int(row.ratings),
        average_satisfaction=float(average) if average is not None else None,
    )


def _grouped_with_total(
    where: ColumnElement[bool], key: Any, key_id: Any, *joins: Any
) -> Select[Any]:
    """Rows per ``key`` and, in the same statement, the total over the same rows."""
    rows = select(
        literal(0).label("is_total"),
        key.label("key"),
        (null() if key_id is None else key_id).label("key_id"),
        *_measures(),
    ).select_from(Appointment)
    for target, on in joins:
        rows = rows.join(target, on)
    rows = rows.where(where).group_by(key, *([] if key_id is None else [key_id]))
    total = select(
        literal(1).label("is_total"), null().label("key"), null().label("key_id"), *_measures()
    ).where(where)
    return union_all(rows, total)  # type: ignore[return-value]


def _by(
    session: Session, where: ColumnElement[bool], key: Any, key_id: Any, *joins: Any
) -> tuple[list[Any], Any]:
    result = list(session.execute(_grouped_with_total(where, key, key_id, *joins)))
    total = next(row for row in result if row.is_total)
    return [row for row in result if not row.is_total], total


def compute_statistics(
    session: Session,
    period: Period,
    *,
    hospital_id: int,
    doctor_id: int | None = None,
    generated_by: str = "",
    now: datetime | None = None,
) -> Statistics:
    """Figures of a hospital (``doctor_id`` None) or of one doctor of it, for ``period``."""
    hospital = session.get(Hospital, hospital_id)
    if hospital is None:
        raise LookupError(hospital_id)
    zone = hospital.time_zone
    start, end = period_bounds(period, zone)
    where = counted(start, end, hospital_id=hospital_id, doctor_id=doctor_id)

    service_label = case(
        (Appointment.service == "", "(no service given)"), else_=Appointment.service
    )
    by_service_rows, total_row = _by(session, where, service_label, None)
    by_doctor_rows, _ = _by(
        session, where, Doctor.name, Doctor.id, (Doctor, Doctor.id == Appointment.doctor_id)
    )
    timetable = _timetable_minutes(
        session, hospital, start, end, {row.key_id for row in by_doctor_rows}, doctor_id
    )
    by_doctor = sorted(
        (
            _with_timetable(_figures(row, row.key, row.key_id), timetable.get(row.key_id, 0))
            for row in by_doctor_rows
        ),
        key=lambda f: (-f.appointments, f.label),
    )
    # Doctors with a timetable but no appointment still show, at 0 %.
    shown = {f.doctor_id for f in by_doctor}
    for idle_id, minutes in timetable.items():
        if idle_id not in shown and minutes:
            idle = session.get(Doctor, idle_id)
            by_doctor.append(
                Figures(
                    label=idle.name if idle else str(idle_id),
                    doctor_id=idle_id,
                    timetable_minutes=minutes,
                )
            )
    total = _with_timetable(_figures(total_row, "Total"), sum(timetable.values()))
    by_service = sorted(
        (_figures(row, row.key) for row in by_service_rows),
        key=lambda f: (-f.appointments, f.label),
    )
    by_status = {
        AppointmentStatus(status): int(count)
        for status, count in session.execute(
            select(Appointment.status, func.count()).where(where).group_by(Appointment.status)
        )
    }
    months, weekdays, hours = _local_calendar(session, where, zone, period)
    subject = hospital.name
    if doctor_id is not None:
        doctor = session.get(Doctor, doctor_id)
        subject = doctor.name if doctor is not None else str(doctor_id)
    return Statistics(
        subject=subject,
        hospital_id=hospital.id,
        hospital_name=hospital.name,
        time_zone=zone,
        period=period,
        generated_at=now or datetime.now(UTC),
        generated_by=generated_by,
        doctor_id=doctor_id,
        total=total,
        by_status=by_status,
        new_patients=_new_patients(session, where, start, hospital_id, doctor_id),
        by_service=by_service,
        by_doctor=by_doctor,
        by_month=months,
        by_weekday=weekdays,
        by_hour=hours,
    )


def _with_timetable(figures: Figures, minutes: int) -> Figures:
    return replace(figures, timetable_minutes=minutes)


def _new_patients(
    session: Session,
    where: ColumnElement[bool],
    start: datetime,
    hospital_id: int,
    doctor_id: int | None,
) -> int:
    earlier = aliased(Appointment)
    before = [
        earlier.patient_id == Appointment.patient_id,
        earlier.start_at < start,
        earlier.status == AppointmentStatus.FULFILLED.value,
        earlier.archived_at.is_(None),
        earlier.hospital_id == hospital_id,
    ]
    if doctor_id is not None:
        before.append(earlier.doctor_id == doctor_id)
    statement = select(func.count(distinct(Appointment.patient_id))).where(
        where, _is(AppointmentStatus.FULFILLED), ~exists().where(*before)
    )
    return int(session.scalar(statement) or 0)


def _timetable_minutes(
    session: Session,
    hospital: Hospital,
    start: datetime,
    end: datetime,
    with_appointments: set[int],
    doctor_id: int | None,
) -> dict[int, int]:
    """Each doctor's timetabled minutes in [start, end), from the availability engine
    (weekly entries less closures, absences and cancelled days)."""
    scheduling = SchedulingRepository(session)
    if doctor_id is not None:
        ids = {doctor_id}
    else:
        with_entries = set(
            session.scalars(
                select(TimetableEntry.doctor_id)
                .join(Doctor, Doctor.id == TimetableEntry.doctor_id)
                .where(Doctor.hospital_id == hospital.id)
                .distinct()
            )
        )
        ids = with_entries | with_appointments
    minutes: dict[int, int] = {}
    for doctor_id_ in sorted(ids):
        doctor = session.get(Doctor, doctor_id_)
        if doctor is None:
            continue
        calendar = scheduling.calendar(doctor, hospital, start, end, with_busy=False)
        total = timedelta()
        for stretch in calendar.stretches(start, end):
            total += min(stretch.end, end) - max(stretch.start, start)
        minutes[doctor_id_] = round(total.total_seconds() / 60)
    return minutes


def _local_calendar(
    session: Session, where: ColumnElement[bool], time_zone: str, period: Period
) -> tuple[list[MonthCounts], list[int], list[int]]:
    """Counts by local month (and status), weekday and hour, from UTC quarter hours."""
    bucket = quarter_hour(Appointment.start_at)
    rows = session.execute(
        select(bucket.label("bucket"), Appointment.status, func.count())
        .where(where)
        .group_by(bucket, Appointment.status)
    )
    zone = ZoneInfo(time_zone)
    months_long = (
        (period.last.year - period.first.year) * 12 + period.last.month - period.first.month
    )
    years_long = period.last.year - period.first.year
    bar = (
        "%Y-%m"
        if months_long < MONTHLY_BARS_UP_TO
        else "%Y"
        if years_long < YEARLY_BARS_UP_TO
        else ""
    )
    months: dict[str, dict[AppointmentStatus, int]] = defaultdict(lambda: defaultdict(int))
    weekdays, hours = [0] * 7, [0] * 24
    for quarter, status, count in rows:
        local = datetime.fromtimestamp(int(quarter) * QUARTER_HOUR_SECONDS, UTC).astimezone(zone)
        months[_bar_label(local, bar)][AppointmentStatus(status)] += count
        weekdays[local.weekday()] += count
        hours[local.hour] += count
    if bar == "%Y-%m":
        every_month = _months_between(period)
    elif bar == "%Y":
        every_month = [str(year) for year in range(period.first.year, period.last.year + 1)]
    else:
        every_month = [
            f"{decade}s" for decade in range(period.first.year // 10 * 10, period.last.year + 1, 10)
        ]
    return (
        [MonthCounts(month, dict(months.get(month, {}))) for month in every_month],
        weekdays,
        hours,
    )


def _bar_label(local: datetime, bar: str) -> str:
    return local.strftime(bar) if bar else f"{local.year // 10 * 10}s"


def _months_between(period: Period) -> list[str]:
    months, year, month = [], period.first.year, period.first.month
    while (year, month) <= (period.last.year, period.last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
