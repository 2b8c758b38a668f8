"""A real database with rows changed by hand, CHECK constraints and foreign keys off.

``domeo check`` names each kind of damage with its invoice (its whole JSON
document and exit 4, one damage at a time and all at once) and never fails on
a database it can open; every report that reads such a row exits 1 with a
sentence saying to run ``domeo check`` and writes nothing (no half document on
stdout, no file renamed in); ``init`` never calls such a book up to date; over
HTTP the same is a 503 with the error document.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import SAMPLE, domeo_command
from helpers import by_hand as connect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domeo_cli.store.sqlite.schema import SCHEMA_VERSION

AS_OF = "2025-10-01"


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 3,000-invoice sample, loaded by domeo and checkpointed into one file."""
    from domeo_cli.store.sqlite.ingest import load

    path = tmp_path_factory.mktemp("real") / "real.db"
    load(str(path), str(SAMPLE))
    db = connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def by_hand(path: Path, *statements: str, params: tuple = ()) -> None:
    """Change rows as another program would, with domeo's CHECK constraints and foreign keys off."""
    db = connect(path, isolation_level=None)
    db.execute("PRAGMA ignore_check_constraints = 1")
    db.execute("PRAGMA foreign_keys = 0")
    for sql in statements:
        db.execute(sql, params)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


# Six open invoices of the sample (all past due on AS_OF), each damaged one way, as the issue lists them.
DAMAGE = {
    "negative bill total": "UPDATE invoices SET bill_total_cents = -500 WHERE invoice_number = 'DF2000085'",
    "applied above the total": "UPDATE invoices SET applied_cents = 115672 WHERE invoice_number = 'DF2000331'",
    "outstanding not total - applied": (
        "UPDATE invoices SET outstanding_cents = 274507 WHERE invoice_number = 'DF2000385'"
    ),
    "customer that does not exist": "UPDATE invoices SET customer_id = 999999 WHERE invoice_number = 'DF2000427'",
    "due date 2025-02-30": "UPDATE invoices SET due_date = '2025-02-30' WHERE invoice_number = 'DF2000473'",
    "REAL 12.5 in a cents column": "UPDATE invoices SET applied_cents = 12.5 WHERE invoice_number = 'DF2000474'",
}

# What check says of each: (kind, message, invoices, customers).
FINDINGS = {
    "negative bill total": [
        ("negative_amount", "DF2000085 of Hilltop Hollow Market: bill total is -5.00 USD, below zero.",
         ["DF2000085"], ["Hilltop Hollow Market"]),
        ("outstanding_mismatch", "DF2000085 of Hilltop Hollow Market: outstanding is 1766.76 USD, but bill total "
         "-5.00 less applied 0.00 leaves 0.00.", ["DF2000085"], ["Hilltop Hollow Market"]),
    ],
    "applied above the total": [
        ("outstanding_mismatch", "DF2000331 of River Trading Co: outstanding is 1155.72 USD, but bill total "
         "1155.72 less applied 1156.72 leaves 0.00.", ["DF2000331"], ["River Trading Co"]),
        ("overpaid", "DF2000331 of River Trading Co: 1156.72 applied to a bill of 1155.72 USD (1.00 too much).",
         ["DF2000331"], ["River Trading Co"]),
    ],
    "outstanding not total - applied": [
        ("outstanding_mismatch", "DF2000385 of Hilltop Hollow Market: outstanding is 2745.07 USD, but bill total "
         "2745.00 less applied 0.00 leaves 2745.00.", ["DF2000385"], ["Hilltop Hollow Market"]),
    ],
    "customer that does not exist": [
        ("invoice_without_customer", "DF2000427 belongs to customer id 999999, which is no customer.",
         ["DF2000427"], []),
    ],
    "due date 2025-02-30": [
        ("impossible_date", "DF2000473 of Cedar Point Brewing Co: due date '2025-02-30' is not a real date.",
         ["DF2000473"], ["Cedar Point Brewing Co"]),
    ],
    "REAL 12.5 in a cents column": [
        ("amount_not_whole_cents", "DF2000474 of Keystone Landing Roofing Inc: applied holds 12.5, not a whole "
         "number of cents.", ["DF2000474"], ["Keystone Landing Roofing Inc"]),
    ],
}  # fmt: skip

