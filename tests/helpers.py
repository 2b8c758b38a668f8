"""What the tests share: the CSV builder, an in-memory database, the example files and documents.

Fixtures live in ``conftest.py``; everything else a test imports comes from here.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

HEADER = (
    "CustomerName,InvoiceNumber,InvoiceDate,CustomerPoNumber,BillTotal,Applied,Status,Currency,"
    "ContactName,ContactPhone,ContactEmail,CustomerTerms,DueDate,customer number,parent customer"
)

# The made-up example of input-format.md, verbatim.
EXAMPLE_CSV = HEADER + "\n" + """\
Harbor Lane Bakery,DF2031442,3/7/25,PO-004417,2875,2875,Closed,USD,Dana Whitfield,555-204-7781,dana@harborlanebakery.com,Net 30,4/6/25 00:00,418552,907113
Harbor Lane Bakery,DF2031977,3/21/25,PO-004430,1190.5,412.25,Pending,USD,Dana Whitfield,555-204-7781,dana@harborlanebakery.com,Net 30,,418552,907113
Northwind Outfitters,DF2032015,3/24/25,PO-004436,6400,0,Pending,CAD,Marcus Ortega,555-377-1029,marcus@northwindoutfitters.com,Net 45,5/8/25 00:00,907113,
Quiet Creek Dental,DF2032101,3/26/25,PO-004441,980,980,Closed,USD,,,,Net 7,4/2/25 00:00,230871,
"""  # noqa: E501

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "invoices.csv"


class Result:
    """What a CLI run gave: exit code, stdout, stderr, and stdout parsed as JSON."""

    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def json(self):  # noqa: ANN201 - any JSON value
        return json.loads(self.stdout)

    @property
    def error(self) -> dict:
        """The JSON error object printed on stderr with --json."""
        return json.loads(self.stderr)["error"]

    def __repr__(self) -> str:
        return f"Result(exit={self.exit_code}, stdout={self.stdout[:400]!r}, stderr={self.stderr[:400]!r})"


# -- how hard the property tests try ------------------------------------------------

# Set by conftest.py: true in the quick run (``-m "not slow"``). The whole suite, the first part
# of .ci/run, leaves it false and so tries every example each property test names.
QUICK_RUN = False


def examples(full: int) -> int:
    """The ``max_examples`` of a property test: ``full`` in the whole suite, a third (at least 10) in the quick run."""
    return max(10, full // 3) if QUICK_RUN else full


# -- hand-written invoice files for the report tests --------------------------------

# Short keys for the columns of HEADER, in order.
ROW_KEYS = (
    "customer",
    "number",
    "date",
    "po",
    "total",
    "applied",
    "status",
    "currency",
    "contact",
    "phone",
    "email",
    "terms",
    "due",
    "customer_number",
    "parent",
)


def csv_text(*records: list[str], header: list[str] | None = None, newline: str = "\n") -> str:
    """A CSV file: the header (HEADER's columns unless given), then the records, quoted as the csv module quotes."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(HEADER.split(",") if header is None else header)
    writer.writerows(records)
    return out.getvalue()


def csv_of(rows: list[dict[str, str]], newline: str = "\n") -> str:
    """A CSV file (HEADER plus one record per row) from dicts keyed by ROW_KEYS or by HEADER's column names.

    A key left out is an empty field, except ``status`` (``Pending``), ``currency``
    (``USD``), ``applied`` (``0``) and ``terms`` (``Net 30``).
    """
    columns = dict(zip(HEADER.split(","), ROW_KEYS, strict=True))
    defaults = {"status": "Pending", "currency": "USD", "applied": "0", "terms": "Net 30"}
    records = []
    for row in rows:
        row = {columns.get(key, key): value for key, value in row.items()}
        unknown = set(row) - set(ROW_KEYS)
        assert not unknown, f"unknown row keys {unknown}"
        records.append([row.get(key, defaults.get(key, "")) for key in ROW_KEYS])
    return csv_text(*records, newline=newline)


def run_main(*args: str, input: str | bytes | None = None) -> Result:
    """Run ``domeo ARGS`` in-process through the entry point users run (``domeo_cli.__main__:main``).

    Standard streams are CliRunner's (``input`` feeds standard input); the exit code is main's.
    """
    import sys

    from typer.testing import CliRunner

    from domeo_cli.__main__ import main

    with CliRunner().isolation(input=input) as (out, err, *_):
        try:
            main(list(args))
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    return Result(code, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))


# -- the documents the example's reports give -------------------------------------------


