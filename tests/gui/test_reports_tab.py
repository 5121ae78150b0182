"""The Reports tab: a manager sees a hospital's or a doctor's figures and exports them.

A real SQLite file. The exact figures come from hand-made appointments (the clinic of
tests/integration/scheduling_fixtures.py: one doctor, Monday to Friday 09:00-12:00 in
30-minute slots), and each number shown is checked against what the report service says;
the screenshot uses the trimmed Synthea import.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QDialog, QWidget
from sqlalchemy import func, select

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.db.models import Appointment, Hospital
from hospital_desktop.core.domain.security import Actor, Permission, Role
from hospital_desktop.core.domain.values import AppointmentDraft, BookingRequest
from hospital_desktop.core.reports.figures import Statistics
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.core.services.reports import MAX_PERIOD_DAYS
from hospital_desktop.gui.charts import CANCELLED, FULFILLED, NO_SHOW, OTHER, integer_axis
from hospital_desktop.gui.tabs.reports import (
    DOCTOR,
    HOSPITAL,
    NO_APPOINTMENTS,
    ReportsTab,
    ReportTableModel,
    doctor_table,
    money_text,
    service_table,
    shown,
    status_table,
    suggested_name,
)
from hospital_desktop.gui.tasks import TaskRunner
from tests.gui.conftest import save_screenshot
from tests.integration.scheduling_fixtures import Clinic, make_clinic

PDF_RENDERER = "hospital_desktop.core.reports.pdf"
NEEDS_PDF = pytest.mark.skipif(
    importlib.util.find_spec(PDF_RENDERER) is None,
    reason=f"{PDF_RENDERER} (render_hospital_report) is not written yet",
)


@dataclass
class Desk:
    services: AppServices
    tasks: TaskRunner
    clinic: Clinic | None
    errors: list[BaseException] = field(default_factory=list)
    tabs: list[ReportsTab] = field(default_factory=list)

    def tab(self, services: AppServices | None = None, **options: object) -> ReportsTab:
        tab = ReportsTab(services or self.services, self.tasks, **options)  # type: ignore[arg-type]
        tab.resize(1280, 800)
        tab.show()
        self.tabs.append(tab)
        return tab

    @property
    def week(self) -> tuple[date, date]:
        assert self.clinic is not None
        return self.clinic.monday, self.clinic.monday + timedelta(days=6)


def draft_of(record, **changes) -> AppointmentDraft:
    names = AppointmentDraft.__dataclass_fields__
    return AppointmentDraft(
        **{**{k: v for k, v in asdict(record).items() if k in names}, **changes}
    )


def make_week(services: AppServices) -> Clinic:
    """Seven counted appointments in the clinic's week, every kind of outcome (as in
    tests/integration/test_statistics.py), and one the week after."""
    clinic = make_clinic(services, patients=3)
    p0, p1, p2 = clinic.patient_ids
    booking = services.booking

    def visit(patient, day, hour, minute=0, service="Check-up"):
        return booking.book(
            BookingRequest(patient, clinic.doctor_id, clinic.at(day, hour, minute), service=service)
        )

    def priced(record, fee, coverage=None):
        return services.appointments.update(
            record.id, draft_of(record, fee=fee, payer_coverage=coverage), record.version
        )

    first = priced(visit(p0, 0, 9), "1100.00", "80.00")  # fulfilled, rated 4
    first = booking.complete(first.id, first.version, now=first.end_at)
    services.reports.record_satisfaction(first.id, 4, "Kind", first.version)
    second = priced(visit(p0, 1, 9), "50.00")  # fulfilled, rated 5
    second = booking.complete(second.id, second.version, now=second.end_at)
    services.reports.record_satisfaction(second.id, 5)
    missed = priced(visit(p1, 0, 10, service="Vaccination"), "30.00")  # no-show
    booking.mark_no_show(missed.id, missed.version, now=missed.end_at)
    early = visit(p1, 2, 9)
    booking.cancel(early.id, "Feeling better", "desk", early.version)
    late = visit(p2, 2, 10)  # cancelled two hours before: late
    booking.cancel(late.id, "Traffic", "desk", late.version, now=late.start_at - timedelta(hours=2))
    moved = visit(p2, 3, 9)  # rescheduled away: only the new one counts
    booking.reschedule(moved.id, clinic.at(3, 10), moved.version)
    visit(p2, 4, 9, 30, service="")  # booked, no service named
    after = visit(p0, 7, 9)  # outside the period
    booking.complete(after.id, after.version, now=after.end_at)
    return clinic


def close(widget: QWidget) -> None:
    """Closed and deleted on the GUI thread (not by whichever thread collects it)."""
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def desk(sqlite_url: str, qtbot) -> Iterator[Desk]:
    """The hand-made week on a fresh database, in set-up mode (everything allowed)."""
    services = open_services(sqlite_url)
    clinic = make_week(services)
    errors: list[BaseException] = []
    made = Desk(services, TaskRunner(errors.append), clinic, errors)
    yield made
    made.tasks.shutdown()
    for tab in made.tabs:
        close(tab)
    services.close()
    assert errors == []


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """Where exports go: a folder of their own (the database lives in tmp_path)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def show(qtbot, tab: ReportsTab, kind: str, record_id: int, label: str, first, last) -> Statistics:
    with qtbot.waitSignal(tab.figures_shown, timeout=10000) as shown_signal:
        tab.show_report(kind, record_id, label, first, last)
    return shown_signal.args[0]