CHECKS = [
    ("invoice_without_customer", "Invoices of no customer"),
    ("amount_not_whole_cents", "Amounts that are not whole cents"),
    ("negative_amount", "Amounts below zero"),
    ("outstanding_mismatch", "Outstanding that is not bill total minus applied"),
    ("impossible_date", "Dates that are not real dates"),
    ("unknown_status_or_currency", "Statuses or currencies domeo never writes"),
    ("invalid_text", "Invoice numbers and text fields domeo never writes"),
    ("closed_with_balance", "Closed invoices with a balance"),
    ("due_before_invoice", "Due dates before invoice dates"),
    ("future_invoice", "Invoices dated in the future"),
    ("number_on_two_names", "One customer number on two names"),
    ("name_with_two_numbers", "Two customer numbers on one name"),
    ("parent_loop", "Parent loops"),
    ("missing_parent", "Missing parents"),
    ("overpaid", "Overpaid invoices"),
    ("duplicate_contact", "Duplicate contacts"),
]


def check_document(findings: list[tuple[str, str, list[str], list[str]]]) -> dict:
    """The whole ``check --json`` document of these findings (listed by kind, then invoice number)."""
    order = [kind for kind, _ in CHECKS]
    listed = sorted(findings, key=lambda f: (order.index(f[0]), f[2]))
    return {
        "as_of": AS_OF,
        "total": len(listed),
        "checks": [
            {"check": kind, "title": title, "findings": sum(f[0] == kind for f in listed)} for kind, title in CHECKS
        ],
        "findings": [
            {"check": kind, "message": message, "invoices": invoices, "customers": customers}
            for kind, message, invoices, customers in listed
        ],
    }


@pytest.fixture
def damaged(real_db: Path, tmp_path: Path) -> Callable[..., Path]:
    """A copy of the real database with the named damages made by hand."""

    made: list[Path] = []

    def make(*names: str) -> Path:
        path = tmp_path / ("damaged.db" if not made else f"damaged-{len(made)}.db")
        made.append(path)
        shutil.copy(real_db, path)
        by_hand(path, *(DAMAGE[name] for name in names))
        return path

    return make


def test_the_real_database_has_no_finding(run, real_db: Path) -> None:  # noqa: ANN001
    result = run("--db", str(real_db), "check", "--as-of", AS_OF, "--json")
    assert (result.exit_code, result.json) == (0, check_document([])), result


@pytest.mark.parametrize("names", [[name] for name in DAMAGE] + [list(DAMAGE)], ids=[*DAMAGE, "all together"])
def test_check_names_each_kind_of_damage_with_its_invoice(run, damaged, names: list[str]) -> None:  # noqa: ANN001
    db = damaged(*names)
    result = run("--db", str(db), "check", "--as-of", AS_OF, "--json")
    expected = check_document([f for name in names for f in FINDINGS[name]])
    assert result.exit_code == 4, result
    assert result.json == expected
    assert result.error == {"code": "findings", "message": f"{expected['total']} finding(s) in the book; see above."}
    table = run("--db", str(db), "check", "--as-of", AS_OF)
    assert table.exit_code == 4, table
    for finding in expected["findings"]:
        assert finding["message"] in table.stdout


def sentence(db: Path, what: str) -> str:
    """The one sentence a report or ``init`` gives on a damaged row."""
    return f"{db} holds invoice rows domeo never writes ({what}); run domeo --db {db} check to list them."


def describe(name: str) -> str:
    """The damage's first finding, as a report names it."""
    return FINDINGS[name][0][1].rstrip(".")


