"""Roles and permissions: who may see and change what.

Each role has a default set of permissions; an administrator can grant a user more or take
some away. The services check the permission on every call against the database, so a
change takes effect on the next action at every workstation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Permission(enum.StrEnum):
    VIEW_PATIENTS = "view-patients"
    EDIT_PATIENTS = "edit-patients"
    VIEW_RECORDS = "view-records"  # hospitals and doctors
    EDIT_RECORDS = "edit-records"
    BOOK = "book"
    CANCEL = "cancel"
    CHECK_IN = "check-in"
    MANAGE_TIMETABLES = "manage-timetables"
    MANAGE_OWN_TIMETABLE = "manage-own-timetable"  # a doctor's own, through the user's link
    IMPORT = "import"
    VIEW_REPORTS = "view-reports"
    EXPORT = "export"
    MANAGE_USERS = "manage-users"
    VIEW_AUDIT = "view-audit"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    RECEPTIONIST = "receptionist"
    DOCTOR = "doctor"

    @property
    def label(self) -> str:
        return self.value.capitalize()


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MANAGER: frozenset(
        {
            Permission.VIEW_PATIENTS,
            Permission.VIEW_RECORDS,
            Permission.EDIT_RECORDS,
            Permission.MANAGE_TIMETABLES,
            Permission.VIEW_REPORTS,
            Permission.EXPORT,
        }
    ),
    Role.RECEPTIONIST: frozenset(
        {
            Permission.VIEW_PATIENTS,
            Permission.EDIT_PATIENTS,
            Permission.VIEW_RECORDS,
            Permission.BOOK,
            Permission.CANCEL,
            Permission.CHECK_IN,
        }
    ),
    Role.DOCTOR: frozenset(
        {
            Permission.VIEW_PATIENTS,
            Permission.VIEW_RECORDS,
            Permission.CHECK_IN,
            Permission.MANAGE_OWN_TIMETABLE,
        }
    ),
}


def effective_permissions(
    role: Role, granted: frozenset[Permission], removed: frozenset[Permission]
) -> frozenset[Permission]:
    return (ROLE_PERMISSIONS[role] | granted) - removed


# Permissions that also hold, for a doctor, when the work is on their own doctor record:
# managing their own timetable, and printing their own week.
OWN_ONLY = {
    Permission.MANAGE_TIMETABLES: Permission.MANAGE_OWN_TIMETABLE,
    Permission.EXPORT: Permission.MANAGE_OWN_TIMETABLE,
}


def allows(
    held: frozenset[Permission],
    permission: Permission,
    *,
    own_doctor_id: int | None = None,
    doctor_id: int | None = None,
) -> bool:
    """Whether ``held`` covers ``permission`` for work on ``doctor_id`` (the one rule the
    services enforce and the window uses to hide what would be refused)."""
    if permission in held:
        return True
    own = OWN_ONLY.get(permission)
    return own in held and doctor_id is not None and own_doctor_id == doctor_id


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    username: str
    full_name: str
    role: Role
    doctor_id: int | None
    active: bool
    must_change_password: bool
    failed_logins: int
    locked_until: datetime | None
    granted: frozenset[Permission]
    removed: frozenset[Permission]
    version: int

    @property
    def permissions(self) -> frozenset[Permission]:
        return effective_permissions(self.role, self.granted, self.removed)

    def may(self, permission: Permission, doctor_id: int | None = None) -> bool:
        return allows(
            self.permissions, permission, own_doctor_id=self.doctor_id, doctor_id=doctor_id
        )

    @property
    def actor_name(self) -> str:
        return f"{self.full_name} ({self.username})"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, and from which workstation: what the services check and audit."""

    user_id: int
    username: str
    workstation: str
