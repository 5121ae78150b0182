"""Domain errors: raised by the services, worded for the person at the front desk."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user may see; ``str(error)`` is the message to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """One or more fields are wrong; ``field_errors`` maps a field name to its message."""

    def __init__(self, field_errors: dict[str, str]) -> None:
        self.field_errors = dict(field_errors)
        lines = "\n".join(self.field_errors.values())
        super().__init__(f"Please correct the following:\n{lines}")


class NotFoundError(DomainError):
    """The record asked for does not exist (or was removed by someone else)."""


class StaleRecordError(DomainError):
    """The record changed since it was read; the edit was not saved."""


class DatabaseUnavailableError(DomainError):
    """The database could not be reached or refused the work; nothing was saved."""


class ImportFileError(DomainError):
    """An import file is malformed; names the file and line, and nothing was imported."""

    def __init__(self, file_name: str, line: int | None, problem: str) -> None:
        self.file_name = file_name
        self.line = line
        where = f"{file_name}, line {line}" if line is not None else file_name
        super().__init__(f"Could not import {where}: {problem}. Nothing was imported.")
