"""Issue 19, section C and item 25: what a load says, not just does, and history that tells the truth.

An invoice moved to another customer; customers given numbers and parents; a load dated in the future
(and the way out for one already made); an older export loaded again; another client's export; a dry
run that fails as the load would; loads from before history dated by the day in ``DOMEO_TZ``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import by_hand, csv_of, downgrade

from domeo_cli import days


def _rows(*changes: dict | None) -> list[dict]:
    """Three open invoices of two customers, ``changes`` applied by position (None: left out)."""
    base = [
        {"customer": "Alpha Co", "number": "A1", "date": "01/05/25", "due": "02/04/25", "total": "100"},
        {"customer": "Alpha Co", "number": "A2", "date": "01/20/25", "due": "02/19/25", "total": "250.50"},
        {"customer": "Beta Ltd", "number": "B1", "date": "02/01/25", "due": "03/03/25", "total": "80"},
    ]
    out = []
    for row, change in zip(base, list(changes) + [{}] * (3 - len(changes)), strict=True):
        if change is not None:
            out.append({**row, **change})
    return out


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """domeo's today pinned to 2025-10-02 (the reports, the loads and their checks all ask days.today)."""
    day = date(2025, 10, 2)
    monkeypatch.setattr(days, "today", lambda: day)
    return day


def _counts(stderr: str) -> dict[str, int]:
    """The counts of a load report's table (``label  N`` lines)."""
    out = {}
    for line in stderr.splitlines():
        label, _, value = line.rpartition(" ")
        if value.isdigit() and label and not label.startswith("warning:"):
            out[" ".join(label.split())] = int(value)
    return out


def _table(db_path: Path, sql: str) -> list[tuple]:
    connection = by_hand(db_path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


# -- item 13: an invoice moved to another customer ---------------------------------------------


def test_an_invoice_loaded_under_another_customer_is_a_warning_with_its_line_and_diff_lists_it(
    run, write_csv, tmp_path: Path
) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "one.csv")), "--as-of", "2025-02-10").exit_code == 0
    moved = _rows({"customer": "Beta Ltd"})
    path = write_csv(csv_of([moved[1], moved[2], moved[0]]), "two.csv")  # A1 on line 4
    message = "moved: invoice A1 moves from customer 'Alpha Co' to 'Beta Ltd'"
    expected = [{"line": 4, "invoice_number": "A1", "message": message}]
    dry = run("ingest", str(path), "--as-of", "2025-02-11", "--dry-run", "--json")
    verbose = run("ingest", str(path), "--as-of", "2025-02-11", "--dry-run", "--verbose")
    log = tmp_path / "load.log"
    real = run("ingest", str(path), "--as-of", "2025-02-11", "--json", "--log-file", str(log))
    for result in (dry, real):
        assert result.exit_code == 0, result
        doc = result.json
        assert (doc["updated"], doc["unchanged"], doc["moved"], doc["warnings"], doc["warning_details"]) == (
            1,
            2,
            1,
            1,
            expected,
        )
    assert f"warning: {message} (line 4)" in verbose.stderr
    assert f"warning: line 4: {message}\n" in verbose.stderr
    assert _counts(verbose.stderr) == {
        "rows read": 3, "inserted": 0, "updated": 1, "unchanged": 2, "rejected": 0, "warnings": 1, "customers": 2,
        "missing": 0, "moved": 1,
    }  # fmt: skip
    assert f'warning line=4 invoice_number=A1 message="{message}"' in log.read_text(encoding="utf-8")

    doc = run("diff", "--json").json
    assert doc["moved"] == [
        {
            "invoice_number": "A1",
            "customer_name": "Beta Ltd",
            "currency": "USD",
            "before": "Alpha Co",
            "after": "Beta Ltd",
        }
    ]
    assert (doc["payments"], doc["status_changes"], doc["changes"], doc["customer_changes"]) == ([], [], [], [])
    header = "change,invoice_number,customer_name,currency,field,before,after,amount"
    assert run("diff", "--format", "csv").stdout.splitlines() == [
        header,
        "moved,A1,Beta Ltd,USD,customer,Alpha Co,Beta Ltd,",
    ]
    assert (
        run("diff", "--format", "tsv").stdout.splitlines()[1]
        == "moved\tA1\tBeta Ltd\tUSD\tcustomer\tAlpha Co\tBeta Ltd\t"
    )
    markdown = run("diff", "--format", "md").stdout
    assert (
        "### Moved to another customer\n\n| Invoice | Currency | From customer | To customer |\n|---|---|---|---|\n"
        "| A1 | USD | Alpha Co | Beta Ltd |\n"
    ) in markdown
    assert (
        "<tr><td>A1</td><td>USD</td><td>Alpha Co</td><td>Beta Ltd</td></tr>" in run("diff", "--format", "html").stdout
    )
    table = run("diff")
    assert "0 new, 0 payment(s), 0 status change(s), 0 other change(s), 0 gone missing, 1 moved" in table.stderr
    assert [line.split() for line in table.stdout.splitlines()] == [
        ["Invoice", "From", "customer", "To", "customer", "Cur"],
        ["A1", "Alpha", "Co", "Beta", "Ltd", "USD"],
    ]


