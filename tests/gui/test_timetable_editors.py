"""The Timetable tab's side panels: weekly entries, exceptions and the waitlist.

A real window on a real SQLite file; the panels are driven through their own widgets and
buttons, and what they wrote is checked in the services and in the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QScrollArea

from hospital_desktop.core.domain.errors import StaleRecordError
from hospital_desktop.core.domain.values import (
    DoctorDraft,
    DoctorRecord,
    HospitalDraft,
    PatientDraft,
    TimetableEntryDraft,
)
from hospital_desktop.core.scheduling.week import ItemKind, WeekItem
from hospital_desktop.core.services.booking import SlotTakenError
from hospital_desktop.gui.main_window import MainWindow
from hospital_desktop.gui.tabs.timetable import TimetableTab
from hospital_desktop.gui.tabs.timetable_editors import NO_FREE_SLOT
from tests.gui.conftest import save_screenshot

LONDON = "Europe/London"
ZONE = ZoneInfo(LONDON)


@dataclass
class Desk:
    window: MainWindow
    tab: TimetableTab
    doctor: DoctorRecord
    monday: date  # next week's Monday: past the booking notice, inside the horizon

    @property
    def services(self):
        return self.window.services

    def day(self, offset: int) -> date:
        return self.monday + timedelta(days=offset)

    def free_starts(self, offset: int) -> list[str]:
        """The doctor's free slots on monday + offset, as local 'HH:MM', from the service."""
        start = datetime.combine(self.day(offset), time(), ZONE).astimezone(UTC)
        slots = self.services.booking.free_slots(self.doctor.id, start, start + timedelta(days=1))
        return [f"{slot.start.astimezone(ZONE):%H:%M}" for slot in slots]

    def calendar_free(self) -> list[WeekItem]:
        layout = self.tab.view.week_layout()
        if layout is None:
            return []
        return [
            item for day in layout.days for item in day.items if item.kind is ItemKind.FREE_SLOT
        ]


def settle(qtbot, desk: Desk) -> None:
    """Wait until every write, reload and change announcement has been handled."""
    panels = (desk.tab.entries_editor, desk.tab.exceptions_editor, desk.tab.waitlist_panel)
    qtbot.waitUntil(
        lambda: (
            not desk.window.tasks.busy
            and not desk.tab.is_loading
            and not any(p.is_loading or p.is_writing for p in panels)
        )
    )


def open_desk(open_window, url: str, qtbot, *, weekday_entries: bool) -> Desk:
    window = open_window(url)
    services = window.services
    hospital = services.hospitals.create(HospitalDraft(name="St Mary's", time_zone=LONDON))
    doctor = services.doctors.create(
        DoctorDraft(name="Dr Ada Núñez", hospital_id=hospital.id, specialty="General practice")
    )
    if weekday_entries:
        for weekday in range(5):
            services.timetable.create_entry(
                doctor.id, TimetableEntryDraft(weekday, "09:00", "12:00", 30)
            )
    today = datetime.now(ZONE).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    tab = window.timetable_tab
    window.tabs.setCurrentWidget(tab)
    tab.show_doctor(doctor, monday)
    desk = Desk(window, tab, doctor, monday)
    settle(qtbot, desk)
    return desk


@pytest.fixture
def empty_desk(open_window, sqlite_url, qtbot) -> Desk:
    return open_desk(open_window, sqlite_url, qtbot, weekday_entries=False)


@pytest.fixture
def desk(open_window, sqlite_url, qtbot) -> Desk:
    """Monday to Friday, 09:00–12:00 in 30-minute slots."""
    return open_desk(open_window, sqlite_url, qtbot, weekday_entries=True)


def fill_entry(editor, weekday: int, start: str, end: str, slot: int = 30, **dates: str) -> None:
    editor.weekday.setCurrentIndex(weekday)
    editor.start_time.setText(start)
    editor.end_time.setText(end)
    editor.slot_minutes.setValue(slot)
    editor.valid_from.setText(dates.get("valid_from", ""))
    editor.valid_until.setText(dates.get("valid_until", ""))


