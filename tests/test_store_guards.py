"""The store refuses, before SQLite opens anything, what it cannot use, and leaves no file behind.

A device or pipe named as the database, a truncated database, a database
from a newer domeo and a read-only one are refused with one sentence (exit 1)
and the folder holds exactly what it held (no ``-journal``, ``-wal`` or
``-shm``); bad ``$DOMEO_BUSY_TIMEOUT`` and ``$DOMEO_TZ`` values are exit 2 with
a sentence. Each runs the real command in a child process, as cron does.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import SAMPLE, by_hand
from test_bad_databases import CORRUPT, immutable

from domeo_cli.store.sqlite import ingest, schema

# Every command that opens the database, with the sample as ingest's file.
COMMANDS = {
    "past-due": ["past-due", "--as-of", "2025-10-01"],
    "summary": ["summary", "--month", "2025-03"],
    "contact": ["contact", "Harbor Lane Bakery"],
    "aging": ["aging", "--as-of", "2025-10-01"],
    "ingest": ["ingest", str(SAMPLE)],
    "dry-run": ["ingest", str(SAMPLE), "--dry-run"],
    "init": ["init"],
}


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def refused(result, message: str) -> None:  # noqa: ANN001 - conftest.Result
    """Exit 1, nothing on stdout, exactly the sentence on stderr."""
    assert (result.exit_code, result.stdout) == (1, ""), result
    assert result.stderr == f"domeo: error: {message}\n", result


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, loaded: a WAL database (its header says so) with no -wal or -shm beside it."""
    folder = tmp_path_factory.mktemp("loaded")
    db = folder / "domeo.db"
    ingest.load(str(db), str(SAMPLE))
    assert listing(folder) == ["domeo.db"]
    assert db.read_bytes()[18:20] == b"\x02\x02"  # WAL: any SQLite connection would make -wal and -shm
    return db


@pytest.fixture
def dbdir(tmp_path: Path) -> Path:
    folder = tmp_path / "db"
    folder.mkdir()
    return folder


# -- a path that is not a regular file ----------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_pipe_named_as_the_database_is_refused(domeo_proc, dbdir: Path, command: str) -> None:  # noqa: ANN001
    fifo = dbdir / "fifo.db"
    os.mkfifo(fifo)
    result = domeo_proc("--db", str(fifo), *COMMANDS[command], timeout=60)
    refused(result, f"{fifo} is not a regular file (a device, pipe or socket), so not a domeo database.")
    assert listing(dbdir) == ["fifo.db"]  # no fifo.db-journal, -wal or -shm


@pytest.mark.parametrize("command", ["ingest", "init", "past-due"])
def test_dev_null_as_the_database_is_refused(domeo_proc, command: str) -> None:  # noqa: ANN001
    journal = Path("/dev/null-journal")
    before = journal.stat().st_mtime_ns if journal.exists() else None
    result = domeo_proc("--db", "/dev/null", *COMMANDS[command])
    refused(result, "/dev/null is not a regular file (a device, pipe or socket), so not a domeo database.")
    assert (journal.stat().st_mtime_ns if journal.exists() else None) == before


# -- refused databases leave no -wal or -shm ------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_truncated_database_is_refused_and_left_alone(domeo_proc, loaded: Path, dbdir: Path, command: str) -> None:  # noqa: ANN001
    db = dbdir / "cut.db"
    db.write_bytes(loaded.read_bytes()[:20_000])
    result = domeo_proc("--db", str(db), *COMMANDS[command])
    refused(result, CORRUPT.format(path=db))
    assert listing(dbdir) == ["cut.db"]
    assert db.stat().st_size == 20_000


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_database_from_a_newer_domeo_gets_no_side_files(domeo_proc, loaded: Path, dbdir: Path, command: str) -> None:  # noqa: ANN001
    db = dbdir / "newer.db"
    shutil.copyfile(loaded, db)
    newer = schema.SCHEMA_VERSION + 1
    connection = by_hand(db)
    connection.execute(f"PRAGMA user_version = {newer}")  # still a WAL database
    connection.close()
    assert listing(dbdir) == ["newer.db"] and db.read_bytes()[18:20] == b"\x02\x02"
    before = db.read_bytes()
    result = domeo_proc("--db", str(db), *COMMANDS[command])
    refused(
        result,
        f"{db} was made by a newer domeo (schema {newer}, this one knows {schema.SCHEMA_VERSION}); "
        "upgrade domeo to use it.",
    )
    assert listing(dbdir) == ["newer.db"]
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", ["ingest", "init"])
def test_a_write_refused_on_a_read_only_database_leaves_no_side_files(
    domeo_proc, loaded: Path, dbdir: Path, command: str
) -> None:  # noqa: ANN001
    db = dbdir / "ro.db"
    shutil.copyfile(loaded, db)
    with immutable(db):
        result = domeo_proc("--db", str(db), *COMMANDS[command])
        refused(result, f"The database {db} is read-only; domeo cannot write to it.")
        assert listing(dbdir) == ["ro.db"]


# -- environment variables -------------------------------------------------------------------------


# In-process (run, the variable set with monkeypatch): the sentence is the option rules'. The bad time zone
# below keeps an environment variable refused by a real process.
@pytest.mark.parametrize("value", ["1e309", "abc", "-1", "nan", "inf", ""])
@pytest.mark.parametrize("command", ["past-due", "ingest"])
def test_a_bad_busy_timeout_is_exit_2_with_a_sentence(run, monkeypatch, dbdir: Path, value: str, command: str) -> None:  # noqa: ANN001
    db = dbdir / "new.db"
    args = COMMANDS[command]
    monkeypatch.setenv("DOMEO_BUSY_TIMEOUT", value)
    result = run("--db", str(db), *args)
    assert (result.exit_code, result.stdout) == (2, ""), result
    assert result.stderr == (
        f"domeo: error: DOMEO_BUSY_TIMEOUT={value!r} is not a number of seconds from 0 to 2147483 "
        "(how long to wait for another domeo's load; e.g. 30).\n"
    )
    assert listing(dbdir) == []  # refused before the database was created
    as_json = run("--db", str(db), *args, "--json")
    assert as_json.exit_code == 2 and as_json.error["code"] == "invalid_input", as_json


@pytest.mark.parametrize("value", ["0", "0.5", " 2 ", "2147483"])
def test_a_good_busy_timeout_is_taken(run, monkeypatch, loaded: Path, value: str) -> None:  # noqa: ANN001
    monkeypatch.setenv("DOMEO_BUSY_TIMEOUT", value)
    result = run("--db", str(loaded), *COMMANDS["summary"])
    assert result.exit_code == 0, result


@pytest.mark.parametrize("zone", ["../../../etc/passwd", "/etc/passwd", "America", "Nowhere/Atall", "UTC\x01"])
def test_a_bad_time_zone_is_exit_2_with_a_sentence(domeo_proc, loaded: Path, zone: str) -> None:  # noqa: ANN001
    result = domeo_proc("--db", str(loaded), "past-due", env={"DOMEO_TZ": zone})
    assert (result.exit_code, result.stdout) == (2, ""), result
    assert result.stderr == f"domeo: error: DOMEO_TZ={zone!r} is not a known IANA time zone (e.g. Europe/Paris).\n"
    as_json = domeo_proc("--db", str(loaded), "past-due", "--json", env={"DOMEO_TZ": zone})
    assert as_json.exit_code == 2 and as_json.error["code"] == "invalid_input", as_json
