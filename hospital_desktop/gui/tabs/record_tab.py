"""One tab: a search box, a lazy sortable table and the detail form of the chosen row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.core.services.guard import PermissionDeniedError
from hospital_desktop.gui.errors import message_for, show_error
from hospital_desktop.gui.files import ask_save_path
from hospital_desktop.gui.models.record_table import RecordTableModel
from hospital_desktop.gui.widgets.filter_chip import FilterChip
from hospital_desktop.gui.widgets.list_view import list_view
from hospital_desktop.gui.widgets.record_form import RecordForm
from hospital_desktop.gui.widgets.search_box import SearchBox

RecordT = TypeVar("RecordT")
Exporter = Callable[[Path, list[str], Iterator[list[str]], str], int]


class RecordTab(QWidget, Generic[RecordT]):
    """``navigate(target, record)`` is forwarded from the form to the main window."""

    navigate = Signal(str, object)
    status_message = Signal(str)

    def __init__(
        self,
        *,
        entity: Entity,
        plural: str,
        model: RecordTableModel[RecordT],
        form: RecordForm[RecordT],
        search_hint: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.entity = entity
        self.plural = plural
        self.model = model
        self.form = form

        self.search = SearchBox(search_hint)
        self.search.setObjectName(f"{entity}Search")
        self.search.search_changed.connect(self._on_search_changed)
        self.filter_chip = FilterChip()
        self.filter_chip.cleared.connect(self._on_filter_cleared)
        self.show_archived = QCheckBox("Show archived")
        self.show_archived.toggled.connect(self._on_show_archived_toggled)
        self.new_button = QPushButton(f"New {form.kind}")
        self.new_button.setToolTip(f"Create a new {form.kind} (Ctrl+N)")
        self.new_button.clicked.connect(self.start_new)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip(
            "Save every row of this list, as searched and filtered, for a spreadsheet"
        )
        self.export_button.clicked.connect(self.export_csv)
        self.export_button.setVisible(False)  # until the window says who may export
        self._exporter: Exporter | None = None

        self.table = list_view(model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultSectionSize(150)
        header.setSortIndicator(
            max(model.sort_column(), 0),
            Qt.SortOrder.DescendingOrder if model.query.descending else Qt.SortOrder.AscendingOrder,
        )
        header.setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)  # after the indicator: enabling sorts by it
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

        model.loaded.connect(self._on_model_loaded)
        model.failed.connect(self._on_model_failed)
        model.modelAboutToBeReset.connect(self._remember_selection)
        form.saved.connect(self._on_form_saved)
        form.navigate.connect(self.navigate)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.filter_chip)
        bar.addStretch(1)
        bar.addWidget(self.show_archived)
        bar.addWidget(self.new_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.table, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label, 1)
        footer.addWidget(self.export_button)
        left_layout.addLayout(footer)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(form)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        self._columns_sized = False
        self._selected_id: int | None = None
        self._select_after_load: int | None = None
        self._ignore_selection = False
        form.set_record(None)

    # --- actions -------------------------------------------------------------------------

    def start_new(self) -> None:
        if not self.form.confirm_discard():
            return
        self._ignore_selection = True
        self.table.clearSelection()
        self._ignore_selection = False
        self.form.set_record(None)
        self.form.focus_first_field()

    def set_editable(self, editable: bool, why: str = "") -> None:
        """Hide what the user's permissions would refuse (the services refuse it anyway)."""
        self.new_button.setVisible(editable)
        self.form.set_read_only(not editable, why)

    def enable_export(self, exporter: Exporter | None) -> None:
        """``exporter(path, headers, rows, description)`` writes and records the file (the
        report service); None hides the button for users who may not export."""
        self._exporter = exporter
        self.export_button.setVisible(exporter is not None)

    def export_csv(self) -> None:
        exporter = self._exporter
        if exporter is None:
            return
        label = self.filter_chip.text if not self.filter_chip.isHidden() else ""
        name = f"{self.plural.capitalize()}{' - ' + label if label else ''}.csv"
        path = self.ask_save_path(name.replace("/", "-"))
        if not path:
            return
        headers, rows = self.model.export_rows()
        search = self.model.query.search
        description = ", ".join(part for part in (label, search and f"search '{search}'") if part)
        self.export_button.setEnabled(False)

        def done(count: int) -> None:
            self.export_button.setEnabled(True)
            rows = f"{count:,} {self.form.kind}" if count == 1 else f"{count:,} {self.plural}"
            self.status_message.emit(f"Exported {rows} to {path}.")

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            show_error(self, error, "The list could not be exported")

        self.model.tasks.run(lambda: exporter(Path(path), headers, rows, description), done, failed)

    def ask_save_path(self, suggested: str) -> str | None:
        """Where to save (tests replace this)."""
        return ask_save_path(self, f"Export {self.plural}", suggested, "CSV files (*.csv)", ".csv")

    def filter_by(self, text: str, **filters: Any) -> None:
        """Narrow the list to a relationship, e.g. ``filter_by("Doctors of X", hospital_id=3)``."""
        cleared = {"hospital_id": None, "doctor_id": None, "patient_id": None}
        self.filter_chip.show_filter(text)
        self.model.set_query(**(cleared | filters))

    def fit_columns(self) -> None:
        """Size columns to what is loaded, within reason (long names are elided); the last
        one takes what is left, so the table needs no sideways scrolling when it fits."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(header.count()):
            header.resizeSection(column, min(max(header.sectionSize(column), 80), 280))
        last = header.count() - 1
        if last > 0:
            used = sum(header.sectionSize(column) for column in range(last))
            header.resizeSection(last, max(80, self.table.viewport().width() - used))

    def keep_column_layout(self) -> None:
        """The user's saved column widths win over fitting them to the content."""
        self._columns_sized = True

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        self.model.reload()

    def on_change(self, change: Change) -> None:
        if change.touches(self.entity) or self._shows_related(change):
            self.model.reload()

    def _shows_related(self, change: Change) -> bool:
        return False

    # --- handlers ------------------------------------------------------------------------

    def _on_search_changed(self, text: str) -> None:
        self.model.set_query(search=text)

    def _on_filter_cleared(self) -> None:
        self.model.set_query(hospital_id=None, doctor_id=None, patient_id=None)

    def _on_show_archived_toggled(self, checked: bool) -> None:
        self.model.set_query(include_archived=checked)

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._ignore_selection:
            return
        rows = self.table.selectionModel().selectedRows()
        record = self.model.record(rows[0].row()) if rows else None
        if record is None:
            return
        if record is self.form.record:
            return
        if not self.form.confirm_discard():
            self._restore_selection()
            return
        self._selected_id = record.id  # type: ignore[attr-defined]
        self.form.set_record(record)

    def _on_form_saved(self, record: RecordT) -> None:
        self._selected_id = record.id  # type: ignore[attr-defined]
        self._select_after_load = self._selected_id
        self.status_message.emit(f"Saved {self.form.kind} {self.form.describe(record)[0]}.")

    def _remember_selection(self) -> None:
        if self._select_after_load is None and self._selected_id is not None:
            self._select_after_load = self._selected_id

    def _on_model_loaded(self) -> None:
        count = self.model.rowCount()
        noun = self.plural if count != 1 else self.form.kind
        if self.model.all_loaded:
            self.count_label.setText(f"{count:,} {noun}")
        else:
            self.count_label.setText(f"First {count:,} {self.plural} shown; scroll for more")
        if not self._columns_sized and count:
            self._columns_sized = True
            self.fit_columns()
        wanted = self._select_after_load
        if wanted is None:
            return
        row = self.model.row_of(lambda record: record.id == wanted)  # type: ignore[attr-defined]
        self._select_after_load = None
        if row < 0:
            return
        self._ignore_selection = True
        self.table.selectRow(row)
        self._ignore_selection = False
        fresh = self.model.record(row)
        if fresh is not None and not self.form.is_dirty:
            self.form.set_record(fresh)

    def _on_model_failed(self, error: BaseException) -> None:
        self.count_label.setText(f"Could not load the {self.plural}: {message_for(error)}")
        if isinstance(error, PermissionDeniedError) and not self.form.is_dirty:
            self.form.set_record(None)  # what may no longer be seen is not left on screen
        self.status_message.emit(message_for(error))

    def _restore_selection(self) -> None:
        self._ignore_selection = True
        current = self.form.record
        row = -1
        if current is not None:
            current_id = current.id  # type: ignore[attr-defined]
            row = self.model.row_of(lambda record: record.id == current_id)  # type: ignore[attr-defined]
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.table.clearSelection()
        self._ignore_selection = False
