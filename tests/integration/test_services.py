"""The services on real databases: each test runs on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.domain.errors import (
    NotFoundError,
    StaleRecordError,
    ValidationError,
)
from hospital_desktop.core.domain.values import (
    AppointmentDraft,
    AppointmentStatus,
    DoctorDraft,
    HospitalDraft,
    ListQuery,
    PatientDraft,
    Sex,
)
from hospital_desktop.core.services.changes import Change, Entity
from tests.integration import factories as make
from tests.integration.factories import START, all_items, every_page

MISSING_ID = 987_654


def ids(records: list[Any]) -> list[int]:
    return [record.id for record in records]


def field_errors(action: Callable[[], object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        action()
    return caught.value.field_errors


@pytest.fixture
def clinic(services: AppServices) -> dict[str, Any]:
    """Two hospitals, three doctors, three patients and three appointments."""
    north = make.hospital(services, "North General", city="Leeds")
    south = make.hospital(services, "South Infirmary", city="Bath", time_zone="Europe/Dublin")
    smith = make.doctor(services, north.id, "Dr Jo Smith", specialty="Cardiology")
    jones = make.doctor(services, north.id, "Dr Al Jones", specialty="Dermatology")
    brown = make.doctor(services, south.id, "Dr Bo Brown", specialty="Cardiology")
    ann = make.patient(services, "Ann", "Adams")
    bob = make.patient(services, "Bob", "Baker")
    cid = make.patient(services, "Cid", "Clark")
    visits = [
        make.appointment(services, ann.id, smith.id, START, reason="Chest pain"),
        make.appointment(services, bob.id, smith.id, START + timedelta(hours=1)),
        make.appointment(services, cid.id, brown.id, START, reason="Palpitations"),
    ]
    return {
        "hospitals": (north, south),
        "doctors": (smith, jones, brown),
        "patients": (ann, bob, cid),
        "appointments": visits,
    }


# --- create / get / update / archive / restore -----------------------------------------------


def test_hospital_lifecycle(services: AppServices) -> None:
    created = services.hospitals.create(
        HospitalDraft(
            name="  St Mary's  ",
            time_zone="Europe/London",
            address="Praed Street",
            city="London",
            postal_code="W2 1NY",
            phone="+44 20 3312 6666",
        )
    )
    assert created.name == "St Mary's"  # trimmed
    assert created.version == 1 and not created.archived
    assert services.hospitals.get(created.id) == created

    updated = services.hospitals.update(
        created.id,
        HospitalDraft(name="St Mary's Hospital", time_zone="Europe/London", city="London"),
        expected_version=created.version,
    )
    assert updated.name == "St Mary's Hospital"
    assert updated.address == ""  # the draft is the whole record
    assert updated.version == created.version + 1
    assert services.hospitals.get(created.id) == updated

    archived = services.hospitals.set_archived(created.id)
    assert archived.archived
    assert services.hospitals.get(created.id).archived
    restored = services.hospitals.set_archived(created.id, archived=False)
    assert not restored.archived
    assert services.hospitals.get(created.id) == restored


def test_doctor_lifecycle(services: AppServices) -> None:
    north = make.hospital(services, "North General")
    south = make.hospital(services, "South Infirmary")
    created = services.doctors.create(
        DoctorDraft(
            name="Dr Ada Lovelace",
            hospital_id=north.id,
            specialty="Cardiology",
            email="ada@example.org",
            consultation_fee="120.50",
        )
    )
    assert created.hospital_name == "North General"
    assert created.consultation_fee == Decimal("120.50")
    assert created.active
    assert services.doctors.get(created.id) == created

    moved = services.doctors.update(
        created.id,
        DoctorDraft(name="Dr Ada Lovelace", hospital_id=south.id, active=False),
        expected_version=created.version,
    )
    assert (moved.hospital_id, moved.hospital_name) == (south.id, "South Infirmary")
    assert moved.consultation_fee is None and not moved.active
    assert services.doctors.get(created.id) == moved

    assert services.doctors.set_archived(created.id).archived
    assert not services.doctors.set_archived(created.id, archived=False).archived


def test_patient_lifecycle(services: AppServices) -> None:
    created = services.patients.create(
        PatientDraft(
            given_name="Jerónimo",
            family_name="Ruelas",
            date_of_birth="1999-11-27",
            sex="male",
            phone="555-0100",
            email="j.ruelas@example.org",
            city="Visalia",
        )
    )
    assert (created.given_name, created.family_name) == ("Jerónimo", "Ruelas")
    assert created.date_of_birth == date(1999, 11, 27)
    assert created.sex is Sex.MALE
    assert created.full_name == "Jerónimo Ruelas"
    assert services.patients.get(created.id) == created

    updated = services.patients.update(
        created.id,
        PatientDraft(
            given_name="Jerónimo",
            family_name="Ruelas Soto",
            date_of_birth=date(1999, 11, 27),
            date_of_death="2024-01-02",
        ),
        expected_version=created.version,
    )
    assert updated.family_name == "Ruelas Soto"
    assert updated.date_of_death == date(2024, 1, 2)
    # An empty record number in the draft keeps the one the patient has.
    assert updated.medical_record_number == created.medical_record_number
    assert services.patients.get(created.id) == updated

    assert services.patients.set_archived(created.id).archived
    assert not services.patients.set_archived(created.id, archived=False).archived


def test_appointment_lifecycle(services: AppServices) -> None:
    north = make.hospital(services, "North General")
    south = make.hospital(services, "South Infirmary", time_zone="America/New_York")
    smith = make.doctor(services, north.id, "Dr Jo Smith")
    brown = make.doctor(services, south.id, "Dr Bo Brown")
    ann = make.patient(services, "Ann", "Adams")
    created = services.appointments.create(
        AppointmentDraft(
            patient_id=ann.id,
            doctor_id=smith.id,
            start_at=START,
            end_at=START + timedelta(minutes=20),
            service="Outpatient",
            reason="Check-up",
            fee="80",
            payer_coverage="60.25",
        )
    )
    assert created.status is AppointmentStatus.BOOKED
    assert (created.patient_name, created.doctor_name) == ("Ann Adams", "Dr Jo Smith")
    assert (created.hospital_id, created.time_zone) == (north.id, "Europe/London")
    assert created.start_at == START and created.start_at.tzinfo is not None
    assert (created.fee, created.payer_coverage) == (Decimal("80.00"), Decimal("60.25"))
    assert services.appointments.get(created.id) == created

    later = datetime(2030, 5, 7, 14, 0, tzinfo=UTC)
    updated = services.appointments.update(
        created.id,
        AppointmentDraft(
            patient_id=ann.id,
            doctor_id=brown.id,
            start_at=later,
            end_at=later + timedelta(hours=1),
            status="arrived",
        ),
        expected_version=created.version,
    )
    # The hospital follows the doctor.
    assert (updated.hospital_id, updated.hospital_name) == (south.id, "South Infirmary")
    assert updated.status is AppointmentStatus.ARRIVED
    assert updated.fee is None and updated.payer_coverage is None
    assert (updated.start_at, updated.end_at) == (later, later + timedelta(hours=1))
    assert updated.version == created.version + 1
    assert services.appointments.get(created.id) == updated

    assert services.appointments.set_archived(created.id).archived
    assert not services.appointments.set_archived(created.id, archived=False).archived


def test_times_in_another_offset_are_stored_as_the_same_instant(services: AppServices) -> None:
    north = make.hospital(services)
    smith = make.doctor(services, north.id)
    ann = make.patient(services)
    start = datetime.fromisoformat("2030-05-06T18:00:00+09:00")
    created = make.appointment(services, ann.id, smith.id, start)
    assert created.start_at == start
    assert created.start_at.utcoffset() == timedelta(0)  # handed back in UTC
    assert services.appointments.get(created.id).start_at == datetime(2030, 5, 6, 9, tzinfo=UTC)


def test_hospital_rename_shows_in_doctors_and_appointments(
    services: AppServices, clinic: dict[str, Any]
) -> None:
    north = clinic["hospitals"][0]
    smith = clinic["doctors"][0]
    services.hospitals.update(north.id, HospitalDraft(name="Northern", time_zone="UTC"))
    assert services.doctors.get(smith.id).hospital_name == "Northern"
    visit = services.appointments.get(clinic["appointments"][0].id)
    assert (visit.hospital_name, visit.time_zone) == ("Northern", "UTC")


# --- lists: keyset paging -------------------------------------------------------------------

FAMILIES = ["Adams", "Baker", "Clark", "Davis", "Evans"]
GIVEN = ["Ann", "Bob", "Cid"]
CITIES = ["Avon", "Bath", "Cork", "Derby", "Ely", "Fife"]
SEXES = list(Sex)


def test_patient_pages_hold_every_id_once_in_order(services: AppServices) -> None:
    for number in range(450):
        services.patients.create(
            PatientDraft(
                given_name=GIVEN[(number // 5) % 3],
                family_name=FAMILIES[number % 5],
                date_of_birth=date(1970 + number % 7, 1 + number % 3, 1),
                sex=SEXES[number % 4],
                city=CITIES[number % 6],
            )
        )
    everyone = all_items(services.patients.list, ListQuery(limit=1000))
    assert len(everyone) == 450
    sort_values: dict[str, Callable[[Any], tuple[Any, ...]]] = {
        "name": lambda p: (p.family_name, p.given_name, p.id),
        "date_of_birth": lambda p: (p.date_of_birth, p.id),
        "sex": lambda p: (p.sex.value, p.id),
        "city": lambda p: (p.city, p.id),
        "medical_record_number": lambda p: (p.medical_record_number, p.id),
    }
    for sort, key in sort_values.items():
        expected = ids(sorted(everyone, key=key))
        for descending in (False, True):
            pages = every_page(
                services.patients.list, ListQuery(sort=sort, descending=descending, limit=200)
            )
            assert [len(page) for page in pages] == [200, 200, 50], (sort, descending)
            seen = [record.id for page in pages for record in page]
            assert len(set(seen)) == 450, (sort, descending)
            wanted = list(reversed(expected)) if descending else expected
            assert seen == wanted, (sort, descending)


def test_unknown_sort_falls_back_to_the_default(services: AppServices) -> None:
    make.patient(services, "Bob", "Baker")
    make.patient(services, "Ann", "Adams")
    listed = services.patients.list(ListQuery(sort="no such column"))
    assert [p.family_name for p in listed.items] == ["Adams", "Baker"]


def test_exactly_one_full_page_has_no_next_cursor(services: AppServices) -> None:
    for number in range(3):
        make.patient(services, "Ann", f"Family{number}")
    page = services.patients.list(ListQuery(limit=3))
    assert len(page.items) == 3 and page.next_cursor is None
    first = services.patients.list(ListQuery(limit=2))
    assert len(first.items) == 2 and first.next_cursor is not None


def _many_appointments(services: AppServices) -> list[int]:
    north = make.hospital(services)
    doctors = [make.doctor(services, north.id, f"Dr {name}") for name in ("Ames", "Bell")]
    patients = [make.patient(services, "Ann", family) for family in FAMILIES[:3]]
    created = []
    for number in range(130):
        start = START + timedelta(hours=number % 4)  # four start times: many ties
        visit = make.appointment(
            services,
            patients[number % 3].id,
            doctors[number % 2].id,
            start,
            fee=None if number % 5 == 0 else str(10 * (number % 3)),
            status="fulfilled",  # history: overlaps are allowed, ties in start time wanted
        )
        created.append(visit.id)
    return created


def _check_appointment_paging(services: AppServices) -> None:
    everyone = all_items(services.appointments.list, ListQuery(limit=1000))
    assert len(everyone) == 130
    sort_values: dict[str, Callable[[Any], tuple[Any, ...]]] = {
        "start_at": lambda a: (a.start_at, a.id),
        "doctor": lambda a: (a.doctor_name, a.id),
        "fee": lambda a: (-1 if a.fee is None else a.fee, a.id),
    }
    for sort, key in sort_values.items():
        expected = ids(sorted(everyone, key=key))
        for descending in (False, True):
            pages = every_page(
                services.appointments.list, ListQuery(sort=sort, descending=descending, limit=50)
            )
            seen = [record.id for page in pages for record in page]
            assert seen == (list(reversed(expected)) if descending else expected), (
                sort,
                descending,
            )


def test_appointment_pages_follow_time_and_other_keys(services: AppServices) -> None:
    _many_appointments(services)
    _check_appointment_paging(services)


@pytest.mark.postgres
def test_appointment_paging_in_a_postgres_session_that_is_not_in_utc(postgres_url: str) -> None:
    """A server whose TimeZone is local (initdb's default) must page exactly as in UTC."""
    tokyo_url = (
        make_url(postgres_url)
        .update_query_dict({"options": "-c timezone=Asia/Tokyo"})
        .render_as_string(hide_password=False)
    )
    services = open_services(tokyo_url)
    try:
        _many_appointments(services)
        first = services.appointments.list(ListQuery(limit=1)).items[0]
        assert first.start_at == START
        _check_appointment_paging(services)
    finally:
        services.close()


# --- lists: search, relationships, archived --------------------------------------------------


def test_patient_search_ignores_case_and_matches_every_word(services: AppServices) -> None:
    # Explicit record numbers: random ones could hold the digits searched for.
    ann_adams = make.patient(services, "Ann", "Adams", phone="555-0100", medical_record_number="P1")
    bob_adams = make.patient(services, "Bob", "Adams", medical_record_number="P2")
    ann_baker = make.patient(services, "Ann", "Baker", medical_record_number="X-777")
    jeronimo = make.patient(services, "Jerónimo", "Ruelas", medical_record_number="P3")
    percent = make.patient(services, "Per", "Cent%", medical_record_number="P4")

    def found(text: str) -> set[int]:
        return set(ids(all_items(services.patients.list, ListQuery(search=text))))

    assert found("adams") == {ann_adams.id, bob_adams.id}
    assert found("ADAMS ann") == {ann_adams.id}
    assert found("  ann   ") == {ann_adams.id, ann_baker.id}
    assert found("x-777") == {ann_baker.id}
    assert found("0100") == {ann_adams.id}
    assert found("JERÓNIMO") == {jeronimo.id}
    assert found("jerónimo ruelas") == {jeronimo.id}
    assert found("%") == {percent.id}  # LIKE wildcards are taken literally
    assert found("_") == set()
    assert found("adams nobody") == set()


def test_doctor_hospital_and_appointment_search(
    services: AppServices, clinic: dict[str, Any]
) -> None:
    north, south = clinic["hospitals"]
    smith, _jones, brown = clinic["doctors"]
    chest, _plain, palpitations = clinic["appointments"]

    def doctors(text: str) -> set[int]:
        return set(ids(services.doctors.list(ListQuery(search=text)).items))

    assert doctors("cardiology") == {smith.id, brown.id}
    assert doctors("CARDIOLOGY smith") == {smith.id}  # words in any order, across columns
    assert set(ids(services.hospitals.list(ListQuery(search="infirmary BATH")).items)) == {south.id}
    assert set(ids(services.hospitals.list(ListQuery(search="leeds")).items)) == {north.id}

    def visits(text: str) -> set[int]:
        return set(ids(services.appointments.list(ListQuery(search=text)).items))

    assert visits("PAIN chest") == {chest.id}
    assert visits("palpitations clark") == {palpitations.id}
    assert visits("brown") == {palpitations.id}


def test_relationship_lists(services: AppServices, clinic: dict[str, Any]) -> None:
    north, south = clinic["hospitals"]
    smith, jones, brown = clinic["doctors"]
    ann, bob, cid = clinic["patients"]
    ann_visit, bob_visit, cid_visit = clinic["appointments"]

    assert ids(services.doctors.list(ListQuery(hospital_id=north.id)).items) == [
        jones.id,
        smith.id,
    ]  # by name: Dr Al Jones, Dr Jo Smith
    assert ids(services.doctors.list(ListQuery(hospital_id=south.id)).items) == [brown.id]
    assert ids(services.patients.list(ListQuery(doctor_id=smith.id)).items) == [ann.id, bob.id]
    assert ids(services.patients.list(ListQuery(doctor_id=jones.id)).items) == []
    assert ids(services.patients.list(ListQuery(hospital_id=south.id)).items) == [cid.id]
    assert ids(services.appointments.list(ListQuery(patient_id=ann.id)).items) == [ann_visit.id]
    assert ids(services.appointments.list(ListQuery(doctor_id=smith.id)).items) == [
        ann_visit.id,
        bob_visit.id,
    ]
    assert ids(services.appointments.list(ListQuery(hospital_id=north.id)).items) == [
        ann_visit.id,
        bob_visit.id,
    ]
    assert ids(services.appointments.list(ListQuery(hospital_id=south.id)).items) == [cid_visit.id]


ENTITY_KINDS = ["hospitals", "doctors", "patients", "appointments"]


@pytest.mark.parametrize("kind", ENTITY_KINDS)
def test_archived_records_are_hidden_unless_asked_for(
    services: AppServices, clinic: dict[str, Any], kind: str
) -> None:
    service = getattr(services, kind)
    first, *others = clinic[kind]
    service.set_archived(first.id)

    shown = ids(all_items(service.list, ListQuery()))
    assert first.id not in shown
    assert set(shown) == {record.id for record in others}
    with_archived = all_items(service.list, ListQuery(include_archived=True))
    assert {record.id for record in with_archived} == {first.id, *ids(others)}
    assert next(r for r in with_archived if r.id == first.id).archived

    service.set_archived(first.id, archived=False)
    assert first.id in ids(all_items(service.list, ListQuery()))


# --- stale edits and missing records ---------------------------------------------------------


def _drafts(clinic: dict[str, Any], kind: str) -> tuple[Any, Any]:
    north = clinic["hospitals"][0]
    smith = clinic["doctors"][0]
    ann = clinic["patients"][0]
    if kind == "hospitals":
        return (
            HospitalDraft(name="First edit", time_zone="UTC"),
            HospitalDraft(name="Second edit", time_zone="UTC"),
        )
    if kind == "doctors":
        return (
            DoctorDraft(name="First edit", hospital_id=north.id),
            DoctorDraft(name="Second edit", hospital_id=north.id),
        )
    if kind == "patients":
        return (
            PatientDraft(given_name="First", family_name="Edit", date_of_birth="1980-01-01"),
            PatientDraft(given_name="Second", family_name="Edit", date_of_birth="1980-01-01"),
        )
    return (
        AppointmentDraft(ann.id, smith.id, START, START + timedelta(hours=1), reason="First"),
        AppointmentDraft(ann.id, smith.id, START, START + timedelta(hours=2), reason="Second"),
    )


@pytest.mark.parametrize("kind", ENTITY_KINDS)
def test_stale_update_is_refused_and_writes_nothing(
    services: AppServices, clinic: dict[str, Any], kind: str
) -> None:
    service = getattr(services, kind)
    original = clinic[kind][0]
    first, second = _drafts(clinic, kind)
    edited = service.update(original.id, first, expected_version=original.version)
    assert edited.version == original.version + 1

    changes: list[Change] = []
    services.changes.subscribe(changes.append)
    with pytest.raises(StaleRecordError):
        service.update(original.id, second, expected_version=original.version)
    assert service.get(original.id) == edited
    assert changes == []


@pytest.mark.parametrize("kind", ENTITY_KINDS)
def test_missing_records_raise_not_found(
    services: AppServices, clinic: dict[str, Any], kind: str
) -> None:
    service = getattr(services, kind)
    draft, _ = _drafts(clinic, kind)
    with pytest.raises(NotFoundError):
        service.get(MISSING_ID)
    with pytest.raises(NotFoundError):
        service.update(MISSING_ID, draft)
    with pytest.raises(NotFoundError):
        service.set_archived(MISSING_ID)


# --- validation ------------------------------------------------------------------------------


def test_required_patient_fields(services: AppServices) -> None:
    errors = field_errors(
        lambda: services.patients.create(
            PatientDraft(given_name="", family_name="   ", date_of_birth=None)
        )
    )
    assert set(errors) == {"given_name", "family_name", "date_of_birth"}
    assert errors["given_name"] == "Given name is required."


def test_required_fields_of_the_other_records(
    services: AppServices, clinic: dict[str, Any]
) -> None:
    assert set(
        field_errors(lambda: services.hospitals.create(HospitalDraft(name="", time_zone="")))
    ) == {"name", "time_zone"}
    assert set(
        field_errors(lambda: services.doctors.create(DoctorDraft(name="", hospital_id=None)))
    ) == {"name", "hospital_id"}
    assert set(
        field_errors(lambda: services.appointments.create(AppointmentDraft(None, None, None, None)))
    ) == {"patient_id", "doctor_id", "start_at", "end_at"}
    assert set(
        field_errors(
            lambda: services.appointments.create(
                AppointmentDraft(MISSING_ID, MISSING_ID, START, START + timedelta(hours=1))
            )
        )
    ) == {"patient_id", "doctor_id"}
    assert set(
        field_errors(lambda: services.doctors.create(DoctorDraft(name="X", hospital_id=MISSING_ID)))
    ) == {"hospital_id"}


def test_lengths_count_characters_after_nfc(services: AppServices) -> None:
    hundred = services.patients.create(
        PatientDraft(given_name="é" * 100, family_name="Ok", date_of_birth="1980-01-01")
    )
    assert services.patients.get(hundred.id).given_name == "é" * 100

    errors = field_errors(
        lambda: services.patients.create(
            PatientDraft(given_name="é" * 101, family_name="Ok", date_of_birth="1980-01-01")
        )
    )
    assert "101 characters, at most 100" in errors["given_name"]

    # 'e' + COMBINING ACUTE ACCENT is two code points but one letter: stored as NFC 'é'.
    combining = services.patients.create(
        PatientDraft(given_name="e\u0301" * 100, family_name="Ok", date_of_birth="1980-01-01")
    )
    assert services.patients.get(combining.id).given_name == "é" * 100


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2023-02-30", "Date of birth: February 2023 has no day 30."),
        ("abc", "Date of birth: 'abc' is not a date; write it as YYYY-MM-DD"),
        ("2023-13-01", "Date of birth: '2023-13-01' has no month 13"),
    ],
)
def test_invalid_dates_are_field_messages(services: AppServices, typed: str, message: str) -> None:
    errors = field_errors(lambda: make.patient(services, date_of_birth=typed))
    assert list(errors) == ["date_of_birth"]
    assert errors["date_of_birth"].startswith(message)

    death = field_errors(lambda: make.patient(services, date_of_death=typed))
    assert list(death) == ["date_of_death"]
    assert death["date_of_death"].startswith(message.replace("Date of birth", "Date of death"))


