"""The Audit tab: administrators read who did what, where, when, and what it changed.

The trail is read a page at a time on the worker thread, newest first, narrowed by user,
kind and number of record, a day range on the viewer's own calendar, and refusals only.
Nothing here writes: the tab only shows what the services recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    QTimer,
    QTimeZone,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QHideEvent,
    QKeySequence,
    QRegularExpressionValidator,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.clock import local_to_utc, to_local, utc_now
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.values import ListQuery, Page
from hospital_desktop.core.services.audit import AuditRecord
from hospital_desktop.core.services.audit_trail import AuditFilter
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.core.services.guard import PermissionDeniedError
from hospital_desktop.gui.errors import message_for
from hospital_desktop.gui.models.record_table import PAGE_SIZE, Column, RecordTableModel
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.list_view import list_view
from hospital_desktop.gui.widgets.search_box import DEBOUNCE_MS

AnyIndex = QModelIndex | QPersistentModelIndex
ALL_USERS = "All users"
ALL_RECORDS = "All records"
DEFAULT_DAYS = 30
NOBODY = "—"  # no user (set-up mode), no workstation, no value
OUTCOMES = {
    "ok": ("Done", "The action was carried out."),
    "denied": ("Refused", "Refused: the user does not hold the permission it needs."),
    "failed": ("Failed login", "A login with a wrong user name or password."),
    "locked": ("Locked", "A login tried while the account was locked."),
    "lockout": ("Locked out", "Too many failed logins: the account was locked."),
}
# Refusals read as warnings, failed and locked logins as security events.
OUTCOME_COLOURS = {"denied": "#b3261e", "failed": "#9c4a00", "locked": "#9c4a00"}
OUTCOME_COLOURS["lockout"] = OUTCOME_COLOURS["failed"]
FIELD_NAMES = {"needs": "permission needed"}


# --- how entries read -------------------------------------------------------------------


ACRONYMS = {"csv": "CSV", "pdf": "PDF"}


def readable(name: str) -> str:
    """'timetable-entry' -> 'Timetable entry', 'check-in' -> 'Check in', 'export-pdf' ->
    'Export PDF'."""
    words = name.replace("-", " ").replace("_", " ").strip().capitalize().split(" ")
    return " ".join(ACRONYMS.get(word, word) for word in words)


def field_label(field: str) -> str:
    return FIELD_NAMES.get(field, field.replace("_", " "))


def outcome_label(outcome: str) -> str:
    return OUTCOMES.get(outcome, (readable(outcome), ""))[0]


def record_label(entry: AuditRecord) -> str:
    """'Patient 12'; only the kind when the entry names no single record."""
    if not entry.entity:
        return NOBODY if entry.record_id is None else f"Record {entry.record_id}"
    kind = readable(entry.entity)
    if entry.record_id is None:
        return kind
    named = f" · {entry.record_name}" if entry.record_name else ""
    return f"{kind} {entry.record_id}{named}"


def user_label(entry: AuditRecord) -> str:
    return entry.username or NOBODY


def user_tooltip(entry: AuditRecord) -> str:
    if entry.user_id is None and entry.username:
        return f"'{entry.username}' was typed at a login; no account has this name."
    if not entry.username:
        return "Nobody was logged in (the database had no users yet)."
    return f"{entry.username} (user {entry.user_id})"


def value_text(value: Any) -> str:
    """A before or after value in full, for the detail pane (None: there was none)."""
    if value is None:
        return NOBODY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value) if value else "(none)"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value == "":
        return "(empty)"
    return str(value)


def _short(value: Any) -> str:
    """A value inside the one-line summary: text with spaces (or none) is quoted."""
    if isinstance(value, str) and (value == "" or any(c.isspace() or c in "'→;" for c in value)):
        return f"'{value}'"
    return value_text(value)


def before_after(pair: Any) -> tuple[Any, Any]:
    """A stored change is [before, after]; anything else is read as a new value."""
    if isinstance(pair, list) and len(pair) == 2:
        return pair[0], pair[1]
    return None, pair


def change_lines(entry: AuditRecord) -> list[str]:
    """'phone: '' → '555 0100'' per changed field; a new value reads 'name: X' (empty new
    values and the record's own number are left out here: the detail pane lists them)."""
    lines: list[str] = []
    for field, pair in entry.changes.items():
        before, after = before_after(pair)
        if entry.outcome == "denied" and field == "needs" and before is None:
            lines.append(f"{field_label(field)}: {readable(str(after))}")
        elif before is None:
            if after not in (None, "", [], {}) and not (field == "id" and after == entry.record_id):
                lines.append(f"{field_label(field)}: {_short(after)}")
        else:
            lines.append(f"{field_label(field)}: {_short(before)} → {_short(after)}")
    return lines


def changes_summary(entry: AuditRecord) -> str:
    return "; ".join(change_lines(entry))


def changes_tooltip(entry: AuditRecord) -> str:
    return "\n".join(change_lines(entry)) or "No fields changed."


def viewer_time_zone() -> str:
    """This computer's IANA zone (what the person at the desk reads their clock in)."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="ignore")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def listed_usernames(services: AppServices) -> list[str] | None:
    """On the worker. None: this viewer may not list users (the box then takes typed names);
    the permission is looked up first so that opening the tab records no refusal."""
    accounts, actor = services.accounts, services.actor
    if actor is None:
        return None
    try:
        if Permission.MANAGE_USERS not in accounts.current(actor).permissions:
            return None
        return [user.username for user in accounts.users(actor)]
    except PermissionDeniedError:
        return None


def day_range_utc(first: date, last: date, time_zone: str) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the start of the day after ``last`` (so ``last`` is
    included), on the wall clock of ``time_zone``, as UTC instants."""
    since = local_to_utc(datetime.combine(first, time()), time_zone)
    until = local_to_utc(datetime.combine(last + timedelta(days=1), time()), time_zone)
    return since, until


def local_when(moment: datetime, time_zone: str) -> str:
    """To the second: entries a moment apart must not read as simultaneous."""
    return to_local(moment, time_zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def audit_columns(time_zone: str) -> list[Column[AuditRecord]]:
    return [
        Column(
            "When",
            lambda e: local_when(e.at, time_zone),
            tooltip=lambda e: (
                f"{local_when(e.at, time_zone)} ({time_zone}); {e.at:%Y-%m-%d %H:%M:%S} UTC"
            ),
        ),
        Column("User", user_label, tooltip=user_tooltip),
        Column("Workstation", lambda e: e.workstation or NOBODY),
        Column("Action", lambda e: readable(e.action), tooltip=lambda e: e.action),
        Column("Record", record_label),
        Column(
            "Outcome",
            lambda e: outcome_label(e.outcome),
            tooltip=lambda e: OUTCOMES.get(e.outcome, ("", e.outcome))[1],
        ),
        Column("Changes", changes_summary, tooltip=changes_tooltip),
    ]


OUTCOME_COLUMN = 5


class AuditTableModel(RecordTableModel[AuditRecord]):
    """The shared lazy table, with refusals and failed logins in a warning colour."""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole):
            entry = self.record(index.row()) if index.isValid() else None
            if entry is None or entry.outcome == "ok":
                return None
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(OUTCOME_COLOURS.get(entry.outcome, "#b3261e")))
            if index.column() == OUTCOME_COLUMN:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