def texts(model: ReportTableModel) -> list[list[str]]:
    return [model.texts(row) for row in range(model.rowCount())]


def section(rows: list[list[str]], title: str) -> list[list[str]]:
    """The rows of a CSV section: its header and rows, up to the next empty row."""
    start = rows.index([title]) + 1
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return rows[start:end]


def exports(services: AppServices, action: str) -> list:
    return [entry for entry in services.audit.entries() if entry.action == action]


# --- the figures ------------------------------------------------------------------------


def test_a_hospital_report_shows_the_figures_the_service_computes(desk, qtbot):
    tab = desk.tab()
    clinic = desk.clinic
    first, last = desk.week
    assert not tab.export_pdf_button.isEnabled()  # nothing to export yet
    qtbot.keyClicks(tab.hospital_picker, "St M")
    qtbot.waitUntil(lambda: tab.hospital_picker.suggestion_count() > 0)
    tab.hospital_picker.choose_suggestion(0)
    tab.set_period(first, last)
    with qtbot.waitSignal(tab.figures_shown, timeout=10000):
        qtbot.mouseClick(tab.show_button, Qt.MouseButton.LeftButton)
    expected = desk.services.reports.hospital_statistics(clinic.hospital_id, first, last)
    total = expected.total
    assert (total.appointments, total.fulfilled, total.no_shows, total.cancelled) == (7, 2, 1, 2)

    assert tab.title_label.text() == f"St Mary's · {first} to {last} (Europe/London)"
    cards = {key: (tab.card_text(key), tab.card_detail(key)) for key in tab.cards}
    assert cards == {
        "appointments": ("7", "counted in the period"),
        "fulfilled": ("2", "2 of 7 appointments"),
        "patients_served": ("1", "each patient counted once"),
        "new_patients": ("1", "first time served here"),
        "no_show_rate": ("33.3%", "1 of 3 due\n(fulfilled + no-shows)"),
        "cancellation_rate": ("28.6%", "2 of 7 appointments"),
        "late_cancellations": ("1", "of 2 cancellations"),
        "utilisation": ("13.3%", "2 h booked\nof 15 h timetabled"),
        "satisfaction": ("4.5", "out of 5, from 2 ratings"),
        "fees_billed": ("1,150.00", "payer 80.00\npatient 1,070.00"),
        "busiest_days": ("Mon, Wed, Tue", "2 · 2 · 1 appointments"),
        "busiest_hours": ("09:00, 10:00", "4 · 3 appointments"),
    }
    assert "fulfilled + no-shows" in tab.cards["no_show_rate"].toolTip()

    # The tables are the service's rows, and their total rows its totals.
    assert tab.models["by_service"].table == service_table(expected)
    assert tab.models["by_doctor"].table == doctor_table(expected)
    assert tab.models["by_status"].table == status_table(expected)
    assert texts(tab.models["by_service"])[-1] == [
        "Total", "7", "2", "1", "2", "1", "1,150.00", "80.00", "1,070.00",
    ]  # fmt: skip
    assert texts(tab.models["by_doctor"]) == [
        ["Dr Ada Núñez", "7", "2", "1", "2", "1", "13.3%", "4.5", "2"],
        ["Total", "7", "2", "1", "2", "1", "13.3%", "4.5", "2"],
    ]
    assert texts(tab.models["by_status"])[-1] == ["Total", "7", "100.0%"]
    by_status = {row[0]: row[1:] for row in texts(tab.models["by_status"])[:-1]}
    assert by_status == {
        "Fulfilled": ["2", "28.6%"],
        "Cancelled": ["2", "28.6%"],
        "Booked": ["2", "28.6%"],
        "No-show": ["1", "14.3%"],
    }
    services_shown = [row[0] for row in texts(tab.models["by_service"])]
    assert set(services_shown) == {"Check-up", "Vaccination", "(no service given)", "Total"}

    # The charts draw the same counts.
    assert tab.charts_stack.currentIndex() == 0 and tab.month_chart.isVisible()
    assert len(tab.month_chart.chart().series()) == 1
    assert len(tab.status_chart.chart().series()) == 1
    assert tab.month_chart.unit == "month"
    drawn = {outcome: sum(values) for outcome, values in tab.month_chart.values.items()}
    assert drawn == {FULFILLED: 2, CANCELLED: 2, NO_SHOW: 1, OTHER: 2}
    assert tab.status_chart.slices == expected.by_status
    assert tab.export_pdf_button.isEnabled() and tab.export_csv_button.isEnabled()


