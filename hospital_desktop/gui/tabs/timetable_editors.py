"""The side panels of the Timetable tab: weekly entries, their exceptions, and the waitlist.

Each panel shows one doctor's records and writes through the core's services on the task
runner; a ValidationError puts each message under its field, any other domain error goes to
``report_error`` (a message box, which tests replace). Lists reload after every write, and
when the tab passes on a change that concerns them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.clock import format_local, to_local
from hospital_desktop.core.domain.errors import StaleRecordError, ValidationError
from hospital_desktop.core.domain.values import (
    WEEKDAYS,
    AbsenceRecord,
    AppointmentRecord,
    CancelledOccurrenceRecord,
    ClosureRecord,
    DoctorRecord,
    TimetableEntryDraft,
    TimetableEntryRecord,
    WaitlistRecord,
)
from hospital_desktop.core.scheduling.availability import Slot
from hospital_desktop.core.services.waitlist import suits
from hospital_desktop.gui.errors import show_error
from hospital_desktop.gui.tabs.pickers import patient_picker
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.field_messages import ERROR_STYLE, FieldMessages, hint_label

ABSENCE_DAYS = 180
CLOSURE_DAYS = 365
CANCELLED_DAYS = 180
LOCAL_FORMAT = "%Y-%m-%d %H:%M"
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
NO_FREE_SLOT = "Choose a free slot in the calendar first."
OFFER, OFFER_SHORT = "Offer the selected free slot", "Offer free slot"
NARROW = 330  # below this width, labels go above their fields and buttons stack
# The item style's padding and border. No padding at the sides: the delegate wraps the text
# for the size hint without it, and a wrapped line would be cut off when painted.
ITEM_PADDING = 7
LIST_STYLE = """
QListWidget::item { padding: 3px 0; border-bottom: 1px solid palette(midlight); }
QListWidget::item:selected { background: palette(highlight); color: palette(highlighted-text); }
"""

LoadedT = TypeVar("LoadedT")


# --- small building blocks ---------------------------------------------------------------


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return form


def _line(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    return edit


class RecordList(QListWidget):
    """A list of records, tall enough for ``items`` of ``lines`` lines each before it
    scrolls; each item keeps its record."""

    def __init__(self, name: str, items: int, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items, self._lines = items, lines
        self.setAccessibleName(name)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)  # re-wrap the items on resize
        self.setStyleSheet(LIST_STYLE)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height(self._items))

    def minimumSizeHint(self) -> QSize:
        return QSize(60, self._height(1))

    def _height(self, items: int) -> int:
        item = self.fontMetrics().lineSpacing() * self._lines + ITEM_PADDING
        return item * items + 2 * self.frameWidth() + 2


def _record_list(name: str, items: int, lines: int) -> RecordList:
    return RecordList(name, items, lines)


def _fill_list(widget: QListWidget, rows: list[tuple[str, Any]], keep_id: int | None) -> None:
    """Replace the rows, keeping the one with ``keep_id`` selected without announcing it."""
    blocked = widget.blockSignals(True)
    try:
        widget.clear()
        for text, record in rows:
            item = QListWidgetItem(text)
            item.setData(RECORD_ROLE, record)
            item.setToolTip(text)
            widget.addItem(item)
            if keep_id is not None and record.id == keep_id:
                widget.setCurrentItem(item)
    finally:
        widget.blockSignals(blocked)


def _selected(widget: QListWidget) -> Any:
    item = widget.currentItem()
    return item.data(RECORD_ROLE) if item is not None and item.isSelected() else None


def _select_id(widget: QListWidget, record_id: int) -> bool:
    for row in range(widget.count()):
        if widget.item(row).data(RECORD_ROLE).id == record_id:
            widget.setCurrentRow(row)
            return True
    return False


def _records(widget: QListWidget) -> list[Any]:
    return [widget.item(row).data(RECORD_ROLE) for row in range(widget.count())]


def _section(title: str, *parts: QWidget | QFormLayout | QBoxLayout) -> QGroupBox:
    box = QGroupBox(title)
    column = QVBoxLayout(box)
    for part in parts:
        if isinstance(part, QWidget):
            column.addWidget(part)
        else:
            column.addLayout(part)
    return box


class ButtonRow(QBoxLayout):
    """Buttons side by side, the last one apart on the right; stacked when narrow."""

    def __init__(self, *buttons: QPushButton, right: QPushButton | None = None) -> None:
        super().__init__(QBoxLayout.Direction.LeftToRight)
        for button in buttons:
            self.addWidget(button)
        self._gap = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.addItem(self._gap)
        if right is not None:
            self.addWidget(right)

    def set_narrow(self, narrow: bool) -> None:
        self.setDirection(
            QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        )
        across = QSizePolicy.Policy.Minimum if narrow else QSizePolicy.Policy.Expanding
        self._gap.changeSize(0, 0, across, QSizePolicy.Policy.Minimum)
        self.invalidate()


def _scrolling(body: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(body)
    return scroll


def local_today(time_zone: str) -> date:
    return datetime.now(ZoneInfo(time_zone)).date()


def parse_wall_clock(text: str) -> datetime | None:
    """A naive wall-clock reading from 'YYYY-MM-DD HH:MM' text, or None if it can't be read."""
    try:
        return datetime.strptime(" ".join(text.split()), LOCAL_FORMAT)
    except ValueError:
        return None


