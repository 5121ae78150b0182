"""A lazy table of records: pages are fetched on the worker thread as the view scrolls.

The model holds only the rows fetched so far and the keyset cursor of the next page, so a
table of a million patients costs what one page does. Sorting and searching re-query the
database (the sort happens in SQL, over all rows, not over the rows loaded so far).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from hospital_desktop.core.domain.values import ListQuery, Page
from hospital_desktop.core.services.guard import PermissionDeniedError
from hospital_desktop.gui.tasks import TaskRunner

RecordT = TypeVar("RecordT")
AnyIndex = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 200
EXPORT_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Column(Generic[RecordT]):
    title: str
    value: Callable[[RecordT], str]
    sort_key: str | None = None  # the repository's sort name; None: not sortable
    align_right: bool = False
    tooltip: Callable[[RecordT], str] | None = None


class ColumnTableModel(QAbstractTableModel, Generic[RecordT]):
    """Rows of ``RecordT`` shown through ``Column``s: the read-only table every list shares.

    Subclasses decide where the rows come from (pages loaded lazily, or a short list
    loaded whole) and keep them in ``_rows``.
    """

    def __init__(self, columns: Sequence[Column[RecordT]], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[RecordT] = []

    def record(self, row: int) -> RecordT | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, predicate: Callable[[RecordT], bool]) -> int:
        return next((i for i, record in enumerate(self._rows) if predicate(record)), -1)

    # --- Qt's model interface ----------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self._columns[index.column()]
        record = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.value(record)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(record)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].title
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RecordTableModel(ColumnTableModel[RecordT]):
    """Rows of ``RecordT`` from ``fetch(ListQuery) -> Page``, loaded lazily.

    ``loaded`` is emitted after each page arrives (tests wait on it; the tab updates its
    counter); ``failed`` carries the error of a page that could not be loaded.
    """

    loaded = Signal()
    failed = Signal(object)

    def __init__(
        self,
        columns: Sequence[Column[RecordT]],
        fetch: Callable[[ListQuery], Page[RecordT]],
        tasks: TaskRunner,
        default_query: ListQuery | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(columns, parent)
        self._fetch = fetch
        self._tasks = tasks
        self._query = default_query or ListQuery(limit=PAGE_SIZE)
        self._cursor: tuple[Any, ...] | None = None
        self._exhausted = False
        self._loading = False
        self._generation = 0  # results of a superseded query are dropped

    # --- what the tab asks for ---------------------------------------------------------

    @property
    def tasks(self) -> TaskRunner:
        return self._tasks

    @property
    def query(self) -> ListQuery:
        return self._query

    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def all_loaded(self) -> bool:
        return self._exhausted

    def export_rows(self) -> tuple[list[str], Iterator[list[str]]]:
        """Every row of the current search and filters (not only those loaded), as text in
        the columns shown, fetched page by page by whoever iterates (the worker thread)."""
        columns, fetch = list(self._columns), self._fetch
        first = replace(self._query, after=None, limit=EXPORT_PAGE_SIZE)

        def rows() -> Iterator[list[str]]:
            query = first
            while True:
                page = fetch(query)
                for record in page.items:
                    yield [column.value(record) for column in columns]
                if page.next_cursor is None or not page.items:
                    return
                query = replace(query, after=page.next_cursor)

        return [column.title for column in columns], rows()

    def set_query(self, **changes: Any) -> None:
        """Change search, filters or sort, and load again from the first page."""
        self._query = replace(self._query, **changes, after=None)
        self.reload(keep_place=False)

    def reload(self, keep_place: bool = True) -> None:
        """Start over from the first page (after a write, or when the query changes).

        With ``keep_place`` as many rows as are shown now are fetched again, so the view
        keeps its scroll position after a write.
        """
        keep = max(len(self._rows), PAGE_SIZE) if keep_place else PAGE_SIZE
        self._generation += 1
        self._loading = False
        self._load(replace(self._query, after=None, limit=keep), replace_rows=True)

    # --- lazy loading ----------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._load(replace(self._query, after=self._cursor, limit=PAGE_SIZE), False)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        sort_key = self._columns[column].sort_key
        if sort_key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (sort_key, descending) != (self._query.sort, self._query.descending):
            self.set_query(sort=sort_key, descending=descending)

    def sort_column(self) -> int:
        return next((i for i, c in enumerate(self._columns) if c.sort_key == self._query.sort), -1)

    # --- loading -----------------------------------------------------------------------

    def _load(self, query: ListQuery, replace_rows: bool) -> None:
        self._loading = True
        generation = self._generation
        self._tasks.run(
            lambda: self._fetch(query),
            lambda page: self._on_page(generation, page, replace_rows),
            lambda error: self._on_error(generation, error),
        )

    def _on_page(self, generation: int, page: Page[RecordT], replace_rows: bool) -> None:
        if generation != self._generation:
            return
        self._loading = False
        if replace_rows:
            self.beginResetModel()
            self._rows = list(page.items)
            self.endResetModel()
        elif page.items:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.items) - 1)
            self._rows.extend(page.items)
            self.endInsertRows()
        self._cursor = page.next_cursor
        self._exhausted = page.next_cursor is None
        self.loaded.emit()

    def _on_error(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = True  # stop asking until the user reloads
        if isinstance(error, PermissionDeniedError) and self._rows:
            # No longer allowed to see them: what was on screen goes too.
            self.beginResetModel()
            self._rows = []
            self.endResetModel()
        self.failed.emit(error)
