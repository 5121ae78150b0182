"""The week calendar widget, driven through its own methods on layouts built by the core.

No database: the layouts come from ``build_week`` over hand-made timetables, so what is
checked is the widget's geometry, painting and signals on the core's real DST answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QContextMenuEvent, QFont, QFontMetrics, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip, QVBoxLayout, QWidget

from hospital_desktop.core.domain.values import AppointmentStatus
from hospital_desktop.core.scheduling.availability import (
    BusyInterval,
    DoctorCalendar,
    LocalRange,
    Policy,
    WeeklyRule,
)
from hospital_desktop.core.scheduling.week import (
    CalendarAppointment,
    ItemKind,
    WeekItem,
    WeekLayout,
    build_week,
)
from hospital_desktop.gui.calendar import WeekLegend, WeekNavigator, WeekView
from tests.gui.conftest import save_screenshot

LONDON = "Europe/London"
LORD_HOWE = "Australia/Lord_Howe"
LONG_NAME = "María Luisa888 Montenegro24-Ñúñez-Østergård-Ζωή-Жанна"
WEEKDAY_RULES = tuple(
    WeeklyRule(
        id=weekday + 1,
        weekday=weekday,
        start=time(9),
        end=time(17),
        slot_minutes=30,
        buffer_minutes=5,
    )
    for weekday in range(5)
)
# A Sunday night clinic, so the clock-change nights have slots to label.
SUNDAY_NIGHT = WeeklyRule(id=7, weekday=6, start=time(0), end=time(6), slot_minutes=30)


def local(time_zone: str, *parts: int, fold: int = 0) -> datetime:
    """A wall-clock reading in ``time_zone`` as a UTC instant."""
    return datetime(*parts, tzinfo=ZoneInfo(time_zone), fold=fold).astimezone(UTC)


def appointment(
    number: int,
    time_zone: str,
    start: tuple[int, ...],
    minutes: int,
    status: AppointmentStatus,
    name: str,
    reason: str,
    *,
    fold: int = 0,
) -> CalendarAppointment:
    begins = local(time_zone, *start, fold=fold)
    return CalendarAppointment(
        number, begins, begins + timedelta(minutes=minutes), status, name, reason
    )


def week(
    time_zone: str,
    monday: date,
    now: datetime,
    appointments: Iterable[CalendarAppointment] = (),
    *,
    rules: tuple[WeeklyRule, ...] = WEEKDAY_RULES,
    absences: tuple[LocalRange, ...] = (),
    closed: dict[date, str] | None = None,
) -> WeekLayout:
    """The core's layout; active appointments also block time, as the services will do."""
    appointments = list(appointments)
    busy = tuple(BusyInterval(a.start, a.end, 5, a.id) for a in appointments if a.status.is_active)
    calendar = DoctorCalendar(
        time_zone,
        rules,
        closed_days=frozenset(closed or {}),
        absences=absences,
        busy=busy,
        policy=Policy(min_notice=timedelta(hours=2), horizon=timedelta(days=90)),
    )
    return build_week(calendar, appointments, monday, now, closed)


NORMAL_MONDAY = date(2027, 11, 8)
NORMAL_NOW = local(LONDON, 2027, 11, 9, 10, 40)  # Tuesday, mid-morning (GMT = UTC)