def errors_to(panel, monkeypatch) -> list[BaseException]:
    """Collect what the panel would show in a message box."""
    seen: list[BaseException] = []
    monkeypatch.setattr(panel, "report_error", lambda error, _title: seen.append(error))
    return seen


def laid_out(qtbot, widget) -> None:
    """Wait until the scroll areas have settled their scroll bars (before a screenshot)."""

    def settled() -> bool:
        bars = [a.horizontalScrollBar() for a in widget.findChildren(QScrollArea)]
        return not any(bar.isVisible() and bar.maximum() == 0 for bar in bars)

    qtbot.waitUntil(settled)


# --- weekly entries --------------------------------------------------------------------


def test_a_new_entry_is_listed_and_the_calendar_gains_its_slots(empty_desk, qtbot):
    desk, editor = empty_desk, empty_desk.tab.entries_editor
    assert editor.entries() == [] and desk.calendar_free() == []
    assert "Europe/London" in editor.zone_label.text()

    editor.new_button.click()
    fill_entry(editor, 0, "09:00", "12:00", 30)
    editor.save_button.click()
    settle(qtbot, desk)

    [entry] = editor.entries()
    assert (entry.weekday, f"{entry.start_time:%H:%M}", entry.slot_minutes) == (0, "09:00", 30)
    assert editor.list.item(0).text().startswith("Monday 09:00–12:00, 30-minute slots")
    assert "Every week" in editor.list.item(0).text()
    assert editor.current == entry and editor.list.currentRow() == 0  # now editing it
    assert len(desk.calendar_free()) == 6
    assert desk.free_starts(0)[:2] == ["09:00", "09:30"]
    assert "Saved" in editor.message.text()


def test_an_overlapping_entry_says_so_under_start_and_writes_nothing(desk, qtbot):
    editor = desk.tab.entries_editor
    editor.new_button.click()
    fill_entry(editor, 2, "11:00", "13:00")
    editor.save_button.click()
    settle(qtbot, desk)

    assert "overlaps the entry Wednesday 09:00–12:00" in editor.field_error("start_time")
    assert editor.field_error("end_time") == ""
    assert len(desk.services.timetable.entries(desk.doctor.id)) == 5
    assert len(editor.entries()) == 5 and editor.current is None


def test_unreadable_times_and_dates_get_field_messages(empty_desk, qtbot):
    editor = empty_desk.tab.entries_editor
    fill_entry(editor, 0, "nine", "12:00", valid_from="2030-02-30")
    editor.save_button.click()
    settle(qtbot, empty_desk)

    assert "'nine' is not a time" in editor.field_error("start_time")
    assert "February 2030 has no day 30" in editor.field_error("valid_from")
    assert empty_desk.services.timetable.entries(empty_desk.doctor.id) == []

    editor.start_time.setText("09:00")  # put right, the messages go with the save
    editor.valid_from.setText("")
    editor.save_button.click()
    settle(qtbot, empty_desk)
    assert editor.field_error("start_time") == editor.field_error("valid_from") == ""
    assert len(editor.entries()) == 1


def test_editing_an_entry_changes_the_slots_and_a_stale_edit_is_refused(desk, qtbot, monkeypatch):
    editor = desk.tab.entries_editor
    monday = next(e for e in editor.entries() if e.weekday == 0)
    assert editor.select_entry(monday.id)
    assert editor.start_time.text() == "09:00" and editor.end_time.text() == "12:00"

    editor.end_time.setText("13:00")
    editor.valid_until.setText((desk.monday + timedelta(days=60)).isoformat())
    editor.save_button.click()
    settle(qtbot, desk)
    assert desk.free_starts(0)[-1] == "12:30"
    edited = next(e for e in editor.entries() if e.id == monday.id)
    assert edited.version == monday.version + 1 and editor.current == edited
    assert "Until" in editor.list.item(editor.list.currentRow()).text()

    # Someone else changes it meanwhile: the desk's save is refused, not lost silently.
    desk.services.timetable.update_entry(
        monday.id, TimetableEntryDraft(0, "08:00", "12:00", 30), edited.version
    )
    seen = errors_to(editor, monkeypatch)
    editor.slot_minutes.setValue(20)
    editor.save_button.click()
    settle(qtbot, desk)
    assert [type(e) for e in seen] == [StaleRecordError]
    assert desk.free_starts(0)[0] == "08:00"
    assert editor.current.version == edited.version + 1  # the form shows what is there now
    assert editor.start_time.text() == "08:00" and editor.slot_minutes.value() == 30


