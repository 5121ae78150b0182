"""Builds the application's services for one database: the only place that wires them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from hospital_desktop.core.db.engine import build_engine, build_session_factory, describe
from hospital_desktop.core.db.migrate import upgrade_database
from hospital_desktop.core.db.repositories import database_summary
from hospital_desktop.core.db.uow import UnitOfWork, UnitOfWorkFactory
from hospital_desktop.core.domain.errors import DatabaseUnavailableError, DomainError
from hospital_desktop.core.domain.security import Actor, Permission
from hospital_desktop.core.domain.values import Summary
from hospital_desktop.core.importers.synthea import SyntheaImporter
from hospital_desktop.core.services.accounts import AccountService, SecuritySettings
from hospital_desktop.core.services.appointments import AppointmentService
from hospital_desktop.core.services.audit_trail import AuditTrailService
from hospital_desktop.core.services.booking import BookingService
from hospital_desktop.core.services.changes import ChangeHub
from hospital_desktop.core.services.doctors import DoctorService
from hospital_desktop.core.services.guard import AccessGuard
from hospital_desktop.core.services.hospitals import HospitalService
from hospital_desktop.core.services.patients import PatientService
from hospital_desktop.core.services.reports import ReportService
from hospital_desktop.core.services.timetable import TimetableService
from hospital_desktop.core.services.waitlist import WaitlistService


@dataclass
class AppServices:
    """The services of one database, acting as ``actor`` (see ``for_actor``)."""

    url: str
    engine: Engine
    changes: ChangeHub
    hospitals: HospitalService
    doctors: DoctorService
    patients: PatientService
    appointments: AppointmentService
    booking: BookingService
    timetable: TimetableService
    waitlist: WaitlistService
    accounts: AccountService
    audit: AuditTrailService
    reports: ReportService
    backup_path: Path | None

    uow_factory: UnitOfWorkFactory
    security: SecuritySettings
    actor: Actor | None = None

    def for_actor(self, actor: Actor | None) -> AppServices:
        """The same database and change hub, every service checking and auditing as ``actor``."""
        return replace(
            self, actor=actor, **_services(self.uow_factory, self.changes, actor, self.security)
        )

    def importer(self, fallback_time_zone: str = "UTC") -> SyntheaImporter:
        return SyntheaImporter(
            self.uow_factory,
            self.changes,
            fallback_time_zone=fallback_time_zone,
            actor=self.actor,
        )

    def unit_of_work(self, *, serialized: bool = False) -> UnitOfWork:
        return self.uow_factory(serialized=serialized)

    def summary(self) -> Summary:
        AccessGuard(self.uow_factory).require(self.actor, Permission.VIEW_RECORDS, "summary")
        with self.unit_of_work() as uow:
            return database_summary(uow.session)

    def close(self) -> None:
        self.engine.dispose()


def open_services(
    url: str, *, upgrade: bool = True, security: SecuritySettings | None = None
) -> AppServices:
    """Connect, bring the schema up to date and build the services.

    Raises DatabaseUnavailableError, in words a user understands, if any of it fails.
    """
    where = describe(url) if _parses(url) else url
    try:
        engine = build_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as error:
        # ImportError: a known dialect whose driver is not installed (mysql://...).
        raise DatabaseUnavailableError(
            f"'{where}' is not a database address this application understands. "
            "Use sqlite:///path/to/file.sqlite3 or postgresql+psycopg://user@host/database."
        ) from error
    except OSError as error:  # the SQLite file's folder cannot be made
        folder = error.filename or "its folder"
        raise DatabaseUnavailableError(
            f"Could not open the database at {where}: the folder {folder} cannot be created "
            f"there ({error.strerror or error}). Choose a file in a folder you may write to."
        ) from error
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        backup = upgrade_database(engine) if upgrade else None
    except DomainError:
        engine.dispose()
        raise
    except DBAPIError as error:
        engine.dispose()
        raise DatabaseUnavailableError(
            f"Could not open the database at {where}: {_first_line(error)}"
        ) from error
    except OSError as error:
        engine.dispose()
        raise DatabaseUnavailableError(
            f"Could not open the database at {where}: {error}"
        ) from error
    session_factory = build_session_factory(engine)
    changes = ChangeHub()

    def uow_factory(*, serialized: bool = False) -> UnitOfWork:
        return UnitOfWork(session_factory, serialized=serialized)

    return AppServices(
        url=url,
        engine=engine,
        uow_factory=uow_factory,
        changes=changes,
        backup_path=backup,
        security=security or SecuritySettings(),
        **_services(uow_factory, changes, None, security or SecuritySettings()),
    )


def _services(
    uow_factory: UnitOfWorkFactory,
    changes: ChangeHub,
    actor: Actor | None,
    security: SecuritySettings,
) -> dict:
    guard = AccessGuard(uow_factory)
    booking = BookingService(uow_factory, changes, actor, guard)
    return {
        "hospitals": HospitalService(uow_factory, changes, actor, guard),
        "doctors": DoctorService(uow_factory, changes, actor, guard),
        "patients": PatientService(uow_factory, changes, actor, guard),
        "appointments": AppointmentService(uow_factory, changes, actor, guard),
        "booking": booking,
        "timetable": TimetableService(uow_factory, changes, actor, guard),
        "waitlist": WaitlistService(uow_factory, changes, booking),
        "accounts": AccountService(uow_factory, changes, security, actor=actor, guard=guard),
        "audit": AuditTrailService(uow_factory, changes, actor, guard),
        "reports": ReportService(uow_factory, changes, actor, guard),
    }


def _parses(url: str) -> bool:
    try:
        describe(url)
    except (ArgumentError, ValueError):
        return False
    return True


def _first_line(error: DBAPIError) -> str:
    original = str(error.orig) if error.orig is not None else str(error)
    return original.strip().splitlines()[0] if original.strip() else "unknown error"
