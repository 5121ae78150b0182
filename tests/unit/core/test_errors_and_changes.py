"""Domain error wording, change announcements and how database addresses are shown."""

from __future__ import annotations

from pathlib import Path

from hospital_desktop.core.db.engine import describe, is_sqlite, sqlite_path
from hospital_desktop.core.domain.errors import DomainError, ImportFileError, ValidationError
from hospital_desktop.core.services.changes import Change, ChangeHub, Entity


def test_import_file_error_names_the_file_and_line() -> None:
    error = ImportFileError("encounters.csv", 201, "the line is cut short")
    assert isinstance(error, DomainError)
    assert (error.file_name, error.line) == ("encounters.csv", 201)
    assert str(error) == (
        "Could not import encounters.csv, line 201: the line is cut short. Nothing was imported."
    )
    assert str(ImportFileError("payers.csv", None, "unreadable")) == (
        "Could not import payers.csv: unreadable. Nothing was imported."
    )


def test_validation_error_keeps_every_field() -> None:
    error = ValidationError({"name": "Name is required.", "time_zone": "Time zone is required."})
    assert error.field_errors == {
        "name": "Name is required.",
        "time_zone": "Time zone is required.",
    }
    assert error.message.splitlines()[1:] == ["Name is required.", "Time zone is required."]


def test_change_hub_calls_each_subscriber_until_it_leaves() -> None:
    hub = ChangeHub()
    first: list[Change] = []
    second: list[Change] = []
    hub.subscribe(first.append)
    hub.subscribe(second.append)
    change = Change.of(Entity.PATIENT, 7)
    hub.publish(change)
    hub.unsubscribe(second.append)
    hub.unsubscribe(second.append)  # leaving twice is harmless
    bulk = Change.bulk([Entity.PATIENT, Entity.APPOINTMENT])
    hub.publish(bulk)
    assert first == [change, bulk]
    assert second == [change]
    assert change.touches(Entity.PATIENT) and not change.touches(Entity.DOCTOR)
    assert change.ids == {7} and bulk.ids == frozenset()


def test_addresses_as_shown_to_a_person() -> None:
    assert (
        describe("postgresql+psycopg://clerk:s3cret@db/h") == "postgresql+psycopg://clerk:***@db/h"
    )
    assert sqlite_path("sqlite:////var/lib/h.sqlite3") == Path("/var/lib/h.sqlite3")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("postgresql+psycopg://db/h") is None
    assert is_sqlite("sqlite:///h.sqlite3") and not is_sqlite("postgresql+psycopg://db/h")