def normal_week(*, now: datetime = NORMAL_NOW, monday: date = NORMAL_MONDAY) -> WeekLayout:
    shift = monday - NORMAL_MONDAY
    booked = AppointmentStatus.BOOKED

    def at(day: int, hour: int, minute: int) -> tuple[int, ...]:
        moment = datetime(2027, 11, day, hour, minute) + shift
        return (moment.year, moment.month, moment.day, moment.hour, moment.minute)

    appointments = [
        appointment(
            1,
            LONDON,
            at(8, 9, 0),
            30,
            AppointmentStatus.FULFILLED,
            "Jerónimo599 Ruelas156",
            "Follow-up after surgery",
        ),
        appointment(
            2,
            LONDON,
            at(8, 10, 10),
            30,
            AppointmentStatus.NOSHOW,
            "Ann Smith",
            "Blood pressure check",
        ),
        appointment(
            3, LONDON, at(9, 9, 0), 30, AppointmentStatus.FULFILLED, "Kwame Mensah", "Vaccination"
        ),
        appointment(
            4, LONDON, at(9, 10, 10), 30, AppointmentStatus.CHECKED_IN, "Li Wei", "Back pain"
        ),
        appointment(
            5, LONDON, at(9, 10, 45), 30, AppointmentStatus.ARRIVED, "Olu Adeyemi", "Asthma review"
        ),
        appointment(
            6,
            LONDON,
            at(9, 13, 5),
            30,
            booked,
            LONG_NAME,
            "Annual review of a very long list of medications and allergies",
        ),
        appointment(
            7,
            LONDON,
            at(10, 9, 0),
            30,
            AppointmentStatus.CANCELLED,
            "Olga Petrova",
            "Cancelled by the patient",
        ),
        appointment(8, LONDON, at(10, 9, 0), 30, booked, "Sam Jones", "Rebooked into 09:00"),
        appointment(
            9, LONDON, at(10, 14, 0), 65, booked, "Aarav Patel", "Long consultation: diabetes plan"
        ),
        appointment(
            10,
            LONDON,
            at(11, 15, 10),
            30,
            AppointmentStatus.WAITLIST,
            "Chen Jing",
            "Waiting for a cancellation",
        ),
    ]
    return week(
        LONDON,
        monday,
        now,
        appointments,
        absences=(
            LocalRange(
                datetime(2027, 11, 11, 9) + shift,
                datetime(2027, 11, 11, 12) + shift,
                "Training course",
            ),
        ),
        closed={date(2027, 11, 12) + shift: "Bank holiday"},
    )


@pytest.fixture
def view(qtbot) -> WeekView:
    widget = WeekView()
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def items_of(layout: WeekLayout, day: date, kind: ItemKind) -> list[WeekItem]:
    column = next(c for c in layout.days if c.day == day)
    return [item for item in column.items if item.kind is kind]


def appointment_item(layout: WeekLayout, appointment_id: int) -> WeekItem:
    return next(
        item
        for column in layout.days
        for item in column.items
        if item.appointment is not None and item.appointment.id == appointment_id
    )


def shown(view: WeekView, item: WeekItem) -> QPoint:
    """The centre of an item after scrolling it into view, for a mouse event there."""
    view.ensure_item_visible(item)
    rect = view.item_rect(item)
    assert view.viewport().rect().contains(rect.center())
    return rect.center()


def calendar_window(
    qtbot, layout: WeekLayout, *, top_hour: float | None = None
) -> tuple[QWidget, WeekView]:
    """Navigator, calendar and legend as the Timetable tab will stack them."""
    window = QWidget()
    qtbot.addWidget(window)
    navigator = WeekNavigator(layout.time_zone, today=lambda _zone: layout.now.date())
    navigator.set_week(layout.monday)
    calendar = WeekView()
    column = QVBoxLayout(window)
    column.addWidget(navigator)
    column.addWidget(calendar, 1)
    column.addWidget(WeekLegend())
    window.resize(1180, 820)
    window.show()
    qtbot.waitExposed(window)
    calendar.set_layout(layout)
    if top_hour is not None:
        calendar.verticalScrollBar().setValue(round(top_hour * calendar.pixels_per_hour()))
    return window, calendar


# --- signals from the mouse ------------------------------------------------------------------


def test_click_on_a_free_slot_activates_it(view, qtbot):
    layout = normal_week()
    view.set_layout(layout)
    slot = items_of(layout, date(2027, 11, 10), ItemKind.FREE_SLOT)[2]
    with qtbot.waitSignal(view.slot_activated) as activated:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=shown(view, slot))
    assert activated.args == [slot]
    assert view.focused_item() == slot
    assert view.item_at(view.item_rect(slot).center()) == slot


def test_double_click_opens_an_appointment_and_right_click_asks_for_its_menu(view, qtbot):
    layout = normal_week()
    view.set_layout(layout)
    visit = appointment_item(layout, 4)
    point = shown(view, visit)
    with qtbot.waitSignal(view.appointment_activated) as activated:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert activated.args == [visit]

    requests: list[tuple[WeekItem, QPoint]] = []
    view.appointment_menu_requested.connect(lambda item, at: requests.append((item, at)))
    global_point = view.viewport().mapToGlobal(point)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, global_point)
    QApplication.sendEvent(view.viewport(), event)
    assert requests == [(visit, global_point)]


def test_double_click_on_time_that_is_not_a_slot_offers_a_walk_in(view, qtbot):
    layout = normal_week()
    view.set_layout(layout)
    saturday = date(2027, 11, 13)
    column = view.column_rect(saturday)
    ten_past_ten = column.top() + round((10 + 12 / 60) * view.pixels_per_hour())
    point = QPoint(column.center().x(), ten_past_ten)
    assert view.item_at(point) is None
    with qtbot.waitSignal(view.empty_time_activated) as activated:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert activated.args == [local(LONDON, 2027, 11, 13, 10, 10)]  # snapped down to 5 min


