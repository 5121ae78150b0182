"""Accounts (issue 4, first part): first administrator, login, lockout and reset, password
change, permissions taking effect at once, and the audit entries they leave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from hospital_desktop.core.domain.errors import DomainError, ValidationError
from hospital_desktop.core.domain.security import Actor, Permission, Role
from hospital_desktop.core.services.accounts import (
    AccountLockedError,
    AuthenticationError,
    PermissionDeniedError,
)
from hospital_desktop.core.services.audit import recent_entries

DESK = "front-desk-1"


@pytest.fixture
def admin(services):
    record = services.accounts.create_first_admin("Admin", "Ada Admin", "correct horse", DESK)
    return Actor(record.id, record.username, DESK)


def test_the_first_administrator_only_on_an_empty_database(services, admin):
    assert services.accounts.has_users()
    with pytest.raises(DomainError, match="already has users"):
        services.accounts.create_first_admin("eve", "Eve", "12345678", DESK)
    with services.unit_of_work() as uow:
        stored = uow.session.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_login_and_wrong_password(services, admin):
    assert services.accounts.login("ADMIN", "correct horse", DESK).role is Role.ADMIN
    with pytest.raises(AuthenticationError, match="user name or the password is wrong"):
        services.accounts.login("admin", "wrong", DESK)
    with pytest.raises(AuthenticationError, match="user name or the password is wrong"):
        services.accounts.login("nobody", "wrong", DESK)


def test_lockout_after_five_and_unlock_by_reset(services, admin):
    clerk = services.accounts.register(
        admin, "clerk", "Carla Clerk", Role.RECEPTIONIST, "initial-pass"
    )
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            services.accounts.login("clerk", "nope", DESK)
    with pytest.raises(AccountLockedError, match="locked for 15 minutes"):
        services.accounts.login("clerk", "nope", DESK)
    with pytest.raises(AccountLockedError):  # even the right password, while locked
        services.accounts.login("clerk", "initial-pass", DESK)
    reset = services.accounts.reset_password(admin, clerk.id, "brand-new-pass")
    assert reset.failed_logins == 0 and reset.locked_until is None and reset.must_change_password
    with pytest.raises(AuthenticationError):
        services.accounts.login("clerk", "initial-pass", DESK)  # the old password is gone
    assert services.accounts.login("clerk", "brand-new-pass", DESK).failed_logins == 0
    with services.unit_of_work() as uow:
        stored = uow.session.execute(
            text("SELECT password_hash FROM users WHERE id = :i"), {"i": clerk.id}
        ).scalar_one()
        outcomes = [e.outcome for e in recent_entries(uow, username="clerk") if e.action == "login"]
    assert stored.startswith("$argon2id$")
    assert outcomes.count("failed") == 5 and "lockout" in outcomes and "locked" in outcomes


def test_password_change_at_first_login(services, admin):
    services.accounts.register(admin, "doc", "Dr Who", Role.DOCTOR, "initial-pass")
    first = services.accounts.login("doc", "initial-pass", DESK)
    assert first.must_change_password
    actor = Actor(first.id, first.username, DESK)
    with pytest.raises(ValidationError) as refused:
        services.accounts.change_password(actor, "initial-pass", "short")
    assert "new_password" in refused.value.field_errors
    with pytest.raises(ValidationError):
        services.accounts.change_password(actor, "not-the-old", "long enough now")
    changed = services.accounts.change_password(actor, "initial-pass", "long enough now")
    assert not changed.must_change_password
    assert services.accounts.login("doc", "long enough now", DESK)


def test_a_removed_permission_applies_on_the_very_next_call_of_another_session(services, admin):
    clerk = services.accounts.register(
        admin, "clerk", "Carla Clerk", Role.RECEPTIONIST, "initial-pass"
    )
    logged_in = services.accounts.login("clerk", "initial-pass", "front-desk-2")
    clerk_actor = Actor(logged_in.id, logged_in.username, "front-desk-2")
    services.accounts.require(clerk_actor, Permission.BOOK, "book")
    services.accounts.update_user(admin, clerk.id, removed=frozenset({Permission.BOOK}))
    with pytest.raises(PermissionDeniedError):
        services.accounts.require(clerk_actor, Permission.BOOK, "book")
    services.accounts.update_user(admin, clerk.id, removed=frozenset())
    services.accounts.require(clerk_actor, Permission.BOOK, "book")
    with services.unit_of_work() as uow:
        denied = [e for e in recent_entries(uow, username="clerk") if e.outcome == "denied"]
    assert len(denied) == 1 and denied[0].workstation == "front-desk-2"


def test_nobody_raises_their_own_rights_and_the_last_admin_stays(services, admin):
    with pytest.raises(PermissionDeniedError, match="your own"):
        services.accounts.update_user(admin, admin.user_id, role=Role.MANAGER)
    clerk = services.accounts.register(
        admin, "clerk", "Carla Clerk", Role.RECEPTIONIST, "initial-pass"
    )
    clerk_actor = Actor(clerk.id, clerk.username, DESK)
    with pytest.raises(PermissionDeniedError):
        services.accounts.update_user(clerk_actor, clerk.id, role=Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        services.accounts.register(clerk_actor, "mallory", "Mallory", Role.ADMIN, "12345678")
    second = services.accounts.register(admin, "root2", "Second Admin", Role.ADMIN, "initial-pass")
    second_actor = Actor(second.id, second.username, DESK)
    services.accounts.update_user(
        second_actor, admin.user_id, role=Role.MANAGER
    )  # fine: one admin left
    with pytest.raises(PermissionDeniedError, match="your own"):
        services.accounts.update_user(second_actor, second.id, active=False)
    demoted = Actor(admin.user_id, admin.username, DESK)  # a manager now: may not manage users
    with pytest.raises(PermissionDeniedError):
        services.accounts.update_user(demoted, second.id, active=False)
    third = services.accounts.register(second_actor, "root3", "Third", Role.MANAGER, "initial-pass")
    services.accounts.update_user(second_actor, third.id, role=Role.ADMIN)
    third_actor = Actor(third.id, third.username, DESK)
    services.accounts.update_user(third_actor, second.id, role=Role.RECEPTIONIST)
    # third is the only administrator now: they cannot demote themselves, nobody else may
    with pytest.raises(PermissionDeniedError, match="your own"):
        services.accounts.update_user(third_actor, third.id, role=Role.MANAGER)
    with pytest.raises(PermissionDeniedError):
        services.accounts.update_user(second_actor, third.id, role=Role.MANAGER)


def test_the_audit_trail_is_append_only(services, admin):
    with services.unit_of_work() as uow, pytest.raises(Exception, match="append-only"):
        uow.session.execute(text("UPDATE audit_entries SET username = 'someone else'"))
    with services.unit_of_work() as uow, pytest.raises(Exception, match="append-only"):
        uow.session.execute(text("DELETE FROM audit_entries"))


def test_lockout_time_passes(services, admin):
    from hospital_desktop.core.services.accounts import AccountService, SecuritySettings

    quick = AccountService(
        services.uow_factory,
        services.changes,
        SecuritySettings(max_failed_logins=2, lockout=timedelta(seconds=0)),
    )
    services.accounts.register(admin, "clerk", "Carla Clerk", Role.RECEPTIONIST, "initial-pass")
    for _ in range(2):
        with pytest.raises((AuthenticationError, AccountLockedError)):
            quick.login("clerk", "nope", DESK)
    assert quick.login("clerk", "initial-pass", DESK).failed_logins == 0


def test_manage_users_granted_to_a_manager_does_not_lead_to_admin(services, admin):
    """A manager given 'manage users' may not register an administrator, promote anyone
    past their own rights, or reset an administrator's password (a way into that account)."""
    boss = services.accounts.register(admin, "mgr", "Max Manager", Role.MANAGER, "initial-pass")
    services.accounts.update_user(admin, boss.id, granted=frozenset({Permission.MANAGE_USERS}))
    manager = Actor(boss.id, boss.username, DESK)
    with pytest.raises(PermissionDeniedError, match="do not have yourself"):
        services.accounts.register(manager, "mgr.admin", "Sneaky", Role.ADMIN, "initial-pass")
    with pytest.raises(PermissionDeniedError, match="book"):  # a receptionist may book
        services.accounts.register(manager, "clerk", "Carla Clerk", Role.RECEPTIONIST, "pass-word")
    colleague = services.accounts.register(manager, "mgr2", "Mo Manager", Role.MANAGER, "pass-word")
    with pytest.raises(PermissionDeniedError):
        services.accounts.update_user(manager, colleague.id, role=Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        services.accounts.update_user(manager, admin.user_id, role=Role.MANAGER)
    with pytest.raises(PermissionDeniedError):
        services.accounts.reset_password(manager, admin.user_id, "taken-over")
    assert services.accounts.login("Admin", "correct horse", DESK).role is Role.ADMIN
    with services.unit_of_work() as uow:
        refused = [e for e in recent_entries(uow, username="mgr") if e.outcome == "denied"]
    assert len(refused) == 5


def test_a_deactivated_account_is_told_so_only_with_the_right_password(services, admin):
    gone = services.accounts.register(admin, "gone", "Gone Away", Role.RECEPTIONIST, "initial-pass")
    services.accounts.update_user(admin, gone.id, active=False)
    with pytest.raises(AuthenticationError, match="wrong"):
        services.accounts.login("gone", "not the password", DESK)
    with pytest.raises(AuthenticationError, match="deactivated"):
        services.accounts.login("gone", "initial-pass", DESK)


def test_wrong_current_passwords_count_towards_the_lockout(services, admin):
    for _ in range(4):
        with pytest.raises(ValidationError, match="current password"):
            services.accounts.change_password(admin, "not it", "a new password")
    with pytest.raises(AccountLockedError):
        services.accounts.change_password(admin, "not it", "a new password")
    with pytest.raises(AccountLockedError):
        services.accounts.login("Admin", "correct horse", DESK)


def test_the_linked_doctor_changes_and_is_audited(services, admin):
    from tests.integration.scheduling_fixtures import make_clinic

    clinic = make_clinic(services.for_actor(admin), patients=0)
    doctor = services.accounts.register(admin, "dr.n", "Dr N", Role.DOCTOR, "initial-pass")
    linked = services.accounts.update_user(admin, doctor.id, doctor_id=clinic.doctor_id)
    assert linked.doctor_id == clinic.doctor_id
    kept = services.accounts.update_user(admin, doctor.id, active=True)  # link untouched
    assert kept.doctor_id == clinic.doctor_id
    with pytest.raises(ValidationError, match="no longer exists"):
        services.accounts.update_user(admin, doctor.id, doctor_id=99_999)
    unlinked = services.accounts.update_user(admin, doctor.id, doctor_id=None)
    assert unlinked.doctor_id is None
    with services.unit_of_work() as uow:
        changes = [e.changes for e in recent_entries(uow, entity="user", record_id=doctor.id)]
    assert {"doctor_id": [clinic.doctor_id, None]} == {
        k: v for k, v in changes[0].items() if k == "doctor_id"
    }