def test_doctor_metrics_and_the_choice_kept_when_appointments_change(desk, qtbot):
    tab = desk.tab()
    clinic = desk.clinic
    first, last = desk.week
    stats = show(qtbot, tab, DOCTOR, clinic.doctor_id, "Dr Ada Núñez", first, last)
    expected = desk.services.reports.doctor_metrics(clinic.doctor_id, first, last)
    assert stats.doctor_id == clinic.doctor_id and stats.total == expected.total
    assert tab.title_label.text().startswith("Dr Ada Núñez at St Mary's · ")
    assert tab.card_text("appointments") == f"{expected.total.appointments:,}"
    assert tab.card_text("no_show_rate") == "33.3%"
    assert tab.card_detail("new_patients") == "first time with this doctor"
    assert tab.models["by_doctor"].table == doctor_table(expected)

    # Another booking: the figures refresh for the same doctor and period.
    desk.services.booking.book(
        BookingRequest(clinic.patient_ids[0], clinic.doctor_id, clinic.at(4, 11), service="X")
    )
    with qtbot.waitSignal(tab.figures_shown, timeout=10000) as refreshed:
        tab.on_change(Change.of(Entity.APPOINTMENT))
    assert refreshed.args[0].total.appointments == expected.total.appointments + 1
    assert tab.card_text("appointments") == f"{expected.total.appointments + 1:,}"
    assert tab.kind == DOCTOR and tab.doctor_picker.value() == clinic.doctor_id
    assert (tab.from_date.date().toPython(), tab.to_date.date().toPython()) == (first, last)

    # Hidden: only marked stale, computed again when shown.
    tab.hide()
    tab.on_change(Change.of(Entity.APPOINTMENT))
    qtbot.wait(RECOMPUTE_WAIT_MS)
    assert not tab.is_computing
    with qtbot.waitSignal(tab.figures_shown, timeout=10000):
        tab.show()
    tab.on_change(Change.of(Entity.USER))  # nothing a report counts
    qtbot.wait(RECOMPUTE_WAIT_MS)
    assert not tab.is_computing


