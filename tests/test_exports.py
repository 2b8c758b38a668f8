"""Reports as files (issue 14): every format of every report, read back and compared with the JSON."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domeo_cli.csvcells import neutralise, restore
from domeo_cli.errors import OutputError

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "invoices.csv"
AS_OF = "2025-05-01"
LATE = "2030-01-01"  # every open invoice of the sample is past due by then

# One command line per report; the sample's customers and dates.
REPORTS = {
    "past-due": ["past-due", "--as-of", AS_OF],
    "past-due --contact": ["past-due", "--as-of", AS_OF, "--contact", "--customer", "650290", "--with-children"],
    "summary": ["summary", "--month", "2024-11"],
    "summary range": ["summary", "--from", "2024-09", "--to", "2024-12"],
    "contact": ["contact", "Ridge Lane Painting"],
    "aging": ["aging", "--as-of", AS_OF],
    "aging by parent tree": ["aging", "--as-of", AS_OF, "--by", "parent", "--tree"],
    "aging by currency": ["aging", "--as-of", AS_OF, "--by", "currency"],
    "customers": ["customers", "--as-of", AS_OF],
    "invoice": ["invoice", "DF2001378", "--as-of", AS_OF],
    "statement": ["statement", "650290", "--as-of", AS_OF, "--with-children"],
    "runs": ["runs"],
}
FORMATS = ["table", "json", "csv", "tsv", "md", "html"]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled sample loaded once; reports only read it."""
    from domeo_cli.store.sqlite.ingest import load

    path = str(tmp_path_factory.mktemp("sample") / "sample.db")
    load(path, str(SAMPLE))
    return path


def _rows(text: str, tab: bool = False) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), dialect="excel-tab" if tab else "excel"))


def _cents(text: str) -> int:
    return int(Decimal(text) * 100)


