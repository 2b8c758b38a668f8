"""A report creates and writes nothing, today or as known after a past load: a read-only role or replica answers.

Every report runs with an SQLite authorizer on its snapshot's connection that
denies whatever would create, change or drop anything (temporary objects
included), and must give the answer it gives without one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import SAMPLE, by_hand, run_main

from domeo_cli.store.sqlite import db as dbmod

#: Every action of SQLite's authorizer that creates, changes or drops something.
WRITES = {
    getattr(sqlite3, name)
    for name in dir(sqlite3)
    if name.startswith(("SQLITE_CREATE_", "SQLITE_DROP_", "SQLITE_ALTER_"))
    or name in ("SQLITE_INSERT", "SQLITE_UPDATE", "SQLITE_DELETE", "SQLITE_ATTACH", "SQLITE_DETACH", "SQLITE_REINDEX")
}

REPORTS = [
    ["past-due", "--as-of", "2025-03-01", "--limit", "200"],
    ["past-due", "--as-of", "2025-03-01", "--customer", "Baker & Sons Plumbing", "--with-children", "--contact"],
    ["past-due", "--as-of", "2025-03-01", "--all", "--format", "csv"],
    ["summary", "--month", "2024-12"],
    ["summary", "--from", "2024-01", "--to", "2025-06", "--currency", "USD"],
    ["contact", "Baker & Sons Plumbing"],
    ["aging", "--as-of", "2025-03-01"],
    ["aging", "--as-of", "2025-03-01", "--by", "parent", "--tree"],
    ["aging", "--as-of", "2025-03-01", "--limit", "5", "--min-total", "100"],
    ["customers", "--as-of", "2025-03-01", "--sort", "past_due"],
    ["invoice", "DF2002913", "--as-of", "2025-09-30"],
    ["statement", "Baker & Sons Plumbing", "--as-of", "2025-03-01", "--with-children", "--format", "json"],
    ["check", "--as-of", "2025-10-01"],
    ["forecast", "--as-of", "2025-03-01"],
]
WHOLE_BOOK = [["runs"], ["diff"], ["diff", "1", "2"], ["diff", "1", "1"], ["trend"], ["trend", "--every", "load"]]


@pytest.fixture(scope="module")
def two_loads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample loaded, then again with its last rows left out and one invoice paid (a history to read)."""
    folder = tmp_path_factory.mktemp("history")
    database = folder / "book.db"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    second = folder / "second.csv"
    second.write_text("".join(lines[:-5]), encoding="utf-8")
    for path, day in ((SAMPLE, "2025-06-30"), (second, "2025-09-30")):
        loaded = run_main("--db", str(database), "ingest", str(path), "--as-of", day, "-q")
        assert loaded.exit_code == 0, loaded
    return database


def _deny_writes(action: int, table: str | None, *_: object) -> int:
    # SQLite asks to "update" sqlite_master's columns when a statement uses a table-valued function
    # (json_each): a check of the schema it reads, not a write (a report cannot write the schema).
    if action == sqlite3.SQLITE_UPDATE and table == "sqlite_master":
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY if action in WRITES else sqlite3.SQLITE_OK


def _answers_creating_nothing(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    """``domeo ARGS`` gives the same answer with every snapshot's writes denied as without."""
    plain = run_main(*args)
    opened: list[sqlite3.Connection] = []
    real = dbmod.open_existing

    def guarded(*given: object, **options: object) -> sqlite3.Connection:
        connection = real(*given, **options)
        connection.set_authorizer(_deny_writes)
        opened.append(connection)
        return connection

    with monkeypatch.context() as patched:
        patched.setattr(dbmod, "open_existing", guarded)
        denied = run_main(*args)
    assert opened, "the report opened no snapshot through the store"
    assert (denied.exit_code, denied.stdout, denied.stderr) == (plain.exit_code, plain.stdout, plain.stderr)
    assert plain.exit_code == 0, plain


def test_the_authorizer_denies_what_would_create_or_write(two_loads: Path) -> None:
    connection = by_hand(two_loads)
    connection.set_authorizer(_deny_writes)
    for statement in ("CREATE TEMP TABLE t (x)", "CREATE TEMP VIEW v AS SELECT 1", "DELETE FROM invoices"):
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            connection.execute(statement)
    assert connection.execute("SELECT count(*) FROM invoices").fetchone()[0] > 0
    connection.close()


@pytest.mark.parametrize("known_at", [None, "1", "2025-07-01"], ids=["today", "load 1", "a date"])
@pytest.mark.parametrize("args", REPORTS, ids=" ".join)
def test_every_report_answers_creating_nothing(
    two_loads: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], known_at: str | None
) -> None:
    _answers_creating_nothing(
        monkeypatch, "--db", str(two_loads), *args, *(["--known-at", known_at] if known_at else [])
    )


@pytest.mark.parametrize("args", WHOLE_BOOK, ids=" ".join)
def test_runs_diff_and_trend_answer_creating_nothing(
    two_loads: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    _answers_creating_nothing(monkeypatch, "--db", str(two_loads), *args)


def test_a_stale_customer_tree_is_read_creating_nothing(two_loads: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program changed a customer's parent: the tree is worked out for the snapshot, not stored."""
    with by_hand(two_loads) as connection:
        connection.execute("UPDATE hierarchy_state SET dirty = 1")
    _answers_creating_nothing(monkeypatch, "--db", str(two_loads), "aging", "--as-of", "2025-03-01", "--by", "parent")
    with by_hand(two_loads) as connection:
        assert connection.execute("SELECT dirty FROM hierarchy_state").fetchone() == (1,)  # a report wrote nothing
        connection.execute("UPDATE hierarchy_state SET dirty = 0")