def test_deleting_an_entry_asks_first_and_its_slots_go(desk, qtbot, monkeypatch):
    editor = desk.tab.entries_editor
    friday = next(e for e in editor.entries() if e.weekday == 4)
    editor.select_entry(friday.id)
    asked = []
    monkeypatch.setattr(editor, "confirm_delete", lambda entry: asked.append(entry) or False)
    editor.delete_button.click()
    settle(qtbot, desk)
    assert asked == [friday] and len(editor.entries()) == 5

    monkeypatch.setattr(editor, "confirm_delete", lambda entry: True)
    editor.delete_button.click()
    settle(qtbot, desk)
    assert [e.weekday for e in editor.entries()] == [0, 1, 2, 3]
    assert desk.free_starts(4) == []
    assert editor.current is None and editor.form_title.text() == "New entry"
    assert not editor.delete_button.isEnabled()
    assert len(desk.calendar_free()) == 4 * 6


# --- exceptions ------------------------------------------------------------------------


def test_an_absence_blocks_its_slots_until_removed(desk, qtbot):
    editor = desk.tab.exceptions_editor
    assert "Europe/London" in editor.absence_zone.text()
    tuesday = desk.day(1).isoformat()
    editor.absence_start.setText(f"{tuesday} 10:00")
    editor.absence_end.setText(f"{tuesday}  11:00")  # extra spaces are fine
    editor.absence_reason.setText("Team meeting")
    editor.add_absence_button.click()
    settle(qtbot, desk)

    [absence] = editor.absences()
    assert absence.starts_local == datetime.combine(desk.day(1), time(10))
    assert "Team meeting" in editor.absences_list.item(0).text()
    assert desk.free_starts(1) == ["09:00", "09:30", "11:00", "11:30"]
    assert editor.absence_start.text() == ""

    editor.absences_list.setCurrentRow(0)
    editor.remove_absence_button.click()
    settle(qtbot, desk)
    assert editor.absences() == []
    assert len(desk.free_starts(1)) == 6


def test_bad_absence_times_get_field_messages(desk, qtbot):
    editor = desk.tab.exceptions_editor
    editor.absence_start.setText("tomorrow 10:00")
    editor.absence_end.setText(f"{desk.day(1)} 11:00")
    editor.add_absence_button.click()
    assert "'tomorrow 10:00' is not a date and time" in editor.absence_fields.error("starts_local")
    assert editor.absence_fields.error("ends_local") == ""
    assert not editor.is_writing  # nothing was sent

    editor.absence_start.setText(f"{desk.day(1)} 11:00")
    editor.absence_end.setText(f"{desk.day(1)} 10:00")
    editor.add_absence_button.click()
    settle(qtbot, desk)
    assert editor.absence_fields.error("starts_local") == ""
    assert "must end after it starts" in editor.absence_fields.error("ends_local")
    assert editor.absences() == []


def test_a_closure_empties_the_day_until_removed(desk, qtbot):
    editor = desk.tab.exceptions_editor
    assert "St Mary's" in editor.closure_hint.text()
    editor.closure_day.setText(desk.monday.isoformat())
    editor.closure_reason.setText("Bank holiday")
    editor.add_closure_button.click()
    settle(qtbot, desk)
    [closure] = editor.closures()
    assert closure.day == desk.monday and "Bank holiday" in editor.closures_list.item(0).text()
    assert desk.free_starts(0) == []
    assert len(desk.calendar_free()) == 4 * 6

    editor.closure_day.setText(desk.monday.isoformat())  # twice: said under the date
    editor.add_closure_button.click()
    settle(qtbot, desk)
    assert "already closed" in editor.closure_fields.error("day")

    editor.closures_list.setCurrentRow(0)
    editor.remove_closure_button.click()
    settle(qtbot, desk)
    assert editor.closures() == [] and len(desk.free_starts(0)) == 6


