"""Every service, called as every role: allowed or refused as the role's permissions say.

A refused call changes nothing in the database and leaves one "denied" audit entry naming
the user; an allowed write leaves its entry in that user's name. The services are the guard,
so this calls them directly, as a script or a tampered window could.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.db.models import AuditEntry, Base
from hospital_desktop.core.domain.security import ROLE_PERMISSIONS, Actor, Permission, Role
from hospital_desktop.core.domain.values import (
    AppointmentDraft,
    BookingRequest,
    DoctorDraft,
    HospitalDraft,
    ListQuery,
    PatientDraft,
    TimetableEntryDraft,
)
from hospital_desktop.core.services.accounts import PermissionDeniedError
from hospital_desktop.core.services.audit import AuditRecord, audit_record
from tests.conftest import SYNTHEA_TRIMMED
from tests.integration.scheduling_fixtures import Clinic, make_clinic

DESK = "desk-roles"


@dataclass
class World:
    """What the calls act on, made by the administrator before each call."""

    admin: AppServices
    clinic: Clinic
    own_doctor_id: int  # the doctor the doctor-role user is linked to (the clinic's)
    other_doctor_id: int
    users: dict[Role, Actor]

    def appointment(self, day: int = 0, hour: int = 9, minute: int = 0) -> Any:
        return self.admin.booking.book(
            BookingRequest(
                self.clinic.patient_ids[0], self.clinic.doctor_id, self.at(day, hour, minute)
            )
        )

    def at(self, day: int, hour: int, minute: int = 0) -> datetime:
        return self.clinic.at(day, hour, minute)

    def entry(self, doctor_id: int) -> Any:
        return self.admin.timetable.entries(doctor_id)[0]

    def slot(self, day: int = 1, hour: int = 10) -> Any:
        start = self.at(day, hour)
        return next(
            s
            for s in self.admin.booking.free_slots(
                self.clinic.doctor_id, start, start + timedelta(hours=1)
            )
            if s.start == start
        )


def _draft(record: Any, draft_type: type, **changes: Any) -> Any:
    names = draft_type.__dataclass_fields__
    return draft_type(**{**{k: v for k, v in asdict(record).items() if k in names}, **changes})


def _local(world: World, day: int, hour: int) -> datetime:
    return datetime.combine(world.clinic.monday + timedelta(days=day), time(hour))


# (what, needed permission, the call as the role, [what the administrator prepares first]);
# the call receives the role's services, the world and what was prepared.
Call = tuple[Any, ...]


def BOOKED(world: World) -> Any:  # a constant's name: it reads as one in the table
    return world.appointment()


OWN = Permission.MANAGE_OWN_TIMETABLE


def _h(w: World) -> Any:
    return w.admin.hospitals.get(w.clinic.hospital_id)


def _p(w: World) -> Any:
    return w.admin.patients.get(w.clinic.patient_ids[1])


CALLS: list[Call] = [
    # hospitals and doctors
    ("list hospitals", Permission.VIEW_RECORDS, lambda s, w, _: s.hospitals.list(ListQuery())),
    (
        "view hospital",
        Permission.VIEW_RECORDS,
        lambda s, w, _: s.hospitals.get(w.clinic.hospital_id),
    ),
    (
        "create hospital",
        Permission.EDIT_RECORDS,
        lambda s, w, _: s.hospitals.create(HospitalDraft("New Cross", "Europe/London")),
    ),
    (
        "update hospital",
        Permission.EDIT_RECORDS,
        lambda s, w, _: s.hospitals.update(
            w.clinic.hospital_id, _draft(_h(w), HospitalDraft, phone="020 7946 0000"), _h(w).version
        ),
    ),
    (
        "archive hospital",
        Permission.EDIT_RECORDS,
        lambda s, w, _: s.hospitals.set_archived(w.clinic.hospital_id),
    ),
    ("list doctors", Permission.VIEW_RECORDS, lambda s, w, _: s.doctors.list(ListQuery())),
    ("view doctor", Permission.VIEW_RECORDS, lambda s, w, _: s.doctors.get(w.clinic.doctor_id)),
    (
        "create doctor",
        Permission.EDIT_RECORDS,
        lambda s, w, _: s.doctors.create(DoctorDraft("Dr New", w.clinic.hospital_id)),
    ),
    (
        "update doctor",
        Permission.EDIT_RECORDS,
        lambda s, w, _: s.doctors.update(
            w.other_doctor_id,
            _draft(w.admin.doctors.get(w.other_doctor_id), DoctorDraft, phone="555 0199"),
        ),
    ),
    (
        "archive doctor",
        Permission.EDIT_RECORDS,
        lambda s, w, _: s.doctors.set_archived(w.other_doctor_id),
    ),
    # patients
    ("list patients", Permission.VIEW_PATIENTS, lambda s, w, _: s.patients.list(ListQuery())),
    (
        "view patient",
        Permission.VIEW_PATIENTS,
        lambda s, w, _: s.patients.get(w.clinic.patient_ids[1]),
    ),
    ("list payers", Permission.VIEW_PATIENTS, lambda s, w, _: s.patients.payers()),
    (
        "register patient",
        Permission.EDIT_PATIENTS,
        lambda s, w, _: s.patients.create(PatientDraft("Chloé", "Dubois", "1990-05-05")),
    ),
    (
        "update patient",
        Permission.EDIT_PATIENTS,
        lambda s, w, _: s.patients.update(
            w.clinic.patient_ids[1], _draft(_p(w), PatientDraft, phone="555 0123"), _p(w).version
        ),
    ),
    (
        "archive patient",
        Permission.EDIT_PATIENTS,
        lambda s, w, _: s.patients.set_archived(w.clinic.patient_ids[2]),
    ),
    # appointments as records
    (
        "list appointments",
        Permission.VIEW_PATIENTS,
        lambda s, w, _: s.appointments.list(ListQuery()),
    ),
    (
        "view appointment",
        Permission.VIEW_PATIENTS,
        lambda s, w, a: s.appointments.get(a.id),
        BOOKED,
    ),
    (
        "create appointment record",
        Permission.BOOK,
        lambda s, w, _: s.appointments.create(
            AppointmentDraft(w.clinic.patient_ids[1], w.clinic.doctor_id, w.at(3, 9), w.at(3, 10))
        ),
    ),
    (
        "archive appointment",
        Permission.BOOK,
        lambda s, w, a: s.appointments.set_archived(a.id),
        BOOKED,
    ),
    # booking
    (
        "free slots",
        Permission.VIEW_RECORDS,
        lambda s, w, _: s.booking.free_slots(w.clinic.doctor_id, w.at(0, 0), w.at(5, 0)),
    ),
    (
        "view week",
        Permission.VIEW_PATIENTS,
        lambda s, w, _: s.booking.week(w.clinic.doctor_id, w.clinic.monday),
    ),
    (
        "next available",
        Permission.VIEW_RECORDS,
        lambda s, w, _: s.booking.next_available(w.clinic.hospital_id),
    ),
    (
        "book",
        Permission.BOOK,
        lambda s, w, _: s.booking.book(
            BookingRequest(w.clinic.patient_ids[1], w.clinic.doctor_id, w.at(2, 9))
        ),
    ),
    (
        "reschedule",
        Permission.BOOK,
        lambda s, w, a: s.booking.reschedule(a.id, w.at(2, 10), a.version),
        BOOKED,
    ),
    (
        "check in",
        Permission.CHECK_IN,
        lambda s, w, a: s.booking.check_in(a.id, a.version, now=a.start_at),
        BOOKED,
    ),
    (
        "complete",
        Permission.CHECK_IN,
        lambda s, w, a: s.booking.complete(a.id, a.version, now=a.end_at),
        BOOKED,
    ),
    (
        "no-show",
        Permission.CHECK_IN,
        lambda s, w, a: s.booking.mark_no_show(a.id, a.version, now=a.end_at),
        BOOKED,
    ),
    (
        "cancel",
        Permission.CANCEL,
        lambda s, w, a: s.booking.cancel(a.id, "Unwell", "desk", a.version),
        BOOKED,
    ),
    # timetables: a doctor manages their own, not a colleague's
    (
        "view timetable",
        Permission.VIEW_RECORDS,
        lambda s, w, _: s.timetable.entries(w.clinic.doctor_id),
    ),
    (
        "view entry",
        Permission.VIEW_RECORDS,
        lambda s, w, _: s.timetable.get_entry(w.entry(w.clinic.doctor_id).id),
    ),
    (
        "add own entry",
        OWN,
        lambda s, w, _: s.timetable.create_entry(
            w.own_doctor_id, TimetableEntryDraft(5, "09:00", "10:00", 30)
        ),
    ),
    (
        "add a colleague's entry",
        Permission.MANAGE_TIMETABLES,
        lambda s, w, _: s.timetable.create_entry(
            w.other_doctor_id, TimetableEntryDraft(5, "09:00", "10:00", 30)
        ),
    ),
    (
        "change own entry",
        OWN,
        lambda s, w, _: (
            (e := w.entry(w.own_doctor_id))
            and s.timetable.update_entry(
                e.id, TimetableEntryDraft(e.weekday, "08:00", "12:00", 30), e.version
            )
        ),
    ),
    (
        "delete a colleague's entry",
        Permission.MANAGE_TIMETABLES,
        lambda s, w, _: s.timetable.delete_entry(w.entry(w.other_doctor_id).id),
    ),
    (
        "view closures",
        Permission.VIEW_RECORDS,
        lambda s, w, _: s.timetable.closures(
            w.clinic.hospital_id, date(2026, 1, 1), date(2027, 12, 31)
        ),
    ),
    (
        "close the hospital",
        Permission.MANAGE_TIMETABLES,
        lambda s, w, _: s.timetable.add_closure(w.clinic.hospital_id, w.clinic.monday, "Strike"),
    ),
    (
        "reopen the hospital",
        Permission.MANAGE_TIMETABLES,
        lambda s, w, c: s.timetable.remove_closure(c.id),
        lambda w: w.admin.timetable.add_closure(w.clinic.hospital_id, w.clinic.monday, "Drill"),
    ),
    (
        "view absences",
        Permission.VIEW_RECORDS,
        lambda s, w, _: s.timetable.absences(w.clinic.doctor_id, w.at(0, 0), w.at(5, 0)),
    ),
    (
        "add own absence",
        OWN,
        lambda s, w, _: s.timetable.add_absence(
            w.own_doctor_id, _local(w, 3, 9), _local(w, 3, 10), "Course"
        ),
    ),
    (
        "add a colleague's absence",
        Permission.MANAGE_TIMETABLES,
        lambda s, w, _: s.timetable.add_absence(
            w.other_doctor_id, _local(w, 3, 9), _local(w, 3, 10), "Course"
        ),
    ),
    (
        "remove own absence",
        OWN,
        lambda s, w, a: s.timetable.remove_absence(a.id),
        lambda w: w.admin.timetable.add_absence(
            w.own_doctor_id, _local(w, 4, 9), _local(w, 4, 10), "Course"
        ),
    ),
    (
        "view cancelled days",
        Permission.VIEW_RECORDS,
        lambda s, w, _: s.timetable.cancelled_occurrences(
            w.clinic.doctor_id, date(2026, 1, 1), date(2027, 12, 31)
        ),
    ),
    (
        "cancel own day",
        OWN,
        lambda s, w, _: s.timetable.cancel_occurrence(
            w.entry(w.own_doctor_id).id,
            w.clinic.monday + timedelta(days=7 + w.entry(w.own_doctor_id).weekday),
            "Course",
        ),
    ),
    (
        "restore a colleague's day",
        Permission.MANAGE_TIMETABLES,
        lambda s, w, c: s.timetable.restore_occurrence(c.id),
        lambda w: w.admin.timetable.cancel_occurrence(
            (e := w.entry(w.other_doctor_id)).id,
            w.clinic.monday + timedelta(days=e.weekday),
            "Course",
        ),
    ),
    # the waitlist
    (
        "view waitlist",
        Permission.VIEW_PATIENTS,
        lambda s, w, _: s.waitlist.waiting(w.clinic.doctor_id),
    ),
    (
        "waitlist candidates",
        Permission.VIEW_PATIENTS,
        lambda s, w, _: s.waitlist.candidates(w.clinic.doctor_id, w.slot()),
    ),
    (
        "add to waitlist",
        Permission.BOOK,
        lambda s, w, _: s.waitlist.add(w.clinic.patient_ids[1], w.clinic.doctor_id),
    ),
    (
        "offer a slot",
        Permission.BOOK,
        lambda s, w, e: s.waitlist.offer(e.id, w.slot()),
        lambda w: w.admin.waitlist.add(w.clinic.patient_ids[2], w.clinic.doctor_id),
    ),
    (
        "remove from waitlist",
        Permission.BOOK,
        lambda s, w, e: s.waitlist.remove(e.id),
        lambda w: w.admin.waitlist.add(w.clinic.patient_ids[2], w.clinic.doctor_id),
    ),
    # import, summary, users, the audit trail
    ("import", Permission.IMPORT, lambda s, w, _: s.importer().run(SYNTHEA_TRIMMED)),
    ("summary", Permission.VIEW_RECORDS, lambda s, w, _: s.summary()),
    ("list users", Permission.MANAGE_USERS, lambda s, w, _: s.accounts.users(s.actor)),
    (
        "register a user",
        Permission.MANAGE_USERS,
        lambda s, w, _: s.accounts.register(
            s.actor, "newbie", "New Bie", Role.RECEPTIONIST, "initial-pass"
        ),
    ),
    (
        "reset a password",
        Permission.MANAGE_USERS,
        lambda s, w, _: s.accounts.reset_password(
            s.actor, w.users[Role.RECEPTIONIST].user_id, "another-pass"
        ),
    ),
    (
        "change a user's permissions",
        Permission.MANAGE_USERS,
        lambda s, w, _: s.accounts.update_user(
            s.actor, w.users[Role.MANAGER].user_id, granted=frozenset({Permission.BOOK})
        ),
    ),
    ("read the audit trail", Permission.VIEW_AUDIT, lambda s, w, _: s.audit.entries()),
]


def allowed(role: Role, needed: Permission) -> bool:
    held = ROLE_PERMISSIONS[role]
    if needed is OWN:  # own timetable: also whoever may manage every timetable
        return OWN in held or Permission.MANAGE_TIMETABLES in held
    return needed in held


def snapshot(services: AppServices) -> dict[str, list[Any]]:
    """Every row of every table but the audit trail, to show a refusal changed nothing."""
    tables = [t for t in Base.metadata.sorted_tables if t.name != AuditEntry.__tablename__]
    with services.engine.connect() as connection:
        return {
            t.name: [
                tuple(row)
                for row in connection.execute(t.select().order_by(*t.primary_key.columns))
            ]
            for t in tables
        }


def audit_after(services: AppServices, last_id: int) -> list[AuditRecord]:
    with services.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id)
        )
        return [audit_record(row) for row in rows]


def last_audit_id(services: AppServices) -> int:
    with services.unit_of_work() as uow:
        return uow.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0


def make_world(services: AppServices) -> World:
    clinic = make_clinic(services)  # set-up mode: no users yet
    other = services.doctors.create(DoctorDraft("Dr Other", clinic.hospital_id))
    for weekday in (2, 3):  # two, so one can be deleted and one still cancelled
        services.timetable.create_entry(
            other.id, TimetableEntryDraft(weekday, "14:00", "17:00", 30)
        )
    first = services.accounts.create_first_admin("admin", "Ada Admin", "admin-password", DESK)
    admin_actor = Actor(first.id, first.username, DESK)
    users = {Role.ADMIN: admin_actor}
    for role in (Role.MANAGER, Role.RECEPTIONIST, Role.DOCTOR):
        user = services.accounts.register(
            admin_actor,
            f"{role.value}-user",
            f"A {role.label}",
            role,
            "initial-pass",
            doctor_id=clinic.doctor_id if role is Role.DOCTOR else None,
        )
        users[role] = Actor(user.id, user.username, DESK)
    return World(services.for_actor(admin_actor), clinic, clinic.doctor_id, other.id, users)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_call_as_every_role(services, role: Role):
    world = make_world(services)
    actor = world.users[role]
    as_role = services.for_actor(actor)
    outcomes: dict[str, bool] = {}
    for what, needed, call, *prepare in CALLS:
        _fresh(services)
        prepared = prepare[0](world) if prepare else None
        before, last = snapshot(services), last_audit_id(services)
        try:
            call(as_role, world, prepared)
        except PermissionDeniedError:
            outcomes[what] = False
            entries = audit_after(services, last)
            assert snapshot(services) == before, f"{what}: a refused call changed the database"
            assert [(e.outcome, e.user_id, e.workstation) for e in entries] == [
                ("denied", actor.user_id, DESK)
            ], what
            asked = Permission.MANAGE_TIMETABLES if needed is OWN else needed
            assert entries[0].changes["needs"][1] == asked.value, what
        else:
            outcomes[what] = True
            entries = audit_after(services, last)
            assert all(e.user_id == actor.user_id for e in entries), f"{what}: audited as another"
            if snapshot(services) != before:
                assert entries, f"{what}: a write without an audit entry"
        assert outcomes[what] == allowed(role, needed), f"{role.value} {what}"
    # The matrix in words, for the roles a reader would check first.
    if role is Role.RECEPTIONIST:
        assert outcomes["book"] and outcomes["cancel"] and not outcomes["list users"]
        assert not outcomes["close the hospital"] and not outcomes["read the audit trail"]
    if role is Role.DOCTOR:
        assert outcomes["add own entry"] and not outcomes["add a colleague's entry"]
        assert outcomes["check in"] and not outcomes["book"] and not outcomes["register patient"]
    if role is Role.MANAGER:
        assert outcomes["close the hospital"] and not outcomes["book"]
        assert not outcomes["update patient"] and not outcomes["list users"]


def _fresh(services: AppServices) -> None:
    """Undo what earlier calls booked or archived, so each call meets the same free week."""
    with services.engine.begin() as connection:
        for table in ("hospitals", "doctors", "patients"):
            connection.execute(text(f"UPDATE {table} SET archived_at = NULL"))
        connection.execute(text("DELETE FROM waitlist_entries"))
        connection.execute(text("UPDATE appointments SET rescheduled_from_id = NULL"))
        connection.execute(text("DELETE FROM appointments"))
        connection.execute(text("DELETE FROM hospital_closures"))
        connection.execute(text("DELETE FROM doctor_absences"))
        connection.execute(text("DELETE FROM cancelled_occurrences"))


def test_nobody_logged_in_is_refused_once_users_exist(services):
    world = make_world(services)
    anonymous = services.for_actor(None)
    before = snapshot(services)
    with pytest.raises(PermissionDeniedError, match="log in"):
        anonymous.patients.list(ListQuery())
    with pytest.raises(PermissionDeniedError, match="log in"):
        anonymous.accounts.register(None, "x", "X", Role.ADMIN, "whatever-pass")
    assert snapshot(services) == before
    assert world.users


def test_a_deactivated_user_is_refused_on_the_next_call(services):
    world = make_world(services)
    clerk = services.for_actor(world.users[Role.RECEPTIONIST])
    clerk.patients.list(ListQuery())
    world.admin.accounts.update_user(
        world.users[Role.ADMIN], world.users[Role.RECEPTIONIST].user_id, active=False
    )
    with pytest.raises(PermissionDeniedError, match="no longer active"):
        clerk.patients.list(ListQuery())


def test_a_removal_at_one_workstation_applies_to_the_next_call_at_another(services):
    """Two workstations on one database: the administrator's, and the clerk's, logged in
    before the change; the clerk's very next call is refused, and allowed again as fast."""
    world = make_world(services)
    other_workstation = open_services(services.url)
    try:
        clerk = other_workstation.for_actor(world.users[Role.RECEPTIONIST])
        clerk.patients.list(ListQuery())
        request = BookingRequest(
            world.clinic.patient_ids[0], world.clinic.doctor_id, world.at(1, 9)
        )
        world.admin.accounts.update_user(
            world.users[Role.ADMIN],
            world.users[Role.RECEPTIONIST].user_id,
            removed=frozenset({Permission.BOOK}),
        )
        with pytest.raises(PermissionDeniedError):
            clerk.booking.book(request)
        assert clerk.patients.list(ListQuery()).items  # only booking was taken away
        world.admin.accounts.update_user(
            world.users[Role.ADMIN], world.users[Role.RECEPTIONIST].user_id, removed=frozenset()
        )
        assert clerk.booking.book(request).status.value == "booked"
    finally:
        other_workstation.close()


def test_a_doctor_prints_their_own_week_only(services, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("weeks")
    world = make_world(services)
    doctor = services.for_actor(world.users[Role.DOCTOR])
    own = doctor.booking.week(world.own_doctor_id, world.clinic.monday)
    doctor.reports.export_week(world.own_doctor_id, own, tmp_path / "mine.pdf")
    assert (tmp_path / "mine.pdf").read_bytes().startswith(b"%PDF")
    other = world.admin.booking.week(world.other_doctor_id, world.clinic.monday)
    with pytest.raises(PermissionDeniedError):
        doctor.reports.export_week(world.other_doctor_id, other, tmp_path / "theirs.pdf")
    clerk = services.for_actor(world.users[Role.RECEPTIONIST])
    with pytest.raises(PermissionDeniedError):
        clerk.reports.export_week(world.own_doctor_id, own, tmp_path / "clerk.pdf")
    assert sorted(p.name for p in tmp_path.glob("*.pdf*")) == ["mine.pdf"]