def test_dates_of_birth_and_death_make_sense(services: AppServices) -> None:
    soon = datetime.now(UTC).date() + timedelta(days=2)
    future = field_errors(lambda: make.patient(services, date_of_birth=soon))
    assert future == {"date_of_birth": "Date of birth cannot be in the future."}

    before_birth = field_errors(
        lambda: make.patient(services, date_of_birth="1980-05-05", date_of_death="1980-05-04")
    )
    assert before_birth == {"date_of_death": "Date of death cannot be before the date of birth."}
    assert set(field_errors(lambda: make.patient(services, date_of_death=soon))) == {
        "date_of_death"
    }
    assert set(field_errors(lambda: make.patient(services, date_of_birth="1879-12-31"))) == {
        "date_of_birth"
    }


@contextmanager
def desk_time_zone(zone: str) -> Iterator[None]:
    """Run as if this computer's clock were set to ``zone``."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])  # UTC+14, UTC-11
def test_born_today_means_today_on_the_desk_calendar(services: AppServices, zone: str) -> None:
    with desk_time_zone(zone):
        today = date.today()
        newborn = make.patient(services, "Baby", "Today", date_of_birth=today)
        assert newborn.date_of_birth == today
        tomorrow = field_errors(
            lambda: make.patient(services, date_of_birth=today + timedelta(days=1))
        )
        assert tomorrow == {"date_of_birth": "Date of birth cannot be in the future."}


def test_other_field_checks(services: AppServices, clinic: dict[str, Any]) -> None:
    north = clinic["hospitals"][0]
    smith = clinic["doctors"][0]
    ann = clinic["patients"][0]

    zone = field_errors(lambda: make.hospital(services, time_zone="Mars/Olympus_Mons"))
    assert list(zone) == ["time_zone"]
    assert "'Mars/Olympus_Mons' is not a known time zone" in zone["time_zone"]

    fee = field_errors(lambda: make.doctor(services, north.id, consultation_fee="-1"))
    assert fee == {"consultation_fee": "Consultation fee must be zero or more."}
    assert set(field_errors(lambda: make.doctor(services, north.id, consultation_fee="ten"))) == {
        "consultation_fee"
    }
    assert set(field_errors(lambda: make.doctor(services, north.id, email="no-at-sign"))) == {
        "email"
    }
    assert set(field_errors(lambda: make.patient(services, phone="call me"))) == {"phone"}
    assert set(field_errors(lambda: make.patient(services, sex="sometimes"))) == {"sex"}

    negative = field_errors(lambda: make.appointment(services, ann.id, smith.id, fee="-5"))
    assert negative == {"fee": "Fee must be zero or more."}
    covered = field_errors(
        lambda: make.appointment(services, ann.id, smith.id, fee="50", payer_coverage="50.01")
    )
    assert covered == {"payer_coverage": "Payer coverage cannot be more than the fee."}
    for minutes in (0, -30):
        ends = field_errors(
            lambda m=minutes: make.appointment(services, ann.id, smith.id, minutes=m)
        )
        assert ends == {"end_at": "The appointment must end after it starts."}
    assert set(
        field_errors(lambda: make.appointment(services, ann.id, smith.id, status="maybe"))
    ) == {"status"}


def test_naive_appointment_times_are_a_programming_error(
    services: AppServices, clinic: dict[str, Any]
) -> None:
    smith = clinic["doctors"][0]
    ann = clinic["patients"][0]
    naive = datetime(2030, 1, 1, 9, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        services.appointments.create(
            AppointmentDraft(ann.id, smith.id, naive, naive + timedelta(hours=1))
        )


def test_failed_validation_writes_nothing(services: AppServices, clinic: dict[str, Any]) -> None:
    before = services.summary()
    ann = clinic["patients"][0]
    smith = clinic["doctors"][0]
    changes: list[Change] = []
    services.changes.subscribe(changes.append)

    with pytest.raises(ValidationError):
        make.patient(services, given="", date_of_birth="2023-02-30")
    with pytest.raises(ValidationError):
        make.appointment(services, ann.id, smith.id, minutes=0)
    with pytest.raises(ValidationError):
        services.patients.update(
            ann.id,
            PatientDraft(given_name="Changed", family_name="", date_of_birth="1980-01-01"),
            expected_version=ann.version,
        )
    with pytest.raises(ValidationError):
        services.hospitals.update(
            clinic["hospitals"][0].id, HospitalDraft(name="Changed", time_zone="Nowhere/City")
        )
    assert services.summary() == before
    assert services.patients.get(ann.id) == ann
    assert services.hospitals.get(clinic["hospitals"][0].id) == clinic["hospitals"][0]
    assert changes == []


def test_generated_record_numbers_are_unique(services: AppServices) -> None:
    numbers = [make.patient(services, "Ann", f"F{n}").medical_record_number for n in range(60)]
    assert len(set(numbers)) == 60
    assert all(re.fullmatch(r"M\d{9}", number) for number in numbers)


def test_duplicate_explicit_record_number_is_a_field_error(services: AppServices) -> None:
    first = make.patient(services, "Ann", "Adams", medical_record_number="A-1001")
    second = make.patient(services, "Bob", "Baker", medical_record_number="A-1002")
    assert first.medical_record_number == "A-1001"

    errors = field_errors(lambda: make.patient(services, medical_record_number="A-1001"))
    assert errors == {"medical_record_number": "Record number A-1001 belongs to another patient."}
    moved = field_errors(
        lambda: services.patients.update(
            second.id,
            PatientDraft("Bob", "Baker", "1980-04-23", medical_record_number="A-1001"),
        )
    )
    assert list(moved) == ["medical_record_number"]
    # Keeping one's own number is fine.
    kept = services.patients.update(
        first.id, PatientDraft("Ann", "Adams", "1980-04-23", medical_record_number="A-1001")
    )
    assert kept.medical_record_number == "A-1001"
    assert services.summary().patients == 2


# --- change announcements --------------------------------------------------------------------


@pytest.fixture
def heard(services: AppServices) -> Iterator[list[Change]]:
    changes: list[Change] = []
    services.changes.subscribe(changes.append)
    yield changes
    services.changes.unsubscribe(changes.append)


def test_every_write_announces_a_change(services: AppServices, heard: list[Change]) -> None:
    def last(entity: Entity, record_id: int | None = None) -> Change:
        change = heard.pop()
        assert heard == []  # exactly one announcement per write
        assert change.touches(entity)
        if record_id is not None:
            assert record_id in change.ids
        return change

    north = make.hospital(services)
    last(Entity.HOSPITAL, north.id)
    services.hospitals.update(north.id, HospitalDraft(name="North", time_zone="UTC"))
    last(Entity.HOSPITAL)
    services.hospitals.set_archived(north.id, archived=False)
    last(Entity.HOSPITAL, north.id)

    smith = make.doctor(services, north.id)
    last(Entity.DOCTOR, smith.id)
    services.doctors.update(smith.id, DoctorDraft(name="Dr S", hospital_id=north.id))
    last(Entity.DOCTOR)
    services.doctors.set_archived(smith.id)
    last(Entity.DOCTOR, smith.id)

    ann = make.patient(services)
    last(Entity.PATIENT, ann.id)
    services.patients.update(ann.id, PatientDraft("Ann", "B", "1980-01-01"))
    last(Entity.PATIENT)
    services.patients.set_archived(ann.id)
    last(Entity.PATIENT, ann.id)

    visit = make.appointment(services, ann.id, smith.id)
    last(Entity.APPOINTMENT, visit.id)
    services.appointments.update(
        visit.id, AppointmentDraft(ann.id, smith.id, START, START + timedelta(hours=1))
    )
    last(Entity.APPOINTMENT, visit.id)
    services.appointments.set_archived(visit.id)
    last(Entity.APPOINTMENT, visit.id)


def test_search_ignores_accents_as_well_as_case(services: AppServices) -> None:
    zoe = make.patient(services, "Zoë", "Ångström", medical_record_number="A1")
    make.patient(services, "Zoe", "Andersson", medical_record_number="A2")
    found = services.patients.list(ListQuery(search="zoe angstrom")).items
    assert [p.id for p in found] == [zoe.id]
    again = services.patients.list(ListQuery(search="ZOË ÅNG")).items
    assert [p.id for p in again] == [zoe.id]
    both = {p.family_name for p in services.patients.list(ListQuery(search="zoë")).items}
    assert both == {"Ångström", "Andersson"}
