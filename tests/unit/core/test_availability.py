"""The availability engine: the issue's examples, and properties over random timetables."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hospital_desktop.core.domain.clock import format_local
from hospital_desktop.core.scheduling.availability import (
    BusyInterval,
    DoctorCalendar,
    LocalRange,
    Policy,
    Refusal,
    WeeklyRule,
)
from hospital_desktop.core.scheduling.local_time import overlaps
from hospital_desktop.core.services.timetable import spans_overlap, week_span

ANY_TIME = Policy(min_notice=timedelta(0), horizon=timedelta(days=36500))
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def calendar(zone: str, *rules: WeeklyRule, **extra) -> DoctorCalendar:
    return DoctorCalendar(zone, tuple(rules), policy=extra.pop("policy", ANY_TIME), **extra)


def free_starts(cal: DoctorCalendar, start: datetime, end: datetime) -> list[datetime]:
    return [slot.start for slot in cal.free_slots(start, end, LONG_AGO)]


def test_spring_forward_night_in_london_skips_the_missing_hour():
    sunday = WeeklyRule(1, 6, time(0, 30), time(3, 0), slot_minutes=30)
    cal = calendar("Europe/London", sunday)
    starts = free_starts(cal, utc(2027, 3, 27), utc(2027, 3, 29))
    assert starts == [utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1, 0), utc(2027, 3, 28, 1, 30)]
    shown = [format_local(s, "Europe/London", with_date=False) for s in starts]
    assert shown == ["00:30 GMT", "02:00 BST", "02:30 BST"]


def test_fall_back_night_in_london_has_the_extra_hour_told_apart_by_zone():
    sunday = WeeklyRule(1, 6, time(0, 0), time(3, 0), slot_minutes=60)
    cal = calendar("Europe/London", sunday)
    starts = free_starts(cal, utc(2027, 10, 30), utc(2027, 11, 1))
    assert starts == [
        utc(2027, 10, 30, 23, 0),
        utc(2027, 10, 31, 0, 0),
        utc(2027, 10, 31, 1, 0),
        utc(2027, 10, 31, 2, 0),
    ]
    shown = [format_local(s, "Europe/London", with_date=False) for s in starts]
    assert shown == ["00:00 BST", "01:00 BST", "01:00 GMT", "02:00 GMT"]


MONDAY = date(2027, 1, 4)


def test_slots_step_by_length_plus_buffer_and_only_the_buffer_may_overrun():
    rule = WeeklyRule(1, 0, time(9, 0), time(10, 30), slot_minutes=25, buffer_minutes=5)
    cal = calendar("UTC", rule)
    assert free_starts(cal, utc(2027, 1, 4), utc(2027, 1, 5)) == [
        utc(2027, 1, 4, 9, 0),
        utc(2027, 1, 4, 9, 30),
        utc(2027, 1, 4, 10, 0),
    ]


def test_a_booking_into_the_buffer_of_another_is_rejected_and_the_next_slot_stays_free():
    rule = WeeklyRule(1, 0, time(9, 0), time(10, 30), slot_minutes=25, buffer_minutes=5)
    booked = BusyInterval(utc(2027, 1, 4, 9, 30), utc(2027, 1, 4, 9, 55), buffer_minutes=5)
    cal = calendar("UTC", rule, busy=(booked,))
    verdict = cal.check(utc(2027, 1, 4, 9, 55), utc(2027, 1, 4, 10, 20), LONG_AGO)
    assert verdict.refusal is Refusal.OVERLAPS
    assert utc(2027, 1, 4, 10, 0) in free_starts(cal, utc(2027, 1, 4), utc(2027, 1, 5))
    assert cal.check(utc(2027, 1, 4, 10, 0), utc(2027, 1, 4, 10, 25), LONG_AGO).allowed


def test_touching_appointments_do_not_overlap_but_one_minute_does():
    rule = WeeklyRule(1, 0, time(13, 0), time(17, 0), slot_minutes=30)
    booked = BusyInterval(utc(2027, 1, 4, 14, 0), utc(2027, 1, 4, 14, 30))
    cal = calendar("UTC", rule, busy=(booked,))
    assert cal.check(utc(2027, 1, 4, 14, 30), utc(2027, 1, 4, 15, 0), LONG_AGO).allowed
    refused = cal.check(utc(2027, 1, 4, 14, 29), utc(2027, 1, 4, 14, 59), LONG_AGO)
    assert refused.refusal is Refusal.OVERLAPS


def test_an_entry_ending_before_it_starts_runs_past_midnight():
    night = WeeklyRule(1, 4, time(22, 0), time(2, 0), slot_minutes=60)  # Friday night
    cal = calendar("UTC", night)
    assert free_starts(cal, utc(2027, 1, 8), utc(2027, 1, 10)) == [
        utc(2027, 1, 8, 22),
        utc(2027, 1, 8, 23),
        utc(2027, 1, 9, 0),
        utc(2027, 1, 9, 1),
    ]


def test_closures_absences_and_cancelled_days_remove_time_on_the_local_clock():
    weekdays = [WeeklyRule(d + 1, d, time(9), time(12), slot_minutes=60) for d in range(5)]
    cal = calendar(
        "America/New_York",
        *weekdays,
        closed_days=frozenset({date(2027, 1, 4)}),  # Monday
        absences=(LocalRange(datetime(2027, 1, 5, 10), datetime(2027, 1, 5, 11), "Meeting"),),
        cancelled_occurrences=frozenset({(3, date(2027, 1, 6))}),  # Wednesday
    )
    days = {}
    for start in free_starts(cal, utc(2027, 1, 4), utc(2027, 1, 9)):
        local = start.astimezone(ZoneInfo("America/New_York"))
        days.setdefault(local.date(), []).append(local.strftime("%H:%M"))
    assert date(2027, 1, 4) not in days
    assert days[date(2027, 1, 5)] == ["09:00", "11:00"]
    assert date(2027, 1, 6) not in days
    assert days[date(2027, 1, 7)] == ["09:00", "10:00", "11:00"]


def test_validity_dates_bound_an_entry():
    rule = WeeklyRule(
        1, 0, time(9), time(10), 60, valid_from=date(2027, 1, 11), valid_until=date(2027, 1, 18)
    )
    cal = calendar("UTC", rule)
    assert free_starts(cal, utc(2027, 1, 1), utc(2027, 2, 1)) == [
        utc(2027, 1, 11, 9),
        utc(2027, 1, 18, 9),
    ]


def test_minimum_notice_and_horizon():
    rule = WeeklyRule(1, 0, time(9), time(17), 60)
    cal = calendar(
        "UTC", rule, policy=Policy(min_notice=timedelta(hours=2), horizon=timedelta(days=14))
    )
    now = utc(2027, 1, 4, 8, 30)
    assert cal.check(utc(2027, 1, 4, 10), utc(2027, 1, 4, 11), now).refusal is Refusal.TOO_SOON
    assert cal.check(utc(2027, 1, 4, 11), utc(2027, 1, 4, 12), now).allowed
    assert cal.check(utc(2027, 1, 25, 9), utc(2027, 1, 25, 10), now).refusal is Refusal.TOO_FAR
    assert cal.check(utc(2027, 1, 4, 8), utc(2027, 1, 4, 9), now).refusal is Refusal.IN_THE_PAST
    starts = [slot.start for slot in cal.free_slots(utc(2027, 1, 4), utc(2027, 2, 1), now)]
    assert starts[0] == utc(2027, 1, 4, 11) and starts[-1] == utc(2027, 1, 11, 16)


def test_only_an_override_books_outside_the_timetable_and_never_over_another():
    rule = WeeklyRule(1, 0, time(9), time(10), 30)
    booked = BusyInterval(utc(2027, 1, 4, 18), utc(2027, 1, 4, 18, 30))
    cal = calendar("UTC", rule, busy=(booked,))
    evening = (utc(2027, 1, 4, 19), utc(2027, 1, 4, 19, 20))
    assert cal.check(*evening, LONG_AGO).refusal is Refusal.OUTSIDE_TIMETABLE
    assert cal.check(*evening, LONG_AGO, outside_timetable_allowed=True).allowed
    clash = cal.check(
        utc(2027, 1, 4, 18, 15), utc(2027, 1, 4, 18, 45), LONG_AGO, outside_timetable_allowed=True
    )
    assert clash.refusal is Refusal.OVERLAPS


# --- properties -------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",  # half-hour DST shift
    "Asia/Kolkata",  # half-hour offset, no DST
    "America/St_Johns",  # half-hour offset with DST
    "Pacific/Chatham",  # 45-minute offset with DST
]
# Weeks that contain a clock change in many zones, and one that contains none.
WEEKS = [
    date(2027, 3, 8),
    date(2027, 3, 22),
    date(2027, 3, 29),
    date(2027, 10, 25),
    date(2027, 11, 1),
    date(2027, 6, 7),
]


@st.composite
def timetables(draw):
    zone = draw(st.sampled_from(ZONES))
    rules = []
    for number in range(draw(st.integers(1, 4))):
        start = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
        end = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
        rule = WeeklyRule(
            number + 1,
            draw(st.integers(0, 6)),
            start,
            end,
            slot_minutes=draw(st.sampled_from([10, 15, 20, 25, 30, 45, 60, 90])),
            buffer_minutes=draw(st.sampled_from([0, 0, 5, 10, 15])),
        )
        span = week_span(rule.weekday, rule.start, rule.end)
        # The timetable service refuses overlapping entries (touching ones are fine).
        if not any(spans_overlap(span, week_span(r.weekday, r.start, r.end)) for r in rules):
            rules.append(rule)
    return zone, tuple(rules), draw(st.sampled_from(WEEKS))


@settings(max_examples=150, deadline=None)
@given(
    timetables(),
    st.lists(st.tuples(st.booleans(), st.integers(0, 7 * 24 * 4), st.integers(1, 12)), max_size=25),
)
def test_listed_slots_book_and_every_refusal_has_a_reason(timetable, attempts):
    zone, rules, monday = timetable
    week_start = datetime.combine(monday, time(), tzinfo=UTC) - timedelta(days=1)
    week_end = week_start + timedelta(days=9)
    busy: list[BusyInterval] = []
    for use_listed_slot, quarter, length in attempts:
        cal = DoctorCalendar(zone, rules, busy=tuple(busy), policy=ANY_TIME)
        free = cal.free_slots(week_start, week_end, LONG_AGO)
        for slot in free:  # every listed slot books
            assert cal.check(slot.start, slot.end, LONG_AGO).allowed
        if use_listed_slot and free:
            slot = free[quarter % len(free)]
            start, end = slot.start, slot.end
        else:
            start = week_start + timedelta(minutes=15 * quarter)
            end = start + timedelta(minutes=5 * length)
        verdict = cal.check(start, end, LONG_AGO)
        wanted = (start, end + timedelta(minutes=verdict.buffer_minutes))
        if verdict.allowed:
            assert all(not overlaps(wanted, other.blocked) for other in busy)
            assert cal.stretch_holding(start, end) is not None
            busy.append(BusyInterval(start, end, verdict.buffer_minutes, len(busy) + 1))
        elif verdict.refusal is Refusal.OVERLAPS:
            assert any(overlaps(wanted, other.blocked) for other in busy)
        else:
            assert verdict.refusal is Refusal.OUTSIDE_TIMETABLE
            assert cal.stretch_holding(start, end) is None
    # and nothing ever booked overlaps anything else booked
    for index, first in enumerate(busy):
        for second in busy[index + 1 :]:
            assert not overlaps(first.blocked, second.blocked)


@settings(max_examples=100, deadline=None)
@given(timetables())
def test_every_slot_lies_in_its_entry_on_the_local_clock(timetable):
    from zoneinfo import ZoneInfo

    zone, rules, monday = timetable
    tz = ZoneInfo(zone)
    start = datetime.combine(monday, time(), tzinfo=UTC) - timedelta(days=1)
    cal = DoctorCalendar(zone, rules, policy=ANY_TIME)
    by_id = {rule.id: rule for rule in rules}
    for slot in cal.free_slots(start, start + timedelta(days=9), LONG_AGO):
        rule = by_id[slot.rule_id]
        assert slot.end - slot.start == timedelta(minutes=rule.slot_minutes)
        # every minute of the slot reads, on the local clock, inside [start, end) of one occurrence
        local = slot.start.astimezone(tz).replace(tzinfo=None)
        occurrences = [rule.local_range(local.date() - timedelta(days=back)) for back in (0, 1)]
        assert any(
            first <= local < last for first, last in occurrences if rule.applies_on(first.date())
        )