def validity_text(entry: TimetableEntryRecord) -> str:
    if entry.valid_from and entry.valid_until:
        return f"from {entry.valid_from:%Y-%m-%d} until {entry.valid_until:%Y-%m-%d}"
    if entry.valid_from:
        return f"from {entry.valid_from:%Y-%m-%d}"
    if entry.valid_until:
        return f"until {entry.valid_until:%Y-%m-%d}"
    return "every week"


def entry_text(entry: TimetableEntryRecord) -> str:
    details = [validity_text(entry).capitalize()]
    if entry.buffer_minutes:
        details.append(f"{entry.buffer_minutes} min buffer")
    return f"{entry.describe}\n{' · '.join(details)}"


def absence_text(absence: AbsenceRecord) -> str:
    starts, ends = absence.starts_local, absence.ends_local
    if starts.date() == ends.date():
        span = f"{starts:%a %Y-%m-%d, %H:%M}–{ends:%H:%M}"
    else:
        span = f"{starts:%a %Y-%m-%d %H:%M} – {ends:%a %Y-%m-%d %H:%M}"
    return f"{span}\n{absence.reason or 'No reason given'}"


def closure_text(closure: ClosureRecord) -> str:
    return f"{closure.day:%a %Y-%m-%d} · {closure.reason or 'Closed'}"


def cancelled_text(
    occurrence: CancelledOccurrenceRecord, entries: dict[int, TimetableEntryRecord]
) -> str:
    entry = entries.get(occurrence.entry_id)
    which = f"{entry.start_time:%H:%M}–{entry.end_time:%H:%M}" if entry is not None else "an entry"
    return f"{occurrence.day:%a %Y-%m-%d}, {which}\n{occurrence.reason or 'No reason given'}"


def waitlist_window(entry: WaitlistRecord) -> str:
    """'2030-05-01 to 2030-06-01, 08:00–10:00', or 'any time'."""
    parts = []
    if entry.earliest_day or entry.latest_day:
        first = f"{entry.earliest_day:%Y-%m-%d}" if entry.earliest_day else "now"
        last = f"{entry.latest_day:%Y-%m-%d}" if entry.latest_day else "any day after"
        parts.append(f"{first} to {last}")
    if entry.earliest_time or entry.latest_time:
        early = f"{entry.earliest_time:%H:%M}" if entry.earliest_time else "opening"
        late = f"{entry.latest_time:%H:%M}" if entry.latest_time else "closing"
        parts.append(f"{early}–{late}")
    return ", ".join(parts) or "any time"


def waitlist_text(entry: WaitlistRecord, time_zone: str) -> str:
    since = to_local(entry.created_at, time_zone)
    lines = [entry.patient_name, f"Wants: {waitlist_window(entry)}"]
    if entry.notes:
        lines.append(entry.notes)
    lines.append(f"Waiting since {since:%Y-%m-%d}")
    return "\n".join(lines)


# --- the shared panel ----------------------------------------------------------------------


