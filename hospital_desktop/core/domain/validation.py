"""Field checks shared by every service; all problems of a form are collected at once."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from zoneinfo import available_timezones

from hospital_desktop.core.domain.errors import ValidationError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()./\- ]*(ext\.? ?[0-9]+)?$", re.IGNORECASE)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


# Characters that change how text around them is shown without showing themselves: a name
# written with them can look like another name (or like nothing at all).
_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE_EDGES = "\ufeff\u200b\u2060\u00ad"
MAX_AMOUNT = Decimal("10000000000")  # exclusive; whole cents fit a 64-bit column easily
YEARS = range(1800, 2201)  # dates a hospital record can sensibly hold


def canonical_time_zone(name: str) -> str:
    """'europe/london' -> 'Europe/London'; unknown names come back as given."""
    return _zones_by_lower_name().get(name.strip().lower(), name.strip())


@cache
def _zones_by_lower_name() -> dict[str, str]:
    return {zone.lower(): zone for zone in known_time_zones()}


def clean_text(value: str | None) -> str:
    """Trimmed, NFC-normalised text, so lengths count characters the way a person does.

    Byte-order marks and zero-width spaces at either end (pasted from other programs) are
    dropped along with white space.
    """
    text = unicodedata.normalize("NFC", value or "")
    return text.strip().strip(_INVISIBLE_EDGES).strip()


def is_blank(text: str) -> bool:
    """Nothing a person could read: only spaces and invisible format characters."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


class FieldChecker:
    """Collects field messages; ``done()`` raises them all as one ValidationError."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def text(
        self, field: str, label: str, value: str | None, *, max_length: int, required: bool = False
    ) -> str:
        text = clean_text(value)
        if required and is_blank(text):
            self.fail(field, f"{label} is required.")
        elif len(text) > max_length:
            self.fail(
                field,
                f"{label} is too long: {len(text)} characters, at most {max_length} allowed.",
            )
        elif any(unicodedata.category(ch) == "Cc" for ch in text if ch not in "\n\t"):
            self.fail(field, f"{label} contains characters that cannot be stored.")
        elif any(ch in _DIRECTION_CONTROLS for ch in text):
            self.fail(field, f"{label} contains invisible text-direction characters; retype it.")
        return text

    def phone(self, field: str, label: str, value: str | None) -> str:
        text = self.text(field, label, value, max_length=40)
        if text and not _PHONE.match(text):
            self.fail(field, f"{label} may contain only digits, spaces and + ( ) - . /")
        return text

    def email(self, field: str, label: str, value: str | None) -> str:
        text = self.text(field, label, value, max_length=200)
        if text and not _EMAIL.match(text):
            self.fail(field, f"{label} does not look like an e-mail address (name@example.org).")
        return text

    def date(
        self, field: str, label: str, value: date | str | None, *, required: bool = False
    ) -> date | None:
        if isinstance(value, date):
            return value
        text = clean_text(value)
        if not text:
            if required:
                self.fail(field, f"{label} is required.")
            return None
        parsed = parse_iso_date(text)
        if isinstance(parsed, str):
            self.fail(field, f"{label}: {parsed}")
            return None
        return parsed

    def money_cents(self, field: str, label: str, value: Decimal | str | None) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            amount = Decimal(value.strip().replace(",", "") if isinstance(value, str) else value)
        except InvalidOperation:
            self.fail(field, f"{label} must be an amount such as 120.50.")
            return None
        if not amount.is_finite():
            self.fail(field, f"{label} must be an amount such as 120.50.")
            return None
        if amount < 0:
            self.fail(field, f"{label} must be zero or more.")
            return None
        if amount >= MAX_AMOUNT:
            self.fail(field, f"{label} is too large.")
            return None
        cents = amount * 100
        if cents != cents.to_integral_value():
            self.fail(field, f"{label} can have at most two decimals (cents).")
            return None
        return int(cents)

    def time_zone(self, field: str, label: str, value: str | None) -> str:
        text = canonical_time_zone(self.text(field, label, value, max_length=64, required=True))
        if text and text not in known_time_zones():
            self.fail(
                field,
                f"{label} '{text}' is not a known time zone; choose one such as Europe/London.",
            )
        return text


def parse_iso_date(text: str) -> date | str:
    """A date from YYYY-MM-DD text, or the message that says what is wrong with it."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        return f"'{text}' is not a date; write it as YYYY-MM-DD, for example 1980-04-23."
    year, month, day = (int(part) for part in match.groups())
    if year not in YEARS:
        return f"'{text}' is not a plausible year; check the date."
    if not 1 <= month <= 12:
        return f"'{text}' has no month {month}; months run from 01 to 12."
    try:
        return date(year, month, day)
    except ValueError:
        return f"{_MONTHS[month - 1]} {year} has no day {day}."