RECOMPUTE_WAIT_MS = 600


def test_a_period_ending_before_it_starts_is_shown_next_to_the_field(desk, qtbot):
    tab = desk.tab()
    clinic = desk.clinic
    qtbot.mouseClick(tab.show_button, Qt.MouseButton.LeftButton)
    assert tab.field_error("record") == "Choose a hospital first."
    with qtbot.waitSignal(tab.failed, timeout=10000):
        tab.show_report(
            HOSPITAL, clinic.hospital_id, "St Mary's", date(2026, 3, 10), date(2026, 3, 1)
        )
    assert tab.field_error("last") == "The period must end on or after the day it starts."
    assert tab.field_error("first") == "" and tab.field_error("record") == ""
    # Right under the To field.
    message, field = tab.errors["last"], tab.to_date
    assert message.isVisible()
    below = message.mapTo(tab, message.rect().topLeft())
    under = field.mapTo(tab, field.rect().bottomLeft())
    assert below.x() == under.x() and 0 <= below.y() - under.y() <= 10
    assert tab.statistics is None and not tab.export_csv_button.isEnabled()
    assert tab.body.currentWidget() is tab.nothing_label
    tab.to_date.setDate(tab.from_date.date())  # editing the date clears the message
    assert tab.field_error("last") == ""


def test_an_empty_period_says_so_instead_of_empty_charts(desk, qtbot):
    tab = desk.tab()
    show(
        qtbot,
        tab,
        HOSPITAL,
        desk.clinic.hospital_id,
        "St Mary's",
        date(2001, 1, 1),
        date(2001, 1, 31),
    )
    assert tab.charts_stack.currentWidget() is tab.empty_label
    assert tab.empty_label.isVisible() and tab.empty_label.text() == NO_APPOINTMENTS
    assert not tab.month_chart.isVisible()
    assert tab.card_text("appointments") == "0"
    assert tab.card_text("no_show_rate") == "—" and tab.card_text("satisfaction") == "—"
    assert texts(tab.models["by_service"]) == [
        ["Total", "0", "0", "0", "0", "0", "0.00", "0.00", "0.00"]
    ]


def test_quick_periods(desk, qtbot):
    tab = desk.tab()
    tab.today = lambda: date(2026, 3, 15)  # type: ignore[method-assign]
    chosen = {}
    for name in ("This month", "Last month", "This year", "Last 12 months"):
        tab.quick_box.setCurrentText(name)
        tab.quick_box.activated.emit(tab.quick_box.currentIndex())
        chosen[name] = (tab.from_date.date().toPython(), tab.to_date.date().toPython())
        assert tab.quick_box.currentText() == name
    assert chosen == {
        "This month": (date(2026, 3, 1), date(2026, 3, 31)),
        "Last month": (date(2026, 2, 1), date(2026, 2, 28)),
        "This year": (date(2026, 1, 1), date(2026, 12, 31)),
        "Last 12 months": (date(2025, 3, 1), date(2026, 2, 28)),
    }
    assert tab.from_date.calendarPopup() and tab.to_date.calendarPopup()
    tab.from_date.setDate(tab.from_date.date().addDays(1))  # a date of one's own
    assert tab.quick_box.currentText() == "Custom period"


# --- exports ----------------------------------------------------------------------------


