"""The one place that answers "may this user do this, now?".

Every service asks before it reads or writes, against the database as it is at that moment,
so a permission taken away at one workstation is enforced on the very next call at every
other. A refusal is written to the audit trail on its own (the work it refused never
happened, so there is no transaction of its to join).

A database with no users at all is in set-up mode: there is nobody to log in as yet, so
everything is allowed until the first administrator exists.
"""

from __future__ import annotations

from sqlalchemy import func, select

from hospital_desktop.core.db.models import User, UserPermission
from hospital_desktop.core.db.uow import UnitOfWork, UnitOfWorkFactory
from hospital_desktop.core.domain.errors import DomainError
from hospital_desktop.core.domain.security import (
    Actor,
    Permission,
    Role,
    UserRecord,
    allows,
)
from hospital_desktop.core.services.audit import write_entry


class PermissionDeniedError(DomainError):
    pass


LOG_IN_FIRST = "Please log in first."
NO_LONGER_ACTIVE = "Your account is no longer active. Ask an administrator."


def user_record(user: User, rows: list[UserPermission]) -> UserRecord:
    return UserRecord(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=Role(user.role),
        doctor_id=user.doctor_id,
        active=user.active,
        must_change_password=user.must_change_password,
        failed_logins=user.failed_logins,
        locked_until=user.locked_until,
        granted=frozenset(Permission(r.permission) for r in rows if r.granted),
        removed=frozenset(Permission(r.permission) for r in rows if not r.granted),
        version=user.version,
    )


def permission_rows(uow: UnitOfWork, user_id: int) -> list[UserPermission]:
    return list(
        uow.session.scalars(select(UserPermission).where(UserPermission.user_id == user_id))
    )


class AccessGuard:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def require(
        self,
        actor: Actor | None,
        permission: Permission,
        action: str,
        *,
        doctor_id: int | None = None,
    ) -> None:
        """Refuse, and record the refusal, unless ``actor`` may do ``permission`` now.

        ``doctor_id`` names the doctor the work is about, for permissions a doctor holds
        over their own record only (their timetable).
        """
        refusal = self._refusal(actor, permission, doctor_id)
        if refusal is None:
            return
        with self._uow_factory() as uow:
            write_entry(
                uow,
                actor,
                action,
                outcome="denied",
                changes={"needs": [None, permission.value]},
            )
            uow.commit()
        raise PermissionDeniedError(refusal)

    def _refusal(
        self, actor: Actor | None, permission: Permission, doctor_id: int | None
    ) -> str | None:
        with self._uow_factory() as uow:
            if actor is None:
                has_users = uow.session.scalar(select(func.count()).select_from(User))
                return LOG_IN_FIRST if has_users else None
            user = uow.session.get(User, actor.user_id)
            if user is None or not user.active:
                return NO_LONGER_ACTIVE
            held = user_record(user, permission_rows(uow, user.id)).permissions
            if allows(held, permission, own_doctor_id=user.doctor_id, doctor_id=doctor_id):
                return None
            return (
                f"You may not do that ({permission.label.lower()}). Ask an administrator if "
                "your work needs it."
            )