def test_a_free_slot_double_clicked_is_booked_once(view, qtbot):
    layout = normal_week()
    view.set_layout(layout)
    slot = items_of(layout, date(2027, 11, 9), ItemKind.FREE_SLOT)[0]
    activated: list[WeekItem] = []
    view.slot_activated.connect(activated.append)
    view.empty_time_activated.connect(activated.append)
    point = shown(view, slot)
    # What a real double-click delivers: press, release, double-click, release.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert activated == [slot]


# --- the keyboard ----------------------------------------------------------------------------


def test_keyboard_moves_through_the_day_and_across_days(view, qtbot):
    layout = normal_week()
    view.set_layout(layout)
    tuesday = date(2027, 11, 9)
    tuesday_items = sorted(
        items_of(layout, tuesday, ItemKind.FREE_SLOT)
        + items_of(layout, tuesday, ItemKind.APPOINTMENT),
        key=lambda item: item.start,
    )
    view.set_focused_item(tuesday_items[0])
    visited = [view.focused_item()]
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Down)
        visited.append(view.focused_item())
    assert visited == tuesday_items[:4]
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.focused_item() == tuesday_items[2]
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.focused_item() == tuesday_items[-1]
    qtbot.keyClick(view, Qt.Key.Key_Down)  # stays on the last of the day
    assert view.focused_item() == tuesday_items[-1]
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.focused_item() == tuesday_items[0]

    # Right from Tuesday 09:00: Wednesday's nearest item in time is the 09:00 pair.
    qtbot.keyClick(view, Qt.Key.Key_Right)
    focused = view.focused_item()
    assert focused is not None and focused.appointment is not None
    assert focused.start == local(LONDON, 2027, 11, 10, 9, 0)
    # Thursday's morning is an absence: the nearest is the first slot after it.
    qtbot.keyClick(view, Qt.Key.Key_Right)
    thursday_first = min(
        items_of(layout, date(2027, 11, 11), ItemKind.FREE_SLOT), key=lambda i: i.start
    )
    assert view.focused_item() == thursday_first
    # Friday is closed and the weekend empty: Right stays on Thursday.
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.focused_item() == thursday_first
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.focused_item() is not None
    assert view.focused_item().start.date() == date(2027, 11, 10)


