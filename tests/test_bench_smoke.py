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
    # The load table row for 2,000 rows and the report table, with every contract report.
    assert "| 2,000 |" in result.stdout
    for label in ("past-due --json", "summary --json", "contact --json", "aging --json", "invoice --json"):
        assert f"| {label} |" in result.stdout, label