# Reports that read each damaged row, and so must refuse it (--all streams are checked before the first row).
READERS = {
    "negative bill total": [
        ["past-due", "--as-of", AS_OF, "--json"],
        ["past-due", "--as-of", AS_OF, "--all", "--format", "json"],
        ["invoice", "DF2000085", "--as-of", AS_OF],
        ["statement", "Hilltop Hollow Market", "--as-of", AS_OF, "--json"],
    ],
    "applied above the total": [
        ["past-due", "--as-of", AS_OF, "--all", "--format", "csv"],
        ["invoice", "DF2000331", "--json"],
        ["statement", "River Trading Co", "--as-of", AS_OF],
    ],
    "outstanding not total - applied": [
        ["past-due", "--as-of", AS_OF],
        ["past-due", "--as-of", AS_OF, "--customer", "Hilltop Hollow Market", "--json"],
        ["invoice", "DF2000385"],
    ],
    "customer that does not exist": [
        ["past-due", "--as-of", AS_OF, "--json"],
        ["past-due", "--as-of", AS_OF, "--all", "--format", "json"],
        ["invoice", "DF2000427"],
    ],
    "due date 2025-02-30": [
        ["aging", "--as-of", AS_OF, "--by", "currency", "--json"],
        ["past-due", "--as-of", AS_OF, "--all", "--format", "json"],
        ["customers", "--as-of", AS_OF, "--all", "--format", "csv"],
        ["statement", "Cedar Point Brewing Co", "--as-of", AS_OF, "--format", "md"],
        ["invoice", "DF2000473", "--json"],
    ],
    "REAL 12.5 in a cents column": [
        ["past-due", "--as-of", AS_OF, "--json"],
        ["past-due", "--as-of", AS_OF, "--all", "--format", "json"],
        ["invoice", "DF2000474"],
        ["statement", "Keystone Landing Roofing Inc", "--as-of", AS_OF, "--json"],
    ],
}
REPORT_CASES = [(name, argv) for name, cases in READERS.items() for argv in cases]


@pytest.mark.parametrize(("name", "argv"), REPORT_CASES, ids=[f"{n}: {' '.join(a)}" for n, a in REPORT_CASES])
def test_a_report_reading_a_damaged_row_says_to_run_check(run, damaged, name: str, argv: list[str]) -> None:  # noqa: ANN001
    db = damaged(name)
    result = run("--db", str(db), *argv)
    assert result.exit_code == 1, result
    assert result.stdout == "", result  # nothing of the report: no half page, no half document
    message = sentence(db, describe(name))
    if "--json" in argv or "json" in argv:
        assert result.error == {"code": "damaged_database", "message": message}
    else:
        assert result.stderr == f"domeo: error: {message}\n"


def test_a_sum_holding_a_real_cent_is_refused(run, damaged) -> None:  # noqa: ANN001
    """12.5 cents of outstanding: the aging and customers sums are not whole cents, and the report says so."""
    db = damaged()
    by_hand(db, "UPDATE invoices SET outstanding_cents = 96187.5 WHERE invoice_number = 'DF2000474'")
    what = (
        "DF2000474 of Keystone Landing Roofing Inc: outstanding holds 96187.5, not a whole number of cents); run domeo"
    )
    for argv in (
        ["aging", "--as-of", AS_OF, "--json"],
        ["aging", "--as-of", AS_OF],
        ["aging", "--as-of", AS_OF, "--limit", "3", "--json"],
        ["customers", "--as-of", AS_OF, "--sort", "open", "--json"],
        ["customers", "--as-of", AS_OF, "--all", "--format", "json"],
    ):
        result = run("--db", str(db), *argv)
        assert result.exit_code == 1, (argv, result)
        assert result.stdout == "", (argv, result)
        assert what in result.stderr, (argv, result)


def test_a_bill_total_of_a_real_cent_is_refused_by_summary(run, damaged) -> None:  # noqa: ANN001
    """The monthly rollup is kept by triggers, so it holds the 0.5 cent too: summary refuses the month."""
    db = damaged()
    by_hand(db, "UPDATE invoices SET bill_total_cents = 96200.5 WHERE invoice_number = 'DF2000474'")
    for argv in (["summary", "--month", "2024-02", "--json"], ["summary", "--from", "2024-01", "--to", "2024-03"]):
        result = run("--db", str(db), *argv)
        assert result.exit_code == 1, (argv, result)
        assert result.stdout == "", (argv, result)
        assert "DF2000474 of Keystone Landing Roofing Inc: bill total holds 96200.5" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_an_export_to_a_file_is_never_renamed_in(run, damaged, tmp_path: Path, fmt: str) -> None:  # noqa: ANN001
    db = damaged("due date 2025-02-30")
    target = tmp_path / f"past-due.{fmt}"
    target.write_text("yesterday's export\n", encoding="utf-8")
    result = run("--db", str(db), "past-due", "--as-of", AS_OF, "--all", "-o", str(target))
    assert result.exit_code == 1, result
    assert result.stderr == f"domeo: error: {sentence(db, describe('due date 2025-02-30'))}\n"
    assert target.read_text(encoding="utf-8") == "yesterday's export\n"
    left = {p.name for p in tmp_path.iterdir()} - {"damaged.db", "damaged.db-wal", "damaged.db-shm"}
    assert left == {f"past-due.{fmt}"}  # no temporary file left beside it either