def test_keyboard_activates_and_asks_for_the_menu(view, qtbot):
    layout = normal_week()
    view.set_layout(layout)
    slot = items_of(layout, date(2027, 11, 9), ItemKind.FREE_SLOT)[0]
    view.set_focused_item(slot)
    assert view.viewport().rect().intersects(view.item_rect(slot))
    with qtbot.waitSignal(view.slot_activated) as activated:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert activated.args == [slot]

    visit = appointment_item(layout, 6)
    view.set_focused_item(visit)
    assert LONG_NAME in view.accessibleDescription()
    assert "Booked" in view.accessibleDescription()
    with qtbot.waitSignal(view.appointment_activated) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Enter)
    assert opened.args == [visit]
    with qtbot.waitSignal(view.appointment_menu_requested) as menu:
        qtbot.keyClick(view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert menu.args[0] == visit
    rect = view.item_rect(visit)
    top_left = view.viewport().mapToGlobal(rect.topLeft())
    bottom_right = view.viewport().mapToGlobal(rect.bottomRight())
    assert top_left.x() <= menu.args[1].x() <= bottom_right.x()
    assert top_left.y() <= menu.args[1].y() <= bottom_right.y()


def test_the_menu_key_asks_once_even_when_the_platform_adds_a_context_menu_event(view, qtbot):
    layout = normal_week()
    view.set_layout(layout)
    visit = appointment_item(layout, 5)
    view.set_focused_item(visit)
    requests: list[WeekItem] = []
    view.appointment_menu_requested.connect(lambda item, _at: requests.append(item))
    qtbot.keyClick(view, Qt.Key.Key_Menu)
    # X11 and Windows follow the key with a keyboard context-menu event for the same press.
    center = view.item_rect(visit).center()
    keyboard = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, center, view.viewport().mapToGlobal(center)
    )
    QApplication.sendEvent(view, keyboard)
    assert requests == [visit]

    view.set_focused_item(items_of(layout, date(2027, 11, 9), ItemKind.FREE_SLOT)[0])
    qtbot.keyClick(view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert requests == [visit]  # free slots have no menu


def test_the_first_key_puts_the_cursor_on_the_first_visible_item(view, qtbot):
    layout = normal_week()
    view.set_layout(layout)
    assert view.focused_item() is None
    qtbot.keyClick(view, Qt.Key.Key_Down)
    focused = view.focused_item()
    assert focused is not None and focused.kind in (ItemKind.FREE_SLOT, ItemKind.APPOINTMENT)
    assert focused == appointment_item(layout, 1)  # Monday 09:00, the week opens there


def test_focus_is_scrolled_into_view(view, qtbot):
    layout = normal_week()
    view.set_layout(layout)
    view.resize(1100, 300)
    last = items_of(layout, date(2027, 11, 9), ItemKind.FREE_SLOT)[-1]
    view.set_focused_item(last)
    rect = view.item_rect(last)
    assert rect.top() >= 0 and rect.bottom() <= view.viewport().height()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen tooltips
def test_tooltips_give_the_full_text(view):
    layout = normal_week()
    view.set_layout(layout)
    visit = appointment_item(layout, 6)
    point = shown(view, visit)
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    assert QToolTip.text() == view.describe(visit)
    assert LONG_NAME in QToolTip.text() and "Status: Booked" in QToolTip.text()
    assert "Monday 8 November" not in QToolTip.text()
    assert "Tuesday 9 November, 13:05–13:35 GMT" in QToolTip.text()
    QToolTip.hideText()


# --- scrolling -------------------------------------------------------------------------------


def test_a_new_week_opens_at_its_first_open_time_and_a_refresh_keeps_the_place(view):
    layout = normal_week()
    view.set_layout(layout)
    pixels = view.pixels_per_hour()
    assert view.verticalScrollBar().value() == round((9 - 0.25) * pixels)
    view.verticalScrollBar().setValue(3 * pixels)
    focused = appointment_item(layout, 9)
    view.set_focused_item(focused)
    scrolled = view.verticalScrollBar().value()

    view.set_layout(normal_week(now=NORMAL_NOW + timedelta(minutes=5)))  # a refresh
    assert view.verticalScrollBar().value() == scrolled
    assert view.focused_item() is not None and view.focused_item().appointment.id == 9

    view.set_layout(normal_week(monday=NORMAL_MONDAY + timedelta(days=7)))
    assert view.verticalScrollBar().value() == round((9 - 0.25) * pixels)
    assert view.focused_item() is None


def test_a_narrow_view_scrolls_sideways_to_the_focused_day(view):
    layout = normal_week()
    view.set_layout(layout)
    view.resize(420, 500)
    assert view.horizontalScrollBar().maximum() > 0
    assert view.column_rect(date(2027, 11, 10)).width() >= 96
    thursday_slot = items_of(layout, date(2027, 11, 11), ItemKind.FREE_SLOT)[0]
    view.set_focused_item(thursday_slot)
    assert view.viewport().rect().contains(view.item_rect(thursday_slot))
    assert view.sizeHint().width() > view.minimumSizeHint().width()


def test_a_week_without_timetable_opens_at_eight(view):
    empty = week(LONDON, NORMAL_MONDAY, NORMAL_NOW, rules=())
    view.set_layout(empty)
    assert view.verticalScrollBar().value() == round((8 - 0.25) * view.pixels_per_hour())


# --- clock changes ---------------------------------------------------------------------------


def autumn_week() -> WeekLayout:
    night = appointment(
        20,
        LONDON,
        (2027, 10, 31, 1, 30),
        30,
        AppointmentStatus.BOOKED,
        "Night-clinic patient",
        "Repeated-hour visit",
        fold=1,
    )
    return week(
        LONDON,
        date(2027, 10, 25),
        local(LONDON, 2027, 10, 27, 12, 0),
        [night],
        rules=(*WEEKDAY_RULES, SUNDAY_NIGHT),
    )


def test_a_25_hour_day_is_one_hour_taller_and_shows_both_one_oclocks(view):
    view.set_layout(autumn_week())
    pixels = view.pixels_per_hour()
    saturday, sunday = date(2027, 10, 30), date(2027, 10, 31)
    assert view.column_rect(sunday).height() - view.column_rect(saturday).height() == pixels
    assert view.column_rect(saturday).height() == 24 * pixels

    lines = {line.label: line for line in view.hour_lines(sunday)}
    assert {"01:00 BST", "01:00 GMT"} <= lines.keys()
    assert lines["01:00 GMT"].y - lines["01:00 BST"].y == pixels
    assert lines["01:00 GMT"].repeated and lines["01:00 GMT"].in_column
    assert len(view.hour_lines(sunday)) == 25
    assert not any(line.in_column for line in view.hour_lines(saturday))
    assert [label for _y, label in view.gutter_labels()] == [f"{h:02d}:00" for h in range(24)]

    layout = view.week_layout()
    free = items_of(layout, sunday, ItemKind.FREE_SLOT)
    texts = [view.item_text_lines(item)[0] for item in free[:5]]
    clocks = ["00:00 BST", "00:30 BST", "01:00 BST", "01:30 BST", "01:00 GMT"]
    # The time is kept whole ("Free" goes first when the column is narrow).
    assert [text.removeprefix("Free ") for text in texts] == clocks
    night = appointment_item(layout, 20)
    assert view.item_text_lines(night)[0].startswith("01:30 GMT")
    assert "01:30–02:00 GMT" in view.describe(night)


def test_a_23_hour_day_has_no_one_oclock_line(view):
    view.set_layout(
        week(
            LONDON,
            date(2027, 3, 22),
            local(LONDON, 2027, 3, 24, 12, 0),
            rules=(*WEEKDAY_RULES, SUNDAY_NIGHT),
        )
    )
    pixels = view.pixels_per_hour()
    sunday = date(2027, 3, 28)
    assert view.column_rect(sunday).height() == 23 * pixels
    labels = [line.label for line in view.hour_lines(sunday)]
    assert not any(label.startswith("01:00") for label in labels)
    assert labels[:3] == ["00:00 GMT", "02:00 BST", "03:00 BST"]
    lines = view.hour_lines(sunday)
    assert lines[1].y - lines[0].y == pixels  # 00:00 GMT to 02:00 BST is one real hour


def test_a_half_hour_fall_back_day_is_half_an_hour_taller(view):
    view.set_layout(
        week(
            LORD_HOWE,
            date(2027, 3, 29),
            local(LORD_HOWE, 2027, 3, 31, 12, 0),
            rules=(*WEEKDAY_RULES, SUNDAY_NIGHT),
        )
    )
    pixels = view.pixels_per_hour()
    sunday = date(2027, 4, 4)
    assert view.column_rect(sunday).height() == round(24.5 * pixels)
    lines = {line.label: line.y for line in view.hour_lines(sunday)}
    assert lines["02:00 +1030"] - lines["01:00 +11"] == round(1.5 * pixels)


def test_a_day_whose_midnight_is_skipped_starts_at_one_oclock(view):
    view.set_layout(week("America/Havana", date(2027, 3, 8), local(LONDON, 2027, 3, 1, 12, 0)))
    sunday = date(2027, 3, 14)
    lines = view.hour_lines(sunday)
    assert view.column_rect(sunday).height() == 23 * view.pixels_per_hour()
    assert lines[0].label.startswith("01:00") and lines[0].y == view.column_rect(sunday).top()
    assert all(line.in_column for line in lines)  # the gutter's 00:00 would misread it


# --- painting --------------------------------------------------------------------------------


def test_now_line_sits_at_now_in_todays_column(view):
    layout = normal_week()
    view.set_layout(layout)
    tuesday = view.column_rect(date(2027, 11, 9))
    line = view.now_line_rect()
    assert line is not None
    expected = tuesday.top() + round((10 + 40 / 60) * view.pixels_per_hour())
    assert abs(line.center().y() - expected) <= 1
    assert line.left() == tuesday.left() and line.width() == tuesday.width()
    image = view.viewport().grab().toImage()
    ratio = view.viewport().devicePixelRatioF()
    pixel = QColor(image.pixel(round((line.left() + 20) * ratio), round(line.center().y() * ratio)))
    assert pixel.red() > 180 and pixel.green() < 90 and pixel.blue() < 90

    view.set_layout(normal_week(now=NORMAL_NOW + timedelta(days=30)))
    assert view.now_line_rect() is None


def test_long_names_are_elided_inside_their_block(view):
    layout = normal_week()
    view.set_layout(layout)
    visit = appointment_item(layout, 6)
    rect = view.item_rect(visit)
    lines = view.item_text_lines(visit)
    assert lines and lines[0].endswith("…")
    assert LONG_NAME not in lines[0] and lines[0].startswith("13:05 María")
    bold = QFont(view.font())
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    assert all(metrics.horizontalAdvance(line) <= rect.width() for line in lines)
    assert len(lines) * QFontMetrics(view.font()).height() <= rect.height() + 4
    assert LONG_NAME in view.describe(visit)  # the tooltip has it all

    view.resize(700, 700)  # narrower columns: still elided, still inside
    narrow = view.item_rect(visit)
    assert narrow.width() < rect.width()
    assert all(
        metrics.horizontalAdvance(line) <= narrow.width() for line in view.item_text_lines(visit)
    )


def test_overlapping_appointments_share_the_column(view):
    layout = normal_week()
    view.set_layout(layout)
    cancelled, rebooked = (
        view.item_rect(appointment_item(layout, 7)),
        view.item_rect(appointment_item(layout, 8)),
    )
    assert not cancelled.intersects(rebooked)
    assert cancelled.top() == rebooked.top()


def test_many_items_paint_quickly(view):
    rules = tuple(
        WeeklyRule(id=d + 1, weekday=d, start=time(0), end=time(0), slot_minutes=10)
        for d in range(7)
    )
    layout = week(LONDON, NORMAL_MONDAY, local(LONDON, 2027, 11, 1, 0, 0), rules=rules)
    assert sum(len(column.items) for column in layout.days) > 900
    view.set_layout(layout)
    started = datetime.now(UTC)
    for _ in range(5):
        view.viewport().grab()
    assert datetime.now(UTC) - started < timedelta(seconds=2)


# --- the week bar ----------------------------------------------------------------------------


def test_navigator_moves_by_weeks_and_names_the_week(qtbot):
    navigator = WeekNavigator(LONDON, today=lambda _zone: date(2027, 10, 27))
    qtbot.addWidget(navigator)
    assert navigator.week() == date(2027, 10, 25)
    assert navigator.label_text() == "Week of 25 Oct 2027 (Europe/London)"
    with qtbot.waitSignal(navigator.week_changed) as changed:
        navigator.next_action.trigger()
    assert changed.args == [date(2027, 11, 1)]
    weeks: list[date] = []
    navigator.week_changed.connect(weeks.append)
    navigator.previous_action.trigger()
    navigator.previous_action.trigger()
    assert weeks == [date(2027, 10, 25), date(2027, 10, 18)]
    navigator.set_week(date(2028, 1, 5))  # any day of the week; no signal
    assert navigator.week() == date(2028, 1, 3)
    with qtbot.waitSignal(navigator.week_changed) as changed:
        navigator.today_action.trigger()
    assert changed.args == [date(2027, 10, 25)]
    assert "Alt+Left" in navigator.previous_action.toolTip()


# --- screenshots -----------------------------------------------------------------------------


def spring_week() -> WeekLayout:
    now = local(LONDON, 2027, 3, 24, 12, 0)
    return week(LONDON, date(2027, 3, 22), now, rules=(*WEEKDAY_RULES, SUNDAY_NIGHT))


def lord_howe_week() -> WeekLayout:
    now = local(LORD_HOWE, 2027, 3, 31, 12, 0)
    return week(LORD_HOWE, date(2027, 3, 29), now, rules=(*WEEKDAY_RULES, SUNDAY_NIGHT))


# Each screenshot was looked at for overlaps, clipped text, colours and hour lines.


def test_screenshot_of_a_plain_week_with_the_keyboard_focus(qtbot):
    layout = normal_week()
    window, calendar = calendar_window(qtbot, layout)
    window.activateWindow()
    calendar.setFocus()
    qtbot.waitUntil(calendar.hasFocus)
    calendar.set_focused_item(appointment_item(layout, 6))
    assert save_screenshot(window, "week-normal").exists()


@pytest.mark.parametrize(
    ("name", "make_layout", "sunday"),
    [
        ("week-dst-autumn", autumn_week, date(2027, 10, 31)),
        ("week-dst-spring", spring_week, date(2027, 3, 28)),
        ("week-dst-lord-howe", lord_howe_week, date(2027, 4, 4)),
    ],
)
def test_screenshots_of_clock_change_weeks_from_midnight(qtbot, name, make_layout, sunday):
    window, calendar = calendar_window(qtbot, make_layout(), top_hour=0)
    assert all(line.in_column for line in calendar.hour_lines(sunday))
    assert save_screenshot(window, name).exists()


def test_screenshot_of_a_narrow_window(qtbot):
    window, calendar = calendar_window(qtbot, normal_week())
    window.resize(760, 600)
    assert calendar.horizontalScrollBar().maximum() == 0  # 96-pixel columns still fit
    assert save_screenshot(window, "week-narrow").exists()
