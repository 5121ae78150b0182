"""The Timetable tab: book, cancel and reschedule through the calendar and the dialog."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtWidgets import QPushButton

from hospital_desktop.core.domain.values import (
    AppointmentStatus,
    BookingRequest,
    DoctorDraft,
    HospitalDraft,
    PatientDraft,
    TimetableEntryDraft,
)
from hospital_desktop.core.scheduling.week import ItemKind, monday_of
from hospital_desktop.gui.dialogs.booking_dialog import BookingContext, BookingDialog, describe_time
from hospital_desktop.gui.dialogs.next_available_dialog import SLOT_ROLE
from tests.audit_watch import behind_the_services
from tests.gui.conftest import save_screenshot


@pytest.fixture
def clinic(open_window, sqlite_url, qtbot):
    window = open_window(sqlite_url)
    services = window.services
    hospital = services.hospitals.create(
        HospitalDraft(name="Royal Free", time_zone="Europe/London")
    )
    with services.unit_of_work() as uow:  # so that a week a year ahead can be booked too
        behind_the_services(uow.session)
        uow.hospitals.get(hospital.id).horizon_days = 400
        uow.commit()
    doctor = services.doctors.create(DoctorDraft(name="Dr Siân Ó Briain", hospital_id=hospital.id))
    for weekday in range(5):
        services.timetable.create_entry(
            doctor.id, TimetableEntryDraft(weekday, "09:00", "12:30", 30, 5)
        )
    services.timetable.create_entry(
        doctor.id, TimetableEntryDraft(6, "00:00", "03:00", 60)
    )  # Sunday night clinic
    patients = [
        services.patients.create(
            PatientDraft(given_name=g, family_name=f, date_of_birth="1975-05-05")
        )
        for g, f in (
            ("Zoë", "Ångström"),
            ("Jerónimo", "Ruelas"),
            ("María Luisa", "Montenegro-Østergård"),
        )
    ]
    tab = window.timetable_tab
    window.tabs.setCurrentWidget(tab)
    doctor = services.doctors.get(doctor.id)
    monday = monday_of(date.today()) + timedelta(days=14)
    with qtbot.waitSignal(tab.week_loaded, timeout=10000):
        tab.show_doctor(doctor, monday)
    return window, tab, doctor, patients


def free_items(tab):
    return [
        item
        for day in tab.view.week_layout().days
        for item in day.items
        if item.kind is ItemKind.FREE_SLOT
    ]


def appointment_items(tab):
    return [
        item
        for day in tab.view.week_layout().days
        for item in day.items
        if item.kind is ItemKind.APPOINTMENT
    ]


def reload_and_wait(qtbot, tab):
    with qtbot.waitSignal(tab.week_loaded, timeout=10000):
        pass


def test_book_through_the_calendar_and_dialog(clinic, qtbot, monkeypatch):
    _window, tab, doctor, patients = clinic
    slot_item = free_items(tab)[2]
    asked: list[BookingContext] = []

    def answer(context: BookingContext) -> BookingRequest:
        asked.append(context)
        return BookingRequest(
            patients[0].id, doctor.id, context.start, context.end, reason="Asthma review"
        )

    monkeypatch.setattr(tab, "ask_booking", answer)
    with qtbot.waitSignal(tab.week_loaded, timeout=10000):
        tab.view.slot_activated.emit(slot_item)
    assert asked[0].time_zone == "Europe/London" and asked[0].start == slot_item.slot.start
    booked = appointment_items(tab)
    assert [(i.title, i.appointment.status) for i in booked] == [
        ("Zoë Ångström", AppointmentStatus.BOOKED)
    ]
    assert slot_item.slot.start not in {i.slot.start for i in free_items(tab)}


def test_cancel_from_the_appointment_menu_frees_the_slot(clinic, qtbot, monkeypatch):
    window, tab, doctor, patients = clinic
    slot = free_items(tab)[0].slot
    window.services.booking.book(BookingRequest(patients[1].id, doctor.id, slot.start))
    qtbot.waitUntil(lambda: len(appointment_items(tab)) == 1, timeout=10000)
    item = appointment_items(tab)[0]
    assert tab.available_actions(item) == [
        "check_in",
        "complete",
        "no_show",
        "cancel",
        "reschedule",
    ]
    menu = tab.appointment_menu(item)
    assert [a.text().replace("&", "") for a in menu.actions()][:2] == ["Check in", "Complete"]
    monkeypatch.setattr(tab, "ask_cancel_reason", lambda appointment: "Feeling better")
    tab.run_action("cancel", item)
    qtbot.waitUntil(lambda: not appointment_items(tab), timeout=10000)
    assert slot.start in {i.slot.start for i in free_items(tab)}
    assert (
        window.services.appointments.get(item.appointment.id).status is AppointmentStatus.CANCELLED
    )


def test_reschedule_by_choosing_a_new_free_slot(clinic, qtbot):
    window, tab, doctor, patients = clinic
    slots = free_items(tab)
    window.services.booking.book(BookingRequest(patients[2].id, doctor.id, slots[0].slot.start))
    qtbot.waitUntil(lambda: len(appointment_items(tab)) == 1, timeout=10000)
    item = appointment_items(tab)[0]
    tab.run_action("reschedule", item)
    assert tab.moving is not None and "Rescheduling" in tab.mode_label.text()
    target = next(i for i in free_items(tab) if i.slot.start > slots[3].slot.start)
    tab.view.slot_activated.emit(target)
    qtbot.waitUntil(
        lambda: [i.appointment.start for i in appointment_items(tab)] == [target.slot.start],
        timeout=10000,
    )
    assert tab.moving is None
    assert (
        window.services.appointments.get(item.appointment.id).status is AppointmentStatus.CANCELLED
    )


def test_a_lost_race_offers_the_nearest_free_times(clinic, qtbot, monkeypatch):
    window, tab, doctor, patients = clinic
    slot_item = free_items(tab)[1]
    # another workstation takes the slot after this one drew its calendar
    window.services.booking.book(BookingRequest(patients[1].id, doctor.id, slot_item.slot.start))
    monkeypatch.setattr(
        tab, "ask_booking", lambda c: BookingRequest(patients[0].id, doctor.id, c.start, c.end)
    )
    offered = []

    def choose(error):
        offered.append(error)
        return error.alternatives[0]

    monkeypatch.setattr(tab, "ask_alternative", choose)
    tab.view.slot_activated.emit(slot_item)
    qtbot.waitUntil(lambda: len(appointment_items(tab)) == 2, timeout=10000)
    assert "just taken" in offered[0].message
    assert {i.title for i in appointment_items(tab)} == {"Zoë Ångström", "Jerónimo Ruelas"}


def test_booking_dialog_confirms_in_hospital_time_and_needs_a_patient(clinic, qtbot):
    window, tab, doctor, patients = clinic
    start = free_items(tab)[0].slot.start
    context = BookingContext(
        doctor.id,
        doctor.name,
        doctor.hospital_name,
        "America/New_York",
        start,
        start + timedelta(minutes=30),
    )
    dialog = BookingDialog(window.services, window.tasks, context, window)
    assert "(hospital time)" in dialog.findChild(type(dialog.error), "bookingTime").text()
    assert dialog.book_button.isDefault()  # Enter books
    assert not any(
        b.autoDefault() for b in dialog.findChildren(QPushButton) if b is not dialog.book_button
    )
    dialog.book_button.click()
    assert "Choose the patient" in dialog.error.text() and dialog.request is None
    dialog.patient.set_choice(patients[0].id, "Zoë Ångström")
    dialog.reason.setText("Follow-up")
    dialog.book_button.click()
    assert dialog.request is not None and dialog.request.reason == "Follow-up"
    walk_in = BookingDialog(
        window.services,
        window.tasks,
        BookingContext(**{**context.__dict__, "outside_timetable": True}),
        window,
    )
    walk_in.patient.set_choice(patients[0].id, "Zoë Ångström")
    walk_in.book_button.click()
    assert "outside the timetable" in walk_in.error.text()


def test_describe_time_shows_the_workstation_clock_when_it_differs():
    start = datetime(2027, 10, 31, 1, 0, tzinfo=UTC)
    text = describe_time(start, start + timedelta(hours=1), "Pacific/Chatham")
    assert "(hospital time)" in text and "On this computer's clock" in text


def test_screenshots_of_a_normal_week_and_a_dst_week(clinic, qtbot):
    window, tab, doctor, patients = clinic
    services = window.services
    first = free_items(tab)
    for number, item in enumerate(first[:3]):
        services.booking.book(
            BookingRequest(patients[number].id, doctor.id, item.slot.start, reason="Review")
        )
    appointment = services.booking.book(
        BookingRequest(patients[0].id, doctor.id, first[5].slot.start)
    )
    services.booking.check_in(appointment.id, now=appointment.start_at)
    qtbot.waitUntil(lambda: len(appointment_items(tab)) == 4, timeout=10000)
    window.resize(1400, 900)
    save_screenshot(window, "timetable-week")
    autumn = date(2027, 10, 25)
    if autumn - date.today() < timedelta(days=390):
        tab.navigator.set_week(autumn)
        tab.reload()
        qtbot.waitUntil(lambda: tab.view.week_layout().monday == autumn, timeout=10000)
        sunday = tab.view.week_layout().days[6]
        assert sunday.hours == 25
        labels = [mark.label for mark in sunday.hour_marks]
        assert "01:00 BST" in labels and "01:00 GMT" in labels
        save_screenshot(window, "timetable-week-dst")


def test_next_available_shows_the_doctor_and_books(clinic, qtbot, monkeypatch):
    _window, tab, doctor, _patients = clinic
    asked = []
    monkeypatch.setattr(tab, "ask_booking", lambda context: asked.append(context))
    dialog = tab.open_next_available()
    qtbot.waitUntil(lambda: dialog.results.count() > 0, timeout=10000)
    first = dialog.results.item(0).data(SLOT_ROLE)
    assert first.doctor_id == doctor.id
    dialog.book_button.click()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10000)
    assert asked[0].start == first.slot.start and not asked[0].outside_timetable


def test_walk_in_now_is_reachable_without_a_mouse(clinic, qtbot, monkeypatch):
    _window, tab, _doctor, _patients = clinic
    asked = []
    monkeypatch.setattr(tab, "ask_booking", lambda context: asked.append(context))
    tab.walk_in_button.click()
    assert asked and asked[0].outside_timetable
    assert abs(asked[0].start - datetime.now(UTC)) < timedelta(minutes=6)


def test_a_refused_booking_comes_back_with_what_was_typed(clinic, qtbot, monkeypatch):
    window, tab, doctor, _patients = clinic
    services = window.services
    dead = services.patients.create(
        PatientDraft(
            given_name="Late",
            family_name="Person",
            date_of_birth="1920-01-01",
            date_of_death="2000-01-01",
        )
    )
    contexts = []

    def answer(context):
        contexts.append(context)
        if len(contexts) == 1:
            return BookingRequest(
                dead.id,
                doctor.id,
                context.start,
                context.end,
                reason="Typed reason",
                notes="Typed notes",
            )
        return None

    monkeypatch.setattr(tab, "ask_booking", answer)
    tab.view.slot_activated.emit(free_items(tab)[0])
    qtbot.waitUntil(lambda: len(contexts) == 2, timeout=10000)
    again = contexts[1]
    assert "died on 2000-01-01" in again.problem
    assert again.prefill.reason == "Typed reason" and again.prefill.notes == "Typed notes"
    dialog = BookingDialog(services, window.tasks, again, window)
    assert dialog.reason.text() == "Typed reason" and "died on" in dialog.error.text()
    qtbot.waitUntil(lambda: "Late Person" in dialog.patient.text(), timeout=10000)


def test_satisfaction_is_recorded_for_a_completed_visit(clinic, qtbot):
    window, tab, doctor, patients = clinic
    slot = free_items(tab)[0].slot
    booked = window.services.booking.book(BookingRequest(patients[0].id, doctor.id, slot.start))
    window.services.booking.complete(booked.id, booked.version, now=booked.end_at)
    qtbot.waitUntil(
        lambda: (
            [i.appointment.status for i in appointment_items(tab)] == [AppointmentStatus.FULFILLED]
        ),
        timeout=10000,
    )
    item = appointment_items(tab)[0]
    assert tab.available_actions(item) == ["rate"]
    dialog = tab.ask_satisfaction(item.appointment)
    dialog.submit()
    assert "Choose a score" in dialog.field_error("satisfaction_score")
    dialog.choose(4)
    dialog.comment.setPlainText("Très bien, merci")
    with qtbot.waitSignal(dialog.succeeded, timeout=10000):
        dialog.submit()
    saved = window.services.appointments.get(booked.id)
    assert (saved.satisfaction_score, saved.satisfaction_comment) == (4, "Très bien, merci")
    qtbot.waitUntil(
        lambda: [i.appointment.version for i in appointment_items(tab)] == [saved.version],
        timeout=10000,
    )
    again = tab.ask_satisfaction(appointment_items(tab)[0].appointment)
    qtbot.waitUntil(lambda: again.loaded, timeout=10000)
    assert again.scores.checkedId() == 4 and again.comment.toPlainText() == "Très bien, merci"
    again.reject()


def test_the_week_as_a_pdf(clinic, qtbot, tmp_path):
    window, tab, doctor, patients = clinic
    slot = free_items(tab)[0].slot
    window.services.booking.book(BookingRequest(patients[0].id, doctor.id, slot.start))
    qtbot.waitUntil(lambda: len(appointment_items(tab)) == 1, timeout=10000)
    target = tmp_path / "week.pdf"
    tab.ask_save_path = lambda suggested: str(target)
    with qtbot.waitSignal(tab.week_saved, timeout=30000):
        tab.print_week_button.click()
    assert target.read_bytes().startswith(b"%PDF")
    assert any(e.action == "export-week" for e in window.services.audit.entries())