def test_csv_export_is_utf8_with_a_bom_and_leaves_an_audit_entry(desk, qtbot, out):
    tab = desk.tab()
    clinic = desk.clinic
    first, last = desk.week
    show(qtbot, tab, HOSPITAL, clinic.hospital_id, "St Mary's", first, last)
    asked: list[tuple[str, str]] = []

    def answer(suggested: str, file_filter: str) -> str:
        asked.append((suggested, file_filter))
        return str(out / "figures")  # no suffix typed: .csv is added

    tab.ask_save_path = answer  # type: ignore[method-assign]
    with qtbot.waitSignal(tab.exported, timeout=10000) as done:
        qtbot.mouseClick(tab.export_csv_button, Qt.MouseButton.LeftButton)
    assert asked == [(f"Report St Mary's {first} to {last}.csv", "CSV files (*.csv)")]
    path = done.args[1]
    assert path == out / "figures.csv"
    assert list(out.iterdir()) == [path]  # no temporary file left behind
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "Dr Ada Núñez" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Report", "St Mary's"]
    by_service = section(rows, "By service")
    assert by_service[0][0] == "Service" and by_service[-1] == [
        "Total", "7", "2", "1", "2", "1", "1150.00", "80.00", "1070.00",
    ]  # fmt: skip
    by_doctor = section(rows, "By doctor")
    assert by_doctor[1][0] == "Dr Ada Núñez" and by_doctor[-1][0] == "Total"
    summary = {row[0]: row[1:] for row in section(rows, "Summary")}
    assert summary["No-show rate"] == ["33.3%", "1 of 3 due (fulfilled + no-shows)"]
    assert section(rows, "By month")[-1] == ["Total", "2", "2", "1", "2", "7"]

    (entry,) = exports(desk.services, "export-csv")
    assert (entry.entity, entry.record_id, entry.outcome) == ("hospital", clinic.hospital_id, "ok")
    assert entry.changes["file"][1].endswith("/figures.csv")  # where it went, in full
    assert entry.changes["period"] == [None, f"{first.isoformat()} to {last.isoformat()}"]
    assert tab.saved_bar.isVisible() and "figures.csv" in tab.saved_label.text()


@NEEDS_PDF
def test_pdf_export_writes_a_pdf_and_leaves_an_audit_entry(desk, qtbot, out):
    tab = desk.tab()
    clinic = desk.clinic
    first, last = desk.week
    show(qtbot, tab, DOCTOR, clinic.doctor_id, "Dr Ada Núñez", first, last)
    asked: list[str] = []

    def answer(suggested: str, file_filter: str) -> str:
        asked.append(suggested)
        return str(out / "report.pdf")

    tab.ask_save_path = answer  # type: ignore[method-assign]
    with qtbot.waitSignal(tab.exported, timeout=60000) as done:
        qtbot.mouseClick(tab.export_pdf_button, Qt.MouseButton.LeftButton)
    assert asked == [f"Report Dr Ada Núñez {first} to {last}.pdf"]
    assert done.args == ["pdf", out / "report.pdf"]
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert list(out.iterdir()) == [out / "report.pdf"]
    (entry,) = exports(desk.services, "export-pdf")
    assert (entry.entity, entry.record_id) == ("doctor", clinic.doctor_id)


@NEEDS_PDF
def test_print_previews_the_pdf_pages_and_records_the_print(desk, qtbot, out):
    tab = desk.tab()
    first, last = desk.week
    show(qtbot, tab, HOSPITAL, desk.clinic.hospital_id, "St Mary's", first, last)
    qtbot.mouseClick(tab.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.print_preview is not None, timeout=60000)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out / "printed.pdf"))
    assert tab.paint_pages(printer) >= 1
    assert (out / "printed.pdf").read_bytes().startswith(b"%PDF")
    assert exports(desk.services, "export-print") == []  # a preview is not a print
    with qtbot.waitSignal(tab.exported, timeout=10000) as done:
        tab.print_preview.done(QDialog.DialogCode.Accepted)
    assert done.args[0] == "print" and tab.print_preview is None
    (entry,) = exports(desk.services, "export-print")
    assert (entry.entity, entry.record_id) == ("hospital", desk.clinic.hospital_id)