def item(number, customer, invoice_date, due, total, applied, outstanding, currency, status, days):  # noqa: ANN001, ANN201
    """One past-due item as the contract prints it (amounts given as strings)."""
    return {
        "invoice_number": number,
        "customer_name": customer,
        "invoice_date": invoice_date,
        "due_date": due,
        "bill_total": total,
        "applied": applied,
        "outstanding": outstanding,
        "currency": currency,
        "status": status,
        "days_past_due": days,
    }


def example_df2031977(days: int) -> dict:
    """The example's open USD invoice as a past-due item, ``days`` past due."""
    return item(
        "DF2031977", "Harbor Lane Bakery", "2025-03-21", "2025-04-20", "1190.50", "412.25", "778.25", "USD",
        "Pending", days,
    )  # fmt: skip


def example_df2032015(days: int) -> dict:
    """The example's open CAD invoice as a past-due item, ``days`` past due."""
    return item(
        "DF2032015", "Northwind Outfitters", "2025-03-24", "2025-05-08", "6400.00", "0.00", "6400.00", "CAD",
        "Pending", days,
    )  # fmt: skip


# What each migration from 5 on added, undone last first: (objects to drop, (table, column) to drop).
_ADDED_BY = {
    8: (
        [("INDEX", "invoices_open_due_before_issued"), ("TABLE", "open_group_starts"), ("TABLE", "open_tops")],
        [("open_days", "running_invoices"), ("open_days", "running_cents")],
    ),
    7: (
        [("INDEX", "load_redates_by_run"), ("TABLE", "load_redates"), ("TABLE", "customer_versions")],
        [("customers", "run_id"), ("contacts", "first_run")],
    ),
    6: (
        [
            ("TRIGGER", "customers_number_insert"),
            ("TRIGGER", "customers_number_update"),
            ("TABLE", "customer_numbers"),
            ("TABLE", "load_missing"),
            ("TABLE", "invoice_versions"),
        ],
        [("ingest_runs", c) for c in ("as_of", "complete", "missing", "settled", "last_invoice_id")],
    ),
    5: (
        [
            ("TRIGGER", "invoices_open_insert"),
            ("TRIGGER", "invoices_open_update"),
            ("TRIGGER", "invoices_open_delete"),
            ("TABLE", "open_groups_state"),
            ("TABLE", "open_groups"),
            ("TABLE", "open_days"),
        ],
        [],
    ),
}


def downgrade(connection: sqlite3.Connection, version: int) -> None:
    """Take a database of the current schema back to schema ``version`` (4 or later), as an older domeo left it."""
    from domeo_cli.store.sqlite import schema

    with connection:
        for step in range(schema.SCHEMA_VERSION, version, -1):
            objects, columns = _ADDED_BY[step]
            for kind, name in objects:
                connection.execute(f"DROP {kind} {name}")
            for table, column in columns:
                connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        connection.execute("DELETE FROM domeo_migrations WHERE version > ?", (version,))
        connection.execute(f"PRAGMA user_version = {int(version)}")


def by_hand(database: str | Path, **options: object) -> sqlite3.Connection:
    """A plain connection to a test database through its store (``Store.by_hand``), to read or change rows
    as another program would: the one way tests reach the database but through domeo's commands."""
    from domeo_cli.reports import open_store

    return open_store(str(database)).by_hand(**options)


def memory_db() -> sqlite3.Connection:
    """A new in-memory database with domeo's schema (autocommit)."""
    from domeo_cli.store.sqlite import db as dbmod

    db = sqlite3.connect(":memory:", isolation_level=None)
    dbmod.migrate(db, ":memory:")
    return db


# -- robustness tests (issue 4): the real command in a child process ---------------------

GENERATOR = Path(__file__).resolve().parent.parent / "data" / "generate.py"


def load_generator():  # noqa: ANN201 - the data/generate.py module
    """``data/generate.py`` imported by path (it is not a package module)."""
    import importlib.util
    import sys

    module = sys.modules.get("domeo_data_generate")
    if module is None:
        spec = importlib.util.spec_from_file_location("domeo_data_generate", GENERATOR)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["domeo_data_generate"] = module
        spec.loader.exec_module(module)
    return module


def domeo_command(*args: str) -> list[str]:
    """The argv that runs ``domeo ARGS`` in a child process, as a user's shell would."""
    import sys

    return [sys.executable, "-m", "domeo_cli", *args]


# The open amounts loads keep for aging (open_groups, open_days), and the same summed from the invoices.
LIVE = """SELECT customer_id, currency, count(*), sum(outstanding_cents), min(due_date), min(invoice_date)
          FROM invoices WHERE outstanding_cents > 0 GROUP BY 1, 2 ORDER BY 1, 2"""
