"""Booking through the services, on SQLite and PostgreSQL: the engine's rules hold in the
database, cancelling frees the slot, a reschedule is atomic and refuses stale views."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.errors import DomainError, StaleRecordError, ValidationError
from hospital_desktop.core.domain.values import (
    AppointmentDraft,
    AppointmentStatus,
    BookingRequest,
    TimetableEntryDraft,
)
from hospital_desktop.core.services.booking import BookingRefusedError, SlotTakenError
from tests.audit_watch import behind_the_services
from tests.integration.scheduling_fixtures import Clinic, make_clinic


@pytest.fixture
def clinic(services: AppServices) -> Clinic:
    return make_clinic(services)


def book(services: AppServices, clinic: Clinic, start, patient: int = 0, **extra):
    return services.booking.book(
        BookingRequest(
            patient_id=clinic.patient_ids[patient],
            doctor_id=clinic.doctor_id,
            start_at=start,
            reason=extra.pop("reason", "Check-up"),
            **extra,
        )
    )


def free_starts(services: AppServices, clinic: Clinic, day: int = 0):
    start = clinic.at(day, 0)
    return [
        s.start
        for s in services.booking.free_slots(clinic.doctor_id, start, start + timedelta(days=1))
    ]


def test_a_listed_slot_books_and_is_no_longer_listed(services, clinic):
    slots = free_starts(services, clinic)
    assert slots[0] == clinic.at(0, 9) and slots[-1] == clinic.at(0, 11, 30) and len(slots) == 6
    booked = book(services, clinic, slots[1])
    assert booked.status is AppointmentStatus.BOOKED
    assert booked.end_at - booked.start_at == timedelta(minutes=30)
    assert clinic.at(0, 9, 30) not in free_starts(services, clinic)


def test_the_same_slot_twice_is_refused_with_the_nearest_free_times(services, clinic):
    book(services, clinic, clinic.at(0, 10))
    with pytest.raises(SlotTakenError) as refused:
        book(services, clinic, clinic.at(0, 10), patient=1)
    assert "just taken" in refused.value.message
    nearest = [slot.start for slot in refused.value.alternatives]
    assert nearest[:2] == sorted(nearest[:2], key=lambda s: abs(s - clinic.at(0, 10)))
    assert clinic.at(0, 10) not in nearest and clinic.at(0, 9, 30) in nearest


def test_buffer_example_from_the_issue(services):
    clinic = make_clinic(services, start="09:00", end="10:30", slot_minutes=25, buffer_minutes=5)
    assert free_starts(services, clinic) == [clinic.at(0, 9), clinic.at(0, 9, 30), clinic.at(0, 10)]
    book(services, clinic, clinic.at(0, 9, 30))
    with pytest.raises(SlotTakenError):
        book(services, clinic, clinic.at(0, 9, 55), patient=1, end_at=clinic.at(0, 10, 20))
    assert clinic.at(0, 10) in free_starts(services, clinic)
    book(services, clinic, clinic.at(0, 10), patient=1)


def test_touching_is_fine_one_minute_of_overlap_is_not(services):
    clinic = make_clinic(services, start="13:00", end="17:00")
    book(services, clinic, clinic.at(0, 14), end_at=clinic.at(0, 14, 30))
    book(services, clinic, clinic.at(0, 14, 30), patient=1, end_at=clinic.at(0, 15))
    with pytest.raises(SlotTakenError):
        book(services, clinic, clinic.at(0, 14, 29), patient=2, end_at=clinic.at(0, 14, 59))


def test_an_override_waives_the_timetable_but_not_the_past_or_the_horizon(services, clinic):
    with pytest.raises(BookingRefusedError, match="already passed"):
        book(
            services,
            clinic,
            clinic.at(-30, 10),
            end_at=clinic.at(-30, 10, 15),
            override_reason="Walk-in",
        )
    with pytest.raises(BookingRefusedError, match="ahead"):
        book(
            services,
            clinic,
            clinic.at(400, 10),
            end_at=clinic.at(400, 10, 15),
            override_reason="Walk-in",
        )


def test_outside_the_timetable_needs_an_explicit_override_and_records_it(services, clinic):
    evening = clinic.at(0, 18)
    with pytest.raises(BookingRefusedError):
        book(services, clinic, evening, end_at=evening + timedelta(minutes=20))
    walk_in = book(
        services,
        clinic,
        evening,
        end_at=evening + timedelta(minutes=20),
        override_reason="Walk-in, chest pain",
    )
    with services.unit_of_work() as uow:
        row = uow.appointments.get(walk_in.id)
        assert row.booked_outside_timetable and row.override_reason == "Walk-in, chest pain"


def test_notice_and_horizon(services, clinic):
    with pytest.raises(BookingRefusedError, match="ahead"):
        book(services, clinic, clinic.at(7 * 20, 9))
    with services.unit_of_work() as uow:
        behind_the_services(uow.session)
        hospital = uow.hospitals.get(clinic.hospital_id)
        hospital.min_notice_minutes = 60 * 24 * 30
        uow.commit()
    with pytest.raises(BookingRefusedError, match="notice"):
        book(services, clinic, clinic.at(0, 9))


def test_cancelling_frees_the_slot_and_records_who_why_and_when(services, clinic):
    booked = book(services, clinic, clinic.at(1, 9))
    assert clinic.at(1, 9) not in free_starts(services, clinic, 1)
    cancelled = services.booking.cancel(
        booked.id, "Patient is unwell", "Front desk 2", booked.version
    )
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert clinic.at(1, 9) in free_starts(services, clinic, 1)
    with services.unit_of_work() as uow:
        row = uow.appointments.get(booked.id)
        assert row.cancel_reason == "Patient is unwell" and row.cancelled_by == "Front desk 2"
        assert row.cancelled_at is not None
    book(services, clinic, clinic.at(1, 9), patient=1)
    with pytest.raises(ValidationError):
        services.booking.cancel(booked.id, "  ")


def test_reschedule_moves_atomically_and_a_stale_second_attempt_is_refused(services, clinic):
    booked = book(services, clinic, clinic.at(2, 9))
    moved = services.booking.reschedule(booked.id, clinic.at(2, 11), booked.version)
    assert moved.start_at == clinic.at(2, 11) and moved.status is AppointmentStatus.BOOKED
    old = services.appointments.get(booked.id)
    assert old.status is AppointmentStatus.CANCELLED
    free = free_starts(services, clinic, 2)
    assert clinic.at(2, 9) in free and clinic.at(2, 11) not in free
    with pytest.raises(StaleRecordError):  # the same view, one version behind
        services.booking.reschedule(booked.id, clinic.at(2, 10), booked.version)
    active = _active(services, clinic)
    assert [a.start_at for a in active] == [clinic.at(2, 11)]


def test_a_reschedule_onto_a_taken_time_changes_nothing(services, clinic):
    first = book(services, clinic, clinic.at(3, 9))
    second = book(services, clinic, clinic.at(3, 10), patient=1)
    with pytest.raises(SlotTakenError):
        services.booking.reschedule(first.id, clinic.at(3, 10), first.version)
    assert services.appointments.get(first.id).status is AppointmentStatus.BOOKED
    assert services.appointments.get(first.id).version == first.version
    assert {a.id for a in _active(services, clinic)} == {first.id, second.id}


def test_a_reschedule_may_overlap_its_own_old_time(services, clinic):
    booked = book(services, clinic, clinic.at(4, 9))
    moved = services.booking.reschedule(
        booked.id, clinic.at(4, 9, 15), booked.version, override_reason="Doctor late"
    )
    assert moved.start_at == clinic.at(4, 9, 15)


def test_check_in_complete_and_no_show(services, clinic):
    one = book(services, clinic, clinic.at(0, 9))
    two = book(services, clinic, clinic.at(0, 10), patient=1)
    with pytest.raises(DomainError, match="on the day of the appointment"):
        services.booking.check_in(one.id, one.version)  # two weeks early
    arrived = services.booking.check_in(one.id, one.version, now=clinic.at(0, 7))
    assert arrived.status is AppointmentStatus.ARRIVED
    with pytest.raises(DomainError, match="once it has started"):
        services.booking.complete(one.id, arrived.version, now=clinic.at(0, 8))
    done = services.booking.complete(one.id, arrived.version, now=clinic.at(0, 9, 25))
    assert done.status is AppointmentStatus.FULFILLED
    with pytest.raises(DomainError, match="begun"):
        services.booking.mark_no_show(two.id, now=clinic.at(0, 9))
    no_show = services.booking.mark_no_show(two.id, now=clinic.at(0, 10, 15))
    assert no_show.status is AppointmentStatus.NOSHOW
    with pytest.raises(DomainError, match="cannot be marked"):
        services.booking.cancel(one.id, "too late")
    assert clinic.at(0, 10) in free_starts(services, clinic)  # a no-show holds no time


def test_recorded_appointments_may_not_double_book_an_active_time(services, clinic):
    booked = book(services, clinic, clinic.at(0, 9))
    draft = AppointmentDraft(
        patient_id=clinic.patient_ids[1],
        doctor_id=clinic.doctor_id,
        start_at=clinic.at(0, 9, 10),
        end_at=clinic.at(0, 9, 20),
    )
    with pytest.raises(ValidationError) as refused:
        services.appointments.create(draft)
    assert "start_at" in refused.value.field_errors
    draft.status = "fulfilled"  # history may overlap
    services.appointments.create(draft)
    assert booked.id in {a.id for a in _active(services, clinic)}


def test_timetable_entries_that_overlap_are_refused_touching_ones_are_fine(services, clinic):
    with pytest.raises(ValidationError) as refused:
        services.timetable.create_entry(
            clinic.doctor_id, TimetableEntryDraft(0, "11:30", "13:00", 30)
        )
    assert "overlaps" in refused.value.field_errors["start_time"]
    services.timetable.create_entry(clinic.doctor_id, TimetableEntryDraft(0, "12:00", "13:00", 30))
    night = services.timetable.create_entry(
        clinic.doctor_id, TimetableEntryDraft(6, "22:00", "02:00", 60)
    )
    assert night.describe.endswith("60-minute slots") and "(next day)" in night.describe
    with pytest.raises(ValidationError):  # Monday 01:00 is inside Sunday night's entry
        services.timetable.create_entry(
            clinic.doctor_id, TimetableEntryDraft(0, "01:00", "03:00", 60)
        )
    entries = services.timetable.entries(clinic.doctor_id)
    updated = services.timetable.update_entry(
        entries[0].id, TimetableEntryDraft(0, "08:00", "11:00", 20), entries[0].version
    )
    assert updated.slot_minutes == 20
    with pytest.raises(StaleRecordError):
        services.timetable.update_entry(
            entries[0].id, TimetableEntryDraft(0, "08:00", "11:00", 15), entries[0].version
        )
    services.timetable.delete_entry(night.id)
    assert night.id not in {e.id for e in services.timetable.entries(clinic.doctor_id)}


def test_bad_timetable_input_gets_field_messages(services, clinic):
    with pytest.raises(ValidationError) as refused:
        services.timetable.create_entry(
            clinic.doctor_id, TimetableEntryDraft(None, "25:00", "nine", "0", "-5", "2027-02-30")
        )
    assert set(refused.value.field_errors) >= {
        "weekday",
        "start_time",
        "end_time",
        "slot_minutes",
        "buffer_minutes",
        "valid_from",
    }


def test_closures_absences_and_cancelled_days(services, clinic):
    services.timetable.add_closure(clinic.hospital_id, clinic.monday, "Bank holiday")
    assert free_starts(services, clinic, 0) == []
    local_tuesday = clinic.at(1, 10).astimezone(ZoneInfo(clinic.zone)).replace(tzinfo=None)
    services.timetable.add_absence(
        clinic.doctor_id, local_tuesday, local_tuesday + timedelta(hours=1), "Meeting"
    )
    assert clinic.at(1, 10) not in free_starts(services, clinic, 1)
    assert clinic.at(1, 11) in free_starts(services, clinic, 1)
    wednesday_entry = next(
        e for e in services.timetable.entries(clinic.doctor_id) if e.weekday == 2
    )
    services.timetable.cancel_occurrence(
        wednesday_entry.id, clinic.monday + timedelta(days=2), "Course"
    )
    assert free_starts(services, clinic, 2) == []
    with pytest.raises(ValidationError):
        services.timetable.cancel_occurrence(wednesday_entry.id, clinic.monday, "not a Wednesday")


def test_next_available_across_doctors_of_a_hospital(services, clinic):
    slots = services.booking.next_available(clinic.hospital_id, limit=3, after=clinic.at(0, 0))
    assert [a.slot.start for a in slots] == [clinic.at(0, 9), clinic.at(0, 9, 30), clinic.at(0, 10)]
    assert services.booking.next_available(clinic.hospital_id, specialty="Cardiology") == []


def test_waitlist_offer_books_in_one_step(services, clinic):
    booked = book(services, clinic, clinic.at(0, 9))
    entry = services.waitlist.add(
        clinic.patient_ids[1], clinic.doctor_id, earliest_time="08:00", latest_time="10:00"
    )
    services.waitlist.add(clinic.patient_ids[2], clinic.doctor_id, earliest_time="14:00")
    services.booking.cancel(booked.id, "Moved away")
    freed = next(
        s
        for s in services.booking.free_slots(clinic.doctor_id, clinic.at(0, 0), clinic.at(1, 0))
        if s.start == clinic.at(0, 9)
    )
    candidates = services.waitlist.candidates(clinic.doctor_id, freed)
    assert [c.id for c in candidates] == [entry.id]
    appointment = services.waitlist.offer(entry.id, freed, entry.version)
    assert appointment.patient_id == clinic.patient_ids[1] and appointment.start_at == clinic.at(
        0, 9
    )
    assert entry.id not in {w.id for w in services.waitlist.waiting(clinic.doctor_id)}


def test_the_week_layout_shows_bookings_and_free_time(services, clinic):
    book(services, clinic, clinic.at(0, 9), reason="Asthma review")
    week = services.booking.week(clinic.doctor_id, clinic.monday)
    monday = week.days[0]
    titles = [item.title for item in monday.items if item.appointment]
    assert titles == ["Patient0 Zoë-Ångström"]
    assert sum(1 for item in monday.items if item.slot) == 5


def _active(services: AppServices, clinic: Clinic):
    with services.unit_of_work() as uow:
        return uow.appointments.in_range(
            clinic.doctor_id,
            clinic.at(-7, 0),
            clinic.at(14, 0),
            [AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN],
        )


@pytest.mark.postgres
def test_postgresql_itself_refuses_overlapping_active_appointments(postgres_url):
    from hospital_desktop.core.bootstrap import open_services

    services = open_services(postgres_url)
    try:
        clinic = make_clinic(services)
        booked = book(services, clinic, clinic.at(0, 9))
        with (
            services.engine.begin() as connection,
            pytest.raises(Exception, match="no_double_booking"),
        ):
            connection.execute(
                text(
                    "INSERT INTO appointments (patient_id, doctor_id, hospital_id, start_at, end_at, "
                    "blocked_until, status, service, reason, notes, created_at, updated_at, version, "
                    "booked_outside_timetable, override_reason, cancelled_by, cancel_reason) "
                    "SELECT patient_id, doctor_id, hospital_id, start_at + interval '10 minutes', "
                    "end_at, blocked_until, 'booked', '', '', '', created_at, updated_at, 1, false, '', '', '' "
                    "FROM appointments WHERE id = :id"
                ),
                {"id": booked.id},
            )
    finally:
        services.close()


def test_a_patient_who_died_cannot_be_booked_after_their_death(services, clinic):
    patient = services.patients.get(clinic.patient_ids[0])
    from dataclasses import asdict

    from hospital_desktop.core.domain.values import PatientDraft

    fields = {k: v for k, v in asdict(patient).items() if k in PatientDraft.__dataclass_fields__}
    services.patients.update(
        patient.id, PatientDraft(**{**fields, "date_of_death": "2020-05-01"}), patient.version
    )
    with pytest.raises(DomainError, match="died on 2020-05-01"):
        book(services, clinic, clinic.at(0, 9))
    draft = AppointmentDraft(
        patient_id=patient.id,
        doctor_id=clinic.doctor_id,
        start_at=clinic.at(0, 9),
        end_at=clinic.at(0, 9, 30),
    )
    with pytest.raises(ValidationError) as refused:
        services.appointments.create(draft)
    assert "died on" in refused.value.field_errors["patient_id"]


def test_a_waitlist_entry_is_booked_once_even_if_offered_twice(services, clinic):
    entry = services.waitlist.add(clinic.patient_ids[1], clinic.doctor_id)
    slots = services.booking.free_slots(clinic.doctor_id, clinic.at(0, 0), clinic.at(1, 0))
    services.waitlist.offer(entry.id, slots[0])
    with pytest.raises(DomainError, match="no longer waiting"):
        services.waitlist.offer(entry.id, slots[1])  # a second workstation, same entry
    assert slots[1].start in free_starts(services, clinic)  # nothing half-booked
    with pytest.raises(DomainError, match="no longer waiting"):
        services.waitlist.remove(entry.id)


def test_waitlist_hours_cover_the_whole_slot(services, clinic):
    from hospital_desktop.core.services.waitlist import suits

    entry = services.waitlist.add(clinic.patient_ids[1], clinic.doctor_id, latest_time="10:00")
    assert suits(entry, clinic.at(0, 9, 30), clinic.at(0, 10), clinic.zone)
    assert not suits(entry, clinic.at(0, 9, 45), clinic.at(0, 10, 15), clinic.zone)
    open_ended = services.waitlist.add(clinic.patient_ids[2], clinic.doctor_id)
    assert suits(open_ended, clinic.at(0, 23, 30), clinic.at(1, 0, 30), clinic.zone)


def test_moving_an_entry_to_another_weekday_drops_its_cancelled_days(services, clinic):
    monday_entry = next(e for e in services.timetable.entries(clinic.doctor_id) if e.weekday == 0)
    services.timetable.cancel_occurrence(monday_entry.id, clinic.monday, "Course")
    moved = services.timetable.update_entry(
        monday_entry.id, TimetableEntryDraft(5, "09:00", "12:00", 30), monday_entry.version
    )
    assert moved.weekday == 5
    assert (
        services.timetable.cancelled_occurrences(
            clinic.doctor_id, clinic.monday, clinic.monday + timedelta(days=7)
        )
        == []
    )


def test_exceptions_over_booked_appointments_name_them(services, clinic):
    booked = book(services, clinic, clinic.at(1, 10))
    local = clinic.at(1, 10).astimezone(ZoneInfo(clinic.zone)).replace(tzinfo=None)
    absence = services.timetable.add_absence(
        clinic.doctor_id, local, local + timedelta(hours=1), "Meeting"
    )
    assert [a.id for a in absence.affected] == [booked.id]
    closure = services.timetable.add_closure(
        clinic.hospital_id, clinic.monday + timedelta(days=1), "Strike"
    )
    assert [a.id for a in closure.affected] == [booked.id]
    with pytest.raises(ValidationError):
        services.timetable.add_absence(
            clinic.doctor_id, local.replace(year=9999), local.replace(year=9999, hour=23), "x"
        )


def test_a_patient_waits_for_a_doctor_only_once(services, clinic):
    services.waitlist.add(clinic.patient_ids[1], clinic.doctor_id)
    with pytest.raises(ValidationError, match="already waiting"):
        services.waitlist.add(clinic.patient_ids[1], clinic.doctor_id)


def test_a_night_entry_that_ends_reaches_into_the_next_morning(services, clinic):
    sunday = clinic.monday + timedelta(days=6)
    services.timetable.create_entry(
        clinic.doctor_id,
        TimetableEntryDraft(6, "22:00", "04:00", 60, valid_until=sunday.isoformat()),
    )
    with pytest.raises(ValidationError, match="overlaps"):
        services.timetable.create_entry(
            clinic.doctor_id,
            TimetableEntryDraft(
                0, "01:00", "03:00", 60, valid_from=(sunday + timedelta(days=1)).isoformat()
            ),
        )
