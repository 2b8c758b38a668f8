"""Every way a report can fail: exit code, one sentence on stderr, nothing on stdout.

Each error is run twice, as text and with ``--json``; both must say the same
thing, the second as the contract's ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from helpers import by_hand

REPORTS = {
    "past-due": ["past-due", "--as-of", "2025-05-01"],
    "summary": ["summary", "--month", "2025-03"],
    "summary-customer": ["summary", "--month", "2025-03", "--customer", "Harbor Lane Bakery"],
    "contact": ["contact", "Harbor Lane Bakery"],
}


def check_error(run, args: list[str], exit_code: int, code: str) -> str:  # noqa: ANN001
    """Run ``args`` as text and as JSON; check both errors; return the message."""
    text = run(*args)
    assert text.exit_code == exit_code, text
    assert text.stdout == "", text
    assert text.stderr.startswith("domeo: error: "), text
    assert text.stderr.endswith("\n") and text.stderr.count("\n") == 1, text  # one line
    assert "Traceback" not in text.stderr and "Internal error" not in text.stderr, text
    message = text.stderr.removeprefix("domeo: error: ").rstrip("\n")

    as_json = run(*args, "--json")
    assert as_json.exit_code == exit_code, as_json
    assert as_json.stdout == "", as_json
    document = json.loads(as_json.stderr)
    assert set(document) == {"error"}, document
    assert document["error"]["code"] == code, document
    assert document["error"]["message"] == message
    return message


# -- invalid option values: exit 2 ------------------------------------------------------------

INVALID = [
    (["summary", "--month", "2024-13"], "--month", "2024-13"),
    (["summary", "--month", "Nov 2024"], "--month", "Nov 2024"),
    (["summary", "--month", "2024-1"], "--month", "2024-1"),
    (["summary", "--month", "2024-00"], "--month", "2024-00"),
    (["summary", "--month", "2025-03", "--currency", "US"], "--currency", "US"),
    (["summary", "--month", "2025-03", "--currency", "US$"], "--currency", "US$"),
    (["summary", "--month", "2025-03", "--currency", "uß"], "--currency", "uß"),  # not "USS"
    (["summary", "--month", "2025-03", "--currency", "ＵＳＤ"], "--currency", "ＵＳＤ"),
    (["past-due", "--as-of", "2025-02-30"], "--as-of", "2025-02-30"),
    (["past-due", "--as-of", "2025/02/01"], "--as-of", "2025/02/01"),
    (["past-due", "--as-of", "02/01/2025"], "--as-of", "02/01/2025"),
    (["past-due", "--as-of", "yesterday"], "--as-of", "yesterday"),
    (["past-due", "--limit", "0"], "--limit", "0"),
    (["past-due", "--limit", "201"], "--limit", "201"),
    (["past-due", "--limit", "-5"], "--limit", "-5"),
    (["past-due", "--limit", "abc"], "--limit", ""),  # (Typer's message does not repeat the value)
    (["past-due", "--offset", "-1"], "--offset", "-1"),
    (["past-due", "--sort", "amount"], "--sort", "amount"),
    (["past-due", "--sort", "due_date"], "--sort", "due_date"),
    (["past-due", "--sort", "DUE_DATE.ASC"], "--sort", "DUE_DATE.ASC"),
    (["contact", "Harbor Lane Bakery", "--limit", "0"], "--limit", "0"),
    (["contact", "Harbor Lane Bakery", "--limit", "201"], "--limit", "201"),
    (["contact", "Harbor Lane Bakery", "--offset", "-1"], "--offset", "-1"),
    (["summary"], "--month", ""),  # a missing required option is a usage error too
    (["past-due", "--bogus"], "--bogus", ""),
    (["contact"], "name", ""),
]  # fmt: skip


@pytest.mark.parametrize(("args", "option", "value"), INVALID)
def test_invalid_values_exit_2(example, run, db_path, args, option, value):  # noqa: ANN001
    before = db_path.read_bytes()
    message = check_error(run, args, 2, "invalid_input")
    assert option in message
    assert value in message
    assert db_path.read_bytes() == before


def test_last_representable_month(example, run):  # noqa: ANN001
    result = run("summary", "--month", "9999-12", "--json")
    assert result.exit_code == 0, result
    assert result.json == {"month": "9999-12", "currency": "USD", "sum_bill_total": "0.00", "count_invoices": 0}


def test_limit_bounds_are_accepted(example, run):  # noqa: ANN001
    for limit in ("1", "200"):
        assert run("past-due", "--as-of", "2025-05-01", "--limit", limit, "--json").exit_code == 0
        assert run("contact", "Harbor Lane Bakery", "--limit", limit, "--json").exit_code == 0


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "America/New_Yrok", "not a zone", "+05:00"])
def test_bad_domeo_tz_is_exit_2(example, run, monkeypatch, zone):  # noqa: ANN001
    monkeypatch.setenv("DOMEO_TZ", zone)
    message = check_error(run, ["past-due"], 2, "invalid_input")
    assert "DOMEO_TZ" in message
    assert repr(zone) in message


# -- no database: exit 1, says how to make one, creates nothing ------------------------------


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_no_database(run, tmp_path, db_path, report):  # noqa: ANN001
    message = check_error(run, REPORTS[report], 1, "no_database")
    assert str(db_path) in message
    assert "ingest" in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_no_database_default_path_and_db_option(run, tmp_path, monkeypatch, report):  # noqa: ANN001
    monkeypatch.delenv("DOMEO_DB")
    message = check_error(run, REPORTS[report], 1, "no_database")
    assert "domeo.db" in message and "ingest" in message
    elsewhere = str(tmp_path / "sub" / "dir" / "x.db")
    message = check_error(run, ["--db", elsewhere, *REPORTS[report]], 1, "no_database")
    assert elsewhere in message and "ingest" in message
    assert list(tmp_path.iterdir()) == []


# -- a file that is not a domeo database: exit 1, left exactly as it was ---------------------


def _foreign_sqlite(path: Path, wal: bool) -> None:
    db = by_hand(path)
    if wal:
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO notes (body) VALUES ('not an invoice')")
    db.commit()
    db.close()


def _make(kind: str, path: Path, run) -> str:  # noqa: ANN001
    """Put a file of ``kind`` at ``path``; return the error code a report should give."""
    if kind == "random":
        path.write_bytes(random.Random(7).randbytes(16384))
        return "database_error"
    if kind == "csv":
        path.write_text("CustomerName,InvoiceNumber\nA,1\n" * 50)
        return "database_error"
    if kind == "other_sqlite":
        _foreign_sqlite(path, wal=False)
        return "database_error"
    if kind == "other_sqlite_wal":
        _foreign_sqlite(path, wal=True)
        return "database_error"
    if kind == "newer_domeo":
        assert run("init").exit_code == 0
        db = by_hand(path)
        db.execute("PRAGMA user_version = 99")
        db.close()
        return "database_error"
    assert kind == "empty"
    path.write_bytes(b"")
    return "no_database"


@pytest.mark.parametrize("report", sorted(REPORTS))
@pytest.mark.parametrize("kind", ["random", "csv", "other_sqlite", "other_sqlite_wal", "newer_domeo", "empty"])
def test_not_a_domeo_database(run, tmp_path, db_path, kind, report):  # noqa: ANN001
    code = _make(kind, db_path, run)
    before = db_path.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())
    message = check_error(run, REPORTS[report], 1, code)
    assert str(db_path) in message
    assert db_path.read_bytes() == before
    if kind != "newer_domeo":  # (reading a domeo database may leave its -wal and -shm beside it)
        assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_foreign_wal_database_gets_no_side_files(run, tmp_path, db_path):  # noqa: ANN001
    _foreign_sqlite(db_path, wal=True)
    before = db_path.read_bytes()
    check_error(run, REPORTS["past-due"], 1, "database_error")
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [db_path.name]


def test_foreign_sqlite_message(run, db_path):  # noqa: ANN001
    _foreign_sqlite(db_path, wal=False)
    message = check_error(run, REPORTS["past-due"], 1, "database_error")
    assert message == f"{db_path} is a SQLite database of another program, not domeo's; it was left untouched."


def test_directory_instead_of_database(run, db_path):  # noqa: ANN001
    db_path.mkdir()
    message = check_error(run, REPORTS["contact"], 1, "database_error")
    assert message == f"{db_path} is a directory, not a domeo database."
    assert list(db_path.iterdir()) == []


# -- unknown customer: exit 3 with the closest names ---------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["contact", "Harbor Lane Bakry"],
        ["contact", "harbour lane bakery"],
        ["summary", "--month", "2025-03", "--customer", "Harbor Lane Bakry"],
        ["summary", "--month", "2025-04", "--customer", "HARBOR LANE"],
    ],
)
def test_unknown_customer_suggests_closest(example, run, args):  # noqa: ANN001
    message = check_error(run, args, 3, "not_found")
    assert "'Harbor Lane Bakery'" in message
    assert "Northwind" not in message and "Quiet Creek" not in message
    as_json = run(*args, "--json")
    assert json.loads(as_json.stderr)["error"]["suggestions"] == ["Harbor Lane Bakery"]


def test_unknown_customer_without_close_names(example, run):  # noqa: ANN001
    for args in (["contact", "Zzyzx Supply"], ["summary", "--month", "2025-03", "--customer", "Zzyzx Supply"]):
        message = check_error(run, args, 3, "not_found")
        assert message == "No customer is named 'Zzyzx Supply'."
        assert "suggestions" not in json.loads(run(*args, "--json").stderr)["error"]


def test_unknown_customer_on_a_case_typo_lists_several(load_rows, run):  # noqa: ANN001
    load_rows(
        [
            {"customer": "Acme Corp", "number": "1", "date": "1/1/25", "total": "1"},
            {"customer": "Acme Corp.", "number": "2", "date": "1/1/25", "total": "1"},
            {"customer": "Acme Co", "number": "3", "date": "1/1/25", "total": "1"},
            {"customer": "Beta", "number": "4", "date": "1/1/25", "total": "1"},
        ]
    )
    message = check_error(run, ["contact", "ACME CORPS"], 3, "not_found")
    assert message.startswith("No customer is named 'ACME CORPS'. Did you mean ")
    for name in ("'Acme Corp'", "'Acme Corp.'", "'Acme Co'"):
        assert name in message
    assert "Beta" not in message


def test_errors_leave_stdout_empty_on_every_report(run, db_path):  # noqa: ANN001
    # no database at all and a bad value: the bad value is named (exit 2), nothing is created
    check_error(run, ["past-due", "--limit", "0"], 2, "invalid_input")
    check_error(run, ["summary", "--month", "2024-13"], 2, "invalid_input")
    assert not db_path.exists()
    assert not os.path.exists("domeo.db")


# -- a currency not in ISO 4217 (issue 19, item 24): exit 2, as ingest refuses it ---------------

CURRENCY_TYPOS = [
    (["summary", "--month", "2025-03", "--currency", "UDS"], "UDS", ["USD", "UZS"]),
    (["summary", "--from", "2025-01", "--to", "2025-03", "--currency", "uds"], "uds", ["USD", "UZS"]),
    (["aging", "--as-of", "2025-05-01", "--currency", "CDA"], "CDA", ["CAD", "CDF"]),
    (["aging", "--as-of", "2025-05-01", "--by", "currency", "--currency", "ZZZ"], "ZZZ", []),
]


@pytest.mark.parametrize(("args", "code", "closest"), CURRENCY_TYPOS)
def test_a_currency_not_in_iso_4217_is_exit_2_with_the_closest_codes(example, run, args, code, closest):  # noqa: ANN001
    message = check_error(run, args, 2, "invalid_input")
    hint = f" Did you mean {' or '.join(closest)}?" if closest else ""
    assert message == f"--currency {code!r} is not in the ISO 4217 list of currency codes.{hint}"
    error = json.loads(run(*args, "--json").stderr)["error"]
    assert error.get("suggestions", []) == closest


def test_a_currency_typo_is_exit_2_even_without_a_database(run, db_path):  # noqa: ANN001
    check_error(run, ["summary", "--month", "2025-03", "--currency", "UDS"], 2, "invalid_input")
    assert not db_path.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["summary", "--month", "2025-03", "--currency", "EUR"],
        ["summary", "--from", "2025-01", "--to", "2025-03", "--currency", "eur"],
        ["aging", "--as-of", "2025-05-01", "--currency", "EUR"],
    ],
)
def test_a_valid_currency_no_invoice_is_in_is_said_on_stderr(example, run, args):  # noqa: ANN001
    note = "domeo: note: no invoice is in EUR; the invoices are in CAD, USD.\n"
    for fmt in (["--json"], ["--format", "csv"]):
        result = run(*args, *fmt)
        assert (result.exit_code, result.stderr) == (0, note), result
        assert result.stdout == run(*[a if a.upper() != "EUR" else "GBP" for a in args], *fmt).stdout.replace(
            "GBP", "EUR"
        )  # the report itself, as for any currency with nothing in it
    table = run(*args)
    assert table.exit_code == 0 and table.stderr.startswith(note), table


def test_a_currency_some_invoice_is_in_gives_no_note_even_when_the_month_has_none(example, run):  # noqa: ANN001
    result = run("summary", "--month", "2025-01", "--currency", "CAD", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.json == {"month": "2025-01", "currency": "CAD", "sum_bill_total": "0.00", "count_invoices": 0}


def test_a_currency_over_http_is_checked_as_on_the_command_line(example, db_path) -> None:  # noqa: ANN001
    from serving import serving

    with serving(str(db_path)) as server:
        for url in (
            "/invoices/summary/month?month=2025-03&currency=UDS",
            "/invoices/summary/range?from=2025-01&to=2025-03&currency=UDS",
            "/aging?currency=UDS",
        ):
            reply = server.get(url)
            assert reply.status == 400, (url, reply)
            assert reply.error["code"] == "invalid_input"
            assert (
                "'UDS' is not in the ISO 4217 list of currency codes. Did you mean USD or UZS?"
                in reply.error["message"]
            )
            assert reply.error["suggestions"] == ["USD", "UZS"]
        valid = server.get("/invoices/summary/month?month=2025-03&currency=EUR")
        assert valid.status == 200
        assert valid.json == {"month": "2025-03", "currency": "EUR", "sum_bill_total": "0.00", "count_invoices": 0}


# -- DOMEO_DEBUG (issue 19, item 26): only 1, true or yes turn tracebacks on ----------------------


def _a_bug(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
    raise RuntimeError("a planted bug")


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "", "  ", "FALSE", "2"])
def test_domeo_debug_other_than_yes_keeps_a_bug_to_one_sentence(example, run, monkeypatch, value):  # noqa: ANN001
    from domeo_cli import reports

    monkeypatch.setattr(reports, "summary", _a_bug)
    monkeypatch.setenv("DOMEO_DEBUG", value)
    message = (
        "Internal error (RuntimeError: a planted bug); please report it, and set DOMEO_DEBUG=1 to see the traceback."
    )
    result = run("summary", "--month", "2025-03")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"domeo: error: {message}\n")
    as_json = run("summary", "--month", "2025-03", "--json")
    assert (as_json.exit_code, as_json.stdout) == (1, "")
    assert json.loads(as_json.stderr) == {"error": {"code": "internal_error", "message": message}}


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "Yes", " 1 "])
def test_domeo_debug_yes_lets_the_traceback_through(example, run, monkeypatch, value):  # noqa: ANN001
    from domeo_cli import reports

    monkeypatch.setattr(reports, "summary", _a_bug)
    monkeypatch.setenv("DOMEO_DEBUG", value)
    with pytest.raises(RuntimeError, match="a planted bug"):
        run("summary", "--month", "2025-03")
