"""A tiny run of the export benchmark, so that it keeps working (timings are not checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "export_bench.py"


@pytest.mark.slow
def test_export_benchmark_runs_end_to_end() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "1500", "--rounds", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| 1,500 | csv |" in result.stdout and "| 1,500 | json |" in result.stdout