# --- the detail pane --------------------------------------------------------------------


class ChangesPane(QWidget):
    """The chosen entry's fields, before and after; read only, cells can be copied."""

    def __init__(self, time_zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._time_zone = time_zone
        self.title = QLabel()
        self.title.setObjectName("auditDetailTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("auditChanges")
        self.table.setHorizontalHeaderLabels(["Field", "Before", "After"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 180)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        copy = QAction("Copy", self.table)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.table.addAction(copy)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        self.show_entry(None)

    def show_entry(self, entry: AuditRecord | None) -> None:
        self.table.setRowCount(0)
        if entry is None:
            self.title.setText("Choose an entry to see what it changed.")
            return
        parts = [
            readable(entry.action),
            record_label(entry),
            f"by {user_label(entry)} at {entry.workstation or NOBODY}",
            local_when(entry.at, self._time_zone),
            outcome_label(entry.outcome),
        ]
        text = " · ".join(part for part in parts if part != NOBODY)
        if not entry.changes:
            text += " — no fields changed."
        self.title.setText(text)
        self.table.setRowCount(len(entry.changes))
        for row, (field, pair) in enumerate(entry.changes.items()):
            before, after = before_after(pair)
            texts = (field_label(field), value_text(before), value_text(after))
            for column, value in enumerate(texts):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()

    def rows(self) -> list[tuple[str, str, str]]:
        """What the pane shows, as (field, before, after)."""
        texts = [
            [self.table.item(row, column).text() for column in range(3)]
            for row in range(self.table.rowCount())
        ]
        return [(field, before, after) for field, before, after in texts]

    def copy_selection(self) -> None:
        cells = sorted((i.row(), i.column(), i.text()) for i in self.table.selectedItems())
        lines: dict[int, list[str]] = {}
        for row, _column, text in cells:
            lines.setdefault(row, []).append(text)
        QGuiApplication.clipboard().setText("\n".join("\t".join(v) for v in lines.values()))


# --- the tab ----------------------------------------------------------------------------


class AuditTab(QWidget):
    """``status_message`` carries load errors to the window's status bar."""

    status_message = Signal(str)

    def __init__(
        self,
        services: AppServices,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        time_zone: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        self.time_zone = time_zone or viewer_time_zone()
        self._chosen = [AuditFilter()]  # what the worker reads: no reference back to the tab
        self._stale = True  # loaded when first shown, and again after any hidden change
        self._columns_sized = False
        self._selected_id: int | None = None
        self._reselect = False  # after a reload (not after a further page)
        self._names_listed = False
        self._to_is_today = True  # the range follows the calendar past midnight

        self.user_box = QComboBox()
        self.user_box.setObjectName("auditUser")
        self.user_box.setEditable(True)
        self.user_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.user_box.addItem(ALL_USERS)
        self.user_box.setMinimumContentsLength(12)
        self.user_box.setToolTip("Pick a user or type a user name (also names typed at logins)")
        self.kind_box = QComboBox()
        self.kind_box.setObjectName("auditKind")
        self.kind_box.addItem(ALL_RECORDS, "")
        self.kind_box.setMinimumContentsLength(14)
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("auditRecordNumber")
        self.number_edit.setPlaceholderText("any")
        self.number_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,9}"), self.number_edit)
        )
        self.number_edit.setClearButtonEnabled(True)
        self.number_edit.setMaximumWidth(90)
        self.number_edit.setToolTip("Only the entries about the record with this number")
        self.from_date = self._date_edit("auditFrom", "The first day shown (your calendar)")
        self.to_date = self._date_edit("auditTo", "The last day shown, included (your calendar)")
        self.refusals_only = QCheckBox("&Refusals and failed logins only")
        self.refusals_only.setObjectName("auditRefusalsOnly")
        self.clear_button = QPushButton("&Clear filters")
        self.clear_button.setToolTip("Every user and record, the last 30 days")
        self.clear_button.clicked.connect(self.clear_filters)
        self._set_default_dates()

        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.timeout.connect(self.apply_filters)
        self.user_box.activated.connect(self._apply_soon)
        self.user_box.lineEdit().textEdited.connect(self._apply_later)
        self.user_box.lineEdit().returnPressed.connect(self._apply_soon)
        self.user_box.lineEdit().textChanged.connect(self._on_user_text_changed)
        self.kind_box.currentIndexChanged.connect(self._apply_soon)
        self.number_edit.textEdited.connect(self._apply_later)
        self.number_edit.textChanged.connect(self._on_number_text_changed)
        self.number_edit.returnPressed.connect(self._apply_soon)
        self.from_date.dateChanged.connect(self._on_from_changed)
        self.to_date.dateChanged.connect(self._on_to_changed)
        self.refusals_only.toggled.connect(self._apply_soon)

        self.model = AuditTableModel(
            audit_columns(self.time_zone),
            self._fetch_page(services, self._chosen),
            tasks,
            ListQuery(limit=PAGE_SIZE),
            self,
        )
        self.table = list_view(self.model, "auditTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultSectionSize(130)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.loaded.connect(self._on_model_loaded)
        self.model.modelReset.connect(self._on_model_reset)
        self.model.failed.connect(self._on_model_failed)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.detail = ChangesPane(self.time_zone)

        filters = QHBoxLayout()
        for text, widget in (
            ("&User", self.user_box),
            ("Record &kind", self.kind_box),
            ("Record &number", self.number_edit),
            ("Fro&m", self.from_date),
            ("T&o", self.to_date),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addWidget(self.refusals_only)
        filters.addStretch(1)
        filters.addWidget(self.clear_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.count_label)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        self.count_label.setText("Loading the audit trail…")

    # --- what the window calls --------------------------------------------------------

    @property
    def current_filter(self) -> AuditFilter:
        return self._chosen[0]

    @staticmethod
    def _fetch_page(
        services: AppServices, chosen: list[AuditFilter]
    ) -> Callable[[ListQuery], Page[AuditRecord]]:
        """The model's fetch, holding the filter box and not the tab (a fetch that held the
        tab would tie the widget into a cycle that the worker thread might collect)."""
        return lambda query: services.audit.page(query, chosen[0])

    def refresh(self) -> None:
        """Load again, keeping the place; also the kinds and names the filters offer."""
        self._stale = False
        self._follow_today()
        self._chosen[0] = self._read_filter()
        self.model.reload()
        self._load_choices()

    def on_change(self, change: Change) -> None:
        """Every write adds entries: reload now if seen, else when next shown."""
        if change.touches(Entity.USER):
            self._names_listed = False
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def clear_filters(self) -> None:
        """Back to every user and record over the last 30 days."""
        self.user_box.setCurrentIndex(0)
        self.user_box.setEditText(ALL_USERS)
        self.kind_box.setCurrentIndex(0)
        self.number_edit.clear()
        self._set_default_dates()
        self.refusals_only.setChecked(False)
        self.apply_filters()

    def apply_filters(self) -> None:
        """Reload from the top when the filters now ask for something else."""
        self._apply_timer.stop()
        wanted = self._read_filter()
        if wanted != self._chosen[0]:
            self._chosen[0] = wanted
            self.model.reload(keep_place=False)

    def today(self) -> date:
        return utc_now().astimezone(ZoneInfo(self.time_zone)).date()

    # --- Qt events ----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._stale = True  # refusals and logins announce no change: read again on return

    # --- filters ------------------------------------------------------------------------

    def _date_edit(self, name: str, tooltip: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setToolTip(tooltip)
        return edit

    def _set_default_dates(self) -> None:
        today = self.today()
        self.to_date.setDate(QDate(today))
        self.from_date.setDate(QDate(today - timedelta(days=DEFAULT_DAYS)))
        self._to_is_today = True

    def _follow_today(self) -> None:
        """A range ending today keeps ending today when the tab stays open past midnight."""
        today = self.today()
        if self._to_is_today and self.to_date.date().toPython() != today:
            self.to_date.setDate(QDate(today))

    def _read_filter(self) -> AuditFilter:
        typed = self.user_box.currentText().strip()
        number = self.number_edit.text().strip()
        first: date = self.from_date.date().toPython()  # type: ignore[assignment]
        last: date = self.to_date.date().toPython()  # type: ignore[assignment]
        since, until = day_range_utc(first, last, self.time_zone)
        return AuditFilter(
            username="" if typed == ALL_USERS else typed,
            entity=str(self.kind_box.currentData() or ""),
            record_id=int(number) if number else None,
            since=since,
            until=until,
            refusals_only=self.refusals_only.isChecked(),
        )

    def _apply_soon(self, *_args: object) -> None:
        self._apply_timer.start(0)

    def _apply_later(self, *_args: object) -> None:
        self._apply_timer.start(DEBOUNCE_MS)

    def _on_user_text_changed(self, text: str) -> None:
        if not text:  # cleared: no need to wait
            self._apply_soon()

    def _on_number_text_changed(self, text: str) -> None:
        if not text:
            self._apply_soon()

    def _on_from_changed(self, day: QDate) -> None:
        if day > self.to_date.date():
            self.to_date.setDate(day)
        self._apply_later()

    def _on_to_changed(self, day: QDate) -> None:
        self._to_is_today = day.toPython() == self.today()
        if day < self.from_date.date():
            self.from_date.setDate(day)
        self._apply_later()

    # --- choices ------------------------------------------------------------------------

    def _load_choices(self) -> None:
        self.tasks.run(self.services.audit.kinds, self._set_kinds, self._on_choices_failed)
        if not self._names_listed:
            self._names_listed = True
            services = self.services
            self.tasks.run(
                lambda: listed_usernames(services), self._set_usernames, self._on_choices_failed
            )

    def _set_kinds(self, kinds: list[str]) -> None:
        chosen = str(self.kind_box.currentData() or "")
        wanted = sorted(set(kinds) | ({chosen} if chosen else set()), key=readable)
        present = [str(self.kind_box.itemData(i)) for i in range(1, self.kind_box.count())]
        if wanted == present:
            return
        self.kind_box.blockSignals(True)
        self.kind_box.clear()
        self.kind_box.addItem(ALL_RECORDS, "")
        for kind in wanted:
            self.kind_box.addItem(readable(kind), kind)
        self.kind_box.setCurrentIndex(max(self.kind_box.findData(chosen), 0))
        self.kind_box.blockSignals(False)

    def _set_usernames(self, names: list[str] | None) -> None:
        typed = self.user_box.currentText()
        self.user_box.blockSignals(True)
        self.user_box.clear()
        self.user_box.addItem(ALL_USERS)
        self.user_box.addItems(names or [])
        self.user_box.setEditText(typed)
        self.user_box.blockSignals(False)
        if names is None:
            self.user_box.setToolTip(
                "Type a user name (listing the users needs the manage-users permission)"
            )

    def _on_choices_failed(self, error: BaseException) -> None:
        self._names_listed = False
        self.status_message.emit(message_for(error))

    # --- the table ----------------------------------------------------------------------

    def _on_selection_changed(self, *_args: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        entry = self.model.record(rows[0].row()) if rows else None
        if entry is None:
            return
        self._selected_id = entry.id
        self.detail.show_entry(entry)

    def _on_model_loaded(self) -> None:
        count = self.model.rowCount()
        noun = "entry" if count == 1 else "entries"
        more = "" if self.model.all_loaded else "; more as you scroll"
        self.count_label.setText(f"{count:,} {noun} shown{more}")
        if not self._columns_sized and count:
            self._columns_sized = True
            self.fit_columns()
        if not self._reselect:
            return
        self._reselect = False
        wanted = self._selected_id
        row = self.model.row_of(lambda entry: entry.id == wanted) if wanted is not None else -1
        if row < 0:
            self._selected_id = None
            self.detail.show_entry(None)
            return
        self.table.setAutoScroll(False)  # keep the place the viewer scrolled to
        self.table.selectRow(row)
        self.table.setAutoScroll(True)
        self.detail.show_entry(self.model.record(row))

    def _on_model_reset(self) -> None:
        self._reselect = True

    def _on_model_failed(self, error: BaseException) -> None:
        self.count_label.setText(f"Could not load the audit trail: {message_for(error)}")
        self.status_message.emit(message_for(error))

    def fit_columns(self) -> None:
        """Size columns to what is loaded, within reason; Changes takes what is left."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        last = header.count() - 1
        for column in range(last):
            header.resizeSection(column, min(max(header.sectionSize(column), 70), 240))
        used = sum(header.sectionSize(column) for column in range(last))
        header.resizeSection(last, max(120, self.table.viewport().width() - used))
