"""Accounts: the first administrator, login with lockout, passwords, roles and permissions.

Passwords are hashed with argon2id at argon2-cffi's recommended parameters and re-hashed
when those change; they are never stored, logged or returned in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from hospital_desktop.core.db.models import User, UserPermission
from hospital_desktop.core.db.uow import UnitOfWork, UnitOfWorkFactory
from hospital_desktop.core.domain.clock import utc_now
from hospital_desktop.core.domain.errors import DomainError, ValidationError
from hospital_desktop.core.domain.security import (
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    Role,
    UserRecord,
    effective_permissions,
)
from hospital_desktop.core.domain.validation import FieldChecker
from hospital_desktop.core.services.audit import differences, write_entry
from hospital_desktop.core.services.base import Service, check_version, require
from hospital_desktop.core.services.changes import Change, ChangeHub, Entity
from hospital_desktop.core.services.guard import (
    LOG_IN_FIRST,
    NO_LONGER_ACTIVE,
    AccessGuard,
    PermissionDeniedError,
    permission_rows,
    user_record,
)

__all__ = ["AccountLockedError", "AccountService", "AuthenticationError", "PermissionDeniedError"]

MIN_PASSWORD_LENGTH = 8
WRONG_LOGIN = "The user name or the password is wrong."


class _Unchanged:
    """Marks an argument left as it is (where None has a meaning of its own)."""


UNCHANGED = _Unchanged()


class AuthenticationError(DomainError):
    """Wrong user name or password (the message does not say which)."""


class AccountLockedError(DomainError):
    pass


@dataclass(frozen=True)
class SecuritySettings:
    max_failed_logins: int = 5
    lockout: timedelta = timedelta(minutes=15)


def _by_username(uow: UnitOfWork, username: str) -> User | None:
    return uow.session.scalars(
        select(User).where(User.username == username.strip().lower())
    ).first()


class AccountService(Service):
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        changes: ChangeHub,
        settings: SecuritySettings | None = None,
        hasher: PasswordHasher | None = None,
        *,
        actor: Actor | None = None,
        guard: AccessGuard | None = None,
    ) -> None:
        super().__init__(uow_factory, changes, actor, guard)
        self.settings = settings or SecuritySettings()
        self._hasher = hasher or PasswordHasher()

    # --- who may do what (every service asks here, against the database as it is now) ---

    def current(self, actor: Actor) -> UserRecord:
        with self._uow() as uow:
            user = uow.session.get(User, actor.user_id)
            if user is None or not user.active:
                raise PermissionDeniedError(NO_LONGER_ACTIVE)
            return user_record(user, permission_rows(uow, user.id))

    def require(
        self,
        actor: Actor | None,
        permission: Permission,
        action: str,
        *,
        doctor_id: int | None = None,
    ) -> None:
        """Refuse (and record the refusal) unless ``actor`` may do ``permission`` now."""
        self._guard.require(actor, permission, action, doctor_id=doctor_id)

    def _require_administrator(self, actor: Actor | None, action: str) -> None:
        """User administration always needs somebody logged in, even in set-up mode: the
        first account is made by ``create_first_admin`` and nothing else."""
        if actor is None:
            raise PermissionDeniedError(LOG_IN_FIRST)
        self._guard.require(actor, Permission.MANAGE_USERS, action)

    def _refuse_raising(
        self,
        actor: Actor,
        granting: frozenset[Permission],
        over: UserRecord | None,
        action: str,
    ) -> None:
        """Nobody gives what they do not hold: a user who may manage users (an administrator,
        or someone granted that) cannot make an account with more rights than their own,
        nor change one that has more, so no detour through a new account raises them."""
        mine = self.current(actor).permissions
        beyond = (granting | (over.permissions if over is not None else frozenset())) - mine
        if beyond:
            names = ", ".join(sorted(p.label.lower() for p in beyond))
            with self._uow() as uow:
                write_entry(
                    uow,
                    actor,
                    action,
                    entity="user",
                    record_id=over.id if over is not None else None,
                    outcome="denied",
                    changes={"beyond own rights": [None, sorted(p.value for p in beyond)]},
                )
                uow.commit()
            raise PermissionDeniedError(
                f"You cannot give or change rights you do not have yourself ({names}); ask "
                "an administrator."
            )

    # --- first start and login ------------------------------------------------------------

    def has_users(self) -> bool:
        with self._uow() as uow:
            return bool(uow.session.scalar(select(func.count()).select_from(User)))

    def create_first_admin(
        self, username: str, full_name: str, password: str, workstation: str
    ) -> UserRecord:
        """The first administrator of a database with no users (first start, or the CLI)."""
        values = self._validate_new(username, full_name, password)
        with self._uow(serialized=True) as uow:
            if uow.session.scalar(select(func.count()).select_from(User)):
                raise DomainError(
                    "This database already has users; an administrator must add new ones."
                )
            user = User(
                **values,
                role=Role.ADMIN.value,
                password_hash=self._hasher.hash(password),
                must_change_password=False,
            )
            uow.session.add(user)
            uow.session.flush()
            actor = Actor(user.id, user.username, workstation)
            write_entry(
                uow,
                actor,
                "create-first-admin",
                entity="user",
                record_id=user.id,
                changes=differences(None, {"username": user.username, "role": user.role}),
            )
            uow.commit()
            record = user_record(user, [])
        self._changes.publish(Change.of(Entity.USER, record.id))
        return record

    def login(self, username: str, password: str, workstation: str) -> UserRecord:
        now = utc_now()
        with self._uow(serialized=True) as uow:
            user = _by_username(uow, username)
            if user is not None and not user.active and self._verifies(user, password):
                # Only to whoever knows the password: the account exists but is switched off.
                write_entry(
                    uow,
                    None,
                    "login",
                    entity="user",
                    record_id=user.id,
                    outcome="inactive",
                    username=user.username,
                    workstation=workstation,
                )
                uow.commit()
                raise AuthenticationError(
                    "This account has been deactivated. Ask an administrator if you still need it."
                )
            if user is None or not user.active:
                write_entry(
                    uow,
                    None,
                    "login",
                    outcome="failed",
                    username=username.strip().lower()[:64],
                    workstation=workstation,
                )
                uow.commit()
                raise AuthenticationError(WRONG_LOGIN)
            actor = Actor(user.id, user.username, workstation)
            if user.locked_until is not None and user.locked_until > now:
                write_entry(uow, actor, "login", entity="user", record_id=user.id, outcome="locked")
                uow.commit()
                raise AccountLockedError(self._locked_message(user.locked_until))
            if not self._verifies(user, password):
                self._count_failure(uow, user, actor, "login", now)
                raise AuthenticationError(WRONG_LOGIN)
            if self._hasher.check_needs_rehash(user.password_hash):
                user.password_hash = self._hasher.hash(password)
            user.failed_logins = 0
            user.locked_until = None
            write_entry(uow, actor, "login", entity="user", record_id=user.id)
            uow.commit()
            return user_record(user, permission_rows(uow, user.id))

    def verify_password(self, actor: Actor, password: str) -> bool:
        """For unlocking an idle session: the same checks and counting as a login."""
        try:
            self.login(actor.username, password, actor.workstation)
        except (AuthenticationError, AccountLockedError):
            return False
        return True

    def change_password(self, actor: Actor, old_password: str, new_password: str) -> UserRecord:
        check = FieldChecker()
        self._check_password(check, "new_password", new_password)
        if new_password == old_password:
            check.fail("new_password", "Choose a password different from the old one.")
        check.done()
        with self._uow(serialized=True) as uow:
            user = require(uow.session.get(User, actor.user_id), "user", actor.user_id)
            now = utc_now()
            if user.locked_until is not None and user.locked_until > now:
                raise AccountLockedError(self._locked_message(user.locked_until))
            if not self._verifies(user, old_password):
                self._count_failure(uow, user, actor, "change-password", now)
                raise ValidationError({"old_password": "The current password is wrong."})
            user.password_hash = self._hasher.hash(new_password)
            user.must_change_password = False
            write_entry(
                uow,
                actor,
                "change-password",
                entity="user",
                record_id=user.id,
                changes={"password": ["(hidden)", "(changed)"]},
            )
            uow.commit()
            record = user_record(user, permission_rows(uow, user.id))
        self._changes.publish(Change.of(Entity.USER, record.id))
        return record

    # --- administration ---------------------------------------------------------------

    def users(self, actor: Actor) -> list[UserRecord]:
        self._require_administrator(actor, "list-users")
        with self._uow() as uow:
            users = uow.session.scalars(select(User).order_by(User.username))
            return [user_record(user, permission_rows(uow, user.id)) for user in users]

    def register(
        self,
        actor: Actor,
        username: str,
        full_name: str,
        role: Role | str,
        initial_password: str,
        doctor_id: int | None = None,
    ) -> UserRecord:
        """A new user, who must change the initial password at first login."""
        self._require_administrator(actor, "register-user")
        values = self._validate_new(username, full_name, initial_password)
        try:
            chosen = Role(role)
        except ValueError:
            raise ValidationError(
                {"role": "Choose the role: admin, manager, receptionist or doctor."}
            ) from None
        self._refuse_raising(actor, ROLE_PERMISSIONS[chosen], None, "register-user")
        with self._uow(serialized=True) as uow:
            if _by_username(uow, values["username"]) is not None:
                raise ValidationError({"username": f"The user name {values['username']} is taken."})
            if doctor_id is not None and uow.doctors.get(doctor_id) is None:
                raise ValidationError({"doctor_id": "The chosen doctor no longer exists."})
            user = User(
                **values,
                role=chosen.value,
                doctor_id=doctor_id,
                password_hash=self._hasher.hash(initial_password),
                must_change_password=True,
            )
            uow.session.add(user)
            uow.session.flush()
            write_entry(
                uow,
                actor,
                "register-user",
                entity="user",
                record_id=user.id,
                changes=differences(
                    None,
                    {
                        "username": user.username,
                        "full_name": user.full_name,
                        "role": user.role,
                        "doctor_id": doctor_id,
                    },
                ),
            )
            uow.commit()
            record = user_record(user, [])
        self._changes.publish(Change.of(Entity.USER, record.id))
        return record

    def reset_password(self, actor: Actor, user_id: int, new_password: str) -> UserRecord:
        """Unlocks the account and zeroes its failed logins; the user must change it again.

        Only for accounts with no more rights than the one resetting (else resetting an
        administrator's password would be a way into their account)."""
        self._require_administrator(actor, "reset-password")
        check = FieldChecker()
        self._check_password(check, "new_password", new_password)
        check.done()
        self._refuse_raising(actor, frozenset(), self._record_of(user_id), "reset-password")
        with self._uow(serialized=True) as uow:
            user = require(uow.session.get(User, user_id), "user", user_id)
            before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
            user.password_hash = self._hasher.hash(new_password)
            user.failed_logins = 0
            user.locked_until = None
            user.must_change_password = True
            changes = differences(before, {"failed_logins": 0, "locked_until": None})
            changes["password"] = ["(hidden)", "(reset)"]
            write_entry(
                uow, actor, "reset-password", entity="user", record_id=user.id, changes=changes
            )
            uow.commit()
            record = user_record(user, permission_rows(uow, user.id))
        self._changes.publish(Change.of(Entity.USER, record.id))
        return record

    def update_user(
        self,
        actor: Actor,
        user_id: int,
        *,
        role: Role | str | None = None,
        active: bool | None = None,
        granted: frozenset[Permission] | None = None,
        removed: frozenset[Permission] | None = None,
        doctor_id: int | _Unchanged | None = UNCHANGED,
        expected_version: int | None = None,
    ) -> UserRecord:
        """Role, active flag, linked doctor and per-user permissions (the seed's
        PUT /users/{id}/permissions); ``doctor_id=None`` removes the link.

        Nobody changes their own; the last active administrator stays one.
        """
        self._require_administrator(actor, "update-user")
        if user_id == actor.user_id:
            raise PermissionDeniedError(
                "You cannot change your own role or permissions; ask another administrator."
            )
        seen = self._record_of(user_id)
        self._refuse_raising(
            actor,
            effective_permissions(
                Role(role) if role is not None else seen.role,
                seen.granted if granted is None else frozenset(granted),
                seen.removed if removed is None else frozenset(removed),
            ),
            seen,
            "update-user",
        )
        with self._uow(serialized=True) as uow:
            user = require(uow.session.get(User, user_id), "user", user_id)
            check_version(user, "user", expected_version)
            old = user_record(user, permission_rows(uow, user.id))
            new_role = Role(role) if role is not None else old.role
            new_active = old.active if active is None else active
            if (
                old.role is Role.ADMIN
                and old.active
                and (new_role is not Role.ADMIN or not new_active)
            ):
                admins = uow.session.scalar(
                    select(func.count())
                    .select_from(User)
                    .where(User.role == Role.ADMIN.value, User.active.is_(True))
                )
                if (admins or 0) <= 1:
                    raise DomainError(
                        "This is the last administrator; make someone else an administrator first."
                    )
            user.role, user.active = new_role.value, new_active
            old_doctor = user.doctor_id
            if not isinstance(doctor_id, _Unchanged) and doctor_id != user.doctor_id:
                if doctor_id is not None and uow.doctors.get(doctor_id) is None:
                    raise ValidationError({"doctor_id": "The chosen doctor no longer exists."})
                user.doctor_id = doctor_id
            new_granted = old.granted if granted is None else frozenset(granted)
            new_removed = old.removed if removed is None else frozenset(removed)
            if new_granted & new_removed:
                raise ValidationError(
                    {"permissions": "A permission cannot be both granted and removed."}
                )
            for row in permission_rows(uow, user.id):
                uow.session.delete(row)
            uow.session.flush()
            for permission in new_granted:
                uow.session.add(
                    UserPermission(user_id=user.id, permission=permission.value, granted=True)
                )
            for permission in new_removed:
                uow.session.add(
                    UserPermission(user_id=user.id, permission=permission.value, granted=False)
                )
            flag_modified(user, "role")  # a new version even when only permissions changed
            uow.session.flush()
            new = user_record(user, permission_rows(uow, user.id))
            changes = differences(
                {
                    "role": old.role,
                    "active": old.active,
                    "doctor_id": old_doctor,
                    "granted": old.granted,
                    "removed": old.removed,
                },
                {
                    "role": new.role,
                    "active": new.active,
                    "doctor_id": new.doctor_id,
                    "granted": new.granted,
                    "removed": new.removed,
                },
            )
            write_entry(
                uow, actor, "update-user", entity="user", record_id=user.id, changes=changes
            )
            uow.commit()
            record = new
        self._changes.publish(Change.of(Entity.USER, record.id))
        return record

    # --- helpers -----------------------------------------------------------------------

    def _record_of(self, user_id: int) -> UserRecord:
        with self._uow() as uow:
            user = require(uow.session.get(User, user_id), "user", user_id)
            return user_record(user, permission_rows(uow, user.id))

    def _verifies(self, user: User, password: str) -> bool:
        try:
            return bool(self._hasher.verify(user.password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def _count_failure(
        self, uow: UnitOfWork, user: User, actor: Actor, action: str, now: datetime
    ) -> None:
        """A wrong password, at login, unlock or password change: counted, recorded and
        committed; the fifth in a row locks the account (raising AccountLockedError)."""
        user.failed_logins += 1
        outcome = "failed"
        if user.failed_logins >= self.settings.max_failed_logins:
            user.locked_until = now + self.settings.lockout
            outcome = "lockout"
        write_entry(
            uow,
            actor,
            action,
            entity="user",
            record_id=user.id,
            outcome=outcome,
            changes={"failed_logins": [user.failed_logins - 1, user.failed_logins]},
        )
        uow.commit()
        if outcome == "lockout":
            raise AccountLockedError(self._locked_message(user.locked_until))

    def _locked_message(self, until: datetime | None) -> str:
        minutes = self.settings.lockout.total_seconds() / 60
        return (
            f"This account is locked for {minutes:.0f} minutes after too many wrong passwords. "
            "Try again later, or ask an administrator to reset the password."
        )

    def _validate_new(self, username: str, full_name: str, password: str) -> dict[str, str]:
        check = FieldChecker()
        name = check.text("username", "User name", username, max_length=64, required=True).lower()
        if name and not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
            check.fail("username", "A user name may hold letters, digits, '.', '-' and '_' only.")
        full = check.text("full_name", "Full name", full_name, max_length=200, required=True)
        self._check_password(check, "password", password)
        check.done()
        return {"username": name, "full_name": full}

    @staticmethod
    def _check_password(check: FieldChecker, field: str, password: str) -> None:
        if len(password or "") < MIN_PASSWORD_LENGTH:
            check.fail(field, f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
