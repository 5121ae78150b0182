"""Time arithmetic in SQL that SQLite and PostgreSQL spell differently.

Both keep UTC as a timestamp without zone (``UTCDateTime``), so the same instants give the
same numbers on either backend.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

QUARTER_HOUR_SECONDS = 900


class minutes_between(FunctionElement[float]):  # noqa: N801 - reads as the SQL function
    """Minutes from the first timestamp to the second (may be fractional or negative)."""

    type = Float()
    inherit_cache = True


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element: minutes_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 1440.0)"
    )


@compiles(minutes_between, "postgresql")
def _minutes_postgresql(element: minutes_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 60.0)"
    )


class quarter_hour(FunctionElement[int]):  # noqa: N801
    """The UTC quarter hour a timestamp falls in, counted from 1970: every zone's offset is
    a whole number of quarter hours, so each one lies inside a single local hour."""

    type = Integer()
    inherit_cache = True


@compiles(quarter_hour, "sqlite")
def _quarter_sqlite(element: quarter_hour, compiler: Any, **kw: Any) -> str:
    (moment,) = list(element.clauses)
    return (
        f"(CAST(strftime('%s', {compiler.process(moment, **kw)}) AS INTEGER) "
        f"/ {QUARTER_HOUR_SECONDS})"
    )


@compiles(quarter_hour, "postgresql")
def _quarter_postgresql(element: quarter_hour, compiler: Any, **kw: Any) -> str:
    (moment,) = list(element.clauses)
    return (
        f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(moment, **kw)}) "
        f"/ {QUARTER_HOUR_SECONDS}) AS BIGINT)"
    )
