"""Statistics and doctor metrics from hand-made appointments, each figure checked exactly.

The clinic (tests/integration/scheduling_fixtures.py) has one doctor working Monday to
Friday 09:00-12:00 in 30-minute slots, in London; the week is two weeks ahead.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hospital_desktop.core.db.models import Appointment
from hospital_desktop.core.domain.errors import ValidationError
from hospital_desktop.core.domain.values import (
    AppointmentDraft,
    AppointmentStatus,
    BookingRequest,
    DoctorDraft,
    TimetableEntryDraft,
)
from tests.integration.scheduling_fixtures import make_clinic


def draft_of(record, **changes) -> AppointmentDraft:
    names = AppointmentDraft.__dataclass_fields__
    return AppointmentDraft(
        **{**{k: v for k, v in asdict(record).items() if k in names}, **changes}
    )


@pytest.fixture
def week(services):
    """Seven appointments in the week and one the week after, every kind of outcome."""
    clinic = make_clinic(services, patients=3)
    p0, p1, p2 = clinic.patient_ids
    book, booking = services.booking.book, services.booking
    doctor = clinic.doctor_id

    def visit(patient, day, hour, minute=0, service="Check-up"):
        return book(BookingRequest(patient, doctor, clinic.at(day, hour, minute), service=service))

    def priced(record, fee, coverage=None):
        return services.appointments.update(
            record.id, draft_of(record, fee=fee, payer_coverage=coverage), record.version
        )

    first = priced(visit(p0, 0, 9), "100.00", "80.00")  # fulfilled, rated 4
    first = booking.complete(first.id, first.version, now=first.end_at)
    services.reports.record_satisfaction(first.id, 4, "Kind and quick", first.version)
    second = priced(visit(p0, 1, 9), "50.00")  # the same patient again: fulfilled, rated 5
    second = booking.complete(second.id, second.version, now=second.end_at)
    services.reports.record_satisfaction(second.id, "5")
    missed = priced(visit(p1, 0, 10, service="Vaccination"), "30.00")  # no-show
    booking.mark_no_show(missed.id, missed.version, now=missed.end_at)
    early = visit(p1, 2, 9)  # cancelled two weeks ahead
    booking.cancel(early.id, "Feeling better", "desk", early.version)
    late = visit(p2, 2, 10)  # cancelled two hours before
    booking.cancel(
        late.id, "Stuck in traffic", "desk", late.version, now=late.start_at - timedelta(hours=2)
    )
    moved = visit(p2, 3, 9)  # rescheduled away: only the new one counts
    booking.reschedule(moved.id, clinic.at(3, 10), moved.version)
    nine_thirty = visit(p2, 4, 9, 30, service="")  # booked, no service named
    after = visit(p0, 7, 9)  # the week after: outside the period
    booking.complete(after.id, after.version, now=after.end_at)
    return clinic, nine_thirty


def test_hospital_statistics_count_each_figure_exactly(services, week):
    clinic, _ = week
    first = clinic.monday
    stats = services.reports.hospital_statistics(clinic.hospital_id, first, first + timedelta(6))
    total = stats.total
    assert total.appointments == 7  # the rescheduled-away original is not counted
    assert stats.by_status == {
        AppointmentStatus.FULFILLED: 2,
        AppointmentStatus.NOSHOW: 1,
        AppointmentStatus.CANCELLED: 2,
        AppointmentStatus.BOOKED: 2,
    }
    assert (total.fulfilled, total.no_shows, total.cancelled) == (2, 1, 2)
    assert total.patients_served == 1  # two fulfilled visits of one patient: one patient
    assert total.late_cancellations == 1
    assert stats.new_patients == 1  # served for the first time: only p0 (p1, p2 never served)
    # The no-show rate's denominator: appointments due (fulfilled + no-shows) = 3.
    assert total.no_show_rate == pytest.approx(1 / 3)
    assert total.cancellation_rate == pytest.approx(2 / 7)
    # Fees of fulfilled appointments only (the no-show's 30.00 is not billed).
    assert total.fees_billed_cents == 150_00
    assert total.payer_coverage_cents == 80_00
    assert total.patient_share_cents == 70_00
    # Held time: 2 fulfilled + 2 booked, 30 minutes each (a no-show's time was free again).
    assert total.booked_minutes == 120
    assert total.timetable_minutes == 5 * 180
    assert total.utilisation == pytest.approx(120 / 900)
    assert total.ratings == 2 and total.average_satisfaction == pytest.approx(4.5)

    services_rows = {row.label: row for row in stats.by_service}
    assert set(services_rows) == {"Check-up", "Vaccination", "(no service given)"}
    assert services_rows["Check-up"].appointments == 5
    assert services_rows["Vaccination"].no_shows == 1
    assert sum(row.appointments for row in stats.by_service) == total.appointments
    assert sum(row.fees_billed_cents for row in stats.by_service) == total.fees_billed_cents
    (doctor_row,) = stats.by_doctor
    assert doctor_row.label == "Dr Ada Núñez" and doctor_row.appointments == 7

    assert [m.month for m in stats.by_month] == sorted(
        {f"{d:%Y-%m}" for d in (first, first + timedelta(6))}
    )
    assert sum(m.total for m in stats.by_month) == 7
    assert stats.by_weekday[:5] == [2, 1, 2, 1, 1] and stats.by_weekday[5:] == [0, 0]
    assert stats.by_hour[9] == 4 and stats.by_hour[10] == 3  # local (London) hours
    assert stats.busiest_days[:2] == [0, 2]


def test_doctor_metrics_are_the_doctors_own(services, week):
    clinic, _ = week
    other = services.doctors.create(DoctorDraft("Dr Other", clinic.hospital_id))
    services.timetable.create_entry(other.id, TimetableEntryDraft(0, "14:00", "16:00", 60))
    first = clinic.monday
    mine = services.reports.doctor_metrics(clinic.doctor_id, first, first + timedelta(6))
    assert mine.subject == "Dr Ada Núñez"
    assert (mine.total.appointments, mine.total.fulfilled, mine.total.no_shows) == (7, 2, 1)
    assert mine.total.cancelled == 2 and mine.total.patients_served == 1
    assert mine.total.timetable_minutes == 900
    assert mine.total.average_satisfaction == pytest.approx(4.5)
    theirs = services.reports.doctor_metrics(other.id, first, first + timedelta(6))
    assert theirs.total.appointments == 0 and theirs.total.timetable_minutes == 120
    assert theirs.total.no_show_rate is None and theirs.total.utilisation == 0
    hospital = services.reports.hospital_statistics(clinic.hospital_id, first, first + timedelta(6))
    assert {row.label: row.timetable_minutes for row in hospital.by_doctor} == {
        "Dr Ada Núñez": 900,
        "Dr Other": 120,
    }
    assert hospital.total.timetable_minutes == 1020


def test_the_totals_match_a_direct_count(services, week):
    clinic, _ = week
    first = clinic.monday
    stats = services.reports.hospital_statistics(
        clinic.hospital_id, first - timedelta(30), first + timedelta(30)
    )
    with services.unit_of_work() as uow:
        every = uow.session.scalar(select(func.count()).select_from(Appointment)) or 0
    assert stats.total.appointments == every - 1  # all but the rescheduled-away original
    assert stats.new_patients == 1


def test_satisfaction_only_for_a_fulfilled_visit_and_from_1_to_5(services, week):
    _, booked = week
    with pytest.raises(ValidationError, match="taken place"):
        services.reports.record_satisfaction(booked.id, 3)
    for bad in (0, 6, "", "great", None):
        with pytest.raises(ValidationError, match="from 1"):
            services.reports.record_satisfaction(booked.id, bad)


def test_a_period_must_make_sense(services, week):
    clinic, _ = week
    with pytest.raises(ValidationError, match="on or after"):
        services.reports.hospital_statistics(clinic.hospital_id, "2026-03-10", "2026-03-01")
    with pytest.raises(ValidationError):
        services.reports.hospital_statistics(clinic.hospital_id, "someday", "2026-03-01")
    empty = services.reports.hospital_statistics(clinic.hospital_id, "2001-01-01", "2001-01-31")
    assert empty.total.appointments == 0 and empty.total.no_show_rate is None
    assert empty.by_service == [] and empty.total.fees_billed_cents == 0


def test_looking_at_figures_is_recorded(services, week):
    clinic, _ = week
    services.reports.hospital_statistics(clinic.hospital_id, clinic.monday, clinic.monday)
    services.reports.doctor_metrics(clinic.doctor_id, clinic.monday, clinic.monday)
    views = [e for e in services.audit.entries() if e.action == "view-report"]
    assert [(e.entity, e.changes["period"][1]) for e in views] == [
        ("doctor", f"{clinic.monday} to {clinic.monday}"),
        ("hospital", f"{clinic.monday} to {clinic.monday}"),
    ]


def test_a_score_goes_when_the_visit_is_no_longer_fulfilled(services, week):
    clinic, _ = week
    first = clinic.monday
    stats = services.reports.hospital_statistics(clinic.hospital_id, first, first)
    assert stats.total.ratings == 1
    with services.unit_of_work() as uow:
        rated = uow.session.scalars(
            select(Appointment).where(Appointment.satisfaction_score == 4)
        ).one()
        rated_id = rated.id
    record = services.appointments.get(rated_id)
    services.appointments.update(
        rated_id, draft_of(record, status=AppointmentStatus.NOSHOW), record.version
    )
    after = services.appointments.get(rated_id)
    assert after.satisfaction_score is None and after.satisfaction_comment == ""
    stats = services.reports.hospital_statistics(clinic.hospital_id, first, first)
    assert stats.total.ratings == 0 and stats.total.average_satisfaction is None


def test_bars_by_month_year_or_decade(services, week):
    clinic, _ = week
    monthly = services.reports.hospital_statistics(clinic.hospital_id, "2026-01-01", "2026-12-31")
    assert monthly.chart_unit == "month" and len(monthly.by_month) == 12
    yearly = services.reports.hospital_statistics(clinic.hospital_id, "2010-01-01", "2027-12-31")
    assert yearly.chart_unit == "year" and yearly.by_month[0].month == "2010"
    decades = services.reports.hospital_statistics(clinic.hospital_id, "1901-01-01", "2027-12-31")
    assert decades.chart_unit == "decade"
    assert [m.month for m in decades.by_month][:2] == ["1900s", "1910s"]
    assert sum(m.total for m in decades.by_month) == decades.total.appointments