def test_pdf_export_without_the_renderer_says_so(desk, qtbot, out, monkeypatch):
    """Until (or unless) the renderer is installed, the user reads why, and no file or
    audit entry is left."""
    import builtins

    real_import = builtins.__import__

    def no_renderer(name, *args, **kwargs):
        if name == PDF_RENDERER:
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
        return real_import(name, *args, **kwargs)

    tab = desk.tab()
    first, last = desk.week
    show(qtbot, tab, HOSPITAL, desk.clinic.hospital_id, "St Mary's", first, last)
    tab.ask_save_path = lambda suggested, file_filter: str(out / "r.pdf")  # type: ignore[method-assign]
    monkeypatch.setattr(builtins, "__import__", no_renderer)
    with qtbot.waitSignal(tab.failed, timeout=10000):
        tab.export_pdf()
    monkeypatch.undo()
    assert "PDF reports are not available" in tab.message.text() and tab.message.isVisible()
    assert list(out.iterdir()) == [] and exports(desk.services, "export-pdf") == []
    assert tab.export_pdf_button.isEnabled()  # ready for another try


def test_exports_need_the_export_permission(desk, qtbot, out):
    services, clinic = desk.services, desk.clinic
    first_admin = services.accounts.create_first_admin(
        "admin", "Ada Admin", "admin-password", "desk"
    )
    admin = Actor(first_admin.id, first_admin.username, "desk")
    manager = services.accounts.register(admin, "max", "Max Manager", Role.MANAGER, "initial-pass")
    actor = Actor(manager.id, manager.username, "desk-2")
    as_manager = services.for_actor(actor)
    first, last = desk.week

    # A manager may export: the buttons are there.
    allowed = desk.tab(as_manager, user=manager)
    assert Permission.EXPORT in manager.permissions and not allowed.export_pdf_button.isHidden()

    looked_up = desk.tab(as_manager)  # no user given: asked on the worker
    qtbot.waitUntil(lambda: looked_up.may_export is True, timeout=10000)
    restricted = services.accounts.update_user(
        admin, manager.id, removed=frozenset({Permission.EXPORT}), expected_version=manager.version
    )
    looked_up.on_change(Change.of(Entity.USER, manager.id))  # asked again
    hidden = desk.tab(as_manager, user=restricted)
    qtbot.waitUntil(lambda: looked_up.may_export is False, timeout=10000)
    for tab in (hidden, looked_up):
        assert tab.export_pdf_button.isHidden() and tab.export_csv_button.isHidden()
        assert tab.print_button.isHidden()
    show(qtbot, looked_up, HOSPITAL, clinic.hospital_id, "St Mary's", first, last)
    assert looked_up.card_text("appointments") == "7"  # reports are still allowed

    # A tab opened before the permission went: the service refuses, nothing is written.
    show(qtbot, allowed, HOSPITAL, clinic.hospital_id, "St Mary's", first, last)
    allowed.ask_save_path = lambda suggested, file_filter: str(out / "x.csv")  # type: ignore[method-assign]
    with qtbot.waitSignal(allowed.failed, timeout=10000):
        allowed.export_csv()
    assert "You may not do that (export)" in allowed.message.text()
    assert list(out.iterdir()) == []
    (refusal,) = exports(services.for_actor(admin), "export-csv")
    assert refusal.outcome == "denied" and refusal.username == "max"
    with qtbot.waitSignal(allowed.failed, timeout=10000):
        allowed.print_report()  # refused before any page is prepared
    assert allowed.print_preview is None and allowed.export_csv_button.isEnabled()
    (refused_print,) = exports(services.for_actor(admin), "export-print")
    assert refused_print.outcome == "denied"


# --- models, charts, formatting ---------------------------------------------------------


