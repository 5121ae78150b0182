"""Before Qt starts: a missing screen or library is explained, not a bare Qt abort."""

from hospital_desktop.gui.preflight import display_problem


def everything(_name: str) -> str:
    return "found"


def test_no_display_is_explained():
    problem = display_problem({}, "linux", everything)
    assert problem is not None and "DISPLAY" in problem and "xvfb-run" in problem


def test_missing_xcb_libraries_are_named_with_their_packages():
    def lacks_cursor(name: str) -> str | None:
        return None if name in ("xcb-cursor", "xcb-shape") else "found"

    problem = display_problem({"DISPLAY": ":0"}, "linux", lacks_cursor)
    assert problem is not None
    assert "apt-get install libxcb-cursor0 libxcb-shape0" in problem


def test_offscreen_and_other_systems_need_no_x_libraries():
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", everything) is None
    assert display_problem({}, "win32", lambda name: None) is None
    assert display_problem({"DISPLAY": ":0"}, "linux", everything) is None


def test_a_display_that_does_not_answer_is_explained():
    import ctypes.util

    import pytest

    xcb = ctypes.util.find_library("xcb")
    if not xcb:
        pytest.skip("libxcb is not installed here, so no X connection can be tried")

    def libraries(name: str) -> str:
        return xcb if name == "xcb" else "found"

    problem = display_problem({"DISPLAY": ":97"}, "linux", libraries)  # nothing listens on :97
    assert problem is not None and "does not answer" in problem
