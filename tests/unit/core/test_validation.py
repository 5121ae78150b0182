"""Field checks: every message a form can show, and the values they hand back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hospital_desktop.core.domain.errors import ValidationError
from hospital_desktop.core.domain.validation import FieldChecker, clean_text, parse_iso_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980-04-23", date(1980, 4, 23)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2023-2-3", date(2023, 2, 3)),
        ("2023-02-30", "February 2023 has no day 30."),
        ("2023-02-29", "February 2023 has no day 29."),
        ("2023-04-31", "April 2023 has no day 31."),
        ("2023-00-10", "'2023-00-10' has no month 0; months run from 01 to 12."),
        ("2023-13-01", "'2023-13-01' has no month 13; months run from 01 to 12."),
        ("abc", "'abc' is not a date; write it as YYYY-MM-DD, for example 1980-04-23."),
        (
            "23/04/1980",
            "'23/04/1980' is not a date; write it as YYYY-MM-DD, for example 1980-04-23.",
        ),
        (
            "1980-04-23T10:00",
            "'1980-04-23T10:00' is not a date; write it as YYYY-MM-DD, for example 1980-04-23.",
        ),
        ("٢٠٢٣-٠١-٠١", date(2023, 1, 1)),  # Arabic-Indic digits read as the same numbers
    ],
)
def test_parse_iso_date(text: str, expected: date | str) -> None:
    assert parse_iso_date(text) == expected


def test_clean_text_trims_and_composes() -> None:
    assert clean_text("  e\u0301  ") == "é"
    assert clean_text(None) == ""


def test_text_length_is_counted_in_characters() -> None:
    check = FieldChecker()
    assert check.text("name", "Name", "é" * 100, max_length=100) == "é" * 100
    assert check.text("combining", "Name", "e\u0301" * 100, max_length=100) == "é" * 100
    check.done()  # nothing wrong so far
    check.text("name", "Name", "é" * 101, max_length=100)
    assert check.errors == {"name": "Name is too long: 101 characters, at most 100 allowed."}


def test_required_and_control_characters() -> None:
    check = FieldChecker()
    assert check.text("given", "Given name", "   ", max_length=10, required=True) == ""
    check.text("notes", "Notes", "line one\nline\ttwo", max_length=100)
    check.text("bell", "Family name", "Smith\x07", max_length=100)
    check.text("nul", "City", "Ba\x00th", max_length=100)
    assert check.errors == {
        "given": "Given name is required.",
        "bell": "Family name contains characters that cannot be stored.",
        "nul": "City contains characters that cannot be stored.",
    }


def test_first_message_per_field_wins_and_done_raises_them_all() -> None:
    check = FieldChecker()
    check.fail("a", "first")
    check.fail("a", "second")
    check.fail("b", "other")
    with pytest.raises(ValidationError) as caught:
        check.done()
    assert caught.value.field_errors == {"a": "first", "b": "other"}
    assert str(caught.value) == "Please correct the following:\nfirst\nother"


def test_phone_and_email() -> None:
    check = FieldChecker()
    assert check.phone("phone", "Phone", " +44 (20) 7946-0958 ext. 12 ") == (
        "+44 (20) 7946-0958 ext. 12"
    )
    assert check.email("email", "E-mail", "ann@example.org") == "ann@example.org"
    assert check.errors == {}
    check.phone("phone", "Phone", "call me")
    check.email("email", "E-mail", "ann at example")
    assert set(check.errors) == {"phone", "email"}


def test_date_field() -> None:
    check = FieldChecker()
    assert check.date("born", "Date of birth", date(1980, 1, 2)) == date(1980, 1, 2)
    assert check.date("born", "Date of birth", " 1980-01-02 ") == date(1980, 1, 2)
    assert check.date("died", "Date of death", "") is None
    assert check.errors == {}
    assert check.date("born", "Date of birth", None, required=True) is None
    assert check.date("visit", "Visit", "2023-02-30") is None
    assert check.errors == {
        "born": "Date of birth is required.",
        "visit": "Visit: February 2023 has no day 30.",
    }


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("120.50", 12050),
        (" 1,200 ", 120000),
        ("0", 0),
        (Decimal("19.99"), 1999),
        (None, None),
        ("  ", None),
    ],
)
def test_money_in_cents(typed: Decimal | str | None, cents: int | None) -> None:
    check = FieldChecker()
    assert check.money_cents("fee", "Fee", typed) == cents
    assert check.errors == {}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ten", "Fee must be an amount such as 120.50."),
        ("-0.01", "Fee must be zero or more."),
        ("NaN", "Fee must be an amount such as 120.50."),
        ("Infinity", "Fee must be an amount such as 120.50."),
        ("1e10", "Fee is too large."),
    ],
)
def test_bad_money(typed: str, message: str) -> None:
    check = FieldChecker()
    assert check.money_cents("fee", "Fee", typed) is None
    assert check.errors == {"fee": message}


def test_time_zone() -> None:
    check = FieldChecker()
    assert check.time_zone("tz", "Time zone", " Europe/London ") == "Europe/London"
    assert check.errors == {}
    check.time_zone("tz", "Time zone", "Europe/Atlantis")
    assert check.errors == {
        "tz": "Time zone 'Europe/Atlantis' is not a known time zone; choose one such as "
        "Europe/London."
    }
    empty = FieldChecker()
    empty.time_zone("tz", "Time zone", "")
    assert empty.errors == {"tz": "Time zone is required."}


def test_invisible_and_direction_characters():
    from hospital_desktop.core.domain.validation import FieldChecker

    check = FieldChecker()
    assert check.text("name", "Name", "\u200b\ufeff", max_length=10, required=True) == ""
    check.text("family", "Family", "Ab\u202ecd", max_length=10)
    assert check.text("given", "Given", "\ufeffZoë\u200b", max_length=10) == "Zoë"
    assert check.errors == {
        "name": "Name is required.",
        "family": "Family contains invisible text-direction characters; retype it.",
    }


def test_time_zone_names_are_matched_regardless_of_case():
    from hospital_desktop.core.domain.validation import FieldChecker

    check = FieldChecker()
    assert check.time_zone("tz", "Time zone", "europe/london") == "Europe/London"
    assert check.errors == {}


def test_implausible_years_are_refused():
    from hospital_desktop.core.domain.validation import parse_iso_date

    assert "plausible year" in parse_iso_date("0000-01-01")
    assert "plausible year" in parse_iso_date("9999-12-31")
