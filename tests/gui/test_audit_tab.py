"""The Audit tab: an administrator reads the trail, narrows it and sees what each entry changed.

A real SQLite file; the entries are made by real service calls (writes, a refusal, failed
logins), and the tab is driven through its own filter widgets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt
from PySide6.QtWidgets import QWidget

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.domain.security import Actor, Permission, Role
from hospital_desktop.core.domain.values import (
    HospitalDraft,
    HospitalRecord,
    PatientDraft,
    PatientRecord,
)
from hospital_desktop.core.services.accounts import AuthenticationError, PermissionDeniedError
from hospital_desktop.core.services.audit_trail import AuditFilter
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.gui.tabs.audit import AuditTab, day_range_utc
from hospital_desktop.gui.tasks import TaskRunner
from tests.gui.conftest import save_screenshot

PATIENT = {"given_name": "Zoë", "family_name": "Ångström", "date_of_birth": "1975-05-05"}


@dataclass
class Trail:
    services: AppServices
    admin: AppServices  # bound to the administrator
    actor: Actor
    clerk: Actor
    hospital: HospitalRecord
    patient: PatientRecord
    tasks: TaskRunner
    tab: AuditTab
    errors: list[BaseException] = field(default_factory=list)
    extra: list[QWidget] = field(default_factory=list)  # more tabs, closed at the end

    def another_tab(self, services: AppServices, **options: str) -> AuditTab:
        tab = AuditTab(services, self.tasks, **options)
        self.extra.append(tab)
        return tab


@pytest.fixture
def trail(sqlite_url: str, qtbot) -> Iterator[Trail]:
    services = open_services(sqlite_url)
    first = services.accounts.create_first_admin("admin", "Ada Admin", "admin-password", "desk")
    actor = Actor(first.id, first.username, "desk")
    admin = services.for_actor(actor)
    hospital = admin.hospitals.create(HospitalDraft(name="Royal Free", time_zone="Europe/London"))
    patient = admin.patients.create(PatientDraft(**PATIENT))
    patient = admin.patients.update(
        patient.id, PatientDraft(**PATIENT, phone="555 0100"), patient.version
    )
    registered = admin.accounts.register(
        actor, "clerk", "Carla Clerk", Role.RECEPTIONIST, "initial-pass"
    )
    clerk = Actor(registered.id, registered.username, "desk-2")
    with pytest.raises(PermissionDeniedError):
        services.for_actor(clerk).hospitals.create(HospitalDraft(name="Rogue", time_zone="UTC"))
    with pytest.raises(AuthenticationError):
        services.accounts.login("clerk", "wrong", "desk-2")
    with pytest.raises(AuthenticationError):
        services.accounts.login("Mallory", "guess", "kiosk")

    errors: list[BaseException] = []
    tasks = TaskRunner(errors.append)
    tab = AuditTab(admin, tasks)
    tab.resize(1200, 700)
    with qtbot.waitSignal(tab.model.loaded, timeout=10000):
        tab.show()
    qtbot.waitUntil(lambda: tab.kind_box.findData("patient") >= 0 and tab.user_box.count() > 2)
    made = Trail(services, admin, actor, clerk, hospital, patient, tasks, tab, errors)
    yield made
    tasks.shutdown()
    for widget in made.extra:
        close(widget)
    close(tab)
    services.close()
    assert errors == []


def close(widget: QWidget) -> None:
    """Closed and deleted here, on the GUI thread (not by whichever thread collects it)."""
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def column_of(tab: AuditTab, title: str) -> int:
    model = tab.model
    titles = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    return titles.index(title)


def shown(tab: AuditTab, column: str) -> list[str]:
    number = column_of(tab, column)
    model = tab.model
    return [model.data(model.index(row, number)) for row in range(model.rowCount())]


def wait_for(qtbot, tab: AuditTab, **expected: object) -> None:
    """Until the filter reads as expected and its entries have arrived."""

    def ready() -> bool:
        current = tab.current_filter
        matches = all(getattr(current, name) == value for name, value in expected.items())
        return matches and not tab.model.is_loading

    qtbot.waitUntil(ready, timeout=5000)


def test_every_entry_is_listed_newest_first(trail: Trail, qtmodeltester) -> None:
    tab, model = trail.tab, trail.tab.model
    expected = trail.admin.audit.entries()
    assert [model.record(row).id for row in range(model.rowCount())] == [e.id for e in expected]
    times = [model.record(row).at for row in range(model.rowCount())]
    assert times == sorted(times, reverse=True)
    actions = shown(tab, "Action")
    assert actions[:3] == ["Login", "Login", "Create hospital"]
    assert {"Create first admin", "Register user", "Update", "Create"} <= set(actions)
    assert shown(tab, "User")[:3] == ["mallory", "clerk", "clerk"]
    assert shown(tab, "Workstation")[:3] == ["kiosk", "desk-2", "desk-2"]
    assert shown(tab, "Outcome")[:3] == ["Failed login", "Failed login", "Refused"]
    records = shown(tab, "Record")
    assert records[0] == "—"  # nobody of that name: no record
    assert f"Patient {trail.patient.id} · Zoë Ångström" in records
    assert f"Hospital {trail.hospital.id} · Royal Free" in records
    assert tab.count_label.text() == f"{len(expected)} entries shown"
    # Refusals and failures stand out; what was done does not.
    outcome = column_of(tab, "Outcome")
    assert model.data(model.index(2, outcome), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(2, outcome), Qt.ItemDataRole.FontRole).bold()
    last = model.rowCount() - 1
    assert model.data(model.index(last, outcome), Qt.ItemDataRole.ForegroundRole) is None
    assert "no account has this name" in model.data(
        model.index(0, column_of(tab, "User")), Qt.ItemDataRole.ToolTipRole
    )
    qtmodeltester.check(model)


def test_the_filters_offer_readable_kinds_and_the_users(trail: Trail) -> None:
    tab = trail.tab
    kinds = [tab.kind_box.itemText(i) for i in range(tab.kind_box.count())]
    assert kinds == ["All records", "Hospital", "Patient", "User"]
    users = [tab.user_box.itemText(i) for i in range(tab.user_box.count())]
    assert users == ["All users", "admin", "clerk"]


def test_typing_a_user_shows_only_their_entries(trail: Trail, qtbot) -> None:
    tab = trail.tab
    tab.user_box.lineEdit().selectAll()
    qtbot.keyClicks(tab.user_box.lineEdit(), "clerk")
    wait_for(qtbot, tab, username="clerk")
    assert set(shown(tab, "User")) == {"clerk"}
    assert shown(tab, "Action") == ["Login", "Create hospital"]

    index = tab.user_box.findText("admin")
    tab.user_box.setCurrentIndex(index)
    tab.user_box.activated.emit(index)  # as when picked from the list
    wait_for(qtbot, tab, username="admin")
    assert set(shown(tab, "User")) == {"admin"}
    assert len(shown(tab, "User")) == 5  # first admin, hospital, patient twice, clerk

    tab.user_box.lineEdit().clear()
    wait_for(qtbot, tab, username="")
    assert tab.model.rowCount() == len(trail.admin.audit.entries())


def test_record_kind_and_number_show_one_records_history(trail: Trail, qtbot) -> None:
    tab, patient = trail.tab, trail.patient
    tab.kind_box.setCurrentIndex(tab.kind_box.findData("patient"))
    wait_for(qtbot, tab, entity="patient")
    assert set(shown(tab, "Record")) == {f"Patient {patient.id} · Zoë Ångström"}
    qtbot.keyClicks(tab.number_edit, f"x{patient.id}")  # digits only: the x is refused
    assert tab.number_edit.text() == str(patient.id)
    wait_for(qtbot, tab, entity="patient", record_id=patient.id)
    assert shown(tab, "Action") == ["Update", "Create"]

    tab.kind_box.setCurrentIndex(tab.kind_box.findData("hospital"))  # the number stays
    wait_for(qtbot, tab, entity="hospital", record_id=patient.id)
    expected = trail.admin.audit.entries(AuditFilter(entity="hospital", record_id=patient.id))
    assert [tab.model.record(row).id for row in range(tab.model.rowCount())] == [
        entry.id for entry in expected
    ]
    assert set(shown(tab, "Record")) <= {f"Hospital {patient.id} · Royal Free"}

    tab.number_edit.clear()  # no need to wait for a pause
    wait_for(qtbot, tab, entity="hospital", record_id=None)
    assert set(shown(tab, "Record")) == {f"Hospital {trail.hospital.id} · Royal Free"}


def test_refusals_only_shows_the_refused_call_and_the_failed_logins(trail: Trail, qtbot) -> None:
    tab = trail.tab
    tab.refusals_only.setChecked(True)
    wait_for(qtbot, tab, refusals_only=True)
    assert shown(tab, "Outcome") == ["Failed login", "Failed login", "Refused"]
    assert shown(tab, "User") == ["mallory", "clerk", "clerk"]
    assert shown(tab, "Changes")[2] == "permission needed: Edit records"
    assert tab.count_label.text() == "3 entries shown"


def test_a_range_of_days_before_today_shows_nothing_and_clear_brings_all_back(
    trail: Trail, qtbot, qtmodeltester
) -> None:
    tab = trail.tab
    today = tab.today()
    tab.from_date.setDate(QDate(today - timedelta(days=10)))
    tab.to_date.setDate(QDate(today - timedelta(days=5)))
    since, until = day_range_utc(
        today - timedelta(days=10), today - timedelta(days=5), tab.time_zone
    )
    wait_for(qtbot, tab, since=since, until=until)
    assert tab.model.rowCount() == 0
    assert tab.count_label.text() == "0 entries shown"
    qtmodeltester.check(tab.model)

    tab.to_date.setDate(QDate(today - timedelta(days=20)))  # before From: From follows
    assert tab.from_date.date().toPython() == today - timedelta(days=20)

    tab.clear_filters()
    since, until = day_range_utc(today - timedelta(days=30), today, tab.time_zone)
    wait_for(qtbot, tab, since=since, until=until)
    assert tab.model.rowCount() == len(trail.admin.audit.entries())


def test_the_day_range_is_read_on_the_viewers_calendar() -> None:
    summer = day_range_utc(date(2024, 7, 1), date(2024, 7, 1), "Europe/London")
    assert summer == (datetime(2024, 6, 30, 23, tzinfo=UTC), datetime(2024, 7, 1, 23, tzinfo=UTC))
    spring_forward = day_range_utc(date(2024, 3, 31), date(2024, 3, 31), "Europe/London")
    assert spring_forward == (
        datetime(2024, 3, 31, 0, tzinfo=UTC),
        datetime(2024, 3, 31, 23, tzinfo=UTC),  # a 23-hour day
    )
    week = day_range_utc(date(2024, 1, 1), date(2024, 1, 7), "America/New_York")
    assert week == (datetime(2024, 1, 1, 5, tzinfo=UTC), datetime(2024, 1, 8, 5, tzinfo=UTC))


@pytest.mark.parametrize(
    ("zone", "abbreviation"), [("Pacific/Kiritimati", "+14"), ("Pacific/Pago_Pago", "SST")]
)
def test_todays_entries_show_in_any_zone_in_its_local_time(
    trail: Trail, qtbot, zone: str, abbreviation: str
) -> None:
    tab = trail.another_tab(trail.admin, time_zone=zone)
    with qtbot.waitSignal(tab.model.loaded, timeout=5000):
        tab.refresh()
    assert tab.model.rowCount() == len(trail.admin.audit.entries())
    assert all(when.endswith(f" {abbreviation}") for when in shown(tab, "When"))
    newest = tab.model.record(0).at
    assert tab.current_filter.since <= newest < tab.current_filter.until


def test_the_detail_pane_shows_before_and_after_and_survives_a_reload(trail: Trail, qtbot) -> None:
    tab, model = trail.tab, trail.tab.model
    row = model.row_of(lambda e: e.action == "update" and e.entity == "patient")
    changes = shown(tab, "Changes")[row]
    assert changes == "phone: '' → '555 0100'"
    tooltip = model.data(model.index(row, column_of(tab, "Changes")), Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "phone: '' → '555 0100'"
    tab.table.selectRow(row)
    assert tab.detail.rows() == [("phone", "(empty)", "555 0100")]
    title = tab.detail.title.text()
    assert f"Update · Patient {trail.patient.id} · Zoë Ångström · by admin at desk" in title
    assert tab.detail.table.editTriggers() == tab.detail.table.EditTrigger.NoEditTriggers
    tab.table.setFocus()
    qtbot.wait(50)
    save_screenshot(tab, "audit-tab")

    # A new write announces a change: the list reloads, the chosen entry stays chosen.
    trail.admin.hospitals.update(
        trail.hospital.id,
        HospitalDraft(name="Royal Free", time_zone="Europe/London", phone="020 7794 0500"),
        trail.hospital.version,
    )
    with qtbot.waitSignal(model.loaded, timeout=5000):
        tab.on_change(Change.of(Entity.HOSPITAL, trail.hospital.id))
    assert shown(tab, "Record")[0] == f"Hospital {trail.hospital.id} · Royal Free"
    assert shown(tab, "Changes")[0] == "phone: '' → '020 7794 0500'"
    selected = tab.table.selectionModel().selectedRows()
    assert [model.record(index.row()).action for index in selected] == ["update"]
    assert model.record(selected[0].row()).entity == "patient"
    assert tab.detail.rows() == [("phone", "(empty)", "555 0100")]


def test_a_hidden_tab_reloads_when_shown_again(trail: Trail, qtbot) -> None:
    tab = trail.tab
    before = tab.model.rowCount()
    tab.hide()
    with pytest.raises(AuthenticationError):
        trail.services.accounts.login("admin", "not-it", "desk")  # announces no change
    with qtbot.waitSignal(tab.model.loaded, timeout=5000):
        tab.show()
    assert tab.model.rowCount() == before + 1
    assert shown(tab, "Outcome")[0] == "Failed login"


def test_a_viewer_who_may_not_list_users_types_the_name(trail: Trail, qtbot) -> None:
    trail.admin.accounts.update_user(
        trail.actor, trail.clerk.user_id, granted=frozenset({Permission.VIEW_AUDIT})
    )
    auditor = trail.services.for_actor(trail.clerk)
    entries = len(auditor.audit.entries())
    tab = trail.another_tab(auditor)
    with qtbot.waitSignal(tab.model.loaded, timeout=5000):
        tab.refresh()
    qtbot.waitUntil(lambda: "manage-users" in tab.user_box.toolTip())
    assert [tab.user_box.itemText(i) for i in range(tab.user_box.count())] == ["All users"]
    assert tab.model.rowCount() == entries  # asking for the names recorded no refusal
    tab.user_box.lineEdit().selectAll()
    qtbot.keyClicks(tab.user_box.lineEdit(), "Mallory")
    wait_for(qtbot, tab, username="Mallory")
    assert shown(tab, "User") == ["mallory"]
