"""The Timetable tab's week calendar: a view that paints a core WeekLayout, and its week bar."""

from hospital_desktop.gui.calendar.week_navigator import WeekNavigator
from hospital_desktop.gui.calendar.week_view import HourLine, StatusColours, WeekLegend, WeekView

__all__ = ["HourLine", "StatusColours", "WeekLegend", "WeekNavigator", "WeekView"]