def test_a_cancelled_occurrence_must_fall_on_its_weekday_and_can_be_restored(desk, qtbot):
    editor = desk.tab.exceptions_editor
    wednesday = next(e for e in desk.tab.entries_editor.entries() if e.weekday == 2)
    assert editor.cancelled_entry.count() == 5
    assert editor.cancelled_entry.currentIndex() == -1  # nothing chosen for the user
    editor.cancelled_day.setText(desk.day(2).isoformat())
    editor.cancel_button.click()
    assert "Choose the weekly entry" in editor.cancelled_fields.error("entry_id")
    assert editor.choose_entry(wednesday.id)

    editor.cancelled_day.setText(desk.monday.isoformat())
    editor.cancelled_reason.setText("On a course")
    editor.cancel_button.click()
    settle(qtbot, desk)
    assert "is not a Wednesday" in editor.cancelled_fields.error("day")
    assert editor.cancelled() == []

    editor.cancelled_day.setText(desk.day(2).isoformat())
    editor.cancel_button.click()
    settle(qtbot, desk)
    [occurrence] = editor.cancelled()
    assert occurrence.entry_id == wednesday.id and occurrence.day == desk.day(2)
    assert editor.cancelled_fields.error("day") == ""
    assert "09:00–12:00" in editor.cancelled_list.item(0).text()
    assert desk.free_starts(2) == [] and len(desk.free_starts(1)) == 6

    editor.cancelled_list.setCurrentRow(0)
    editor.restore_button.click()
    settle(qtbot, desk)
    assert editor.cancelled() == [] and len(desk.free_starts(2)) == 6


# --- waitlist --------------------------------------------------------------------------


def test_waitlist_add_offer_into_the_focused_slot_and_remove(desk, qtbot, monkeypatch):
    panel = desk.tab.waitlist_panel
    services = desk.services
    ann = services.patients.create(PatientDraft("Ann", "Adams", "1980-04-23"))
    bob = services.patients.create(PatientDraft("Bob", "Brown", "1975-01-02"))

    panel.add_button.click()  # no patient chosen yet
    assert "Choose the patient" in panel.field_error("patient_id")
    panel.patient.set_choice(ann.id, "Ann Adams")
    assert panel.field_error("patient_id") == ""
    panel.earliest_time.setText("25:00")
    panel.add_button.click()
    settle(qtbot, desk)
    assert "'25:00' is not a time" in panel.field_error("earliest_time")

    panel.earliest_time.setText("08:00")
    panel.latest_time.setText("10:00")
    panel.notes.setText("Asthma review")
    panel.add_button.click()
    settle(qtbot, desk)
    [waiting] = panel.waiting()
    assert waiting.patient_id == ann.id
    text = panel.list.item(0).text()
    assert "Ann Adams" in text and "08:00–10:00" in text and "Asthma review" in text

    assert panel.select_waiting(waiting.id)
    panel.offer_button.click()  # no free slot chosen in the calendar
    assert panel.message.text() == NO_FREE_SLOT

    def free_item(hour: int) -> WeekItem:
        start = datetime.combine(desk.monday, time(hour), ZONE).astimezone(UTC)
        return next(item for item in desk.calendar_free() if item.start == start)

    desk.tab.view.set_focused_item(free_item(11))  # outside the hours Ann gave: asks first
    asked = []
    monkeypatch.setattr(
        panel, "confirm_unsuitable", lambda entry, slot: asked.append(slot) or False
    )
    panel.offer_button.click()
    assert asked == [free_item(11).slot] and not panel.is_writing

    slot_item = free_item(9)
    desk.tab.view.set_focused_item(slot_item)
    assert panel.focused_slot() == slot_item.slot
    panel.offer_button.click()
    settle(qtbot, desk)
    assert panel.waiting() == []
    assert panel.message.text().startswith("Booked Ann Adams for ")
    assert "09:00" not in desk.free_starts(0)
    layout = desk.tab.view.week_layout()
    assert [i.title for i in layout.days[0].items if i.appointment] == ["Ann Adams"]

    # Bob is offered the slot Ann just took: the service says it is taken.
    services.waitlist.add(bob.id, desk.doctor.id)
    settle(qtbot, desk)
    [bobs] = panel.waiting()
    panel.select_waiting(bobs.id)
    seen = errors_to(panel, monkeypatch)
    monkeypatch.setattr(panel, "focused_slot", lambda: slot_item.slot)
    panel.offer_button.click()
    settle(qtbot, desk)
    assert [type(e) for e in seen] == [SlotTakenError]
    assert [w.id for w in panel.waiting()] == [bobs.id]

    panel.select_waiting(bobs.id)
    panel.remove_button.click()
    settle(qtbot, desk)
    assert panel.waiting() == [] and services.waitlist.waiting(desk.doctor.id) == []


