"""Frozen migrations, and ``domeo init`` repairing a database that lost an index, a trigger or a derived table."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from helpers import SAMPLE, by_hand

from domeo_cli.store.sqlite import derived, schema

REPORTS = [
    ["past-due", "--as-of", "2025-10-01", "--limit", "20", "--json"],
    ["past-due", "--as-of", "2025-10-01", "--sort", "due_date.desc", "--limit", "5", "--json"],
    ["summary", "--month", "2025-03", "--json"],
    ["summary", "--from", "2024-01", "--to", "2025-12", "--json"],
    ["aging", "--as-of", "2025-10-01", "--limit", "5", "--json"],
    ["aging", "--as-of", "2025-10-01", "--by", "parent", "--tree", "--json"],
    ["customers", "--as-of", "2025-10-01", "--json"],
]


DERIVED_TABLES = [name for part in derived.ALL for name in part.tables]


@pytest.fixture
def loaded(run, db_path: Path) -> dict[str, str]:  # noqa: ANN001
    """The sample loaded; every report's output on the intact database."""
    assert run("ingest", str(SAMPLE)).exit_code == 0
    answers = {}
    for args in REPORTS:
        result = run(*args)
        assert result.exit_code == 0, result
        answers[" ".join(args)] = result.stdout
    return answers


def _drop(db_path: Path, *objects: str) -> None:
    connection = by_hand(db_path)
    with connection:
        for kind_name in objects:
            connection.execute(f"DROP {kind_name}")
    connection.close()


def _objects(db_path: Path) -> dict[tuple[str, str], str]:
    connection = by_hand(db_path)
    try:
        rows = connection.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        return {(kind, name): sql for kind, name, sql in rows}
    finally:
        connection.close()


def _derived_state(db_path: Path) -> dict[str, object]:
    connection = by_hand(db_path)
    try:
        return {table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall()) for table in DERIVED_TABLES}
    finally:
        connection.close()


def test_every_expected_object_is_in_a_loaded_database(loaded, db_path: Path, run) -> None:  # noqa: ANN001
    objects = {key: " ".join(sql.split()) for key, sql in _objects(db_path).items()}
    for key, sql in schema.expected_objects().items():
        assert objects.get(key) == " ".join(sql.split()), key
    result = run("init")
    assert result.stderr == f"Database {db_path} is up to date (schema version {schema.SCHEMA_VERSION}).\n"
    assert run("init", "--json").json["repaired"] == []


def test_a_missing_index_is_named_and_init_puts_it_back(loaded, db_path: Path, run) -> None:  # noqa: ANN001
    _drop(db_path, "INDEX invoices_open_by_due")
    broken = run(*REPORTS[0])
    assert broken.exit_code == 1
    assert broken.error == {
        "code": "database_error",
        "message": f"{db_path} lacks part of domeo's schema (no such index: invoices_open_by_due); "
        f"repair it with: domeo --db {db_path} init",
    }
    repaired = run("init")
    assert repaired.exit_code == 0, repaired
    assert repaired.stderr == (
        f"Database {db_path} was repaired (schema version {schema.SCHEMA_VERSION}); "
        "put back: index invoices_open_by_due.\n"
    )
    for args in REPORTS:
        assert run(*args).stdout == loaded[" ".join(args)], args
    assert run("init").stderr.endswith(f"is up to date (schema version {schema.SCHEMA_VERSION}).\n")


@pytest.mark.parametrize(
    ("dropped", "put_back"),
    [
        (["TABLE open_groups"], ["table open_groups", "index open_groups_by_total"]),
        (["TABLE open_group_starts"], ["table open_group_starts"]),
        (["TABLE open_days"], ["table open_days"]),
        (["TABLE open_tops"], ["table open_tops"]),
        (["TABLE customer_tree"], ["table customer_tree", "index customer_tree_by_top"]),
        (["TABLE billing_by_month"], ["table billing_by_month"]),
        (
            ["TABLE open_groups_state", "TRIGGER invoices_open_update"],
            ["table open_groups_state", "trigger invoices_open_update"],
        ),
        (["TRIGGER invoices_rollup_insert"], ["trigger invoices_rollup_insert"]),
        (["INDEX invoices_open_by_customer"], ["index invoices_open_by_customer"]),
    ],
)
def test_init_rebuilds_a_missing_derived_table(loaded, db_path: Path, run, dropped, put_back) -> None:  # noqa: ANN001
    intact = _derived_state(db_path)
    _drop(db_path, *dropped)
    repaired = run("init", "--json")
    assert repaired.exit_code == 0, repaired
    assert repaired.json["repaired"] == put_back
    assert _derived_state(db_path) == intact  # made again and refreshed: the same rows, marked current
    for args in REPORTS:
        assert run(*args).stdout == loaded[" ".join(args)], args
    assert run("init", "--json").json["repaired"] == []


def test_an_altered_index_is_made_again(loaded, db_path: Path, run) -> None:  # noqa: ANN001
    connection = by_hand(db_path)
    with connection:
        connection.execute("DROP INDEX invoices_open_by_due")
        connection.execute("CREATE INDEX invoices_open_by_due ON invoices (due_date)")
    connection.close()
    repaired = run("init", "--json")
    assert repaired.json["repaired"] == ["index invoices_open_by_due"]
    assert (
        _objects(db_path)[("index", "invoices_open_by_due")]
        == schema.expected_objects()[("index", "invoices_open_by_due")]
    )


def test_a_lost_table_of_data_is_an_error_not_a_repair(loaded, db_path: Path, run) -> None:  # noqa: ANN001
    _drop(db_path, "TABLE contacts")
    result = run("init")
    assert result.exit_code == 1
    assert result.stderr == (
        f"domeo: error: {db_path} has lost its contacts table, which holds data domeo cannot rebuild; "
        "restore a backup.\n"
    )
    assert ("table", "contacts") not in _objects(db_path)  # nothing half-done: the repair rolled back


def test_migrations_never_call_the_packages_live_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each migration carries its own statements: it runs with the live modules unimportable."""
    live = ("domeo_cli.store.sqlite.derived", "domeo_cli.hierarchy", "domeo_cli.store.sqlite.ingest")
    for module in live:
        monkeypatch.setitem(sys.modules, module, None)  # any import of it now fails
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("BEGIN")
    for step in schema.MIGRATIONS:
        step(db)
    # What they create starts stale, for db.migrate to refresh.
    assert db.execute("SELECT dirty FROM hierarchy_state").fetchone() == (1,)
    assert db.execute("SELECT dirty FROM open_groups_state").fetchone() == (1,)


def test_an_upgrade_refreshes_what_the_migrations_made_stale(tmp_path: Path) -> None:
    from domeo_cli.store.sqlite import db as dbmod

    path = str(tmp_path / "fresh.db")
    connection = dbmod.open_for_write(path)
    assert not derived.customer_tree_stale(connection) and not derived.open_groups_stale(connection)
    connection.close()
