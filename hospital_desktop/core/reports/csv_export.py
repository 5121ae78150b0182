"""CSV files that spreadsheets open right: UTF-8 with a byte-order mark, written whole or
not at all (a temporary file beside the target, moved into place when complete)."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from hospital_desktop.core.domain.errors import DomainError

# Cells a spreadsheet would run as a formula; a leading apostrophe keeps them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write ``rows`` under ``headers`` to ``path``; returns how many rows were written."""
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=".export-", suffix=".csv", dir=path.parent)
    except OSError as error:
        raise DomainError(
            f"The file could not be written in {path.parent}: {error.strerror or error}. "
            "Choose a folder you may write to."
        ) from error
    count = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([safe_cell(h) for h in headers])
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
                count += 1
        # mkstemp makes the file private; an export gets the user's usual permissions.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise DomainError(
            f"The file {path.name} could not be written: {error.strerror or error}. "
            "Nothing was exported."
        ) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count