class _Panel(QWidget, Generic[LoadedT]):
    """One doctor's records, loaded on the task runner; a refresh asked for while a load is
    running starts again once it is back, so the lists never show an older state."""

    loaded = Signal()
    load_title = "The timetable could not be shown"

    def __init__(
        self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        self.doctor: DoctorRecord | None = None
        self._loading = False
        self._load_again = False
        self._loads_started = 0
        self._writing = False
        self.message = QLabel()
        self.message.setObjectName("panelMessage")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.read_only_note = hint_label("")
        self.read_only_note.setVisible(False)
        self._read_only = False
        self._forms: list[QFormLayout] = []
        self._button_rows: list[ButtonRow] = []
        self._narrow: bool | None = None

    # --- what the tab asks ---------------------------------------------------------------

    def set_doctor(self, doctor: DoctorRecord) -> None:
        changed = self.doctor is None or self.doctor.id != doctor.id
        self.doctor = doctor
        if changed:
            self.say("")
        self.doctor_set(doctor, changed)
        self.refresh()

    def refresh(self) -> None:
        if self.doctor is None:
            return
        if self._loading:
            self._load_again = True
            return
        self._loading = True
        self._loads_started += 1
        doctor = self.doctor
        self.tasks.run(
            lambda: self.load(doctor),
            lambda result: self._on_loaded(doctor, result),
            self._on_load_failed,
        )

    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def is_writing(self) -> bool:
        return self._writing

    def report_error(self, error: BaseException, title: str) -> None:
        """A message box; tests replace it."""
        show_error(self, error, title)

    def say(self, text: str, *, error: bool = False) -> None:
        """A line under the panel's buttons: what was done, or what to do first."""
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setVisible(bool(text))

    def set_read_only(self, read_only: bool, why: str = "") -> None:
        """For a user who may see this doctor's records but not change them: the lists stay,
        the forms and buttons that would be refused go."""
        if read_only == self._read_only:
            return
        self._read_only = read_only
        for form in self._forms:
            for index in range(form.count()):
                item = form.itemAt(index)
                if item is not None and item.widget() is not None:
                    item.widget().setVisible(not read_only)
        for row in self._button_rows:
            for index in range(row.count()):
                item = row.itemAt(index)
                if item is not None and item.widget() is not None:
                    item.widget().setVisible(not read_only)
        self.read_only_note.setText(why)  # the lists stay: they are what may be seen
        self.read_only_note.setVisible(read_only and bool(why))

    # --- subclasses ----------------------------------------------------------------------

    def load(self, doctor: DoctorRecord) -> LoadedT:
        """Runs on the worker thread: service calls only, no widgets."""
        raise NotImplementedError

    def show_loaded(self, result: LoadedT) -> None:
        raise NotImplementedError

    def doctor_set(self, doctor: DoctorRecord, changed: bool) -> None:
        """Reset the forms for another doctor (``changed``) or the same one re-read."""

    def update_buttons(self) -> None:
        """Enable what can be done now."""

    # --- building (subclasses) ----------------------------------------------------------

    def form(self) -> QFormLayout:
        form = _form()
        self._forms.append(form)
        return form

    def add_messages(self, column: QVBoxLayout) -> None:
        """What was done or is wrong, and why the forms are missing for a read-only user."""
        column.addWidget(self.message)
        column.addWidget(self.read_only_note)

    def set_body(self, body: QWidget) -> None:
        """The panel's content, scrolling when the side panel is short."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_scrolling(body))

    def buttons(self, *buttons: QPushButton, right: QPushButton | None = None) -> ButtonRow:
        row = ButtonRow(*buttons, right=right)
        self._button_rows.append(row)
        return row

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW
        if narrow == self._narrow:
            return
        self._narrow = narrow
        wrap = QFormLayout.RowWrapPolicy
        for form in self._forms:
            form.setRowWrapPolicy(wrap.WrapAllRows if narrow else wrap.DontWrapRows)
        for row in self._button_rows:
            row.set_narrow(narrow)
        self.narrow_changed(narrow)

    def narrow_changed(self, narrow: bool) -> None:
        """Shorten what does not fit a narrow panel (subclasses)."""

    # --- writing -------------------------------------------------------------------------

    def write(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        fields: FieldMessages | None,
        title: str,
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``work`` (a service call); ``failed`` runs before a non-field error is shown."""
        if self._writing or self.doctor is None:
            return
        self._writing = True
        self.update_buttons()
        loads_before = self._loads_started

        def on_done(result: Any) -> None:
            self._writing = False
            if fields is not None:
                fields.clear()
            done(result)
            self.update_buttons()
            # The change announcement usually reloads the list already; a load started
            # after the write was queued sees it (one worker, first in, first out).
            if self._loads_started == loads_before:
                self.refresh()

        def on_error(error: BaseException) -> None:
            self._writing = False
            self.update_buttons()
            if isinstance(error, ValidationError) and fields is not None:
                unplaced = fields.show(error.field_errors)
                self.say("\n".join(unplaced), error=True)
                return
            self.say("")
            if failed is not None:
                failed(error)
            self.report_error(error, title)
            self.refresh()  # show what is really there now

        self.tasks.run(work, on_done, on_error)

    # --- handlers ------------------------------------------------------------------------

    def _on_loaded(self, doctor: DoctorRecord, result: LoadedT) -> None:
        self._loading = False
        if self._load_again:  # something changed meanwhile; this result is already old
            self._load_again = False
            self.refresh()
            return
        if self.doctor is None or self.doctor.id != doctor.id:
            return
        self.show_loaded(result)
        self.update_buttons()
        self.loaded.emit()

    def _on_load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._load_again = False
        self.report_error(error, self.load_title)


# --- 1. weekly entries -------------------------------------------------------------------


class EntriesEditor(_Panel[list[TimetableEntryRecord]]):
    """The doctor's weekly timetable: pick an entry to edit it, or New for another one."""

    def __init__(
        self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, tasks, parent)
        self.current: TimetableEntryRecord | None = None  # as read when editing began
        self._select_after_load: int | None = None

        self.zone_label = hint_label("")
        self.list = _record_list("Weekly timetable entries", 7, 2)
        self.list.itemSelectionChanged.connect(self._on_list_selection_changed)
        self.form_title = QLabel()
        self.form_title.setObjectName("formTitle")
        font = self.form_title.font()
        font.setBold(True)
        self.form_title.setFont(font)

        self.weekday = QComboBox()
        for index, name in enumerate(WEEKDAYS):
            self.weekday.addItem(name, index)
        self.start_time = _line("09:00")
        self.end_time = _line("17:00")
        self.slot_minutes = QSpinBox()
        self.slot_minutes.setRange(5, 8 * 60)
        self.slot_minutes.setSingleStep(5)
        self.slot_minutes.setSuffix(" min")
        self.slot_minutes.setValue(15)
        self.buffer_minutes = QSpinBox()
        self.buffer_minutes.setRange(0, 4 * 60)
        self.buffer_minutes.setSingleStep(5)
        self.buffer_minutes.setSuffix(" min")
        self.valid_from = _line("YYYY-MM-DD (optional)")
        self.valid_until = _line("YYYY-MM-DD (optional)")
        form = self.form()
        self.fields = FieldMessages(form)
        self.fields.add("weekday", "Day", self.weekday)
        self.fields.add("start_time", "Start", self.start_time)
        self.fields.add(
            "end_time",
            "End",
            self.end_time,
            "An end at or before the start runs past midnight into the next day.",
        )
        self.fields.add("slot_minutes", "Slot length", self.slot_minutes)
        self.fields.add(
            "buffer_minutes", "Buffer", self.buffer_minutes, "Free time after each appointment."
        )
        self.fields.add("valid_from", "Valid from", self.valid_from)
        self.fields.add("valid_until", "Valid until", self.valid_until)

        self.new_button = _button("New", "Start a new entry", self.new_entry)
        self.save_button = _button(
            "Save", "Add the new entry or save the changes to this one", self.save
        )
        self.delete_button = _button(
            "Delete…", "Delete this entry; booked appointments stay", self.delete
        )

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.zone_label)
        column.addWidget(self.list, 1)
        column.addWidget(self.form_title)
        column.addLayout(form)
        column.addLayout(self.buttons(self.new_button, self.save_button, right=self.delete_button))
        self.add_messages(column)
        self.set_body(body)
        self.new_entry()

    # --- public --------------------------------------------------------------------------

    def entries(self) -> list[TimetableEntryRecord]:
        return _records(self.list)

    def select_entry(self, entry_id: int) -> bool:
        """Select the entry in the list and show it in the form."""
        return _select_id(self.list, entry_id)

    def new_entry(self) -> None:
        """An empty form: Save adds a new entry."""
        self.say("")
        self.list.clearSelection()
        self.current = None
        self._fill(None)

    def draft(self) -> TimetableEntryDraft:
        return TimetableEntryDraft(
            weekday=self.weekday.currentData(),
            start_time=self.start_time.text(),
            end_time=self.end_time.text(),
            slot_minutes=self.slot_minutes.value(),
            buffer_minutes=self.buffer_minutes.value(),
            valid_from=self.valid_from.text(),
            valid_until=self.valid_until.text(),
        )

    def save(self) -> None:
        if self.doctor is None:
            return
        draft, entry, doctor_id = self.draft(), self.current, self.doctor.id
        timetable = self.services.timetable

        def work() -> TimetableEntryRecord:
            if entry is None:
                return timetable.create_entry(doctor_id, draft)
            return timetable.update_entry(entry.id, draft, entry.version)

        self.write(
            work,
            self._on_saved,
            self.fields,
            "The timetable entry was not saved",
            failed=lambda error: self._on_save_failed(entry, error),
        )

    def delete(self) -> None:
        entry = self.current
        if entry is None or not self.confirm_delete(entry):
            return
        self.write(
            lambda: self.services.timetable.delete_entry(entry.id),
            lambda _none: self._on_deleted(entry),
            None,
            "The timetable entry was not deleted",
        )

    def confirm_delete(self, entry: TimetableEntryRecord) -> bool:
        """Ask first; tests replace this."""
        answer = QMessageBox.question(
            self,
            "Delete timetable entry",
            f"Delete {entry.describe}? Booked appointments stay as they are; only the free "
            "slots of this entry disappear.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def field_error(self, name: str) -> str:
        return self.fields.error(name)

    # --- panel ---------------------------------------------------------------------------

    def doctor_set(self, doctor: DoctorRecord, changed: bool) -> None:
        self.zone_label.setText(
            f"Times are wall-clock times at {doctor.hospital_name} ({doctor.time_zone})."
        )
        if changed:
            self.new_entry()
            _fill_list(self.list, [], None)

    def load(self, doctor: DoctorRecord) -> list[TimetableEntryRecord]:
        return self.services.timetable.entries(doctor.id)

    def show_loaded(self, result: list[TimetableEntryRecord]) -> None:
        keep = self.current.id if self.current is not None else None
        _fill_list(self.list, [(entry_text(e), e) for e in result], keep)
        wanted, self._select_after_load = self._select_after_load, None
        if wanted is not None:
            fresh = next((e for e in result if e.id == wanted), None)
            if fresh is not None:
                self.select_entry(fresh.id)
                self.current = fresh
                self._fill(fresh)

    def update_buttons(self) -> None:
        idle = not self._writing and self.doctor is not None
        self.save_button.setEnabled(idle)
        self.new_button.setEnabled(not self._writing)
        self.delete_button.setEnabled(idle and self.current is not None)

    # --- internals -----------------------------------------------------------------------

    def _fill(self, entry: TimetableEntryRecord | None) -> None:
        self.fields.clear()
        if entry is None:
            self.form_title.setText("New entry")
            self.weekday.setCurrentIndex(0)
            for edit in (self.start_time, self.end_time, self.valid_from, self.valid_until):
                edit.clear()
            self.slot_minutes.setValue(15)
            self.buffer_minutes.setValue(0)
        else:
            self.form_title.setText(f"Editing {WEEKDAYS[entry.weekday]}'s entry")
            self.weekday.setCurrentIndex(entry.weekday)
            self.start_time.setText(f"{entry.start_time:%H:%M}")
            self.end_time.setText(f"{entry.end_time:%H:%M}")
            self.slot_minutes.setValue(entry.slot_minutes)
            self.buffer_minutes.setValue(entry.buffer_minutes)
            self.valid_from.setText(entry.valid_from.isoformat() if entry.valid_from else "")
            self.valid_until.setText(entry.valid_until.isoformat() if entry.valid_until else "")
        self.update_buttons()

    def _on_saved(self, record: TimetableEntryRecord) -> None:
        self.say(f"Saved: {record.describe}.")
        self.current = record
        self._select_after_load = record.id
        self._fill(record)

    def _on_save_failed(self, entry: TimetableEntryRecord | None, error: BaseException) -> None:
        if entry is not None and isinstance(error, StaleRecordError):
            self._select_after_load = entry.id  # show the version that is there now

    def _on_deleted(self, entry: TimetableEntryRecord) -> None:
        self.say(f"Deleted: {entry.describe}.")
        self.new_entry()

    def _on_list_selection_changed(self) -> None:
        entry = _selected(self.list)
        if entry is None:
            return
        self.current = entry
        self.say("")
        self._fill(entry)


# --- 2. exceptions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Exceptions:
    entries: list[TimetableEntryRecord]
    absences: list[AbsenceRecord]
    closures: list[ClosureRecord]
    cancelled: list[CancelledOccurrenceRecord]


class ExceptionsEditor(_Panel[Exceptions]):
    """Times the timetable does not run: the doctor's absences, the hospital's closed days,
    and single cancelled occurrences of a weekly entry."""

    def __init__(
        self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(services, tasks, parent)
        self._entries: dict[int, TimetableEntryRecord] = {}

        # Absences
        self.absence_zone = hint_label("")
        self.absences_list = _record_list("Upcoming absences", 3, 2)
        self.absences_list.itemSelectionChanged.connect(self.update_buttons)
        self.absence_start = _line("YYYY-MM-DD HH:MM")
        self.absence_end = _line("YYYY-MM-DD HH:MM")
        self.absence_reason = _line("Leave, a meeting…")
        absence_form = self.form()
        self.absence_fields = FieldMessages(absence_form)
        self.absence_fields.add("starts_local", "From", self.absence_start)
        self.absence_fields.add("ends_local", "Until", self.absence_end)
        self.absence_fields.add("reason", "Reason", self.absence_reason)
        self.add_absence_button = QPushButton("Add absence")
        self.add_absence_button.clicked.connect(self.add_absence)
        self.remove_absence_button = _button(
            "Remove", "Remove the selected absence", self.remove_absence
        )

        # Closures
        self.closure_hint = hint_label("")
        self.closures_list = _record_list("Hospital closures", 3, 1)
        self.closures_list.itemSelectionChanged.connect(self.update_buttons)
        self.closure_day = _line("YYYY-MM-DD")
        self.closure_reason = _line("A public holiday…")
        closure_form = self.form()
        self.closure_fields = FieldMessages(closure_form)
        self.closure_fields.add("day", "Date", self.closure_day)
        self.closure_fields.add("reason", "Reason", self.closure_reason)
        self.add_closure_button = QPushButton("Add closure")
        self.add_closure_button.clicked.connect(self.add_closure)
        self.remove_closure_button = _button(
            "Remove", "Open the hospital again on the selected day", self.remove_closure
        )

        # Cancelled occurrences
        self.cancelled_list = _record_list("Cancelled days", 3, 2)
        self.cancelled_list.itemSelectionChanged.connect(self.update_buttons)
        self.cancelled_entry = QComboBox()
        self.cancelled_entry.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.cancelled_entry.setMinimumContentsLength(6)
        self.cancelled_day = _line("YYYY-MM-DD")
        self.cancelled_reason = _line("On a course…")
        cancelled_form = self.form()
        self.cancelled_fields = FieldMessages(cancelled_form)
        self.cancelled_fields.add("entry_id", "Entry", self.cancelled_entry)
        self.cancelled_fields.add("day", "Date", self.cancelled_day)
        self.cancelled_fields.add("reason", "Reason", self.cancelled_reason)
        self.cancel_button = _button(
            "Cancel that day", "The entry does not run on that date", self.cancel_occurrence
        )
        self.restore_button = _button(
            "Restore", "The entry runs again on the selected date", self.restore_occurrence
        )

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(
            _section(
                "Doctor's absences",
                self.absence_zone,
                self.absences_list,
                absence_form,
                self.buttons(self.add_absence_button, right=self.remove_absence_button),
            )
        )
        column.addWidget(
            _section(
                "Hospital closures",
                self.closure_hint,
                self.closures_list,
                closure_form,
                self.buttons(self.add_closure_button, right=self.remove_closure_button),
            )
        )
        column.addWidget(
            _section(
                "Cancelled days",
                hint_label(f"Days a weekly entry does not run; the next {CANCELLED_DAYS} days."),
                self.cancelled_list,
                cancelled_form,
                self.buttons(self.cancel_button, right=self.restore_button),
            )
        )
        self.add_messages(column)
        column.addStretch(1)
        self.set_body(body)
        self.update_buttons()

    # --- public --------------------------------------------------------------------------

    def absences(self) -> list[AbsenceRecord]:
        return _records(self.absences_list)

    def closures(self) -> list[ClosureRecord]:
        return _records(self.closures_list)

    def cancelled(self) -> list[CancelledOccurrenceRecord]:
        return _records(self.cancelled_list)

    def choose_entry(self, entry_id: int) -> bool:
        """Pick the weekly entry a day is cancelled for."""
        index = self.cancelled_entry.findData(entry_id)
        if index >= 0:
            self.cancelled_entry.setCurrentIndex(index)
        return index >= 0

    def add_absence(self) -> None:
        if self.doctor is None:
            return
        starts = parse_wall_clock(self.absence_start.text())
        ends = parse_wall_clock(self.absence_end.text())
        problems = {
            name: f"'{edit.text().strip()}' is not a date and time; write it as "
            "YYYY-MM-DD HH:MM, e.g. 2030-05-06 13:30."
            for name, edit, value in (
                ("starts_local", self.absence_start, starts),
                ("ends_local", self.absence_end, ends),
            )
            if value is None
        }
        if starts is None or ends is None:
            self.absence_fields.show(problems)
            return
        doctor_id, reason = self.doctor.id, self.absence_reason.text()
        self.write(
            lambda: self.services.timetable.add_absence(doctor_id, starts, ends, reason),
            self._on_absence_added,
            self.absence_fields,
            "The absence was not added",
        )

    def remove_absence(self) -> None:
        absence: AbsenceRecord | None = _selected(self.absences_list)
        if absence is None:
            return
        self.write(
            lambda: self.services.timetable.remove_absence(absence.id),
            lambda _none: self.say(f"Removed the absence {_first_line(absence_text(absence))}."),
            None,
            "The absence was not removed",
        )

    def add_closure(self) -> None:
        if self.doctor is None:
            return
        hospital_id = self.doctor.hospital_id
        day, reason = self.closure_day.text(), self.closure_reason.text()
        self.write(
            lambda: self.services.timetable.add_closure(hospital_id, day, reason),
            self._on_closure_added,
            self.closure_fields,
            "The closure was not added",
        )

    def remove_closure(self) -> None:
        closure: ClosureRecord | None = _selected(self.closures_list)
        if closure is None:
            return
        self.write(
            lambda: self.services.timetable.remove_closure(closure.id),
            lambda _none: self.say(f"The hospital is open again on {closure.day:%a %Y-%m-%d}."),
            None,
            "The closure was not removed",
        )

    def cancel_occurrence(self) -> None:
        entry_id = self.cancelled_entry.currentData()
        if entry_id is None:
            self.cancelled_fields.show({"entry_id": "Choose the weekly entry first."})
            return
        day, reason = self.cancelled_day.text(), self.cancelled_reason.text()
        self.write(
            lambda: self.services.timetable.cancel_occurrence(entry_id, day, reason),
            self._on_cancelled,
            self.cancelled_fields,
            "The day was not cancelled",
        )

    def restore_occurrence(self) -> None:
        occurrence: CancelledOccurrenceRecord | None = _selected(self.cancelled_list)
        if occurrence is None:
            return
        self.write(
            lambda: self.services.timetable.restore_occurrence(occurrence.id),
            lambda _none: self.say(f"The entry runs again on {occurrence.day:%a %Y-%m-%d}."),
            None,
            "The day was not restored",
        )

    # --- panel ---------------------------------------------------------------------------

    def doctor_set(self, doctor: DoctorRecord, changed: bool) -> None:
        self.absence_zone.setText(
            f"The next {ABSENCE_DAYS} days. Times are wall-clock times in {doctor.time_zone}."
        )
        self.closure_hint.setText(
            f"{doctor.hospital_name}, all its doctors; the next {CLOSURE_DAYS} days."
        )
        if changed:
            for edit in (
                self.absence_start,
                self.absence_end,
                self.absence_reason,
                self.closure_day,
                self.closure_reason,
                self.cancelled_day,
                self.cancelled_reason,
            ):
                edit.clear()
            for fields in (self.absence_fields, self.closure_fields, self.cancelled_fields):
                fields.clear()
            for widget in (self.absences_list, self.closures_list, self.cancelled_list):
                _fill_list(widget, [], None)
            self.cancelled_entry.clear()

    def load(self, doctor: DoctorRecord) -> Exceptions:
        timetable = self.services.timetable
        today = local_today(doctor.time_zone)
        midnight = datetime.combine(today, time())
        return Exceptions(
            entries=timetable.entries(doctor.id),
            absences=timetable.absences(
                doctor.id, midnight, midnight + timedelta(days=ABSENCE_DAYS)
            ),
            closures=timetable.closures(
                doctor.hospital_id, today, today + timedelta(days=CLOSURE_DAYS)
            ),
            cancelled=timetable.cancelled_occurrences(
                doctor.id, today, today + timedelta(days=CANCELLED_DAYS)
            ),
        )

    def show_loaded(self, result: Exceptions) -> None:
        self._entries = {entry.id: entry for entry in result.entries}
        for widget, rows in (
            (self.absences_list, [(absence_text(a), a) for a in result.absences]),
            (self.closures_list, [(closure_text(c), c) for c in result.closures]),
            (
                self.cancelled_list,
                [(cancelled_text(c, self._entries), c) for c in result.cancelled],
            ),
        ):
            kept: Any = _selected(widget)
            _fill_list(widget, rows, kept.id if kept is not None else None)
        chosen = self.cancelled_entry.currentData()
        blocked = self.cancelled_entry.blockSignals(True)
        try:
            self.cancelled_entry.clear()
            for entry in result.entries:
                self.cancelled_entry.addItem(entry.describe, entry.id)
            # Nothing chosen until the user chooses, so no day is cancelled by accident.
            self.cancelled_entry.setCurrentIndex(-1)
        finally:
            self.cancelled_entry.blockSignals(blocked)
        self.cancelled_entry.setPlaceholderText(
            "Choose an entry" if result.entries else "No weekly entries"
        )
        if chosen is not None:
            self.choose_entry(chosen)

    def update_buttons(self) -> None:
        idle = not self._writing and self.doctor is not None
        for button in (self.add_absence_button, self.add_closure_button, self.cancel_button):
            button.setEnabled(idle)
        self.remove_absence_button.setEnabled(idle and _selected(self.absences_list) is not None)
        self.remove_closure_button.setEnabled(idle and _selected(self.closures_list) is not None)
        self.restore_button.setEnabled(idle and _selected(self.cancelled_list) is not None)

    # --- internals -----------------------------------------------------------------------

    def _on_absence_added(self, absence: AbsenceRecord) -> None:
        for edit in (self.absence_start, self.absence_end, self.absence_reason):
            edit.clear()
        self.say(f"Added the absence {_first_line(absence_text(absence))}.")
        self.warn_affected(absence.affected, "during this absence")

    def _on_closure_added(self, closure: ClosureRecord) -> None:
        self.closure_day.clear()
        self.closure_reason.clear()
        self.say(f"The hospital is closed on {closure.day:%a %Y-%m-%d}.")
        self.warn_affected(closure.affected, "on that day")

    def warn_affected(self, affected: tuple[AppointmentRecord, ...], when: str) -> None:
        """Booked appointments stay booked: say which, so the desk can move or cancel them."""
        if not affected:
            return
        listed = "; ".join(
            f"{a.patient_name} {format_local(a.start_at, a.time_zone)}" for a in affected[:5]
        )
        more = f" and {len(affected) - 5} more" if len(affected) > 5 else ""
        self.say(
            f"{len(affected)} booked appointment(s) {when} stay booked: {listed}{more}. "
            "Reschedule or cancel them from the calendar.",
            error=True,
        )

    def _on_cancelled(self, occurrence: CancelledOccurrenceRecord) -> None:
        self.cancelled_day.clear()
        self.cancelled_reason.clear()
        self.say(f"The entry does not run on {occurrence.day:%a %Y-%m-%d}.")


def _button(text: str, tooltip: str, slot: Callable[[], Any]) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tooltip)
    button.clicked.connect(slot)
    return button


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


# --- 3. waitlist -------------------------------------------------------------------------


class WaitlistPanel(_Panel[list[WaitlistRecord]]):
    """Patients waiting for this doctor; one of them can be booked straight into the free
    slot chosen in the calendar."""

    load_title = "The waitlist could not be shown"

    def __init__(
        self,
        services: AppServices,
        tasks: TaskRunner,
        focused_slot: Callable[[], Slot | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, tasks, parent)
        self.focused_slot = focused_slot

        self.list = _record_list("Patients waiting", 4, 4)
        self.list.itemSelectionChanged.connect(self.update_buttons)
        self.offer_button = QPushButton(OFFER)
        self.offer_button.setToolTip(
            "Book the selected patient into the free slot chosen in the calendar"
        )
        self.offer_button.clicked.connect(self.offer_selected)
        self.remove_button = _button(
            "Remove", "Take the selected patient off the waitlist", self.remove_selected
        )

        self.patient = patient_picker(services, tasks)
        self.patient.choice_changed.connect(self._on_patient_choice_changed)
        self.earliest_day = _line("YYYY-MM-DD")
        self.latest_day = _line("YYYY-MM-DD")
        self.earliest_time = _line("HH:MM")
        self.latest_time = _line("HH:MM")
        self.notes = _line("What it is for, how to reach them…")
        form = self.form()
        self.fields = FieldMessages(form)
        self.fields.add("patient_id", "Patient", self.patient)
        self.fields.add("earliest_day", "From date", self.earliest_day)
        self.fields.add("latest_day", "Until date", self.latest_day)
        self.fields.add("earliest_time", "From time", self.earliest_time)
        self.fields.add("latest_time", "Until time", self.latest_time)
        self.fields.add("notes", "Notes", self.notes)
        self.add_button = QPushButton("Add to waitlist")
        self.add_button.clicked.connect(self.add)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(
            hint_label("Longest waiting first. To offer a time, choose a free slot in the calendar")
        )
        column.addWidget(self.list, 1)
        column.addLayout(self.buttons(self.offer_button, right=self.remove_button))
        self.add_messages(column)
        column.addWidget(
            _section(
                "Add a patient",
                hint_label("Dates and times are optional; leave them empty for any."),
                form,
                self.buttons(self.add_button),
            )
        )
        self.set_body(body)
        self.update_buttons()

    # --- public --------------------------------------------------------------------------

    def waiting(self) -> list[WaitlistRecord]:
        return _records(self.list)

    def select_waiting(self, entry_id: int) -> bool:
        return _select_id(self.list, entry_id)

    def add(self) -> None:
        if self.doctor is None:
            return
        patient_id = self.patient.value()
        if patient_id is None:
            self.fields.show({"patient_id": "Choose the patient from the suggestions."})
            return
        doctor_id = self.doctor.id
        values = {
            "earliest_day": self.earliest_day.text().strip() or None,
            "latest_day": self.latest_day.text().strip() or None,
            "earliest_time": self.earliest_time.text().strip() or None,
            "latest_time": self.latest_time.text().strip() or None,
            "notes": self.notes.text(),
        }
        self.write(
            lambda: self.services.waitlist.add(patient_id, doctor_id, **values),
            self._on_added,
            self.fields,
            "The patient was not added to the waitlist",
        )

    def remove_selected(self) -> None:
        entry: WaitlistRecord | None = _selected(self.list)
        if entry is None:
            return
        self.write(
            lambda: self.services.waitlist.remove(entry.id, entry.version),
            lambda _none: self.say(f"{entry.patient_name} is no longer on the waitlist."),
            None,
            "The patient was not taken off the waitlist",
        )

    def offer_selected(self) -> None:
        entry: WaitlistRecord | None = _selected(self.list)
        if entry is None:
            self.say("Choose the waiting patient first.", error=True)
            return
        slot = self.focused_slot()
        if slot is None:
            self.say(NO_FREE_SLOT, error=True)
            return
        zone = self.doctor.time_zone if self.doctor else "UTC"
        if not suits(entry, slot.start, slot.end, zone) and not self.confirm_unsuitable(
            entry, slot
        ):
            return
        self.write(
            lambda: self.services.waitlist.offer(entry.id, slot, entry.version),
            self._on_offered,
            None,
            "The slot was not booked",
        )

    def narrow_changed(self, narrow: bool) -> None:
        self.offer_button.setText(OFFER_SHORT if narrow else OFFER)

    def confirm_unsuitable(self, entry: WaitlistRecord, slot: Slot) -> bool:
        """The slot is outside the dates or hours the patient gave; ask first (tests
        replace this)."""
        when = format_local(slot.start, self.doctor.time_zone if self.doctor else "UTC")
        answer = QMessageBox.question(
            self,
            "Outside what the patient asked for",
            f"{when} is outside what {entry.patient_name} asked for "
            f"({waitlist_window(entry)}). Book it anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def field_error(self, name: str) -> str:
        return self.fields.error(name)

    # --- panel ---------------------------------------------------------------------------

    def doctor_set(self, doctor: DoctorRecord, changed: bool) -> None:
        if changed:
            self.patient.set_choice(None)
            for edit in (
                self.earliest_day,
                self.latest_day,
                self.earliest_time,
                self.latest_time,
                self.notes,
            ):
                edit.clear()
            self.fields.clear()
            _fill_list(self.list, [], None)

    def load(self, doctor: DoctorRecord) -> list[WaitlistRecord]:
        return self.services.waitlist.waiting(doctor.id)

    def show_loaded(self, result: list[WaitlistRecord]) -> None:
        zone = self.doctor.time_zone if self.doctor else "UTC"
        kept: WaitlistRecord | None = _selected(self.list)
        _fill_list(
            self.list,
            [(waitlist_text(entry, zone), entry) for entry in result],
            kept.id if kept is not None else None,
        )

    def update_buttons(self) -> None:
        idle = not self._writing and self.doctor is not None
        chosen = _selected(self.list) is not None
        self.add_button.setEnabled(idle)
        self.offer_button.setEnabled(idle and chosen)
        self.remove_button.setEnabled(idle and chosen)

    # --- internals -----------------------------------------------------------------------

    def _on_added(self, entry: WaitlistRecord) -> None:
        self.patient.set_choice(None)
        for edit in (
            self.earliest_day,
            self.latest_day,
            self.earliest_time,
            self.latest_time,
            self.notes,
        ):
            edit.clear()
        self.say(f"{entry.patient_name} is waiting ({waitlist_window(entry)}).")

    def _on_offered(self, appointment: AppointmentRecord) -> None:
        when = format_local(appointment.start_at, appointment.time_zone)
        self.say(f"Booked {appointment.patient_name} for {when}.")

    def _on_patient_choice_changed(self, patient_id: object) -> None:
        if patient_id is not None:
            self.fields.clear_field("patient_id")
