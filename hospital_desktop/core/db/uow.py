"""Unit of work: one database session per piece of work, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from hospital_desktop.core.db.engine import SERIALIZED, sqlite_path
from hospital_desktop.core.db.repositories import (
    AppointmentRepository,
    DoctorRepository,
    HospitalRepository,
    PatientRepository,
    PayerRepository,
)
from hospital_desktop.core.db.scheduling import SchedulingRepository
from hospital_desktop.core.domain.errors import (
    DatabaseUnavailableError,
    DomainError,
    StaleRecordError,
)

UNAVAILABLE_MESSAGE = (
    "The database cannot be reached right now. Check the network or the database server "
    "and try again; nothing was changed."
)
BUSY_MESSAGE = (
    "The database is busy with another workstation's work, so nothing was saved. "
    "Try again in a moment."
)
READ_ONLY_MESSAGE = (
    "The database file cannot be written (it is read-only for this user), so nothing was "
    "saved. Ask your administrator to check the file's permissions."
)
STALE_MESSAGE = (
    "Someone else changed this record while you were editing it. "
    "Your changes were not saved; reload the record and try again."
)


class UnitOfWork:
    """``with uow: ...; uow.commit()``. Leaving the block without commit rolls back.

    Database failures leave as domain errors, so callers never see driver exceptions.
    """

    session: Session

    def __init__(self, session_factory: sessionmaker[Session], *, serialized: bool = False) -> None:
        self._session_factory = session_factory
        self._serialized = serialized

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        if self._serialized:
            # One writer at a time on SQLite, from the first statement (BEGIN IMMEDIATE).
            self.session.connection(execution_options={SERIALIZED: True})
        self.scheduling = SchedulingRepository(self.session)
        self.hospitals = HospitalRepository(self.session)
        self.doctors = DoctorRepository(self.session)
        self.patients = PatientRepository(self.session)
        self.appointments = AppointmentRepository(self.session)
        self.payers = PayerRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        except DBAPIError:
            pass  # the connection is gone; the error below says so
        finally:
            self.session.close()
        if exc is not None and not isinstance(exc, DomainError):
            translated = translate_database_error(exc)
            if translated is not None:
                raise translated from exc

    def commit(self) -> None:
        path = sqlite_path(str(self.session.get_bind().engine.url))
        if path is not None and not path.exists():
            # An open SQLite connection writes on into a deleted file, and the work is lost.
            raise DatabaseUnavailableError(
                f"The database file {path} was moved or deleted while the application was "
                "open, so nothing was saved. Restart the application to open it again."
            )
        self.session.commit()


def translate_database_error(exc: BaseException) -> DomainError | None:
    """The domain error for a driver failure, or None when it is not a database matter."""
    if isinstance(exc, StaleDataError):
        return StaleRecordError(STALE_MESSAGE)
    if isinstance(exc, IntegrityError) and getattr(exc.orig, "sqlstate", None) == "23P01":
        return DomainError(
            "That time was just taken by another booking for this doctor. Nothing was saved; "
            "choose another time."
        )
    if isinstance(exc, IntegrityError):
        return DomainError(
            "The database refused the change because it conflicts with existing records "
            "(for example, a duplicate number). Nothing was saved."
        )
    if isinstance(exc, OperationalError | InterfaceError):
        detail = str(exc.orig or exc).lower()
        if "locked" in detail or "busy" in detail:
            return DatabaseUnavailableError(BUSY_MESSAGE)
        if "readonly" in detail or "read-only" in detail:
            return DatabaseUnavailableError(READ_ONLY_MESSAGE)
        return DatabaseUnavailableError(UNAVAILABLE_MESSAGE)
    if isinstance(exc, DBAPIError):
        first_line = (str(exc.orig or exc).strip().splitlines() or ["unknown error"])[0]
        return DomainError(f"The database refused the work ({first_line}). Nothing was saved.")
    return None


class UnitOfWorkFactory(Protocol):
    """Makes a unit of work; ``serialized=True`` for writes that must re-check inside."""

    def __call__(self, *, serialized: bool = False) -> UnitOfWork: ...