# -- item 14: customers given numbers and parents, a number on a new name, new contacts --------


def test_a_corrected_export_with_numbers_and_parents_counts_and_lists_every_customer_change(
    run, write_csv, db_path: Path
) -> None:  # noqa: ANN001
    plain = [
        {"customer": "Harbor Lane Bakery", "number": "DF1", "date": "03/07/25", "total": "2875"},
        {"customer": "Northwind Outfitters", "number": "DF2", "date": "03/24/25", "total": "6400"},
        {"customer": "Quiet Creek Dental", "number": "DF3", "date": "03/26/25", "total": "980"},
    ]
    numbers = [("418552", "907113"), ("907113", ""), ("230871", "")]
    numbered = [{**row, "customer_number": n, "parent": p} for row, (n, p) in zip(plain, numbers, strict=True)]
    assert run("ingest", str(write_csv(csv_of(plain), "plain.csv")), "--as-of", "2025-04-01").exit_code == 0
    path = write_csv(csv_of(numbered), "numbered.csv")
    dry = run("ingest", str(path), "--as-of", "2025-04-02", "--dry-run", "--json")
    real = run("ingest", str(path), "--as-of", "2025-04-02", "--json")
    expected = [
        {
            "line": 2,
            "invoice_number": "DF1",
            "message": "number added: 'Harbor Lane Bakery' has the customer number '418552' from this load on",
        },
        {
            "line": 2,
            "invoice_number": "DF1",
            "message": "parent added: 'Harbor Lane Bakery' rolls up to the parent customer '907113' from this load on",
        },
        {
            "line": 3,
            "invoice_number": "DF2",
            "message": "number added: 'Northwind Outfitters' has the customer number '907113' from this load on",
        },
        {
            "line": 4,
            "invoice_number": "DF3",
            "message": "number added: 'Quiet Creek Dental' has the customer number '230871' from this load on",
        },
    ]
    for result in (dry, real):
        assert result.exit_code == 0, result
        doc = result.json
        counts = ("inserted", "updated", "unchanged", "new_customers", "customers_changed", "warnings")
        assert {k: doc[k] for k in counts} == dict(zip(counts, (0, 0, 3, 0, 3, 4), strict=True))
        assert doc["warning_details"] == expected
    assert run("ingest", str(path), "--as-of", "2025-04-03", "--json").json["customers_changed"] == 0

    changes = run("diff", "1", "2", "--json").json["customer_changes"]
    assert changes == [
        {"customer_name": "Harbor Lane Bakery", "customer_number": "418552", "field": "customer_number",
         "before": None, "after": "418552"},
        {"customer_name": "Harbor Lane Bakery", "customer_number": "418552", "field": "parent_number",
         "before": None, "after": "907113"},
        {"customer_name": "Northwind Outfitters", "customer_number": "907113", "field": "customer_number",
         "before": None, "after": "907113"},
        {"customer_name": "Quiet Creek Dental", "customer_number": "230871", "field": "customer_number",
         "before": None, "after": "230871"},
    ]  # fmt: skip
    assert run("diff", "1", "2", "--format", "csv").stdout.splitlines()[1:] == [
        "customer,,Harbor Lane Bakery,,customer_number,,418552,",
        "customer,,Harbor Lane Bakery,,parent_number,,907113,",
        "customer,,Northwind Outfitters,,customer_number,,907113,",
        "customer,,Quiet Creek Dental,,customer_number,,230871,",
    ]
    assert (
        "| Harbor Lane Bakery | 418552 | parent\\_number |  | 907113 |\n"
        in run("diff", "1", "2", "--format", "md").stdout
    )
    assert "4 customer change(s)" in run("diff", "1", "2").stderr
    assert run("diff", "2", "3", "--json").json["customer_changes"] == []
    # The customers as known after load 1 had no numbers yet; today's have them.
    known = run("customers", "--known-at", "1", "--json").json["customers"]
    assert [(c["name"], c["customer_number"], c["parent_number"]) for c in known] == [
        ("Harbor Lane Bakery", None, None),
        ("Northwind Outfitters", None, None),
        ("Quiet Creek Dental", None, None),
    ]
    now = run("customers", "--json").json["customers"]
    assert [(c["name"], c["customer_number"], c["parent_name"]) for c in now] == [
        ("Harbor Lane Bakery", "418552", "Northwind Outfitters"),
        ("Northwind Outfitters", "907113", None),
        ("Quiet Creek Dental", "230871", None),
    ]
    assert _table(db_path, "SELECT customer_id, valid_from, valid_to, customer_number FROM customer_versions") == [
        (1, 1, 2, None),
        (2, 1, 2, None),
        (3, 1, 2, None),
    ]