def test_a_stream_to_stdout_is_checked_before_its_first_byte(damaged) -> None:  # noqa: ANN001
    """The real entry point in a child process: a damaged row far down the export stops it before any output."""
    import subprocess

    db = damaged()
    # The last invoice in due-date order as of AS_OF: thousands of rows would be written before it.
    by_hand(db, "UPDATE invoices SET applied_cents = 0.5 WHERE invoice_number = ("
            "SELECT invoice_number FROM invoices WHERE outstanding_cents > 0 AND due_date < '2025-10-01' "
            "ORDER BY due_date DESC, invoice_number DESC LIMIT 1)")  # fmt: skip
    for fmt in ("json", "csv", "tsv", "html"):
        done = subprocess.run(
            domeo_command("--db", str(db), "past-due", "--as-of", AS_OF, "--all", "--format", fmt),
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert done.stdout == b"", fmt
        assert b"not a whole number of cents); run domeo --db" in done.stderr


@pytest.mark.parametrize("names", [[name] for name in DAMAGE], ids=list(DAMAGE))
def test_init_does_not_call_a_damaged_book_up_to_date(run, damaged, names: list[str]) -> None:  # noqa: ANN001
    sound = damaged()
    result = run("--db", str(sound), "init")
    assert (result.exit_code, result.stderr) == (
        0,
        f"Database {sound} is up to date (schema version {SCHEMA_VERSION}).\n",
    )
    db = damaged(*names)
    result = run("--db", str(db), "init")
    assert result.exit_code == 1, result
    assert result.stderr == f"domeo: error: {sentence(db, describe(names[0]))}\n"
    assert "up to date" not in result.stderr
    as_json = run("--db", str(db), "init", "--json")
    assert (as_json.exit_code, as_json.stdout) == (1, ""), as_json
    assert as_json.error == {"code": "damaged_database", "message": sentence(db, describe(names[0]))}


def test_init_upgrades_a_damaged_book_and_says_it_is_damaged(run, damaged) -> None:  # noqa: ANN001
    """The schema work is done (so ``check`` can run), and the sentence says both."""
    db = damaged("due date 2025-02-30")
    by_hand(db, "DROP INDEX invoices_open_by_due")
    result = run("--db", str(db), "init")
    assert result.exit_code == 1, result
    assert result.stderr == (
        f"domeo: error: {db} holds invoice rows domeo never writes ({describe('due date 2025-02-30')}) "
        f"(its schema was repaired to version {SCHEMA_VERSION}); run domeo --db {db} check to list them.\n"
    )
    assert run("--db", str(db), "check", "--as-of", AS_OF).exit_code == 4


def test_over_http_a_damaged_row_is_503_with_the_error_document(damaged) -> None:  # noqa: ANN001
    from serving import serving

    db = damaged(*DAMAGE)
    with serving(str(db)) as server:
        for path, invoice in (
            (f"/invoices/past-due?as_of={AS_OF}", "DF2000085"),
            (f"/aging?as_of={AS_OF}&by=currency", "DF2000427"),
            ("/invoices/DF2000473", "DF2000473"),
            (f"/customers/statement?name=Keystone%20Landing%20Roofing%20Inc&as_of={AS_OF}", "DF2000474"),
        ):
            reply = server.get(path)
            assert reply.status == 503, (path, reply)
            assert reply.headers["content-type"] == "application/json; charset=utf-8"
            error = reply.error
            assert error["code"] == "damaged_database", (path, error)
            # The CLI's sentence (how it names the database over HTTP is the server's: no path of its own).
            assert invoice in error["message"] and error["message"].endswith(" check to list them."), error


# -- never crashes ------------------------------------------------------------------------------------

# Values another program might leave in a column: whatever SQLite takes with the CHECKs off.
ODD = [
    -1, -500, 0, 12.5, -0.5, 2**62, "12", "abc", "", b"\x00\xff", "2025-02-30", "2025-13-01", "0000-01-01",
    "25-1-1", "2025-02-29", "2024-02-29", "Open", "usd", "US", "EURO",
]  # fmt: skip
COLUMNS = [
    "bill_total_cents", "applied_cents", "outstanding_cents", "invoice_date", "due_date", "status", "currency",
    "customer_id", "invoice_number", "po_number", "contact_email",
]  # fmt: skip
DAMAGES = st.lists(
    st.tuples(st.integers(0, 29), st.sampled_from(COLUMNS), st.sampled_from(ODD)), min_size=1, max_size=4
)
EVERY_REPORT = [
    ["check", "--as-of", AS_OF, "--json"],
    ["check", "--as-of", AS_OF],
    ["past-due", "--as-of", AS_OF, "--json"],
    ["past-due", "--as-of", AS_OF],
    ["past-due", "--as-of", AS_OF, "--all", "--format", "csv"],
    ["aging", "--as-of", AS_OF, "--json"],
    ["aging", "--as-of", AS_OF, "--by", "currency", "--json"],
    ["aging", "--as-of", AS_OF, "--limit", "5"],
    ["customers", "--as-of", AS_OF, "--json"],
    ["customers", "--as-of", AS_OF, "--all", "--format", "json"],
    ["summary", "--month", "2024-02", "--json"],
    ["summary", "--from", "2024-01", "--to", "2024-06", "--json"],
    ["trend", "--from", "2024-01", "--to", "2024-06", "--json"],
]


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damages=DAMAGES)
def test_no_damage_makes_a_command_fail_with_an_internal_error(run, real_db: Path, tmp_path: Path, damages) -> None:  # noqa: ANN001
    """Any odd value in any column of the first open invoices: check lists, reports refuse, nothing crashes."""
    db = tmp_path / "odd.db"
    shutil.copy(real_db, db)
    numbers = [n for (n,) in connect(real_db).execute(
        "SELECT invoice_number FROM invoices WHERE outstanding_cents > 0 ORDER BY due_date, invoice_number LIMIT 30"
    )]  # fmt: skip
    connection = connect(db, isolation_level=None)
    connection.execute("PRAGMA ignore_check_constraints = 1")
    connection.execute("PRAGMA foreign_keys = 0")
    for index, column, value in damages:
        try:
            connection.execute(f"UPDATE invoices SET {column} = ? WHERE invoice_number = ?", (value, numbers[index]))
        except sqlite3.IntegrityError:  # the same invoice number twice: UNIQUE still holds
            pass
    connection.close()
    numbers_now = {n for (n,) in connect(db).execute("SELECT invoice_number FROM invoices")}
    for argv in EVERY_REPORT:
        result = run("--db", str(db), *argv)
        assert "internal_error" not in result.stderr and "Internal error" not in result.stderr, (argv, result)
        if argv[0] == "check":
            assert result.exit_code in (0, 4), (argv, result)
            if "--json" in argv:
                document = result.json
                assert document["total"] == len(document["findings"])
                for finding in document["findings"]:
                    assert set(finding["invoices"]) <= {str(n) if not isinstance(n, bytes) else n.decode(
                        "utf-8", "replace") for n in numbers_now}  # fmt: skip
            continue
        assert result.exit_code in (0, 1), (argv, result)
        if result.exit_code == 1:
            assert result.stdout == "", (argv, result)
            code = json.loads(result.stderr)["error"]["code"] if "json" in argv else None
            assert code in (None, "damaged_database"), (argv, result)
            assert "check to list them." in result.stderr, (argv, result)
    # Whatever was damaged, check lists it: the book it calls sound is one every report can read.
    listed = run("--db", str(db), "check", "--as-of", AS_OF, "--json").json
    damage_kinds = {kind for kind, _ in CHECKS[:7]}
    if not any(f["check"] in damage_kinds for f in listed["findings"]):
        for argv in EVERY_REPORT[2:]:
            assert run("--db", str(db), *argv).exit_code == 0, argv


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(
    st.dates().map(str),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    st.text(alphabet="0123456789-: T", max_size=12),
))  # fmt: skip
def test_sql_and_python_agree_on_what_a_real_date_is(text: str) -> None:
    from datetime import date

    from domeo_cli.store.sqlite.queries.damage import real_date, to_date

    db = sqlite3.connect(":memory:")
    in_sql = bool(db.execute(f"SELECT {real_date(':d')}", {"d": text}).fetchone()[0])
    try:
        python = date.fromisoformat(text).isoformat() == text
    except ValueError:
        python = False
    assert in_sql == python == (to_date(text) is not None), text
