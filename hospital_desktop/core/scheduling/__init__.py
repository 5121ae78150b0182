"""Scheduling: timetables to free slots, and the week as the calendar shows it. Pure Python:
no Qt, no SQL; the services feed it records and act on its answers."""