def test_a_number_changed_a_number_on_a_new_name_and_new_contacts_are_said_and_listed(run, write_csv) -> None:  # noqa: ANN001
    first = [
        {"customer": "Alpha Co", "number": "A1", "date": "01/05/25", "total": "100", "customer_number": "C1"},
        {"customer": "Gamma Inc", "number": "G1", "date": "01/06/25", "total": "50", "customer_number": "C7"},
    ]
    second = [
        {"customer": "Alpha Company", "number": "A2", "date": "02/05/25", "total": "100", "customer_number": "C1"},
        {**first[1], "customer_number": "C8", "contact": "Kim Ray", "email": "kim@gamma.example"},
    ]
    assert run("ingest", str(write_csv(csv_of(first), "one.csv")), "--as-of", "2025-02-10").exit_code == 0
    doc = run("ingest", str(write_csv(csv_of(second), "two.csv")), "--as-of", "2025-02-11", "--json").json
    assert (doc["new_customers"], doc["customers_changed"], doc["new_contacts"], doc["warnings"]) == (1, 1, 1, 2)
    assert doc["warning_details"] == [
        {
            "line": 2,
            "invoice_number": "A2",
            "message": "customer number: 'C1' is the number of 'Alpha Co', already loaded, and now of "
            "'Alpha Company' too: a renamed customer, or a number given twice? (they stay two customers)",
        },
        {
            "line": 3,
            "invoice_number": "G1",
            "message": "number changed: 'Gamma Inc' has the customer number 'C8' from this load on, not 'C7'",
        },
    ]
    assert run("diff", "--json").json["customer_changes"] == [
        {"customer_name": "Alpha Company", "customer_number": "C1", "field": "name", "before": "Alpha Co",
         "after": "Alpha Company"},
        {"customer_name": "Gamma Inc", "customer_number": "C8", "field": "customer_number", "before": "C7",
         "after": "C8"},
        {"customer_name": "Gamma Inc", "customer_number": "C8", "field": "contact", "before": None,
         "after": "Kim Ray, kim@gamma.example"},
    ]  # fmt: skip


# -- item 15: a load dated in the future, and the way out for one already made -------------------


def test_a_load_dated_more_than_a_day_after_today_is_refused_and_writes_nothing(
    run, write_csv, db_path: Path, today: date
) -> None:  # noqa: ANN001
    path = write_csv(csv_of(_rows()), "a.csv")
    sentence = (
        "domeo: error: --as-of 2025-10-04 is more than a day after today (2025-10-02): a load is dated by its "
        "export, and an export cannot come from the future.\n"
    )
    for dry in ((), ("--dry-run",)):
        refused = run("ingest", str(path), "--as-of", "2025-10-04", *dry)
        assert (refused.exit_code, refused.stderr) == (2, sentence)
    assert not db_path.exists()
    assert run("ingest", str(path), "--as-of", "2025-10-03").exit_code == 0  # tomorrow: a clock ahead


