"""The Timetable tab: one doctor's week; book, check in, cancel and reschedule from it.

All time rules come from the core (the week layout and the booking service); this tab only
asks for them through the task runner and turns the user's clicks into service calls.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.clock import format_local, utc_now
from hospital_desktop.core.domain.errors import DomainError
from hospital_desktop.core.domain.security import Permission, UserRecord
from hospital_desktop.core.domain.values import (
    AppointmentRecord,
    AppointmentStatus,
    BookingRequest,
    DoctorRecord,
    WaitlistRecord,
)
from hospital_desktop.core.scheduling.availability import Slot
from hospital_desktop.core.scheduling.week import (
    CalendarAppointment,
    WeekItem,
    WeekLayout,
    monday_of,
)
from hospital_desktop.core.services.booking import AvailableSlot, SlotTakenError
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.gui.calendar.week_navigator import WeekNavigator
from hospital_desktop.gui.calendar.week_view import WeekView
from hospital_desktop.gui.dialogs.booking_dialog import BookingContext, BookingDialog, ask_text
from hospital_desktop.gui.dialogs.next_available_dialog import NextAvailableDialog
from hospital_desktop.gui.dialogs.satisfaction_dialog import SatisfactionDialog
from hospital_desktop.gui.errors import message_for, show_error
from hospital_desktop.gui.files import ask_save_path
from hospital_desktop.gui.tabs.pickers import doctor_label, doctor_picker
from hospital_desktop.gui.tabs.timetable_editors import (
    EntriesEditor,
    ExceptionsEditor,
    WaitlistPanel,
)
from hospital_desktop.gui.tasks import TaskRunner

WALK_IN_MINUTES = 15
HINT_BOOKING = (
    "Choose a doctor to see their week. Click a free slot (or press Enter on it) to book; "
    "right-click an appointment (or press the Menu key) for check-in, cancel and "
    "reschedule; double-click empty time for a walk-in."
)
# What each action of the appointment menu needs (the services check it again).
ACTION_PERMISSIONS = {
    "check_in": Permission.CHECK_IN,
    "complete": Permission.CHECK_IN,
    "no_show": Permission.CHECK_IN,
    "cancel": Permission.CANCEL,
    "reschedule": Permission.BOOK,
    "rate": Permission.BOOK,  # asked at the front desk, not by the doctor
}
ACTIONS = {
    "check_in": ("Check &in", {AppointmentStatus.BOOKED}),
    "complete": (
        "&Complete",
        {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN},
    ),
    "no_show": ("Mark &no-show", {AppointmentStatus.BOOKED}),
    "cancel": (
        "C&ancel…",
        {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN},
    ),
    "reschedule": ("&Reschedule…", {AppointmentStatus.BOOKED}),
    "rate": ("Patient &satisfaction…", {AppointmentStatus.FULFILLED}),
}


class TimetableTab(QWidget):
    status_message = Signal(str)
    week_loaded = Signal()
    doctor_shown = Signal(object)
    week_saved = Signal(str)  # the PDF's path

    def __init__(self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        self.doctor: DoctorRecord | None = None
        self.user: UserRecord | None = None  # None: set-up mode, everything allowed
        self.moving: CalendarAppointment | None = None  # the appointment being rescheduled
        self._zones: dict[int, str] = {}
        self._loading = False

        self.doctor_picker = doctor_picker(services, tasks, self._zones)
        self.doctor_picker.setObjectName("timetableDoctor")
        self.doctor_picker.choice_changed.connect(self._on_doctor_picker_choice_changed)
        self.navigator = WeekNavigator()
        self.navigator.week_changed.connect(self._on_navigator_week_changed)
        self.mode_label = QLabel()
        self.mode_label.setObjectName("rescheduleBanner")
        self.mode_label.setStyleSheet("background: #fff4ce; padding: 4px;")
        self.mode_label.setVisible(False)
        self.stop_moving_button = QPushButton("Stop rescheduling")
        self.stop_moving_button.setVisible(False)
        self.stop_moving_button.clicked.connect(self.stop_rescheduling)
        self.view = WeekView()
        self.view.slot_activated.connect(self._on_view_slot_activated)
        self.view.appointment_menu_requested.connect(self._on_view_appointment_menu_requested)
        self.view.appointment_activated.connect(self._on_view_appointment_activated)
        self.view.empty_time_activated.connect(self._on_view_empty_time_activated)
        self.hint = QLabel(HINT_BOOKING)
        self.hint.setWordWrap(True)
        self.side = QTabWidget()  # the timetable and exception editors and the waitlist
        self.side.setMinimumWidth(200)
        self.entries_editor = EntriesEditor(services, tasks)
        self.exceptions_editor = ExceptionsEditor(services, tasks)
        self.waitlist_panel = WaitlistPanel(
            services,
            tasks,
            lambda: item.slot if (item := self.view.focused_item()) is not None else None,
        )
        self.side.addTab(self.entries_editor, "Timetable")
        self.side.addTab(self.exceptions_editor, "Exceptions")
        self.side.addTab(self.waitlist_panel, "Waitlist")

        escape = QAction(self)
        escape.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        escape.triggered.connect(self.stop_rescheduling)
        self.addAction(escape)

        self.next_available_button = QPushButton("Next available…")
        self.next_available_button.setToolTip("The first free times across a hospital's doctors")
        self.next_available_button.clicked.connect(self.open_next_available)
        self.walk_in_button = QPushButton("Walk-in now…")
        self.walk_in_button.setToolTip(
            "Book this doctor now, outside the timetable if need be (a reason is asked)"
        )
        self.walk_in_button.clicked.connect(self.book_walk_in_now)
        self.print_week_button = QPushButton("Week as PDF…")
        self.print_week_button.setToolTip("Save this doctor's week, to print or to send")
        self.print_week_button.clicked.connect(self.save_week_pdf)
        self.shown_week: WeekLayout | None = None
        # Two rows, so the window still fits a small screen (about 800 pixels wide).
        top = QVBoxLayout()
        who = QHBoxLayout()
        who.addWidget(QLabel("Doctor:"))
        who.addWidget(self.doctor_picker, 1)
        who.addWidget(self.next_available_button)
        who.addWidget(self.walk_in_button)
        who.addWidget(self.print_week_button)
        top.addLayout(who)
        top.addWidget(self.navigator)
        banner = QHBoxLayout()
        banner.addWidget(self.mode_label, 1)
        banner.addWidget(self.stop_moving_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addLayout(banner)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.hint)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 380])  # room for the editors; the user may drag it
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    # --- what the window asks --------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        return self._loading

    def show_doctor(self, doctor: DoctorRecord, monday: date | None = None) -> None:
        self.doctor = doctor
        self._zones[doctor.id] = doctor.time_zone
        self.doctor_picker.set_choice(doctor.id, doctor_label(doctor))
        self.navigator.set_time_zone(doctor.time_zone)
        if monday is not None:
            self.navigator.set_week(monday)
        self.stop_rescheduling()
        self.reload()
        for panel in (self.entries_editor, self.exceptions_editor, self.waitlist_panel):
            panel.set_doctor(doctor)
        self._apply_permissions()
        self.doctor_shown.emit(doctor)

    def set_user(self, user: UserRecord | None) -> None:
        """Show only what ``user`` may do; the services refuse the rest anyway."""
        self.user = user
        self._apply_permissions()

    def may(self, permission: Permission) -> bool:
        doctor_id = self.doctor.id if self.doctor is not None else None
        return self.user is None or self.user.may(permission, doctor_id)

    def _apply_permissions(self) -> None:
        books = self.may(Permission.BOOK)
        self.print_week_button.setVisible(self.may(Permission.EXPORT))
        self.next_available_button.setVisible(books)
        self.walk_in_button.setVisible(books)
        manages = self.may(Permission.MANAGE_TIMETABLES)
        why = "You can see this timetable; changing it needs the manage timetables permission."
        self.entries_editor.set_read_only(not manages, why)
        self.exceptions_editor.set_read_only(not manages, why)
        self.waitlist_panel.set_read_only(
            not books, "You can see who is waiting; offering slots needs the book permission."
        )
        self.hint.setText(
            HINT_BOOKING
            if books
            else "Choose a doctor to see their week. Right-click an appointment (or press the "
            "Menu key) for what you can do with it."
        )

    def week(self) -> date:
        return self.navigator.week()

    def reload(self) -> None:
        if self.doctor is None:
            return
        doctor_id, monday = self.doctor.id, self.navigator.week()
        self._loading = True
        self.tasks.run(
            lambda: self.services.booking.week(doctor_id, monday),
            self._on_week_loaded,
            self._on_week_failed,
        )

    def on_change(self, change: Change) -> None:
        if self.doctor is None:
            return
        if change.entities & {Entity.APPOINTMENT, Entity.TIMETABLE, Entity.HOSPITAL, Entity.DOCTOR}:
            self.reload()
        if change.touches(Entity.TIMETABLE):
            self.entries_editor.refresh()
            self.exceptions_editor.refresh()
        if change.touches(Entity.WAITLIST) or change.touches(Entity.PATIENT):
            self.waitlist_panel.refresh()

    def available_actions(self, item: WeekItem) -> list[str]:
        """The actions the appointment's status allows, in menu order."""
        if item.appointment is None:
            return []
        status = item.appointment.status
        return [
            name
            for name, (_, allowed) in ACTIONS.items()
            if status in allowed and self.may(ACTION_PERMISSIONS[name])
        ]

    def run_action(self, name: str, item: WeekItem) -> None:
        appointment = item.appointment
        if appointment is None:
            return
        booking = self.services.booking
        if name == "check_in":
            self._write(lambda: booking.check_in(appointment.id, appointment.version), "Checked in")
        elif name == "complete":
            self._write(lambda: booking.complete(appointment.id, appointment.version), "Completed")
        elif name == "no_show":
            self._write(
                lambda: booking.mark_no_show(appointment.id, appointment.version), "Marked no-show"
            )
        elif name == "cancel":
            reason = self.ask_cancel_reason(appointment)
            if reason is None:
                return
            self._write(
                lambda: booking.cancel(appointment.id, reason, self._who(), appointment.version),
                "Cancelled",
                after=lambda _record: self._offer_freed_slot(appointment),
            )
        elif name == "reschedule":
            self.start_rescheduling(appointment)
        elif name == "rate":
            self.ask_satisfaction(appointment)

    def open_next_available(self) -> NextAvailableDialog:
        hospital = (self.doctor.hospital_id, self.doctor.hospital_name) if self.doctor else None
        dialog = NextAvailableDialog(self.services, self.tasks, hospital, self)
        dialog.chosen.connect(self._on_next_available_chosen)
        dialog.open()
        return dialog

    def book_walk_in_now(self) -> None:
        """The keyboard's way to a walk-in: now, rounded down to five minutes."""
        if self.doctor is None:
            self.status_message.emit("Choose the doctor first.")
            return
        now = utc_now().replace(second=0, microsecond=0)
        start = now - timedelta(minutes=now.minute % 5)
        self._book(start, start + timedelta(minutes=WALK_IN_MINUTES), outside_timetable=True)

    def _on_next_available_chosen(self, available: AvailableSlot) -> None:
        slot = available.slot

        def show_and_book(doctor: DoctorRecord) -> None:
            local_day = slot.start.astimezone(ZoneInfo(doctor.time_zone)).date()
            self.show_doctor(doctor, monday_of(local_day))
            self._book(slot.start, slot.end, outside_timetable=False)

        self.tasks.run(lambda: self.services.doctors.get(available.doctor_id), show_and_book)

    # --- rescheduling ------------------------------------------------------------------

    def start_rescheduling(self, appointment: CalendarAppointment) -> None:
        self.moving = appointment
        when = format_local(appointment.start, self._zone())
        self.mode_label.setText(
            f"Rescheduling {appointment.patient_name} ({when}): click the new free slot, "
            "or press Escape to stop."
        )
        self.mode_label.setVisible(True)
        self.stop_moving_button.setVisible(True)
        self.view.setFocus()

    def stop_rescheduling(self) -> None:
        self.moving = None
        self.mode_label.setVisible(False)
        self.stop_moving_button.setVisible(False)

    # --- dialogs (tests replace these) ------------------------------------------------

    def ask_booking(self, context: BookingContext) -> BookingRequest | None:
        return BookingDialog.ask(self.services, self.tasks, context, self)

    def ask_satisfaction(self, appointment: CalendarAppointment) -> SatisfactionDialog:
        dialog = SatisfactionDialog(self.services.reports, self.tasks, appointment, self)
        dialog.succeeded.connect(
            lambda _record: self.status_message.emit("The patient's satisfaction was saved.")
        )
        dialog.open()
        return dialog

    def ask_cancel_reason(self, appointment: CalendarAppointment) -> str | None:
        return ask_text(
            self,
            "Cancel appointment",
            f"Why is {appointment.patient_name}'s appointment cancelled?",
        )

    def ask_alternative(self, error: SlotTakenError) -> Slot | None:
        """After a lost race: offer the nearest free slots; the one chosen, or None."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Just taken", error.message, parent=self)
        choices = {}
        for slot in error.alternatives:
            button = box.addButton(
                f"Book {format_local(slot.start, error.time_zone)}",
                QMessageBox.ButtonRole.AcceptRole,
            )
            choices[button] = slot
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return choices.get(box.clickedButton())

    def ask_waitlist_offer(
        self, waiting: list[WaitlistRecord], slot: Slot
    ) -> WaitlistRecord | None:
        when = format_local(slot.start, self._zone())
        names = "\n".join(f"• {entry.patient_name}" for entry in waiting[:5])
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Someone is waiting",
            f"{when} is free again. Waiting for this doctor at that time:\n{names}",
            parent=self,
        )
        choices = {}
        for entry in waiting[:3]:
            choices[
                box.addButton(f"Offer to {entry.patient_name}", QMessageBox.ButtonRole.AcceptRole)
            ] = entry
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return choices.get(box.clickedButton())

    # --- handlers ----------------------------------------------------------------------

    def _on_doctor_picker_choice_changed(self, doctor_id: object) -> None:
        if not isinstance(doctor_id, int) or (self.doctor and self.doctor.id == doctor_id):
            return
        self.tasks.run(lambda: self.services.doctors.get(doctor_id), self.show_doctor)

    def _on_navigator_week_changed(self, _monday: date) -> None:
        self.reload()

    def _on_week_loaded(self, layout: WeekLayout) -> None:
        self._loading = False
        if self.doctor is not None and layout.time_zone == self.doctor.time_zone:
            self.view.set_layout(layout)
            self.shown_week = layout
        self.week_loaded.emit()

    def _on_week_failed(self, error: BaseException) -> None:
        self._loading = False
        show_error(self, error, "The week could not be shown")

    def _on_view_slot_activated(self, item: WeekItem) -> None:
        if self.doctor is None or item.slot is None or not self._may_book():
            return
        slot = item.slot
        if self.moving is not None:
            moving = self.moving
            self.stop_rescheduling()
            self._write(
                lambda: self.services.booking.reschedule(
                    moving.id, slot.start, moving.version, new_end=slot.end
                ),
                "Rescheduled",
                retry=lambda chosen: self._write(
                    lambda: self.services.booking.reschedule(
                        moving.id, chosen.start, moving.version, new_end=chosen.end
                    ),
                    "Rescheduled",
                ),
            )
            return
        self._book(slot.start, slot.end, outside_timetable=False)

    def _on_view_empty_time_activated(self, moment: datetime) -> None:
        if self.doctor is None or self.moving is not None or not self._may_book():
            return
        self._book(moment, moment + timedelta(minutes=WALK_IN_MINUTES), outside_timetable=True)

    def _on_view_appointment_activated(self, item: WeekItem) -> None:
        rect = self.view.item_rect(item)
        self._on_view_appointment_menu_requested(
            item, self.view.viewport().mapToGlobal(rect.center())
        )

    def _on_view_appointment_menu_requested(self, item: WeekItem, where: QPoint) -> None:
        menu = self.appointment_menu(item)
        chosen = menu.exec(where)
        if chosen is not None and chosen.data():
            self.run_action(str(chosen.data()), item)

    def appointment_menu(self, item: WeekItem) -> QMenu:
        menu = QMenu(self)
        allowed = set(self.available_actions(item))
        for name, (text, _) in ACTIONS.items():
            action = menu.addAction(text)
            action.setData(name)
            action.setEnabled(name in allowed)
        return menu

    # --- writing -----------------------------------------------------------------------

    def _book(
        self,
        start: datetime,
        end: datetime,
        *,
        outside_timetable: bool,
        prefill: BookingRequest | None = None,
        problem: str = "",
    ) -> None:
        assert self.doctor is not None
        context = BookingContext(
            doctor_id=self.doctor.id,
            doctor_name=self.doctor.name,
            hospital_name=self.doctor.hospital_name,
            time_zone=self.doctor.time_zone,
            start=start,
            end=end,
            outside_timetable=outside_timetable,
            prefill=prefill,
            problem=problem,
        )
        request = self.ask_booking(context)
        if request is None:
            return

        def ask_again(error: BaseException) -> None:
            """Refused (a deceased patient, an inactive doctor...): nothing typed is lost."""
            self._book(
                start,
                end,
                outside_timetable=outside_timetable,
                prefill=request,
                problem=message_for(error),
            )

        self._write(
            lambda: self.services.booking.book(request),
            "Booked",
            retry=lambda slot: self._write(
                lambda: self.services.booking.book(_moved(request, slot)), "Booked"
            ),
            refused=ask_again,
        )

    def _write(
        self,
        work: Callable[[], AppointmentRecord],
        done: str,
        *,
        retry: Callable[[Slot], Any] | None = None,
        after: Callable[[AppointmentRecord], Any] | None = None,
        refused: Callable[[BaseException], Any] | None = None,
    ) -> None:
        def on_done(record: AppointmentRecord) -> None:
            when = format_local(record.start_at, record.time_zone)
            self.status_message.emit(f"{done}: {record.patient_name}, {when}.")
            if after is not None:
                after(record)

        def on_error(error: BaseException) -> None:
            if isinstance(error, SlotTakenError) and retry is not None:
                chosen = self.ask_alternative(error)
                if chosen is not None:
                    retry(chosen)
                return
            if refused is not None and isinstance(error, DomainError):
                refused(error)
                return
            show_error(self, error, "Not done")
            self.reload()  # show the week as it really is now

        self.tasks.run(work, on_done, on_error)

    def _offer_freed_slot(self, appointment: CalendarAppointment) -> None:
        """After a cancellation: if someone waits for this time, offer it in one step."""
        if self.doctor is None:
            return
        doctor_id = self.doctor.id
        start = appointment.start

        def find() -> tuple[list[WaitlistRecord], Slot | None]:
            slots = self.services.booking.free_slots(doctor_id, start, start + timedelta(minutes=1))
            slot = next((s for s in slots if s.start == start), None)
            return (self.services.waitlist.candidates(doctor_id, slot) if slot else []), slot

        def offer(found: tuple[list[WaitlistRecord], Slot | None]) -> None:
            waiting, slot = found
            if not waiting or slot is None:
                return
            chosen = self.ask_waitlist_offer(waiting, slot)
            if chosen is not None:
                self._write(
                    lambda: self.services.waitlist.offer(chosen.id, slot, chosen.version),
                    "Booked from the waitlist",
                )

        self.tasks.run(find, offer)

    def save_week_pdf(self) -> None:
        doctor, layout = self.doctor, self.shown_week
        if doctor is None or layout is None:
            self.status_message.emit("Choose a doctor to print their week.")
            return
        suggested = f"Week of {layout.monday.isoformat()} - {doctor.name}.pdf".replace("/", "-")
        path = self.ask_save_path(suggested)
        if not path:
            return
        self.print_week_button.setEnabled(False)

        def done(_result: object) -> None:
            self.print_week_button.setEnabled(True)
            self.status_message.emit(f"Saved the week to {path}.")
            self.week_saved.emit(path)

        def failed(error: BaseException) -> None:
            self.print_week_button.setEnabled(True)
            show_error(self, error, "The week could not be saved")

        self.tasks.run(
            lambda: self.services.reports.export_week(doctor.id, layout, Path(path)),
            done,
            failed,
        )

    def ask_save_path(self, suggested: str) -> str | None:
        """Where to save a PDF (tests replace this)."""
        return ask_save_path(self, "Save the week", suggested, "PDF files (*.pdf)", ".pdf")

    def _who(self) -> str:
        """Recorded as who cancelled: the signed-in user, at this workstation."""
        if self.user is None:
            return workstation_user()
        return f"{self.user.full_name} on {socket.gethostname()}"[:100]

    def _may_book(self) -> bool:
        if self.may(Permission.BOOK):
            return True
        self.status_message.emit("Booking needs the book permission; ask an administrator.")
        return False

    def _zone(self) -> str:
        return self.doctor.time_zone if self.doctor else "UTC"


def workstation_user() -> str:
    """Who cancels in set-up mode, before anyone has an account: the computer's user."""
    return f"{getpass.getuser()} on {socket.gethostname()}"[:100]


def _moved(request: BookingRequest, slot: Slot) -> BookingRequest:
    return replace(request, start_at=slot.start, end_at=slot.end)
