"""A tiny run of the benchmark script, so that it keeps working (timings are not checked)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")
def test_benchmark_runs_end_to_end() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "2000", "--rounds", "1", "--reports-runs", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # The load table row for 2,000 rows and the report table, with every report asked.
    assert "| 2,000 |" in result.stdout
    assert "| command | 2021-09-01 (a quarter in) | 2023-06-30 (middle) | 2026-12-07 (today) " in result.stdout
    for label in (
        "past-due --json",
        "aging --json",
        "aging --limit 20 --json",
        "customers --json (a page)",
        "statement (owing most) --json",
        "summary --month --json",
    ):
        assert f"| {label} |" in result.stdout, label