class _Page(HTMLParser):
    """Every tag and attribute of a page, and its inline style."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.style = ""
        self._in_style = False
        self.cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        elif data.strip():
            self.cells.append(data.strip())


def _check_self_contained(page_text: str) -> _Page:
    page = _Page()
    page.feed(page_text)
    assert page_text.startswith("<!DOCTYPE html>")
    assert page.tags.count("html") == 1 and page.tags.count("style") == 1
    assert not {"script", "link", "img", "iframe", "object", "embed", "a", "base"} & set(page.tags)
    assert not [name for name, _ in page.attrs if name in ("src", "href", "srcset", "action", "style")]
    assert "url(" not in page.style and "@import" not in page.style
    assert "@media print" in page.style
    return page


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("report", sorted(REPORTS))
def test_every_format_of_every_report(run, sample_db, report: str, fmt: str) -> None:  # noqa: ANN001
    args = ["--db", sample_db, *REPORTS[report]]
    if report == "statement" and fmt == "table":
        result = run(*args, "--format", "table")
        assert result.exit_code == 2, result  # a statement is a document: md, html, csv, tsv or json
        assert "--format takes md, html, csv, tsv, json" in result.stderr
        return
    result = run(*args, "--format", fmt)
    assert result.exit_code == 0, result
    if fmt != "table":  # (a table piped says its title and footer on stderr)
        assert result.stderr == ""
    text = result.stdout
    if fmt == "json":
        assert json.loads(text) == run(*args, "--json").json
    elif fmt in ("csv", "tsv"):
        rows = _rows(text, tab=fmt == "tsv")
        assert rows, text
        lines = text.splitlines()
        assert len(lines) == len(rows) + 1  # one header, one line per record (no cell holds a line break here)
    elif fmt == "md":
        assert text.startswith("# ") and "\n| " in text
    elif fmt == "html":
        _check_self_contained(text)


def _csv_of(run, sample_db: str, *args: str, tab: bool = False) -> list[dict[str, str]]:  # noqa: ANN001
    result = run("--db", sample_db, *args, "--format", "tsv" if tab else "csv")
    assert result.exit_code == 0, result
    return _rows(result.stdout, tab)


@pytest.mark.parametrize("tab", [False, True], ids=["csv", "tsv"])
def test_past_due_csv_is_the_json_row_for_row(run, sample_db, tab: bool) -> None:  # noqa: ANN001
    rows = _csv_of(run, sample_db, "past-due", "--as-of", LATE, "--all", tab=tab)
    document = run("--db", sample_db, "past-due", "--as-of", LATE, "--all", "--json").json
    assert document["total"] == len(rows) > 200  # more than one page: --all has no 200-row cap
    assert [{k: str(v) for k, v in item.items()} for item in document["items"]] == rows
    # and sums to the aging report's past-due money (every bucket but current), currency by currency
    aging = run("--db", sample_db, "aging", "--as-of", LATE, "--json").json
    want = {t["currency"]: _cents(t["total"]) - _cents(t["current"]) for t in aging["totals"]}
    got: dict[str, int] = {}
    for row in rows:
        got[row["currency"]] = got.get(row["currency"], 0) + _cents(row["outstanding"])
    assert got == {cur: cents for cur, cents in want.items() if cents}


def test_aging_csv_sums_to_the_json_totals(run, sample_db) -> None:  # noqa: ANN001
    rows = _csv_of(run, sample_db, "aging", "--as-of", AS_OF)
    document = run("--db", sample_db, "aging", "--as-of", AS_OF, "--json").json
    assert len(rows) == len(document["groups"])
    for total in document["totals"]:
        mine = [r for r in rows if r["currency"] == total["currency"]]
        for key in [*document["buckets"], "total"]:
            assert sum(_cents(r[key]) for r in mine) == _cents(total[key]), key
        assert sum(int(r["invoices"]) for r in mine) == total["invoices"]


def test_customers_csv_is_one_row_per_customer_and_currency(run, sample_db) -> None:  # noqa: ANN001
    rows = _csv_of(run, sample_db, "customers", "--as-of", AS_OF, "--all")
    document = run("--db", sample_db, "customers", "--as-of", AS_OF, "--all", "--json").json
    want = []
    for c in document["customers"]:
        for b in c["balances"] or [{"currency": "", "open_ar": "", "past_due": ""}]:
            want.append((c["name"], b["currency"], b["open_ar"], b["past_due"]))
    assert [(r["name"], r["currency"], r["open_ar"], r["past_due"]) for r in rows] == want
    assert document["total"] == len(document["customers"]) == len({r["name"] for r in rows})


def test_summary_csv_holds_every_currency(run, sample_db) -> None:  # noqa: ANN001
    rows = _csv_of(run, sample_db, "summary", "--from", "2024-09", "--to", "2024-12")
    document = run("--db", sample_db, "summary", "--from", "2024-09", "--to", "2024-12", "--json").json
    assert rows == [{k: str(v) for k, v in m.items()} for m in document["months"]]
    for total in document["by_currency"]:
        mine = [r for r in rows if r["currency"] == total["currency"]]
        assert sum(_cents(r["sum_bill_total"]) for r in mine) == _cents(total["sum_bill_total"])


def test_statement_csv_sums_to_the_json_totals(run, sample_db) -> None:  # noqa: ANN001
    args = ("statement", "650290", "--as-of", AS_OF, "--with-children")
    rows = _csv_of(run, sample_db, *args)
    document = run("--db", sample_db, *args, "--json").json
    assert [r["invoice_number"] for r in rows] == [
        i["invoice_number"] for account in document["accounts"] for i in account["invoices"]
    ]
    for total in document["totals"]:
        mine = [r for r in rows if r["currency"] == total["currency"]]
        assert sum(_cents(r["outstanding"]) for r in mine) == _cents(total["total"])
        assert len(mine) == total["invoices"]


def test_streamed_json_is_the_paged_json_end_to_end(run, sample_db) -> None:  # noqa: ANN001
    every = run("--db", sample_db, "past-due", "--as-of", LATE, "--all", "--json").json
    pages = []
    for offset in range(0, every["total"], 200):
        page = run("--db", sample_db, "past-due", "--as-of", LATE, "--limit", "200", "--offset", str(offset), "--json")
        pages += page.json["items"]
    assert every["items"] == pages
    assert (every["limit"], every["offset"]) == (every["total"], 0)


def test_excel_adds_the_byte_order_mark_and_accents_survive(run, load_rows) -> None:  # noqa: ANN001
    load_rows([{"customer": "Café Olé", "number": "A1", "date": "1/2/25", "total": "10"}])
    plain = run("past-due", "--as-of", AS_OF, "--format", "csv")
    excel = run("past-due", "--as-of", AS_OF, "--format", "csv", "--excel")
    assert excel.exit_code == 0 and plain.exit_code == 0
    assert excel.stdout == "\ufeff" + plain.stdout
    assert _rows(plain.stdout)[0]["customer_name"] == "Café Olé"
    assert run("past-due", "--excel").exit_code == 2  # --excel is for CSV and TSV


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", "'=already", "''-x"])
def test_neutralise_then_restore_is_the_original(text: str) -> None:
    cell = neutralise(text)
    assert cell.startswith("'")
    assert restore(cell) == text


@pytest.mark.parametrize("text", ["Harbor", "1-30", "", "'quoted", "O'Brien"])
def test_plain_cells_are_left_alone(text: str) -> None:
    assert neutralise(text) == text == restore(text)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_formula_looking_cells_are_neutralised(run, load_rows, fmt: str) -> None:  # noqa: ANN001
    names = ['=HYPERLINK("http://x","y")', "-Minus Co", "@Home, Inc", "+Plus Tab"]
    load_rows([{"customer": n, "number": f"N{i}", "date": "1/2/25", "total": "10"} for i, n in enumerate(names)])
    result = run("past-due", "--as-of", AS_OF, "--format", fmt)
    rows = _rows(result.stdout, tab=fmt == "tsv")
    assert sorted(r["customer_name"] for r in rows) == sorted("'" + n for n in names)
    assert sorted(restore(r["customer_name"]) for r in rows) == sorted(names)


def test_html_escapes_what_a_customer_name_holds(run, load_rows) -> None:  # noqa: ANN001
    name = '<script src="http://evil/x.js"></script> & <img src=x>'
    load_rows([{"customer": name, "number": "A1", "date": "1/2/25", "total": "10"}])
    result = run("past-due", "--as-of", AS_OF, "--format", "html")
    page = _check_self_contained(result.stdout)
    assert name in page.cells
    markdown = run("past-due", "--as-of", AS_OF, "--format", "md").stdout
    assert "\\<script" in markdown and not re.search(r"(?<!\\)<", markdown)  # every < escaped


def test_markdown_and_html_give_totals_per_currency(run, sample_db) -> None:  # noqa: ANN001
    aging = run("--db", sample_db, "aging", "--as-of", AS_OF, "--json").json
    md = run("--db", sample_db, "aging", "--as-of", AS_OF, "--format", "md").stdout
    html = run("--db", sample_db, "aging", "--as-of", AS_OF, "--format", "html").stdout
    assert "Totals per currency" in md and "Totals per currency" in html
    for total in aging["totals"]:
        grouped = f"{Decimal(total['total']):,.2f}"
        assert f"| {total['currency']} |" in md and grouped in md
        assert f"<td>{total['currency']}</td>" in html and grouped in html


# -- -o FILE ------------------------------------------------------------------------------


def test_output_file_is_written_whole_and_nothing_on_stdout(run, sample_db, tmp_path: Path) -> None:  # noqa: ANN001
    target = tmp_path / "past-due.csv"
    target.write_text("old", encoding="utf-8")
    result = run("--db", sample_db, "past-due", "--as-of", AS_OF, "--all", "-o", str(target))
    assert result.exit_code == 0, result
    assert result.stdout == "" and result.stderr == ""
    written = target.read_text(encoding="utf-8")
    assert written == run("--db", sample_db, "past-due", "--as-of", AS_OF, "--all", "--format", "csv").stdout
    assert sorted(os.listdir(tmp_path)) == ["past-due.csv"]  # no temporary file left beside it


@pytest.mark.parametrize(("name", "fmt"), [("a.html", "html"), ("a.md", "md"), ("a.json", "json"), ("a.tsv", "tsv")])
def test_the_file_name_says_the_format(run, sample_db, tmp_path: Path, name: str, fmt: str) -> None:  # noqa: ANN001
    assert run("--db", sample_db, "aging", "--as-of", AS_OF, "-o", name).exit_code == 0
    want = run("--db", sample_db, "aging", "--as-of", AS_OF, "--format", fmt).stdout
    assert (tmp_path / name).read_text(encoding="utf-8") == want


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_output_never_replaces_the_database(run, example, db_path: Path, suffix: str) -> None:  # noqa: ANN001
    target = Path(str(db_path) + suffix)
    before = target.read_bytes() if target.exists() else None
    result = run("past-due", "--as-of", AS_OF, "--format", "csv", "-o", str(target))
    assert result.exit_code == 2, result
    assert "is the database" in result.stderr
    assert (target.read_bytes() if target.exists() else None) == before


def test_a_failed_report_leaves_the_old_file(run, example, tmp_path: Path) -> None:  # noqa: ANN001
    target = tmp_path / "statement.md"
    target.write_text("last month's", encoding="utf-8")
    result = run("statement", "No Such Customer", "-o", str(target))
    assert result.exit_code == 3, result
    assert target.read_text(encoding="utf-8") == "last month's"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_write_that_fails_half_way_leaves_the_old_file(sample_db, tmp_path: Path) -> None:  # noqa: ANN001
    from domeo_cli import formats, reports

    target = tmp_path / "out.csv"
    target.write_text("before", encoding="utf-8")
    page = reports.past_due(reports.open_store(sample_db), as_of=AS_OF, all_rows=True)

    def broken():  # noqa: ANN202 - rows that fail after the first one
        items = iter(page.items)
        yield next(items)
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):  # exit 1: an I/O error, not the input
        formats.save(page._replace(items=broken()), "csv", str(target))
    assert target.read_text(encoding="utf-8") == "before"
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["past-due", "-o", "x.txt"], "give --format"),
        (["past-due", "--format", "table", "-o", "x.csv"], "-o writes a file"),
        (["past-due", "--format", "xml"], "--format takes"),
        (["past-due", "--all"], "--all is for exports"),
        (["past-due", "--json", "--format", "csv"], "--json is --format json"),
        (["past-due", "-o", "missing-folder/x.csv"], "does not exist"),
    ],
)
def test_bad_output_options_are_exit_2_before_reading(run, args: list[str], message: str) -> None:  # noqa: ANN001
    result = run(*args)  # no database at all: the options fail first
    assert result.exit_code == 2, result
    assert message in result.stderr


# -- collections ---------------------------------------------------------------------------


def test_past_due_narrowed_to_a_customer_by_name_or_number(run, example) -> None:  # noqa: ANN001
    by_name = run("past-due", "--as-of", AS_OF, "--customer", "HARBOR lane bakery", "--json").json
    by_number = run("past-due", "--as-of", AS_OF, "--customer", "418552", "--json").json
    assert by_name == by_number
    assert [i["invoice_number"] for i in by_name["items"]] == ["DF2031977"]
    missing = run("past-due", "--customer", "Harbour Lane", "--json")
    assert missing.exit_code == 3 and missing.error["code"] == "not_found"


def test_past_due_with_children_and_min_days_and_contact(run, load_rows) -> None:  # noqa: ANN001
    load_rows(
        [
            {"customer": "Parent Co", "customer_number": "P1", "number": "I1", "date": "1/1/25", "total": "100",
             "due": "3/1/25", "contact": "Pat", "email": "pat@p.co", "phone": "555-1"},
            {"customer": "Child Co", "customer_number": "C1", "parent": "P1", "number": "I2", "date": "1/1/25",
             "total": "50", "due": "4/20/25"},
            {"customer": "Grandchild Co", "customer_number": "G1", "parent": "C1", "number": "I3", "date": "1/1/25",
             "total": "25", "due": "4/30/25"},
            {"customer": "Other Co", "customer_number": "O1", "number": "I4", "date": "1/1/25", "total": "9",
             "due": "1/1/25"},
        ]
    )  # fmt: skip
    alone = run("past-due", "--as-of", AS_OF, "--customer", "P1", "--json").json
    assert [i["invoice_number"] for i in alone["items"]] == ["I1"]
    family = run("past-due", "--as-of", AS_OF, "--customer", "Parent Co", "--with-children", "--json").json
    assert [i["invoice_number"] for i in family["items"]] == ["I1", "I2", "I3"] and family["total"] == 3
    late = run("past-due", "--as-of", AS_OF, "--customer", "P1", "--with-children", "--min-days", "11", "--json")
    assert [(i["invoice_number"], i["days_past_due"]) for i in late.json["items"]] == [("I1", 61), ("I2", 11)]
    contact = run("past-due", "--as-of", AS_OF, "--customer", "P1", "--contact", "--json").json["items"][0]
    assert (contact["contact_name"], contact["contact_email"], contact["contact_phone"]) == ("Pat", "pat@p.co", "555-1")
    assert "contact_name" not in alone["items"][0]  # the contract's keys unless --contact is asked
    assert run("past-due", "--with-children").exit_code == 2
    assert run("past-due", "--min-days", "0").exit_code == 2


def test_statement_of_a_parent_rolls_up_each_child_under_its_heading(run, load_rows) -> None:  # noqa: ANN001
    load_rows(
        [
            {"customer": "Parent Co", "customer_number": "P1", "number": "I1", "date": "1/1/25", "total": "100",
             "due": "3/1/25", "contact": "Pat", "email": "pat@p.co", "phone": "555-1"},
            {"customer": "Child Co", "customer_number": "C1", "parent": "P1", "number": "I2", "date": "1/1/25",
             "total": "50.50", "applied": "0.25", "due": "5/20/25"},
            {"customer": "Child Co", "customer_number": "C1", "parent": "P1", "number": "I5", "date": "1/1/25",
             "total": "7", "currency": "EUR", "due": "4/1/25"},
            {"customer": "Parent Co", "customer_number": "P1", "number": "I6", "date": "5/2/25", "total": "1000",
             "due": "6/1/25"},
        ]
    )  # fmt: skip
    own = run("statement", "P1", "--as-of", AS_OF, "--json").json
    assert [len(a["invoices"]) for a in own["accounts"]] == [1]  # I6 was issued after the statement date
    assert own["contact"]["contact_name"] == "Pat" and own["customer_number"] == "P1"
    document = run("statement", "parent co", "--as-of", AS_OF, "--with-children", "--json").json
    assert [a["customer_name"] for a in document["accounts"]] == ["Parent Co", "Child Co"]
    child = document["accounts"][1]["invoices"]
    assert [(i["invoice_number"], i["days_past_due"], i["bucket"]) for i in child] == [
        ("I5", 30, "1-30"),
        ("I2", 0, "current"),
    ]
    assert document["totals"] == [
        {"currency": "EUR", "current": "0.00", "1-30": "7.00", "31-60": "0.00", "61-90": "0.00", "91+": "0.00",
         "total": "7.00", "invoices": 1},
        {"currency": "USD", "current": "50.25", "1-30": "0.00", "31-60": "0.00", "61-90": "100.00", "91+": "0.00",
         "total": "150.25", "invoices": 2},
    ]  # fmt: skip
    md = run("statement", "P1", "--as-of", AS_OF, "--with-children").stdout
    assert md.index("## Parent Co (this account)") < md.index("## Child Co") < md.index("## Total of all accounts")
    assert "Contact: Pat · pat\\@p.co · 555-1" in md and "Customer number: P1" in md  # no mailto: link made


# -- cron signals --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["past-due", "aging"])
def test_fail_over_exits_5_after_printing_the_report(run, example, command: str) -> None:  # noqa: ANN001
    printed = run(command, "--as-of", AS_OF, "--json")
    over = run(command, "--as-of", AS_OF, "--json", "--fail-over", "778.24")
    assert over.exit_code == 5, over
    assert over.stdout == printed.stdout  # the report is printed all the same
    assert over.error == {"code": "threshold_crossed", "message": "Past due is over --fail-over 778.24: USD 778.25."}
    at = run(command, "--as-of", AS_OF, "--fail-over", "778.25", "--format", "csv")
    assert at.exit_code == 0 and at.stderr == ""  # "over" means more than
    assert run(command, "--fail-over", "lots").exit_code == 2


def test_fail_over_compares_each_currency_never_their_sum(run, load_rows) -> None:  # noqa: ANN001
    load_rows(
        [
            {"customer": "A", "number": "1", "date": "1/1/25", "total": "60", "currency": "USD"},
            {"customer": "A", "number": "2", "date": "1/1/25", "total": "60", "currency": "CAD"},
        ]
    )
    assert run("past-due", "--as-of", AS_OF, "--fail-over", "100").exit_code == 0
    assert run("aging", "--as-of", AS_OF, "--fail-over", "59.99").exit_code == 5


# -- help ----------------------------------------------------------------------------------

COMMANDS = ["init", "ingest", "past-due", "summary", "contact", "aging", "customers", "invoice", "statement", "runs"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_opens_with_its_question_and_ends_with_examples(run, command: str) -> None:  # noqa: ANN001
    result = run(command, "--help")
    assert result.exit_code == 0
    lines = [line.strip(" │") for line in result.stdout.splitlines() if line.strip(" │")]
    assert lines[0].startswith(f"Usage: domeo {command}")
    assert lines[1].endswith("?") or "?" in lines[1], lines[1]
    examples = lines[lines.index("Examples:") + 1 :]
    assert 2 <= len(examples) <= 3 and all(e.startswith("$ domeo ") for e in examples), examples
    for bad in ("<int>", "<str>", "<bool>", "<text>"):
        assert bad not in result.stdout


def test_shell_completion_completes_commands_and_options(domeo_proc) -> None:  # noqa: ANN001
    # The shell named, not guessed from the parent processes (under `sh -c` Typer would find sh):
    # Typer's own switch for tests makes --show-completion take the shell as its value.
    script = domeo_proc("--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert script.exit_code == 0 and "_DOMEO_COMPLETE=complete_bash" in script.stdout
    words = {"_DOMEO_COMPLETE": "complete_bash", "COMP_WORDS": "domeo st", "COMP_CWORD": "1"}
    assert domeo_proc(env=words).stdout.split() == ["statement"]
    words = {"_DOMEO_COMPLETE": "complete_bash", "COMP_WORDS": "domeo past-due --fail", "COMP_CWORD": "2"}
    assert domeo_proc(env=words).stdout.split() == ["--fail-over"]


@given(st.text())
def test_neutralise_is_reversible_and_inert(text: str) -> None:
    cell = neutralise(text)
    assert restore(cell) == text
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_format_json_errors_are_json_too(run) -> None:  # noqa: ANN001
    result = run("statement", "Nobody", "--format", "json")
    assert result.exit_code == 1 and result.error["code"] == "no_database"


def test_contact_all_lists_every_contact(run, load_rows) -> None:  # noqa: ANN001
    rows = [{"customer": "Acme", "number": f"N{i}", "date": f"1/{i + 1}/25", "total": "1", "contact": f"P{i:02d}"}
            for i in range(12)]  # fmt: skip
    load_rows(rows)
    page = run("contact", "Acme", "--json").json
    every = run("contact", "Acme", "--all", "--format", "csv").stdout.splitlines()
    assert page["total"] == 12 and len(page["contacts"]) == 10
    assert len(every) == 13 and every[1].startswith("Acme,P11,")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="no headless chromium here")
def test_a_statement_page_prints_in_a_real_browser(run, sample_db, tmp_path: Path) -> None:  # noqa: ANN001
    page = tmp_path / "statement.html"
    args = ("statement", "650290", "--as-of", AS_OF, "--with-children", "-o", str(page))
    assert run("--db", sample_db, *args).exit_code == 0
    pdf = tmp_path / "statement.pdf"
    done = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000


def test_a_customer_number_works_wherever_a_name_does(run, example) -> None:  # noqa: ANN001
    for args in (
        ["summary", "--month", "2025-03", "--customer"],
        ["aging", "--as-of", AS_OF, "--customer"],
        ["contact"],
        ["statement", "--as-of", AS_OF],
    ):
        by_name = run(*args, "Harbor Lane Bakery", "--json")
        by_number = run(*args, "418552", "--json")
        assert by_name.exit_code == by_number.exit_code == 0, (args, by_number)
        assert by_name.json == by_number.json
    assert run("contact", "999999", "--json").exit_code == 3
