"""How values read on screen: money, dates and times in the hospital's zone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hospital_desktop.core.domain.clock import format_local


def money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


def money_input(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}"


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def local_time(moment: datetime, time_zone: str) -> str:
    return format_local(moment, time_zone)


def local_span(start: datetime, end: datetime, time_zone: str) -> str:
    """'2021-08-23 20:26 PDT – 20:41 PDT', the end's date only when it differs."""
    first = format_local(start, time_zone)
    same_day = format_local(start, time_zone)[:10] == format_local(end, time_zone)[:10]
    last = format_local(end, time_zone, with_date=not same_day)
    return f"{first} – {last}"