def test_a_load_already_dated_in_the_future_is_given_its_real_date_and_loads_go_on(
    run, write_csv, db_path: Path, today: date
) -> None:  # noqa: ANN001
    write_csv(csv_of(_rows()), "a.csv")
    write_csv(csv_of(_rows({"applied": "40"})), "b.csv")
    assert run("ingest", "a.csv", "--as-of", "2025-09-30").exit_code == 0
    with by_hand(db_path) as connection:  # what an older domeo accepted: --as-of 2205-10-01
        connection.execute("UPDATE ingest_runs SET as_of = '2205-10-01'")
    blocked = run("ingest", "b.csv")
    assert (blocked.exit_code, blocked.stderr) == (
        2,
        "domeo: error: This load is dated 2025-10-02, before load 1 of 2205-10-01, which is dated in the future: "
        "if that date is a typo, give load 1 its real date with `domeo redate 1 YYYY-MM-DD`, then load again.\n",
    )
    trend = run("trend", "--every", "load")
    assert (trend.exit_code, trend.stdout, trend.stderr) == (
        2,
        "",
        "domeo: error: The trend would start at 2205-10-01 (the first load's date, the default of --from), after "
        "its end at 2025-10-02 (today, the default of --to): give --from and --to in order; if that load's date "
        "is a typo, `domeo redate` gives it its real date.\n",
    )
    assert run("trend", "--from", "2025-10-01", "--json").exit_code == 0
    explicit = run("trend", "--from", "2025-10", "--to", "2025-09")
    assert (explicit.exit_code, explicit.stderr) == (2, "domeo: error: --from 2025-10 is after --to 2025-09.\n")

    future = run("redate", "1", "2205-10-02")
    assert (future.exit_code, future.stderr) == (
        2,
        "domeo: error: DATE 2205-10-02 is more than a day after today (2025-10-02): a load is dated by its export, "
        "and an export cannot come from the future.\n",
    )
    assert run("redate", "7", "2025-09-30").exit_code == 3
    assert run("redate", "one", "2025-09-30").exit_code == 2
    fixed = run("redate", "1", "2025-10-01")
    assert (fixed.exit_code, fixed.stdout, fixed.stderr) == (
        0,
        "",
        "Load 1 (a.csv) is dated 2025-10-01 now, not 2205-10-01; the old date is kept in the database.\n",
    )
    assert _table(db_path, "SELECT run_id, old_as_of, new_as_of, how FROM load_redates") == [
        (1, "2205-10-01", "2025-10-01", "domeo redate")
    ]
    assert run("ingest", "b.csv").exit_code == 0  # dated today, after load 1 again
    assert run("redate", "1", "2025-10-01", "--json").json == {
        "load": 1,
        "file": "a.csv",
        "as_of": "2025-10-01",
        "was": "2025-10-01",
    }
    later = run("redate", "1", "2025-10-03")
    assert (later.exit_code, later.stderr) == (
        2,
        "domeo: error: Load 1 cannot be dated 2025-10-03: load 2, made after it, is dated 2025-10-02, "
        "and loads are kept in date order.\n",
    )
    earlier = run("redate", "2", "2025-09-30")
    assert (earlier.exit_code, earlier.stderr) == (
        2,
        "domeo: error: Load 2 cannot be dated 2025-09-30: load 1, made before it, is dated 2025-10-01, "
        "and loads are kept in date order.\n",
    )
    assert run("--db", "nothing.db", "redate", "1", "2025-10-01").exit_code == 1
    assert not Path("nothing.db").exists()


# -- item 16: an older export loaded again -----------------------------------------------------


def test_a_file_identical_to_an_earlier_load_loaded_after_a_newer_one_says_what_it_takes_back(run, write_csv) -> None:  # noqa: ANN001
    one = write_csv(csv_of(_rows()), "one.csv")
    two = write_csv(csv_of(_rows({"applied": "100", "status": "Closed"}, {"applied": "50"})), "two.csv")
    assert run("ingest", str(one), "--as-of", "2025-02-10").exit_code == 0
    assert run("ingest", str(two), "--as-of", "2025-02-11").exit_code == 0
    message = (
        f"same file: this file is byte for byte the one of load 1 ({one}, 2025-02-10), and load 2 came after it: "
        "loading it again puts back what it said then; it takes back 2 payment(s) applied since"
    )
    dry = run("ingest", str(one), "--as-of", "2025-02-12", "--dry-run")
    assert f"warning: {message}\n" in dry.stderr
    assert (_counts(dry.stderr)["updated"], _counts(dry.stderr)["taken back"]) == (2, 2)
    doc = run("ingest", str(one), "--as-of", "2025-02-12", "--json").json
    assert (doc["identical_to_load"], doc["taken_back"], doc["updated"], doc["warnings"]) == (1, 2, 2, 1)
    assert doc["warning_details"] == [{"line": None, "invoice_number": None, "message": message}]
    # The same file as the latest load changes nothing: no warning.
    again = run("ingest", str(one), "--as-of", "2025-02-13", "--json").json
    assert (again["identical_to_load"], again["taken_back"], again["warnings"]) == (3, 0, 0)
    assert [(p["invoice_number"], p["amount"]) for p in run("diff", "2", "3", "--json").json["payments"]] == [
        ("A1", "-100.00"),
        ("A2", "-50.00"),
    ]


