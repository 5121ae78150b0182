"""Checks made before Qt starts, so a missing screen or library gets a sentence, not Qt's
bare 'could not load the Qt platform plugin' abort. Imports no Qt on purpose."""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping

# Qt's xcb platform plugin needs these; library name -> Debian/Ubuntu package.
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-shape": "libxcb-shape0",
}
# Qt's GUI module itself links these, whatever the platform.
QT_GUI_LIBRARIES = {
    "EGL": "libegl1",
    "GL": "libgl1",
    "fontconfig": "libfontconfig1",
    "xkbcommon": "libxkbcommon0",
}


def reach_display(display: str, find_library: Callable[[str], str | None]) -> bool:
    """Whether the X server named by ``display`` accepts a connection (through libxcb, which
    Qt's xcb plugin uses too). Unknown (no libxcb) counts as reachable: Qt will say."""
    name = find_library("xcb")
    if not name:
        return True
    try:
        xcb = ctypes.CDLL(name)
    except OSError:
        return True
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(connection) and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection:
            xcb.xcb_disconnect(connection)


def display_problem(
    environ: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    find_library: Callable[[str], str | None] = ctypes.util.find_library,
) -> str | None:
    """Why a window cannot open here, in words a person can act on; None when it can."""
    environ = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return None
    missing = [package for name, package in QT_GUI_LIBRARIES.items() if not find_library(name)]
    qpa = environ.get("QT_QPA_PLATFORM", "")
    uses_xcb = qpa.startswith("xcb") or (not qpa and not environ.get("WAYLAND_DISPLAY"))
    if uses_xcb:
        if not environ.get("DISPLAY"):
            return (
                "There is no screen to open the window on (DISPLAY is not set).\n"
                "Start Hospital Desktop from a desktop session, or on a server under a "
                "virtual screen: xvfb-run make run"
            )
        missing += [package for name, package in XCB_LIBRARIES.items() if not find_library(name)]
        if not missing and not reach_display(environ["DISPLAY"], find_library):
            return (
                f"The screen {environ['DISPLAY']} (the DISPLAY setting) does not answer, so "
                "the window cannot open. Check that the X server is running and that this "
                "user may use it, or run under a virtual screen: xvfb-run make run"
            )
    if missing:
        return (
            "Qt needs system libraries that are not installed, so the window cannot open.\n"
            f"On Debian or Ubuntu install them with:\n  sudo apt-get install {' '.join(missing)}"
        )
    return None