def test_models_pass_the_item_model_tester(desk, qtbot, qtmodeltester):
    tab = desk.tab()
    first, last = desk.week
    stats = show(qtbot, tab, HOSPITAL, desk.clinic.hospital_id, "St Mary's", first, last)
    for model in tab.models.values():
        qtmodeltester.check(model, force_py=False)
    # Watched through resets from empty to full and back (any complaint is a Qt warning,
    # which fails the test).
    model = ReportTableModel(service_table(stats))
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    empty = desk.services.reports.hospital_statistics(
        desk.clinic.hospital_id, "2001-01-01", "2001-01-02"
    )
    for table in (status_table(stats), service_table(empty), doctor_table(stats)):
        model.set_table(table)
    assert model.rowCount() == 2 and model.is_total(1) and not model.is_total(0)
    assert model.data(model.index(1, 0), Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) & int(
        Qt.AlignmentFlag.AlignRight
    )
    assert model.headerData(6, Qt.Orientation.Horizontal) == "Utilisation"
    assert "timetable" in model.headerData(
        6, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    del tester


def test_values_read_as_money_rates_and_safe_file_names():
    assert (
        money_text(123456) == "1,234.56" and money_text(-5) == "-0.05" and money_text(0) == "0.00"
    )
    assert shown(None) == "—" and shown(1234) == "1,234"
    assert integer_axis(0) == (1, 2) and integer_axis(3) == (3, 4) and integer_axis(78) == (80, 5)
    empty = statistics_of("A/B: C?")
    assert suggested_name(empty, "pdf") == "Report A-B- C- 2026-01-01 to 2026-03-31.pdf"


def statistics_of(subject: str) -> Statistics:
    from datetime import UTC, datetime

    from hospital_desktop.core.reports.figures import Period

    return Statistics(
        subject,
        1,
        subject,
        "UTC",
        Period(date(2026, 1, 1), date(2026, 3, 31)),
        datetime.now(UTC),
        "",
    )


# --- the screenshot, on the Synthea import ----------------------------------------------


def test_screenshot_of_the_busiest_hospital(imported_url, qtbot):
    services = open_services(imported_url)
    errors: list[BaseException] = []
    tasks = TaskRunner(errors.append)
    with services.unit_of_work() as uow:
        hospital_id, name, zone, earliest, latest = uow.session.execute(
            select(
                Appointment.hospital_id,
                Hospital.name,
                Hospital.time_zone,
                func.min(Appointment.start_at),
                func.max(Appointment.start_at),
            )
            .join(Hospital, Hospital.id == Appointment.hospital_id)
            .group_by(Appointment.hospital_id, Hospital.name, Hospital.time_zone)
            .order_by(func.count().desc(), Appointment.hospital_id)
            .limit(1)
        ).one()
    last = latest.astimezone(ZoneInfo(zone)).date()
    # From the earliest appointment, unless that is further back than a report may reach.
    first = max(earliest.astimezone(ZoneInfo(zone)).date(), last - timedelta(MAX_PERIOD_DAYS))
    tab = ReportsTab(services, tasks)
    try:
        tab.resize(1280, 800)
        tab.show()
        stats = show(qtbot, tab, HOSPITAL, hospital_id, name, first, last)
        assert stats.total.appointments > 0 and tab.charts_stack.currentIndex() == 0
        assert (stats.period.first, stats.period.last) == (first, last)
        assert tab.month_chart.unit in {"quarter", "year"}  # years of data: fewer, wider bars
        qtbot.wait(100)
        path = save_screenshot(tab, "reports-tab")
        assert path.exists()
    finally:
        tasks.shutdown()
        close(tab)
        services.close()
    assert errors == []


def test_changing_the_choice_keeps_exports_of_old_figures_out_of_reach(desk, qtbot):
    """After the period is changed, the shown figures are of the old one: no export until
    Show computes the new."""
    tab = desk.tab()
    first, last = desk.week
    show(qtbot, tab, "hospital", desk.clinic.hospital_id, "St Mary's", first, last)
    assert tab.export_pdf_button.isEnabled()
    tab.to_date.setDate(tab.to_date.date().addDays(1))
    assert not tab.export_pdf_button.isEnabled()
    with qtbot.waitSignal(tab.figures_shown, timeout=10000):
        tab.show_button.click()
    assert tab.export_pdf_button.isEnabled()