# -- item 17: another client's export ----------------------------------------------------------


def test_a_file_sharing_nothing_with_the_database_is_refused_with_complete_unless_forced(
    run, write_csv, db_path: Path
) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "ours.csv")), "--as-of", "2025-02-10").exit_code == 0
    theirs = [
        {"customer": "Zeta GmbH", "number": "Z1", "date": "01/07/25", "total": "10"},
        {"customer": "Zeta GmbH", "number": "Z2", "date": "01/08/25", "total": "20"},
    ]
    write_csv(csv_of(theirs), "theirs.csv")
    shared = (
        "none of its 2 invoice(s) and none of its 1 customer(s) is in the database, "
        "which holds 3 invoice(s) of 2 customer(s)"
    )
    before = _table(db_path, "SELECT count(*) FROM ingest_runs UNION ALL SELECT count(*) FROM invoices")
    for option, effect in (
        ("--complete=open", "count every invoice of the database as missing and settle the open ones"),
        ("--complete", "count every invoice of the database as missing"),
    ):
        for dry in ((), ("--dry-run",)):
            refused = run("ingest", "theirs.csv", option, "--as-of", "2025-02-11", *dry)
            assert (refused.exit_code, refused.stdout, refused.stderr) == (
                2,
                "",
                f"domeo: error: theirs.csv shares nothing with the database: {shared}. It looks like another "
                f"client's export, and with {option} it would {effect}; nothing was written. If it is this "
                "client's whole AR, load it again with --force.\n",
            )
    assert _table(db_path, "SELECT count(*) FROM ingest_runs UNION ALL SELECT count(*) FROM invoices") == before
    forced = run("ingest", "theirs.csv", "--complete=open", "--force", "--as-of", "2025-02-11", "--json")
    assert forced.exit_code == 0, forced
    assert (forced.json["inserted"], forced.json["settled"], forced.json["warning_details"]) == (
        2,
        3,
        [{"line": None, "invoice_number": None, "message": f"other client: {shared}; is it another client's export?"}],
    )


def test_a_file_sharing_nothing_is_a_warning_without_complete_and_one_shared_customer_is_enough(run, write_csv) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "ours.csv")), "--as-of", "2025-02-10").exit_code == 0
    alpha = [{"customer": "ALPHA CO", "number": "A9", "date": "01/07/25", "total": "10"}]
    same_customer = run("ingest", str(write_csv(csv_of(alpha), "alpha.csv")), "--as-of", "2025-02-11", "--json")
    assert (same_customer.exit_code, same_customer.json["warnings"]) == (0, 0)
    zeta = [{"customer": "Zeta GmbH", "number": "Z1", "date": "01/07/25", "total": "10"}]
    other = run("ingest", str(write_csv(csv_of(zeta), "zeta.csv")), "--as-of", "2025-02-11")
    assert other.exit_code == 0
    assert (
        "warning: other client: none of its 1 invoice(s) and none of its 1 customer(s) is in the database, "
        "which holds 4 invoice(s) of 2 customer(s); is it another client's export?\n"
    ) in other.stderr


# -- item 25: a dry run fails (or succeeds) as the load would -------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_a_dry_run_into_a_missing_folder_fails_as_the_load_would(run, write_csv, tmp_path: Path, as_json: bool) -> None:  # noqa: ANN001
    path = write_csv(csv_of(_rows()), "a.csv")
    target = tmp_path / "nowhere" / "ar.db"
    json = ("--json",) if as_json else ()
    load = run("--db", str(target), "ingest", str(path), *json)
    dry = run("--db", str(target), "ingest", str(path), "--dry-run", *json)
    sentence = f"The directory of the database {target} does not exist ({target.parent}); create it first."
    assert (load.exit_code, load.stdout) == (dry.exit_code, dry.stdout) == (1, "")
    assert dry.stderr == load.stderr
    assert (dry.error["message"] if as_json else dry.stderr) == (sentence if as_json else f"domeo: error: {sentence}\n")
    assert not target.parent.exists()


