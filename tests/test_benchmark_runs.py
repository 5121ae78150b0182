"""The report benchmark still runs (on a few appointments: the real size is for make benchmark)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_the_report_benchmark_runs_small():
    result = subprocess.run(
        [sys.executable, "benchmarks/report_benchmark.py", "--appointments", "500", "--no-record"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["appointments"] == 500 and figures["longest_gui_wait_s"] < 1
