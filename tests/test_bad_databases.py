"""Databases that are not ours or not well: one sentence, exit 1, and nobody else's file touched.

Corrupt files (random bytes, a truncated database, garbage over middle
pages), another program's SQLite file, a database from a newer domeo, a
read-only file, directory and file system, and a full disk. Root ignores
file permissions, so read-only is simulated with ``chattr +i`` and a
read-only bind mount, and a full disk with a 1 MiB tmpfs; a test skips (and
says why) where the machine does not allow that.
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import EXAMPLE_CSV, SAMPLE, by_hand, load_generator

from domeo_cli.store.sqlite import schema

CORRUPT = "{path} is not a usable domeo database: the file is corrupt or not SQLite."
FOREIGN = "{path} is a SQLite database of another program, not domeo's; it was left untouched."

# One invocation of every command that opens the database (ingest's file is filled in per test).
REPORTS = {
    "past-due": ["past-due", "--as-of", "2025-10-01"],
    "summary": ["summary", "--month", "2025-03"],
    "contact": ["contact", "Harbor Lane Bakery"],
}


def expect_error(result, message: str) -> None:  # noqa: ANN001 - conftest.Result
    """Exit 1, nothing on stdout, exactly one ``domeo: error:`` line on stderr."""
    assert result.exit_code == 1, result
    assert result.stdout == "", result
    assert result.stderr == f"domeo: error: {message}\n", result


def every_command(run, db: Path, csv_path: Path, message: str) -> None:  # noqa: ANN001
    for args in REPORTS.values():
        expect_error(run("--db", str(db), *args), message)
    expect_error(run("--db", str(db), "ingest", str(csv_path)), message)
    expect_error(run("--db", str(db), "ingest", str(csv_path), "--dry-run"), message)
    expect_error(run("--db", str(db), "init"), message)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file of ``folder``: bytes, mtime (ns) and mode."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real domeo database of the 3,000-invoice sample, checkpointed into one file."""
    folder = tmp_path_factory.mktemp("real")
    path = folder / "real.db"
    from domeo_cli.store.sqlite.ingest import load

    load(str(path), str(SAMPLE))
    db = by_hand(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


@pytest.fixture
def example_csv(write_csv) -> Path:  # noqa: ANN001
    return write_csv(EXAMPLE_CSV, "example.csv")


@pytest.fixture
def dbdir(tmp_path: Path) -> Path:
    """A directory holding only the database under test."""
    path = tmp_path / "dbdir"
    path.mkdir()
    return path


# -- corrupt files -----------------------------------------------------------------------


def test_random_bytes(run, dbdir: Path, example_csv: Path) -> None:  # noqa: ANN001
    db = dbdir / "random.db"
    db.write_bytes(random.Random(4).randbytes(64 * 1024))
    before = snapshot(dbdir)
    every_command(run, db, example_csv, CORRUPT.format(path=db))
    assert snapshot(dbdir) == before


def test_random_bytes_after_a_sqlite_header(run, dbdir: Path, example_csv: Path) -> None:  # noqa: ANN001
    db = dbdir / "header.db"
    header = bytearray(b"SQLite format 3\x00" + random.Random(5).randbytes(84))
    header[68:72] = schema.APPLICATION_ID.to_bytes(4, "big")  # claims to be ours
    db.write_bytes(bytes(header) + random.Random(6).randbytes(16 * 4096))
    before = snapshot(dbdir)
    every_command(run, db, example_csv, CORRUPT.format(path=db))
    assert snapshot(dbdir) == before


def test_a_csv_file_given_as_the_database(run, dbdir: Path, example_csv: Path) -> None:  # noqa: ANN001
    db = dbdir / "invoices.csv"
    db.write_text(EXAMPLE_CSV, encoding="utf-8")
    before = snapshot(dbdir)
    every_command(run, db, example_csv, CORRUPT.format(path=db))
    assert snapshot(dbdir) == before


def test_truncated_database(run, real_db: Path, dbdir: Path, example_csv: Path) -> None:  # noqa: ANN001
    db = dbdir / "truncated.db"
    data = real_db.read_bytes()
    db.write_bytes(data[: len(data) // 8])
    for args in (REPORTS["past-due"], REPORTS["summary"]):
        expect_error(run("--db", str(db), *args), CORRUPT.format(path=db))
    expect_error(run("--db", str(db), "ingest", str(SAMPLE)), CORRUPT.format(path=db))
    assert db.read_bytes() == data[: len(data) // 8]


def test_garbage_over_middle_pages(run, real_db: Path, dbdir: Path) -> None:  # noqa: ANN001
    """Pages in the middle third overwritten: no wrong answer, no traceback; the load refuses."""
    db = dbdir / "garbage.db"
    data = bytearray(real_db.read_bytes())
    page = 4096
    pages = len(data) // page
    rng = random.Random(8)
    for number in range(pages // 3, 2 * pages // 3):
        data[number * page : (number + 1) * page] = rng.randbytes(page)
    db.write_bytes(bytes(data))
    check = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:  # it really is damaged
        assert check.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    except sqlite3.DatabaseError as err:
        assert "malformed" in str(err)
    finally:
        check.close()
    good = dbdir.parent / "good.db"
    shutil.copyfile(real_db, good)
    for args in (
        *REPORTS.values(),
        ["past-due", "--as-of", "2026-01-01", "--limit", "200", "--offset", "1000", "--json"],
        ["summary", "--month", "2024-06", "--json"],
        ["contact", "Smith, Jones & Co", "--json"],
    ):
        result = run("--db", str(db), *args)
        right = run("--db", str(good), *args)
        if result.exit_code != 1:  # it read only intact pages: then the answer is the right one
            assert result.exit_code == right.exit_code, result
            assert result.stdout == right.stdout
            assert result.stderr == right.stderr.replace(str(good), str(db))
        elif "--json" in args:
            assert result.stdout == "", result
            assert result.error == {"code": "database_error", "message": CORRUPT.format(path=db)}
        else:
            expect_error(result, CORRUPT.format(path=db))
    expect_error(run("--db", str(db), "ingest", str(SAMPLE)), CORRUPT.format(path=db))
    assert db.read_bytes() == bytes(data)


# -- another program's database ----------------------------------------------------------


def _foreign(path: Path, journal_mode: str) -> None:
    db = by_hand(path)
    db.execute(f"PRAGMA journal_mode = {journal_mode}")
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.executemany("INSERT INTO notes (body) VALUES (?)", [("a note " * 50,)] * 500)
    db.commit()
    db.close()


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_another_programs_database_is_never_touched(
    run, domeo_proc, dbdir: Path, example_csv: Path, journal_mode: str
) -> None:  # noqa: ANN001
    db = dbdir / "notes.sqlite"
    _foreign(db, journal_mode)
    before = snapshot(dbdir)
    every_command(run, db, example_csv, FOREIGN.format(path=db))
    result = domeo_proc("--db", str(db), "past-due", "--json")  # the fast path, in a real process
    assert result.exit_code == 1
    assert result.error == {"code": "database_error", "message": FOREIGN.format(path=db)}
    assert snapshot(dbdir) == before  # same bytes, same mtime, and no -wal or -shm beside it


def test_another_programs_unfinished_transaction_is_not_rolled_back(run, dbdir: Path, example_csv: Path) -> None:  # noqa: ANN001
    """A hot journal is the other program's to recover: opening it for writing would roll it back."""
    db = dbdir / "notes.sqlite"
    _foreign(db, "delete")
    crash = (
        "import sqlite3, os, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA cache_size = 2')\n"
        "db.execute('BEGIN')\n"
        "db.execute(\"UPDATE notes SET body = 'half-written'\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([os.sys.executable, "-c", crash, str(db)], check=True)
    assert Path(f"{db}-journal").exists()
    before = snapshot(dbdir)
    every_command(run, db, example_csv, FOREIGN.format(path=db))
    assert snapshot(dbdir) == before


def test_database_of_a_newer_domeo(run, real_db: Path, dbdir: Path, example_csv: Path) -> None:  # noqa: ANN001
    db = dbdir / "newer.db"
    shutil.copyfile(real_db, db)
    newer = schema.SCHEMA_VERSION + 1
    connection = by_hand(db)
    connection.execute(f"PRAGMA user_version = {newer}")
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    before = db.read_bytes()
    message = (
        f"{db} was made by a newer domeo (schema {newer}, this one knows {schema.SCHEMA_VERSION}); "
        "upgrade domeo to use it."
    )
    every_command(run, db, example_csv, message)
    assert db.read_bytes() == before
    result = run("--db", str(db), "summary", "--month", "2025-03", "--json")
    assert result.error == {"code": "database_error", "message": message}


# -- read-only files, directories and file systems ------------------------------------------


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``chattr +i``: even root cannot write, create or delete there. Skips where unsupported."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed: a read-only file cannot be simulated for root")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not allowed here ({done.stderr.decode().strip()})")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def _loaded(domeo_proc, dbdir: Path, example_csv: Path) -> tuple[Path, Path]:  # noqa: ANN001
    """A loaded database alone in ``dbdir`` (reports run in child processes: they leave no
    connection open here), and an identical copy elsewhere to know the right answers."""
    db = dbdir / "domeo.db"
    assert domeo_proc("--db", str(db), "ingest", str(example_csv)).exit_code == 0
    assert sorted(p.name for p in dbdir.iterdir()) == ["domeo.db"]
    twin = dbdir.parent / "twin.db"
    shutil.copyfile(db, twin)
    return db, twin


def test_read_only_database_file(domeo_proc, dbdir: Path, example_csv: Path, write_csv) -> None:  # noqa: ANN001
    db, twin = _loaded(domeo_proc, dbdir, example_csv)
    expected = domeo_proc("--db", str(twin), "past-due", "--as-of", "2025-05-01", "--json")
    change = write_csv(EXAMPLE_CSV.replace("412.25", "500"), "change.csv")
    with immutable(db):
        before = db.read_bytes()
        # Reading a read-only database is no error: reports answer.
        result = domeo_proc("--db", str(db), "past-due", "--as-of", "2025-05-01", "--json")
        assert (result.exit_code, result.stdout) == (0, expected.stdout)
        expect_error(
            domeo_proc("--db", str(db), "ingest", str(change)),
            f"The database {db} is read-only; domeo cannot write to it.",
        )
        assert db.read_bytes() == before
    after = domeo_proc("--db", str(db), "past-due", "--as-of", "2025-05-01", "--json")
    assert after.stdout == expected.stdout


READ_ONLY_DIR = (
    "The directory of the database {path} is read-only; domeo cannot write there "
    "(SQLite keeps its -wal and -shm files beside the database)."
)


def test_read_only_directory(domeo_proc, dbdir: Path, example_csv: Path, write_csv) -> None:  # noqa: ANN001
    db, twin = _loaded(domeo_proc, dbdir, example_csv)
    expected = {name: domeo_proc("--db", str(twin), *args, "--json").stdout for name, args in REPORTS.items()}
    change = write_csv(EXAMPLE_CSV.replace("412.25", "500"), "change.csv")
    with immutable(dbdir):
        before = snapshot(dbdir)
        for name, args in REPORTS.items():  # a WAL database is still readable there
            result = domeo_proc("--db", str(db), *args, "--json")
            assert result.exit_code == 0, result
            assert result.stdout == expected[name]
        expect_error(domeo_proc("--db", str(db), "ingest", str(change)), READ_ONLY_DIR.format(path=db))
        expect_error(domeo_proc("--db", str(db), "init"), READ_ONLY_DIR.format(path=db))
        new = dbdir / "new.db"
        expect_error(domeo_proc("--db", str(new), "ingest", str(change)), READ_ONLY_DIR.format(path=new))
        assert snapshot(dbdir) == before


@contextlib.contextmanager
def mounted(*commands: list[str], target: Path) -> Iterator[None]:
    """Run mount commands; skip the test if mounting is not permitted; unmount afterwards."""
    if shutil.which("mount") is None:
        pytest.skip("mount is not installed: cannot simulate this file system")
    done = subprocess.run(commands[0], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"mounting is not permitted here ({done.stderr.decode().strip()})")
    try:
        for command in commands[1:]:
            subprocess.run(command, check=True, capture_output=True)
        yield
    finally:
        gc.collect()  # connections left open by in-process runs would keep the mount busy
        subprocess.run(["umount", str(target)], check=True)


def test_read_only_file_system(domeo_proc, dbdir: Path, example_csv: Path, write_csv) -> None:  # noqa: ANN001
    db, twin = _loaded(domeo_proc, dbdir, example_csv)
    expected = domeo_proc("--db", str(twin), "summary", "--month", "2025-03", "--json").stdout
    change = write_csv(EXAMPLE_CSV.replace("412.25", "500"), "change.csv")
    with mounted(
        ["mount", "--bind", str(dbdir), str(dbdir)],
        ["mount", "-o", "remount,bind,ro", str(dbdir)],
        target=dbdir,
    ):
        before = snapshot(dbdir)
        result = domeo_proc("--db", str(db), "summary", "--month", "2025-03", "--json")
        assert result.exit_code == 0, result
        assert result.stdout == expected
        expect_error(domeo_proc("--db", str(db), "ingest", str(change)), READ_ONLY_DIR.format(path=db))
        assert snapshot(dbdir) == before


# -- a full disk -------------------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs: the first real load fills it."""
    target = tmp_path / "small-disk"
    target.mkdir()
    with mounted(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(target)], target=target):
        yield target


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        load_generator().write_csv(out, 20_000, seed=3)
    return path


def _digest(db: Path) -> list:
    connection = by_hand(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return connection.execute("SELECT * FROM invoices ORDER BY invoice_number").fetchall()
    finally:
        connection.close()


def test_full_disk_leaves_the_database_as_it_was(run, full_disk: Path, example_csv: Path, big_csv: Path) -> None:  # noqa: ANN001
    db = full_disk / "domeo.db"
    assert run("--db", str(db), "ingest", str(example_csv)).exit_code == 0
    before = _digest(db)
    report = run("--db", str(db), "past-due", "--as-of", "2025-05-01", "--json").stdout
    result = run("--db", str(db), "ingest", str(big_csv))
    expect_error(result, f"The disk holding {db} is full; nothing was changed.")
    assert _digest(db) == before
    assert run("--db", str(db), "past-due", "--as-of", "2025-05-01", "--json").stdout == report
    as_json = run("--db", str(db), "ingest", str(big_csv), "--json")
    assert as_json.exit_code == 1 and as_json.stdout == ""
    assert as_json.error == {
        "code": "database_error",
        "message": f"The disk holding {db} is full; nothing was changed.",
    }


def test_full_disk_for_the_rejects_file(run, full_disk: Path, tmp_path: Path, write_csv) -> None:  # noqa: ANN001
    filler = full_disk / "filler"
    with filler.open("wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"x" * 65536)
            out.flush()
    rows = [EXAMPLE_CSV.splitlines()[0]] + [f"Acme,BAD{i},not a date,,1,0,,USD,,,,,,," for i in range(2000)]
    bad = write_csv("\n".join(rows) + "\n", "bad.csv")
    db = tmp_path / "ok.db"
    result = run("--db", str(db), "ingest", str(bad), "--rejects", str(full_disk / "rejects.csv"))
    assert result.exit_code in (1, 2), result
    assert result.stdout == ""
    assert result.stderr.startswith("domeo: error: ") and result.stderr.count("\n") == 1, result
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr


def test_full_disk_on_the_first_load_leaves_no_database(run, full_disk: Path, big_csv: Path) -> None:  # noqa: ANN001
    db = full_disk / "domeo.db"
    expect_error(run("--db", str(db), "ingest", str(big_csv)), f"The disk holding {db} is full; nothing was changed.")
    assert sorted(p.name for p in full_disk.iterdir()) == []


@pytest.mark.parametrize("name", ["a?b.db", "a#b.db", "a%20b.db", "a%3fb.db", "two words.db", "état.db"])
def test_a_database_name_with_uri_characters_is_that_file(run, dbdir: Path, example_csv: Path, name: str) -> None:  # noqa: ANN001
    # The database is opened through an SQLite URI, where "?", "#" and "%" mean something.
    db = dbdir / name
    loaded = run("--db", str(db), "ingest", str(example_csv), "--json")
    assert loaded.exit_code == 0, loaded
    files = {p.name for p in dbdir.iterdir()}
    assert name in files and files <= {name, f"{name}-shm", f"{name}-wal"}, files
    report = run("--db", str(db), "summary", "--month", "2025-03", "--json")
    assert report.exit_code == 0, report
    assert '"sum_bill_total": "5045.50"' in report.stdout