KEPT = """SELECT customer_id, currency, invoices, outstanding_cents, first_due, first_invoiced
          FROM open_groups ORDER BY 1, 2"""
LIVE_DAYS = """SELECT 'due', currency, due_date, count(*), sum(outstanding_cents) FROM invoices
               WHERE outstanding_cents > 0 GROUP BY 2, 3
               UNION ALL SELECT 'invoice', currency, invoice_date, count(*), sum(outstanding_cents) FROM invoices
               WHERE outstanding_cents > 0 GROUP BY 2, 3 ORDER BY 1, 2, 3"""
KEPT_DAYS = "SELECT * FROM open_days ORDER BY 1, 2, 3"
KEPT_TOPS = "SELECT currency, day, outstanding_cents, customer_id FROM open_tops ORDER BY 1, 2, 3 DESC, 4"
KEPT_STARTS = "SELECT * FROM open_group_starts ORDER BY 1, 2"


def live_days(connection: sqlite3.Connection) -> list[tuple]:
    """``open_days`` the plain way: each (age_by, currency, day)'s open invoices and cents, then the
    running sums of that day and every earlier one of the same age_by and currency."""
    rows, run = [], {}
    for age_by, currency, day, n, cents in connection.execute(LIVE_DAYS):
        before = run.get((age_by, currency), (0, 0))
        run[age_by, currency] = (before[0] + n, before[1] + cents)
        rows.append((age_by, currency, day, n, cents, *run[age_by, currency]))
    return rows


def live_starts(connection: sqlite3.Connection) -> list[tuple]:
    """``open_group_starts`` the plain way: per currency and day, the groups whose first open invoice is
    of that day, and of that day or earlier."""
    firsts: dict[tuple[str, str], int] = {}
    for (currency, first) in connection.execute(
        "SELECT currency, min(invoice_date) FROM invoices WHERE outstanding_cents > 0 GROUP BY customer_id, currency"
    ):
        firsts[currency, first] = firsts.get((currency, first), 0) + 1
    rows, run = [], {}
    for (currency, day), n in sorted(firsts.items()):
        run[currency] = run.get(currency, 0) + n
        rows.append((currency, day, n, run[currency]))
    return rows


def live_tops(connection: sqlite3.Connection, kept: int | None = None) -> list[tuple[str, str, int, int]]:
    """``open_tops`` the plain way: at the end of every month a currency has an open invoice in, its
    ``kept`` largest groups (ties: the lower customer id) by the open amount invoiced by that day."""
    import calendar

    from domeo_cli.store.sqlite import derived

    kept = derived.TOPS_KEPT if kept is None else kept
    invoices = connection.execute(
        "SELECT currency, invoice_date, customer_id, outstanding_cents FROM invoices WHERE outstanding_cents > 0"
    ).fetchall()
    rows = []
    for currency in sorted({i[0] for i in invoices}):
        mine = [i for i in invoices if i[0] == currency]
        for month in sorted({i[1][:7] for i in mine}):
            year, number = int(month[:4]), int(month[5:])
            day = f"{month}-{calendar.monthrange(year, number)[1]:02d}"
            totals: dict[int, int] = {}
            for _, issued, cid, cents in mine:
                if issued <= day:
                    totals[cid] = totals.get(cid, 0) + cents
            ranked = sorted(totals.items(), key=lambda t: (-t[1], t[0]))[:kept]
            rows += [(currency, day, cents, cid) for cid, cents in sorted(ranked, key=lambda t: (-t[1], t[0]))]
    return rows


class Pause:
    """Hold a domeo process at named phases of a load (``DOMEO_TEST_PAUSE``, see ``domeo_cli/phases.py``).

    ``env`` goes to the process; ``wait(phase, process)`` returns once it holds
    at that phase; ``release()`` lets it go on. No test guesses from the clock.
    """

    def __init__(self, path: Path, *phases: str) -> None:
        self.path = path
        self.env = {"DOMEO_TEST_PAUSE": f"{','.join(phases)}:{path}"}

    def wait(self, phase: str, process, timeout: float = 300) -> None:  # noqa: ANN001 - a subprocess.Popen
        """Return once ``process`` holds at ``phase``; fail if it ends or holds elsewhere."""
        import time

        deadline = time.monotonic() + timeout  # a hang guard only: a healthy run never comes near it
        while not self.path.exists():
            assert process.poll() is None, f"the process ended (exit {process.returncode}) before {phase}"
            assert time.monotonic() < deadline, f"the process never reached {phase}"
            time.sleep(0.005)
        assert self.path.read_text(encoding="utf-8") == phase

    def release(self) -> None:
        """Let the held process go on."""
        self.path.unlink()