def test_a_dry_run_on_an_older_schema_reports_what_the_upgrading_load_does_and_upgrades_nothing(
    run, write_csv, db_path: Path
) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "a.csv")), "--as-of", "2025-02-10").exit_code == 0
    connection = by_hand(db_path)
    downgrade(connection, 6)  # as the release before customer history left it
    connection.close()
    saved = db_path.read_bytes()
    path = write_csv(csv_of(_rows({"applied": "40"}, None, {"customer": "Alpha Co"})), "b.csv")
    dry = run("ingest", str(path), "--as-of", "2025-02-11", "--dry-run", "--json")
    assert dry.exit_code == 0, dry
    assert db_path.read_bytes() == saved
    assert _table(db_path, "PRAGMA user_version") == [(6,)]
    real = run("ingest", str(path), "--as-of", "2025-02-11", "--json")
    assert real.exit_code == 0, real
    different = {"dry_run", "committed"}
    assert {k: v for k, v in dry.json.items() if k not in different} == {
        k: v for k, v in real.json.items() if k not in different
    }
    assert (real.json["updated"], real.json["moved"], real.json["missing"]) == (2, 1, 1)


# -- loads from before history: dated by the day they ended in DOMEO_TZ, not in UTC ---------------


def test_loads_from_before_history_are_dated_by_the_day_they_ended_in_domeo_tz(
    run, write_csv, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "a.csv"))).exit_code == 0
    assert run("ingest", str(write_csv(csv_of(_rows({"applied": "10"})), "b.csv"))).exit_code == 0
    connection = by_hand(db_path)
    downgrade(connection, 5)
    with connection:  # made on an evening in New York: 16:00 and 22:30 there, already the next day in UTC
        for run_id, stamp in ((1, "2025-06-10T20:00:00+00:00"), (2, "2025-06-11T02:30:00+00:00")):
            connection.execute(
                "UPDATE ingest_runs SET started_at = ?, finished_at = ? WHERE id = ?", (stamp, stamp, run_id)
            )
    connection.close()
    monkeypatch.setenv("DOMEO_TZ", "America/New_York")
    monkeypatch.setattr(days, "today", lambda: date(2025, 6, 10))  # that evening, in New York
    assert run("init").exit_code == 0
    assert _table(db_path, "SELECT id, as_of FROM ingest_runs ORDER BY id") == [(1, "2025-06-10"), (2, "2025-06-10")]
    assert _table(db_path, "SELECT run_id, old_as_of, new_as_of, how FROM load_redates") == [
        (2, "2025-06-11", "2025-06-10", "migration 7: the day it ended in DOMEO_TZ")
    ]
    # That evening's load, dated today in New York, is not refused as dated before them.
    assert run("ingest", str(write_csv(csv_of(_rows({"applied": "30"})), "c.csv"))).exit_code == 0
    assert [(p["invoice_number"], p["amount"]) for p in run("diff", "--json").json["payments"]] == [("A1", "20.00")]


def test_a_load_from_before_history_is_never_dated_after_a_later_load(
    run, write_csv, db_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "a.csv"))).exit_code == 0
    assert run("ingest", str(write_csv(csv_of(_rows({"applied": "10"})), "b.csv"))).exit_code == 0
    connection = by_hand(db_path)
    downgrade(connection, 6)
    with connection:  # load 1 made before migration 6 (dated by it in UTC), load 2 after, given 2025-06-10
        connection.execute("UPDATE domeo_migrations SET applied_at = '2025-06-10T21:00:00+00:00' WHERE version = 6")
        for run_id, stamp in ((1, "2025-06-10T20:00:00+00:00"), (2, "2025-06-10T22:00:00+00:00")):
            connection.execute(
                "UPDATE ingest_runs SET started_at = ?, finished_at = ?, as_of = '2025-06-10' WHERE id = ?",
                (stamp, stamp, run_id),
            )
    connection.close()
    monkeypatch.setenv("DOMEO_TZ", "Pacific/Kiritimati")  # UTC+14: load 1 ended on 2025-06-11 there
    assert run("init").exit_code == 0
    assert _table(db_path, "SELECT id, as_of FROM ingest_runs ORDER BY id") == [(1, "2025-06-10"), (2, "2025-06-10")]
    assert _table(db_path, "SELECT count(*) FROM load_redates") == [(0,)]
