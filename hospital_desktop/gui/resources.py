"""Files shipped in ``resources/`` (icons)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def icon_path() -> Path:
    return RESOURCES / "hospital-desktop.svg"
