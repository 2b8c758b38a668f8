"""Privacy: files domeo creates are the owner's alone; errors do not dump personal data."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import EXAMPLE_CSV, HEADER


@pytest.fixture(autouse=True)
def _umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


BAD_ROW = (
    "Secret Clinic,DF9,3/7/25,PO-9,not money,0,Pending,USD,Jane Private,555-867-5309,"
    "jane.private@secret-clinic.example,Net 30,,1,"
)


def test_new_database_and_its_side_files_are_0600(run, write_csv, db_path: Path) -> None:  # noqa: ANN001
    path = write_csv(EXAMPLE_CSV)
    from domeo_cli.store.sqlite import db as dbmod

    connection = dbmod.open_for_write(str(db_path))  # kept open: -wal and -shm exist meanwhile
    try:
        for suffix in ("", "-wal", "-shm"):
            assert mode(Path(f"{db_path}{suffix}")) == 0o600, suffix
        assert run("ingest", str(path)).exit_code == 0
        for suffix in ("", "-wal", "-shm"):
            assert mode(Path(f"{db_path}{suffix}")) == 0o600, suffix
    finally:
        connection.close()


def test_init_creates_0600(run, db_path: Path) -> None:  # noqa: ANN001
    assert run("init").exit_code == 0
    assert mode(db_path) == 0o600


def test_existing_database_keeps_its_mode(run, write_csv, db_path: Path) -> None:  # noqa: ANN001
    assert run("init").exit_code == 0
    os.chmod(db_path, 0o640)
    assert run("ingest", str(write_csv(EXAMPLE_CSV))).exit_code == 0
    assert mode(db_path) == 0o640


def test_rejects_file_is_0600_and_an_existing_one_keeps_its_mode(run, write_csv, tmp_path: Path) -> None:  # noqa: ANN001
    path = write_csv(HEADER + "\n" + BAD_ROW + "\n")
    rejects = tmp_path / "rejects.csv"
    assert run("ingest", str(path), "--rejects", str(rejects)).exit_code == 4
    assert mode(rejects) == 0o600
    assert "jane.private@secret-clinic.example" in rejects.read_text(encoding="utf-8")  # asked for: there
    os.chmod(rejects, 0o644)
    assert run("ingest", str(path), "--rejects", str(rejects)).exit_code == 4
    assert mode(rejects) == 0o644


def test_dry_run_creates_no_database(run, write_csv, db_path: Path) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(EXAMPLE_CSV)), "--dry-run").exit_code == 0
    assert not db_path.exists()


@pytest.mark.parametrize("as_json", [False, True])
def test_rejection_does_not_print_the_row(run, write_csv, as_json: bool) -> None:  # noqa: ANN001
    path = write_csv(HEADER + "\n" + BAD_ROW + "\n")
    result = run("ingest", str(path), *(["--json"] if as_json else []))
    assert result.exit_code == 4
    assert "line 2" in result.stderr or '"line": 2' in result.stdout
    for secret in ("jane.private@secret-clinic.example", "555-867-5309", "Jane Private"):
        assert secret not in result.stderr, secret
        assert secret not in result.stdout, secret


def test_wrong_field_count_does_not_print_the_row(run, write_csv) -> None:  # noqa: ANN001
    path = write_csv(HEADER + "\n" + BAD_ROW + ",extra,fields\n")
    result = run("ingest", str(path))
    assert result.exit_code == 4
    assert "line 2" in result.stderr
    assert "jane.private@secret-clinic.example" not in result.stderr + result.stdout


def test_missing_columns_message_does_not_print_a_data_row(run, write_csv) -> None:  # noqa: ANN001
    path = write_csv("Name,Email\nJane Private,jane.private@secret-clinic.example\n")
    result = run("ingest", str(path))
    assert result.exit_code == 2
    assert "jane.private@secret-clinic.example" not in result.stderr
    assert result.stderr.startswith("domeo: error: The file lacks the required column(s)")
