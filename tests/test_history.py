"""History (issue 15): versions, complete exports, --known-at, diff, trend and check, through `domeo`."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import EXAMPLE_CSV, by_hand, csv_of, downgrade


def _rows(*changes: dict) -> list[dict]:
    """Three open USD invoices of two customers, with ``changes`` applied by position (None: left out)."""
    base = [
        {"customer": "Alpha Co", "number": "A1", "date": "01/05/25", "due": "02/04/25", "total": "100"},
        {"customer": "Alpha Co", "number": "A2", "date": "01/20/25", "due": "02/19/25", "total": "250.50"},
        {
            "customer": "Beta Ltd",
            "number": "B1",
            "date": "02/01/25",
            "due": "03/03/25",
            "total": "80",
            "currency": "CAD",
        },
    ]
    out = []
    for row, change in zip(base, list(changes) + [{}] * (3 - len(changes)), strict=True):
        if change is not None:
            out.append({**row, **change})
    return out


@pytest.fixture
def loads(run, write_csv):  # noqa: ANN001, ANN201
    """Load 1 (2025-02-10): the three invoices. Load 2 (2025-03-05, --complete=open): A1 paid, A2 left out."""

    def _load(rows: list[dict], *options: str, name: str):  # noqa: ANN202
        result = run("ingest", str(write_csv(csv_of(rows), name)), "--json", *options)
        assert result.exit_code == 0, result
        return result.json

    first = _load(_rows(), "--as-of", "2025-02-10", name="one.csv")
    second = _load(
        _rows({"applied": "100", "status": "Closed"}, None), "--as-of", "2025-03-05", "--complete=open", name="two.csv"
    )
    return first, second


def test_a_changed_invoice_keeps_its_previous_version_and_an_unchanged_reload_adds_nothing(
    run, write_csv, db_path: Path
) -> None:  # noqa: ANN001
    path = write_csv(csv_of(_rows()), "a.csv")
    assert run("ingest", str(path), "--as-of", "2025-02-10").exit_code == 0
    assert run("ingest", str(path), "--as-of", "2025-02-11").exit_code == 0
    with by_hand(db_path) as db:
        assert db.execute("SELECT count(*) FROM invoice_versions").fetchone() == (0,)
    changed = write_csv(csv_of(_rows({"applied": "40"})), "b.csv")
    assert run("ingest", str(changed), "--as-of", "2025-02-12", "--json").json["updated"] == 1
    with by_hand(db_path) as db:
        assert db.execute(
            "SELECT invoice_number, valid_from, valid_to, applied_cents, outstanding_cents FROM invoice_versions"
        ).fetchall() == [("A1", 1, 3, 0, 10000)]
        assert db.execute("SELECT applied_cents, run_id FROM invoices WHERE invoice_number = 'A1'").fetchone() == (
            4000,
            3,
        )


def test_missing_invoices_are_counted_and_only_complete_open_settles_them(run, write_csv, db_path: Path) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "a.csv")), "--as-of", "2025-02-10").exit_code == 0
    only_b1 = write_csv(csv_of(_rows(None, None)), "b.csv")
    plain = run("ingest", str(only_b1), "--as-of", "2025-02-11", "--json").json
    assert (plain["missing"], plain["missing_invoices"], plain["settled"], plain["complete"]) == (
        2,
        ["A1", "A2"],
        0,
        None,
    )
    dry = run("ingest", str(only_b1), "--dry-run", "--complete=open", "--json").json
    assert (dry["missing"], dry["settled"]) == (2, 0)
    settled = run("ingest", str(only_b1), "--as-of", "2025-02-12", "--complete=open", "--json").json
    assert (settled["missing"], settled["settled"], settled["unchanged"]) == (2, 2, 1)
    with by_hand(db_path) as db:
        assert db.execute(
            "SELECT invoice_number, applied_cents, outstanding_cents, status FROM invoices ORDER BY 1"
        ).fetchall() == [("A1", 10000, 0, "Closed"), ("A2", 25050, 0, "Closed"), ("B1", 0, 8000, "Pending")]
        assert db.execute("SELECT invoice_number, outstanding_cents FROM invoice_versions ORDER BY 1").fetchall() == [
            ("A1", 10000),
            ("A2", 25050),
        ]
    # Settled invoices are closed: an open-items export that leaves them out again misses nothing.
    again = run("ingest", str(only_b1), "--as-of", "2025-02-13", "--complete=open", "--json").json
    assert (again["missing"], again["settled"]) == (0, 0)
    # The whole AR (--complete): every invoice left out counts, closed or not, and none is changed.
    whole = run("ingest", str(only_b1), "--as-of", "2025-02-14", "--complete", "--json").json
    assert (whole["missing"], whole["missing_invoices"], whole["settled"], whole["complete"]) == (
        2,
        ["A1", "A2"],
        0,
        "all",
    )


def test_the_load_report_table_says_what_is_missing(run, write_csv) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "a.csv"))).exit_code == 0
    result = run("ingest", str(write_csv(csv_of(_rows(None)), "b.csv")))
    assert result.exit_code == 0
    assert (
        "1 open invoices in the database are not in the file: A1; not acted on (--complete=open settles them)."
        in result.stderr
    )


def test_a_load_dated_before_the_last_one_is_refused_and_changes_nothing(run, write_csv, db_path: Path) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "a.csv")), "--as-of", "2025-02-10").exit_code == 0
    result = run("ingest", str(write_csv(csv_of(_rows({"applied": "5"})), "b.csv")), "--as-of", "2025-02-09")
    assert result.exit_code == 2
    assert "before load 1 of 2025-02-10" in result.stderr
    dry = run("ingest", str(write_csv(csv_of(_rows()), "c.csv")), "--as-of", "2025-02-09", "--dry-run")
    assert dry.exit_code == 2 and "before load 1 of 2025-02-10" in dry.stderr
    with by_hand(db_path) as db:
        assert db.execute("SELECT count(*), sum(applied_cents) FROM invoices").fetchone() == (3, 0)
        assert db.execute("SELECT count(*) FROM ingest_runs").fetchone() == (1,)


def test_every_report_answers_as_known_at_a_load_or_a_date(run, loads) -> None:  # noqa: ANN001
    now = run("past-due", "--as-of", "2025-06-01", "--json").json
    assert [i["invoice_number"] for i in now["items"]] == ["B1"]
    for point in ("1", "2025-02-10", "2025-03-04"):
        then = run("past-due", "--as-of", "2025-06-01", "--known-at", point, "--json").json
        assert [(i["invoice_number"], i["outstanding"]) for i in then["items"]] == [
            ("A1", "100.00"),
            ("A2", "250.50"),
            ("B1", "80.00"),
        ], point
    assert run("invoice", "A2", "--known-at", "1", "--json").json["status"] == "Pending"
    assert run("invoice", "A2", "--json").json["status"] == "Closed"
    aging = run("aging", "--as-of", "2025-06-01", "--known-at", "1", "--json")
    assert aging.exit_code == 0, aging
    customers = run("customers", "--known-at", "1", "--json")
    assert customers.exit_code == 0, customers
    summary = run("summary", "--month", "2025-01", "--known-at", "1", "--json").json
    assert summary == {"month": "2025-01", "currency": "USD", "sum_bill_total": "350.50", "count_invoices": 2}
    assert run("check", "--known-at", "2", "--json").exit_code == 0


def test_known_at_refuses_what_it_cannot_know(run, loads) -> None:  # noqa: ANN001
    bad = run("past-due", "--known-at", "yesterday", "--json")
    assert (bad.exit_code, bad.error["code"]) == (2, "invalid_input")
    assert bad.error["message"] == (
        "--known-at takes a load number (see `domeo diff`) or a date YYYY-MM-DD, not 'yesterday'."
    )
    unknown = run("past-due", "--known-at", "9", "--json")
    assert (unknown.exit_code, unknown.error["message"]) == (3, "--known-at: there is no load 9 (loads are 1 to 2).")
    early = run("past-due", "--known-at", "2025-01-01", "--json")
    assert (early.exit_code, early.error["message"]) == (
        3,
        "--known-at: no load was made on or before 2025-01-01; the first was load 1 of 2025-02-10.",
    )


def test_diff_of_the_last_two_loads(run, loads) -> None:  # noqa: ANN001
    result = run("diff", "--json")
    assert result.exit_code == 0, result
    doc = result.json
    assert (doc["from"]["load"], doc["to"]["load"], doc["to"]["as_of"]) == (1, 2, "2025-03-05")
    assert doc["new"] == []
    assert [(p["invoice_number"], p["amount"]) for p in doc["payments"]] == [("A1", "100.00"), ("A2", "250.50")]
    assert doc["payments_by_currency"] == [{"currency": "USD", "amount": "350.50", "invoices": 2}]
    assert [(s["invoice_number"], s["before"], s["after"]) for s in doc["status_changes"]] == [
        ("A1", "Pending", "Closed"),
        ("A2", "Pending", "Closed"),
    ]
    assert doc["changes"] == []
    assert [(m["invoice_number"], m["outstanding"]) for m in doc["missing"]] == [("A2", "250.50")]
    assert run("diff", "1", "2", "--json").json == doc
    assert run("diff", "2025-02-10", "--json").json == doc
    csv_text = run("diff", "--format", "csv").stdout
    assert csv_text.splitlines() == [
        "change,invoice_number,customer_name,currency,field,before,after,amount",
        "payment,A1,Alpha Co,USD,applied,0.00,100.00,100.00",
        "payment,A2,Alpha Co,USD,applied,0.00,250.50,250.50",
        "status,A1,Alpha Co,USD,status,Pending,Closed,",
        "status,A2,Alpha Co,USD,status,Pending,Closed,",
        "missing,A2,Alpha Co,USD,,,Pending,250.50",
    ]
    table = run("diff")
    assert table.exit_code == 0 and "A2" in table.stdout


def test_diff_lists_new_invoices_and_changed_amounts_and_dates(run, write_csv, loads) -> None:  # noqa: ANN001
    rows = _rows({"applied": "100", "status": "Closed"}, None, {"total": "90", "due": "03/10/25"})
    rows.append({"customer": "Beta Ltd", "number": "B2", "date": "03/01/25", "due": "03/31/25", "total": "12.34"})
    assert run("ingest", str(write_csv(csv_of(rows), "three.csv")), "--as-of", "2025-03-06").exit_code == 0
    doc = run("diff", "--json").json
    assert [n["invoice_number"] for n in doc["new"]] == ["B2"]
    assert doc["changes"] == [
        {"invoice_number": "B1", "customer_name": "Beta Ltd", "currency": "CAD", "field": "bill_total",
         "before": "80.00", "after": "90.00"},
        {"invoice_number": "B1", "customer_name": "Beta Ltd", "currency": "CAD", "field": "due_date",
         "before": "2025-03-03", "after": "2025-03-10"},
    ]  # fmt: skip
    assert doc["payments"] == [] and doc["missing"] == []


def test_diff_needs_two_loads_in_order(run, write_csv, loads) -> None:  # noqa: ANN001
    backwards = run("diff", "2", "1", "--json")
    assert (backwards.exit_code, backwards.error["code"]) == (2, "invalid_input")
    assert run("diff", "--format", "xml").exit_code == 2


def test_diff_with_one_load_says_so(run, write_csv) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows())))).exit_code == 0
    result = run("diff", "--json")
    assert (result.exit_code, result.error["message"]) == (3, "diff compares two loads, and this database has 1.")


def test_trend_per_load_and_per_month_end_with_dso(run, loads) -> None:  # noqa: ANN001
    per_load = run("trend", "--every", "load", "--to", "2025-03-31", "--json").json
    assert per_load["points"] == [
        {"date": "2025-02-10", "load": 1, "currency": "CAD", "open_ar": "80.00", "past_due": "0.00"},
        {"date": "2025-02-10", "load": 1, "currency": "USD", "open_ar": "350.50", "past_due": "100.00"},
        {"date": "2025-03-05", "load": 2, "currency": "CAD", "open_ar": "80.00", "past_due": "80.00"},
        {"date": "2025-03-05", "load": 2, "currency": "USD", "open_ar": "0.00", "past_due": "0.00"},
    ]
    monthly = run("trend", "--from", "2025-01", "--to", "2025-03", "--json").json
    # January ends before the first load: no point. February: load 1; March: load 2.
    assert [(p["date"], p["load"], p["currency"]) for p in monthly["points"]] == [
        ("2025-02-28", 1, "CAD"),
        ("2025-02-28", 1, "USD"),
        ("2025-03-31", 2, "CAD"),
        ("2025-03-31", 2, "USD"),
    ]
    feb_usd = monthly["points"][1]
    # Open AR 350.50 over the billing of Dec-Feb (350.50) times its 90 days.
    assert (feb_usd["open_ar"], feb_usd["billed_3m"], feb_usd["days_3m"], feb_usd["dso"]) == (
        "350.50",
        "350.50",
        90,
        90.0,
    )
    table = run("trend", "--from", "2025-01", "--to", "2025-03")
    assert table.exit_code == 0 and "2025-02-28" in table.stdout


CHECK_ROWS = [
    # Closed with a balance; due before the invoice date.
    {"customer": "Alpha Co", "number": "C1", "date": "01/05/25", "due": "01/01/25", "total": "100", "applied": "40",
     "status": "Closed", "customer_number": "100"},
    # Dated in the future; overpaid.
    {"customer": "Beta Ltd", "number": "C2", "date": "12/01/30", "due": "12/31/30", "total": "10", "applied": "12",
     "status": "Closed", "customer_number": "200", "parent": "999"},
    # Number 100 again, on another name; a loop 300 -> 400 -> 300.
    {"customer": "Gamma Inc", "number": "C3", "date": "01/05/25", "due": "02/04/25", "total": "5",
     "customer_number": "100"},
    {"customer": "Delta GmbH", "number": "C4", "date": "01/05/25", "due": "02/04/25", "total": "5",
     "customer_number": "300", "parent": "400"},
    {"customer": "Epsilon SA", "number": "C5", "date": "01/05/25", "due": "02/04/25", "total": "5",
     "customer_number": "400", "parent": "300", "contact": "Ann Lee", "email": "ann@e.example"},
    {"customer": "Epsilon SA", "number": "C6", "date": "01/06/25", "due": "02/04/25", "total": "5",
     "customer_number": "400", "parent": "300", "contact": "ann lee", "email": "ann@e.example", "phone": "555"},
    # Gamma Inc renumbered within the file: 100, then 101.
    {"customer": "Gamma Inc", "number": "C7", "date": "01/07/25", "due": "02/04/25", "total": "5",
     "customer_number": "101"},
]  # fmt: skip


def test_check_lists_every_kind_of_finding_and_exits_4(run, write_csv) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(CHECK_ROWS)))).exit_code == 0
    result = run("check", "--as-of", "2025-06-01", "--json")
    assert result.exit_code == 4, result
    doc = result.json
    found = [(f["check"], f["invoices"], f["customers"]) for f in doc["findings"]]
    assert found == [
        ("closed_with_balance", ["C1"], ["Alpha Co"]),
        ("due_before_invoice", ["C1"], ["Alpha Co"]),
        ("future_invoice", ["C2"], ["Beta Ltd"]),
        ("number_on_two_names", ["C7", "C1", "C3"], ["Alpha Co", "Gamma Inc"]),
        ("name_with_two_numbers", ["C7", "C3"], ["Gamma Inc"]),
        ("parent_loop", ["C6", "C4", "C5"], ["Delta GmbH", "Epsilon SA"]),
        ("missing_parent", ["C2"], ["Beta Ltd"]),
        ("overpaid", ["C2"], ["Beta Ltd"]),
        ("duplicate_contact", ["C5", "C6"], ["Epsilon SA"]),
    ]
    messages = [f["message"] for f in doc["findings"]]
    assert messages[0] == "C1 of Alpha Co is Closed but 60.00 USD is outstanding."
    assert messages[4] == "Gamma Inc has been given 2 customer numbers: 100, 101."
    assert messages[7] == "C2 of Beta Ltd: 12.00 applied to a bill of 10.00 USD (2.00 too much)."
    assert messages[8] == (
        "Epsilon SA has 2 contacts with the same name: Ann Lee / ann@e.example; ann lee / ann@e.example / 555."
    )
    assert doc["total"] == 9
    # The checks of rows domeo never writes come first: a book loaded by domeo has none.
    assert [c["findings"] for c in doc["checks"]] == [0] * 7 + [1] * 9
    assert result.error["code"] == "findings"
    table = run("check", "--as-of", "2025-06-01")
    assert table.exit_code == 4 and "Closed invoices with a balance" in table.stdout


def test_check_of_a_clean_book_exits_0(run, write_csv) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(EXAMPLE_CSV))).exit_code == 0
    result = run("check", "--as-of", "2025-06-01", "--json")
    assert result.exit_code == 0, result
    assert result.json["total"] == 0 and result.json["findings"] == []


def test_a_database_upgraded_from_before_history_knows_only_its_last_load(run, write_csv, db_path: Path) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(csv_of(_rows()), "a.csv"))).exit_code == 0
    assert run("ingest", str(write_csv(csv_of(_rows({"applied": "10"})), "b.csv"))).exit_code == 0
    connection = by_hand(db_path)
    downgrade(connection, 5)  # back to schema version 5: loads kept no versions
    connection.close()
    assert run("init").exit_code == 0
    before = run("past-due", "--as-of", "2025-06-01", "--known-at", "1", "--json")
    assert (before.exit_code, before.error["code"]) == (3, "not_found")
    assert "was made before this database kept history" in before.error["message"]
    kept = run("past-due", "--as-of", "2025-06-01", "--known-at", "2", "--json")
    assert [i["applied"] for i in kept.json["items"]] == ["10.00", "0.00", "0.00"]
    assert run("ingest", str(write_csv(csv_of(_rows({"applied": "30"})), "c.csv"))).exit_code == 0
    doc = run("diff", "--json").json
    assert [(p["invoice_number"], p["amount"]) for p in doc["payments"]] == [("A1", "20.00")]
    assert run("diff", "1", "3", "--json").exit_code == 3


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md", "html", "json"])
def test_check_diff_and_trend_write_every_format(run, loads, tmp_path: Path, fmt: str) -> None:  # noqa: ANN001
    for command, code in ((["diff"], 0), (["trend", "--to", "2025-03-31"], 0), (["check", "--as-of", "2025-01-10"], 4)):
        target = tmp_path / f"{command[0]}.{fmt}"
        written = run(*command, "-o", str(target))
        assert written.exit_code == code, (command, written)
        printed = run(*command, "--format", fmt)
        assert printed.exit_code == code, (command, printed)
        assert target.read_text(encoding="utf-8") == printed.stdout, command
    if fmt == "json":
        assert run("diff", "--format", "json").json == run("diff", "--json").json
    if fmt == "csv":
        trend = run("trend", "--every", "load", "--to", "2025-03-31", "--format", "csv").stdout.splitlines()
        assert trend == [
            "date,load,currency,open_ar,past_due",
            "2025-02-10,1,CAD,80.00,0.00",
            "2025-02-10,1,USD,350.50,100.00",
            "2025-03-05,2,CAD,80.00,80.00",
            "2025-03-05,2,USD,0.00,0.00",
        ]
        check = run("check", "--as-of", "2025-01-10", "--format", "csv").stdout.splitlines()
        assert check == [
            "check,message,invoices,customers",
            'future_invoice,"A2 of Alpha Co is dated 2025-01-20, after 2025-01-10.",A2,Alpha Co',
            'future_invoice,"B1 of Beta Ltd is dated 2025-02-01, after 2025-01-10.",B1,Beta Ltd',
        ]


def test_without_complete_the_report_names_the_first_thousand_missing(run, write_csv) -> None:  # noqa: ANN001
    rows = [{"customer": "Alpha Co", "number": f"M{n:05d}", "date": "01/05/25", "total": "10"} for n in range(1002)]
    assert run("ingest", str(write_csv(csv_of(rows), "all.csv"))).exit_code == 0
    one = write_csv(csv_of(rows[:1]), "one.csv")
    plain = run("ingest", str(one), "--dry-run", "--json").json
    assert (plain["missing"], len(plain["missing_invoices"]), plain["missing_invoices"][-1]) == (1001, 1000, "M01000")
    complete = run("ingest", str(one), "--dry-run", "--complete", "--json").json
    assert (complete["missing"], len(complete["missing_invoices"])) == (1001, 1001)


REPORTS = [
    ["past-due", "--as-of", "2025-06-01"],
    ["summary", "--month", "2025-01"],
    ["summary", "--from", "2024-12", "--to", "2025-03"],
    ["contact", "Alpha Co"],
    ["aging", "--as-of", "2025-06-01"],
    ["aging", "--as-of", "2025-06-01", "--by", "parent", "--tree"],
    ["aging", "--as-of", "2025-06-01", "--limit", "1"],
    ["customers", "--as-of", "2025-06-01"],
    ["invoice", "A2", "--as-of", "2025-06-01"],
    ["statement", "Alpha Co", "--as-of", "2025-06-01"],
    ["check", "--as-of", "2025-06-01"],
]


@pytest.mark.parametrize("report", REPORTS, ids=[" ".join(r[:3]) for r in REPORTS])
def test_every_report_known_at_the_last_load_is_the_report_of_today(run, loads, report: list[str]) -> None:  # noqa: ANN001
    today = run(*report, "--json")
    then = run(*report, "--known-at", "2", "--json")
    assert (then.exit_code, then.stdout) == (today.exit_code, today.stdout)
    assert today.exit_code == 0, today


@pytest.mark.parametrize("report", REPORTS, ids=[" ".join(r[:3]) for r in REPORTS])
def test_every_report_known_at_a_load_is_the_report_of_a_book_with_only_that_load(
    run, write_csv, loads, tmp_path: Path, report: list[str]
) -> None:  # noqa: ANN001
    only_first = str(tmp_path / "first-only.db")
    path = write_csv(csv_of(_rows()), "again.csv")
    assert run("--db", only_first, "ingest", str(path), "--as-of", "2025-02-10").exit_code == 0
    then = run(*report, "--known-at", "1", "--json")
    fresh = run("--db", only_first, *report, "--json")
    assert then.exit_code == fresh.exit_code
    then_doc, fresh_doc = then.json, fresh.json
    if report[0] == "invoice":  # the load that wrote it: the same load, from another file at another time
        assert (then_doc.pop("last_changed_by")["run_id"], fresh_doc.pop("last_changed_by")["run_id"]) == (1, 1)
    assert then_doc == fresh_doc


def test_known_at_rolls_up_to_the_parents_known_then(run, write_csv) -> None:  # noqa: ANN001
    child = {"customer": "Child Co", "number": "K1", "date": "01/05/25", "due": "02/04/25", "total": "100",
             "customer_number": "20", "parent": "10"}  # fmt: skip
    assert run("ingest", str(write_csv(csv_of([child]), "a.csv")), "--as-of", "2025-02-01").exit_code == 0
    parent = {"customer": "Parent Inc", "number": "P1", "date": "01/06/25", "due": "02/05/25", "total": "5",
              "customer_number": "10"}  # fmt: skip
    assert run("ingest", str(write_csv(csv_of([child, parent]), "b.csv")), "--as-of", "2025-02-02").exit_code == 0
    args = ("aging", "--as-of", "2025-06-01", "--by", "parent", "--json")
    now = run(*args).json
    then = run(*args, "--known-at", "1").json
    assert now != then
    only_first = run("--db", "first.db", "ingest", str(write_csv(csv_of([child]), "c.csv"))).exit_code
    assert only_first == 0
    assert then == run("--db", "first.db", *args).json


def test_the_http_api_answers_as_known_at_a_load_too(loads, db_path: Path) -> None:  # noqa: ANN001
    from serving import serving

    with serving(str(db_path)) as server:
        then = server.get("/invoices/past-due?as_of=2025-06-01&known_at=1")
        assert then.status == 200, then
        assert [i["invoice_number"] for i in then.json["items"]] == ["A1", "A2", "B1"]
        now = server.get("/invoices/past-due?as_of=2025-06-01")
        assert [i["invoice_number"] for i in now.json["items"]] == ["B1"]
        unknown = server.get("/aging?known_at=9")
        assert (unknown.status, unknown.error["code"]) == (404, "not_found")
        bad = server.get("/customers?known_at=soon")
        assert (bad.status, bad.error["code"]) == (400, "invalid_input")


@pytest.mark.parametrize("phase", ["inserted", "before_commit"])
def test_a_load_killed_after_keeping_versions_keeps_none(run, write_csv, db_path: Path, phase: str) -> None:  # noqa: ANN001
    import os
    import signal
    import subprocess

    from helpers import Pause, domeo_command

    assert run("ingest", str(write_csv(csv_of(_rows()), "a.csv")), "--as-of", "2025-02-10").exit_code == 0
    settled = write_csv(csv_of(_rows({"applied": "100", "status": "Closed"}, None)), "b.csv")
    args = ("--db", str(db_path), "ingest", str(settled), "--as-of", "2025-03-05", "--complete=open")
    pause = Pause(db_path.parent / "pause", phase)
    process = subprocess.Popen(
        domeo_command(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **pause.env}
    )
    pause.wait(phase, process)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    pause.path.unlink()
    with by_hand(db_path) as db:
        for table in ("invoice_versions", "load_missing"):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        assert db.execute("SELECT count(*) FROM ingest_runs").fetchone() == (1,)
    assert run("ingest", *args[3:], "--json").json["settled"] == 1
    assert [(p["invoice_number"], p["amount"]) for p in run("diff", "--json").json["payments"]] == [
        ("A1", "100.00"),
        ("A2", "250.50"),
    ]