# --- how it looks ----------------------------------------------------------------------


def test_screenshots_of_the_side_panels(desk, qtbot):
    services, doctor = desk.services, desk.doctor
    services.timetable.create_entry(
        doctor.id,
        TimetableEntryDraft(
            5, "22:00", "02:00", 60, 10, valid_from=desk.monday.isoformat(), valid_until=None
        ),
    )
    tuesday = desk.day(1)
    services.timetable.add_absence(
        doctor.id,
        datetime.combine(tuesday, time(10)),
        datetime.combine(tuesday, time(11)),
        "Team meeting",
    )
    services.timetable.add_absence(
        doctor.id,
        datetime.combine(desk.day(9), time(9)),
        datetime.combine(desk.day(11), time(17)),
        "Annual leave",
    )
    services.timetable.add_closure(doctor.hospital_id, desk.day(14), "Bank holiday")
    wednesday = next(e for e in services.timetable.entries(doctor.id) if e.weekday == 2)
    services.timetable.cancel_occurrence(wednesday.id, desk.day(2), "On a course")
    for given, family in (("María Luisa", "Montenegro-Núñez"), ("Bob", "Brown")):
        patient = services.patients.create(PatientDraft(given, family, "1980-04-23"))
        services.waitlist.add(
            patient.id, doctor.id, earliest_time="08:00", latest_time="10:00", notes="Review"
        )
    settle(qtbot, desk)
    tab = desk.tab

    entries = tab.entries_editor
    entries.new_button.click()
    fill_entry(entries, 2, "11:00", "13:00")
    entries.save_button.click()  # an overlap message to show
    settle(qtbot, desk)
    assert entries.field_error("start_time")
    exceptions, waitlist = tab.exceptions_editor, tab.waitlist_panel
    assert len(exceptions.absences()) == 2 and exceptions.cancelled()
    assert len(waitlist.waiting()) == 2
    waitlist.select_waiting(waitlist.waiting()[0].id)

    shots = (("entries", entries), ("exceptions", exceptions), ("waitlist", waitlist))
    for name, panel in shots:  # as the tab first opens
        tab.side.setCurrentWidget(panel)
        laid_out(qtbot, panel)
        save_screenshot(desk.window, f"timetable-{name}")
    total = sum(tab.splitter.sizes())
    tab.splitter.setSizes([total - 380, 380])  # as after dragging the divider
    for name, panel in shots:
        tab.side.setCurrentWidget(panel)
        laid_out(qtbot, panel)
        save_screenshot(desk.window, f"timetable-{name}-wide")
    # The exceptions panel scrolls; its whole content, for a look at the lower sections.
    save_screenshot(exceptions.findChild(QScrollArea).widget(), "timetable-exceptions-whole")
