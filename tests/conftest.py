"""Shared fixtures: every test runs in its own directory with its own database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import helpers
import pytest
from helpers import EXAMPLE_CSV, Result, csv_of, domeo_command, run_main


def pytest_configure(config: pytest.Config) -> None:
    """The quick run (``-m "not slow"``) tries fewer examples per property test (``helpers.examples``)."""
    helpers.QUICK_RUN = "not slow" in (config.getoption("markexpr") or "")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test in a fresh directory, its database there, no stray settings."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOMEO_DB", str(tmp_path / "test.db"))
    for name in ("DOMEO_TZ", "NO_COLOR", "DOMEO_DEBUG", "DOMEO_BUSY_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The database the CLI uses in this test (``$DOMEO_DB``)."""
    return tmp_path / "test.db"


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run ``domeo ARGS`` in-process through the entry point users run (see ``helpers.run_main``)."""
    return run_main


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write a CSV file into the test directory: text (or bytes) as given."""

    def _write(content: str | bytes, name: str = "invoices.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding, newline="")
        return path

    return _write


@pytest.fixture
def example(write_csv, run) -> Path:  # noqa: ANN001
    """The input-format.md example file, loaded into the test database."""
    path = write_csv(EXAMPLE_CSV, "example.csv")
    result = run("ingest", str(path))
    assert result.exit_code == 0, result
    return path


@pytest.fixture
def load_rows(write_csv, run) -> Callable[..., Path]:  # noqa: ANN001
    """Write rows (see ``csv_of``) as a CSV, ingest it, check every row loaded."""

    def _load(rows: list[dict[str, str]], name: str = "rows.csv", db: str | None = None) -> Path:
        path = write_csv(csv_of(rows), name)
        result = run(*(("--db", db) if db else ()), "ingest", str(path), "--json")
        assert result.exit_code == 0, result
        assert result.json["rows_read"] == len(rows), result
        assert result.json["rejected"] == 0, result
        return path

    return _load


@pytest.fixture
def domeo_proc() -> Callable[..., Result]:
    """Run ``domeo ARGS`` in a child process (the real entry point, fast path included)."""
    import os
    import subprocess

    def _run(*args: str, input: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
        done = subprocess.run(
            domeo_command(*args),
            input=input,
            capture_output=True,
            env={**os.environ, **(env or {})},
            timeout=timeout,
        )
        return Result(
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
        )

    return _run
