"""Every format's escaping (issue 19, items 11, 12 and 29): what reaches a terminal, what Markdown renders,
and each written document parsed back equal to the records, over awkward text.

- A terminal (a real pseudo-terminal) never gets a control character from the
  data in any format; a pipe and a file get the data as stored.
- Markdown renders every value as its literal text (CommonMark with GitHub's
  tables and strike-through, rendered by markdown-it; GitHub's autolinks by a
  model of its rules): no entity, strike-through, emphasis, link or HTML.
- CSV and TSV read back with the csv module and ``csvcells.restore``, Markdown
  cells rendered, HTML cells parsed with ``html.parser``: each is the records.
"""

from __future__ import annotations

import csv
import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import csv_of, domeo_command
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from domeo_cli import printable
from domeo_cli.csvcells import restore
from domeo_cli.formats import delimited, html, markdown
from domeo_cli.formats.records import Column, Document, Section, Table
from domeo_cli.money import format_cents, format_cents_grouped

pexpect = pytest.importorskip("pexpect")

AS_OF = "2025-05-01"

# CommonMark with GitHub's table and strike-through extensions; raw HTML on, as a wiki or mail client may have it.
RENDER = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


class Page(HTMLParser):
    """An HTML page's text: each table's rows of cells, headings and paragraphs, and every tag seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.rows: list[list[str]] = []
        self.headings: list[str] = []
        self.paragraphs: list[str] = []
        self._into: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")
            self._into = self.rows[-1]
        elif tag in ("h1", "h2", "h3"):
            self.headings.append("")
            self._into = self.headings
        elif tag == "p":
            self.paragraphs.append("")
            self._into = self.paragraphs

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "h1", "h2", "h3", "p"):
            self._into = None

    def handle_data(self, data: str) -> None:
        if self._into is not None:
            self._into[-1] += data


def parse_html(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


# -- GitHub's autolinks: a model of their rules, applied as GitHub applies them ------------------

# GitHub makes a link of www. (after a space or a start), of http://, https:// and ftp://, of
# mailto: and xmpp:, and of an e-mail address, in any run of text. A backslash escape ends a run
# (the escaped character is a text node of its own), so it is within the runs that they are sought.
AUTOLINK = re.compile(
    r"(?:^|[\s*_~(])www\.|(?:https?|ftp)://|(?:mailto|xmpp):|[\w.+-]+@[\w-]+\.[\w-]", re.IGNORECASE
)


def autolinks(markdown_text: str) -> list[str]:
    """What GitHub would make links of in ``markdown_text`` (empty: nothing)."""
    return [m[0] for run in re.split(r"\\[!-/:-@\[-`{-~]", markdown_text) for m in AUTOLINK.finditer(run)]


def test_the_autolink_model_finds_what_github_links() -> None:
    assert autolinks("see https://x.example and www.x.example, or a@x.example") == ["https://", " www.", "a@x.e"]
    assert autolinks("https\\://x.example www\\.x.example a\\@x.example") == []


# -- item 12: Markdown renders each value as its literal text ------------------------------------

LITERALS = [
    "Amp &amp; Co",  # an entity would render &
    "AT&T &#38; &#x26; &copy;",
    "~~Struck~~ ~once~",  # strike-through
    "*star* **bold** _under_ __twice__",
    "`code` ``more``",
    "[a link](https://evil.example) ![img](x.png) <https://evil.example>",
    "https://evil.example/pay-here now",  # bare URLs: GitHub links them
    "Visit www.evil.example today",
    "ftp://files.example mailto:pay@evil.example xmpp:x@evil.example",
    "Pay to billing@evil.example",
    "<b>bold</b> <script>alert(1)</script> <!-- comment -->",
    "Pipe | in | cells",
    "Back\\slash \\| \\* \\\\ ends with\\",
    "# Not a heading ## ###",
    "1. not a list",
    "- not a list either",
    "> not a quote",
    "Trailing spaces are not a break   ",
    "Line\nbreaks\r\nand\ttabs",
    "=HYPERLINK(\"x\") +1 -2 @3",
    "'quoted' \"double\"",
    "\u202eevil RTL \u200f mark",
    "Café 中文 🍩",
]


def _render_cell(value: str) -> tuple[str, list[str]]:
    """``value`` as the only cell of a Markdown table: the text it renders, and the tags it renders."""
    page = parse_html(RENDER.render(f"| h |\n|---|\n| {markdown._cell(value, 'text')} |\n"))
    return page.rows[1][0], page.tags


@pytest.mark.parametrize("value", LITERALS)
def test_a_markdown_cell_renders_its_literal_text(value: str) -> None:
    text, tags = _render_cell(value)
    assert text == " ".join(value.split())  # a cell is one line: line breaks and runs of spaces show as one space
    assert tags == ["table", "thead", "tr", "th", "tbody", "tr", "td"]  # no link, emphasis, strike-through, HTML
    assert autolinks(markdown._cell(value, "text")) == []


def test_markdown_headings_and_lines_render_their_literal_text() -> None:
    hostile = "Acme &amp; ~~Sons~~ https://evil.example | www.evil.example"
    document = Document(
        f"Statement of account: {hostile}",
        [f"Customer: {hostile}", "Contact: Pat · pat@p.example · 555-1"],
        [Section(hostile, [f"Contact: {hostile}"], [])],
        Table([Column("x", "X")], []),
    )
    out = io.StringIO()
    markdown.write(document, out)
    page = parse_html(RENDER.render(out.getvalue()))
    assert page.headings == [f"Statement of account: {hostile}", hostile]
    assert page.paragraphs == [f"Customer: {hostile}\nContact: Pat · pat@p.example · 555-1", f"Contact: {hostile}"]
    assert set(page.tags) == {"h1", "h2", "p", "br"}
    assert autolinks(out.getvalue()) == []


def test_a_statement_in_markdown_links_nothing_the_data_holds(run, load_rows) -> None:  # noqa: ANN001
    name = "Pay https://evil.example &amp; ~~now~~"
    load_rows([{"customer": name, "number": "S1", "date": "1/2/25", "total": "10", "po": "www.evil.example",
                "contact": "Eve", "email": "eve@evil.example"}])  # fmt: skip
    result = run("statement", name, "--as-of", AS_OF, "--format", "md")
    assert result.exit_code == 0, result
    page = parse_html(RENDER.render(result.stdout))
    assert page.headings[0] == f"Statement of account: {name}"
    assert page.paragraphs[0].startswith("Customer number: none\nContact: Eve · eve@evil.example\n")
    assert ["S1", "2025-01-02", "2025-02-01", "www.evil.example"] == page.rows[1][:4]
    assert not {"a", "del", "s", "em", "strong", "code", "img"} & set(page.tags)
    assert autolinks(result.stdout) == []


# -- item 29: each format parsed back is the records, over awkward text ----------------------------

AWKWARD = st.sampled_from(
    ['"', "'", "|", "\\", "&", "&amp;", "<", ">", "=", "+", "-", "@", "\n", "\r", "\t", " ", "*", "_", "~", "`",
     "#", "[", "]", "!", ":", "//", "www.", "é", "中", "\u202e", "\u200f", "\u2028", ",", ";", "\x1b", "\x85"]
)  # fmt: skip
# What a cell starts with matters most (a formula, a quote before one, a space): a start, then the rest.
START = st.sampled_from(["", "'", "''", "=", "'=", "''+", "+", "-", "'-", "@", "\t", "'\t", "\r", " ", '"', "|"])
TEXT = st.tuples(
    START, st.lists(AWKWARD | st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=12)
).map(lambda parts: parts[0] + "".join(parts[1]))

COLUMNS = [
    Column("name", "Name"),
    Column("po_number", "PO number"),
    Column("invoices", "Invoices", "int"),
    Column("outstanding", "Outstanding", "money"),
]


def _document(values: list[str]) -> Document:
    rows = [(v, values[-1 - i], i, (i * 123457) - 50) for i, v in enumerate(values)]
    table = Table(COLUMNS, rows)
    return Document(f"Report: {values[0]}", [f"Line: {v}" for v in values], [Section(values[0], [], [table])], table)


@given(st.lists(TEXT, min_size=1, max_size=5), st.booleans())
@settings(max_examples=200, deadline=None)
def test_csv_and_tsv_read_back_as_the_records(values: list[str], tab: bool) -> None:
    document = _document(values)
    out = io.StringIO(newline="")
    delimited.write(document.records, out, tab=tab)
    read = list(csv.reader(io.StringIO(out.getvalue(), newline=""), dialect="excel-tab" if tab else "excel"))
    assert read[0] == [c.key for c in COLUMNS]
    back = [(restore(name), restore(po), int(n), cents) for name, po, n, cents in read[1:]]
    assert back == [(name, po, n, format_cents(cents)) for name, po, n, cents in document.records.rows]
    for name, po, _, _ in read[1:]:  # and no cell a spreadsheet would run
        assert not name.startswith(("=", "+", "-", "@", "\t", "\r")) and not po.startswith(("=", "+", "-", "@"))


@given(st.lists(TEXT, min_size=1, max_size=5))
@settings(max_examples=200, deadline=None)
def test_markdown_renders_back_as_the_records(values: list[str]) -> None:
    document = _document(values)
    out = io.StringIO()
    markdown.write(document, out)
    page = parse_html(RENDER.render(out.getvalue()))

    def shown(text: str) -> str:
        return " ".join(text.split())

    assert page.rows[0] == [c.label for c in COLUMNS]
    assert page.rows[1:] == [[shown(name), shown(po), str(n), format_cents_grouped(cents)]
                             for name, po, n, cents in document.records.rows]  # fmt: skip
    assert page.headings == [shown(document.title), *([shown(values[0])] if values[0] else [])]
    assert page.paragraphs == ["\n".join(shown(line) for line in document.lines)]
    assert set(page.tags) <= {"h1", "h2", "p", "br", "table", "thead", "tbody", "tr", "th", "td"}
    assert autolinks(out.getvalue()) == []


@given(st.lists(TEXT, min_size=1, max_size=5))
@settings(max_examples=200, deadline=None)
def test_html_parses_back_as_the_records(values: list[str]) -> None:
    document = _document(values)
    out = io.StringIO()
    html.write(document, out)
    page = parse_html(out.getvalue())
    assert page.rows[0] == [c.label for c in COLUMNS]
    assert page.rows[1:] == [[name, po, str(n), format_cents_grouped(cents)]
                             for name, po, n, cents in document.records.rows]  # fmt: skip
    assert page.headings == [document.title, *([values[0]] if values[0] else [])]
    assert page.paragraphs == ["\n".join(document.lines)]  # lines are joined by <br> and a line break
    assert set(page.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "br", "section",
                              "table", "thead", "tbody", "tr", "th", "td"}  # fmt: skip


# The same through the command line: a database of awkward names, each report in each format.
NAMES = [
    'Pipe | and "quotes"',
    "Back\\slash & <b>bold</b>",
    "Amp &amp; ~~Struck~~ *Co*",
    "=HYPERLINK(\"https://evil.example\")",
    "+Plus Co",
    "-Minus Co",
    "@At Co",
    "'Quoted Co",
    "''=Twice quoted",
    "www.evil.example and pay@evil.example",
    "\u202eRTL\u200f Co",
    "Café 中文 🍩",
]


@pytest.fixture(scope="module")
def awkward_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from domeo_cli.store.sqlite.ingest import load

    folder = tmp_path_factory.mktemp("awkward")
    rows = [{"customer": name, "number": f"W{i:02d}", "date": "1/2/25", "total": f"{10 + i}.5",
             "po": f"PO {name}", "contact": f"{name} contact", "email": f"c{i}@x.example"}
            for i, name in enumerate(NAMES)]  # fmt: skip
    (folder / "awkward.csv").write_text(csv_of(rows), encoding="utf-8", newline="")
    path = str(folder / "awkward.db")
    report = load(path, str(folder / "awkward.csv"))
    assert report.inserted == len(NAMES) and not report.rejected
    return path


def _values(run, db: str, *args: str) -> dict:  # noqa: ANN001
    end = args.index("--") if "--" in args else len(args)  # options go before a --
    result = run("--db", db, *args[:end], "--json", *args[end:])
    assert result.exit_code == 0, result
    return result.json


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md", "html"])
def test_past_due_in_each_format_holds_every_value_as_stored(run, awkward_db, fmt: str) -> None:  # noqa: ANN001
    args = ("past-due", "--as-of", AS_OF, "--contact", "--all")
    items = _values(run, awkward_db, *args)["items"]
    assert sorted(i["customer_name"] for i in items) == sorted(NAMES)
    result = run("--db", awkward_db, *args, "--format", fmt)
    assert result.exit_code == 0, result
    want = [["" if v is None else str(v) for v in item.values()] for item in items]
    if fmt in ("csv", "tsv"):
        dialect = "excel-tab" if fmt == "tsv" else "excel"
        read = list(csv.reader(io.StringIO(result.stdout, newline=""), dialect=dialect))
        assert read[0] == list(items[0])
        assert [[restore(cell) for cell in row] for row in read[1:]] == want
        return
    page = parse_html(RENDER.render(result.stdout) if fmt == "md" else result.stdout)
    body = page.rows[1 : 1 + len(items)]
    grouped = {"bill_total", "applied", "outstanding"}  # amounts shown with thousands separators
    assert body == [[f"{float(v):,.2f}" if k in grouped else "" if v is None else str(v) for k, v in item.items()]
                    for item in items]  # fmt: skip
    assert not {"a", "del", "s", "em", "strong", "code", "img", "b", "script"} & set(page.tags)


@pytest.mark.parametrize("fmt", ["csv", "md", "html"])
def test_a_statement_in_each_format_holds_every_value_as_stored(run, awkward_db, fmt: str) -> None:  # noqa: ANN001
    for name in NAMES:
        document = _values(run, awkward_db, "statement", "--as-of", AS_OF, "--", name)
        (invoice,) = document["accounts"][0]["invoices"]
        result = run("--db", awkward_db, "statement", "--as-of", AS_OF, "--format", fmt, "--", name)
        assert result.exit_code == 0, (name, result)
        if fmt == "csv":
            (row,) = csv.DictReader(io.StringIO(result.stdout, newline=""))
            assert {k: restore(v) for k, v in row.items()} == {
                "customer_name": name, "customer_number": "", **{k: str(v) for k, v in invoice.items()},
            }  # fmt: skip
            continue
        page = parse_html(RENDER.render(result.stdout) if fmt == "md" else result.stdout)
        assert page.headings[0] == f"Statement of account: {name}", name
        assert page.paragraphs[0].split("\n")[1] == f"Contact: {name} contact · {invoice_email(document)}", name
        assert page.rows[1][:4] == [invoice["invoice_number"], "2025-01-02", "2025-02-01", f"PO {name}"], name
        assert not {"a", "del", "s", "em", "strong", "code", "img", "b", "script"} & set(page.tags), name


def invoice_email(document: dict) -> str:
    return document["contact"]["contact_email"]


# -- item 11: no control character reaches a terminal; a pipe and a file get the data ---------------

CONTROL_NAME = "Ev\x1b[31mil\x9b2J\u202eRTL\u200fmark\x08BS"
RAW = ("\x1b[31m", "\x9b", "\u202e", "\u200f", "\x08")


@pytest.fixture
def control_db(load_rows, db_path) -> Path:  # noqa: ANN001
    load_rows([{"customer": CONTROL_NAME, "number": "C1", "date": "1/2/25", "total": "10", "po": "PO\x1b]0;title\x07",
                "contact": "Bob\x1b[2J", "email": "b@x.example"}])  # fmt: skip
    return db_path


def on_a_terminal(db: Path, *args: str) -> str:
    """What ``domeo ARGS`` writes to a real terminal (a pseudo-terminal), as bytes decoded."""
    env = {**os.environ, "DOMEO_DB": str(db), "TERM": "xterm-256color", "NO_COLOR": "1"}
    argv = domeo_command(*args)
    child = pexpect.spawn(argv[0], argv[1:], dimensions=(200, 200), env=env, encoding="utf-8", timeout=120)
    out = child.read()
    child.close()
    assert child.exitstatus == 0, out
    return out


TERMINAL_CASES = {
    "statement (Markdown by default)": ["statement", CONTROL_NAME, "--as-of", AS_OF],
    "md": ["past-due", "--as-of", AS_OF, "--contact", "--format", "md"],
    "csv": ["past-due", "--as-of", AS_OF, "--contact", "--format", "csv"],
    "tsv": ["past-due", "--as-of", AS_OF, "--contact", "--format", "tsv"],
    "html": ["statement", CONTROL_NAME, "--as-of", AS_OF, "--format", "html"],
    "json": ["past-due", "--as-of", AS_OF, "--contact", "--json"],
    "json --all": ["past-due", "--as-of", AS_OF, "--contact", "--all", "--format", "json"],
    "table": ["past-due", "--as-of", AS_OF],
    "-o /dev/tty": ["past-due", "--as-of", AS_OF, "--format", "csv", "-o", "/dev/tty"],
    "-o /dev/stdout": ["statement", CONTROL_NAME, "--as-of", AS_OF, "--format", "md", "-o", "/dev/stdout"],
}


@pytest.mark.parametrize("case", list(TERMINAL_CASES))
def test_no_control_character_of_the_data_reaches_a_terminal(control_db: Path, case: str) -> None:
    screen = on_a_terminal(control_db, *TERMINAL_CASES[case])
    for raw in RAW:
        assert raw not in screen, (case, raw, screen)
    if case != "table":  # a table's own styling (bold) may use escapes even with NO_COLOR
        assert "\x1b" not in screen and "\x07" not in screen, (case, screen)
    if case not in ("table", "json", "json --all"):  # shown escaped, the way messages show them
        assert "Ev\\x1b" in screen and "\\x9b2J" in screen and "\\u202eRTL" in screen, (case, screen)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "md", "html"])
def test_a_pipe_and_a_file_get_the_data_as_stored(domeo_proc, control_db: Path, tmp_path: Path, fmt: str) -> None:  # noqa: ANN001
    args = ("past-due", "--as-of", AS_OF, "--format", fmt)
    piped = domeo_proc(*args)
    assert piped.exit_code == 0 and "Ev\x1b" in piped.stdout and "\x9b2J\u202eRTL" in piped.stdout  # data, for a script
    target = tmp_path / f"out.{fmt}"
    assert domeo_proc(*args, "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == piped.stdout


def test_terminal_text_escapes_every_unsafe_character() -> None:
    unsafe = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]
    unsafe += ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029", *map(chr, range(0x202A, 0x202F)),
               *map(chr, range(0x2066, 0x206A)), "\udc9b"]  # fmt: skip
    for char in unsafe:
        shown = printable.for_terminal(f"a{char}b")
        assert shown.isascii() and shown.isprintable() and shown.startswith("a\\") and shown.endswith("b"), repr(char)
    assert printable.for_terminal("tab\tand\nline é 中 🍩") == "tab\tand\nline é 中 🍩"


def test_a_rejects_file_on_a_terminal_is_escaped_and_in_a_pipe_is_data(tmp_path: Path, domeo_proc) -> None:  # noqa: ANN001
    source = tmp_path / "bad.csv"
    source.write_text(csv_of([{"customer": CONTROL_NAME, "number": "R1", "date": "1/2/25", "total": "lots"}]),
                      encoding="utf-8", newline="")  # fmt: skip
    args = ("--db", str(tmp_path / "r.db"), "ingest", str(source), "--rejects", "-", "-q")
    argv = domeo_command(*args)
    child = pexpect.spawn(argv[0], argv[1:], dimensions=(50, 200), env={**os.environ, "NO_COLOR": "1"},
                          encoding="utf-8", timeout=120)  # fmt: skip
    screen = child.read()
    child.close()
    assert child.exitstatus == 4, screen
    for raw in RAW:
        assert raw not in screen, (raw, screen)
    assert "Ev\\x1b[31mil\\x9b2J\\u202eRTL\\u200fmark\\x08BS" in screen  # the rejected record, shown escaped
    piped = domeo_proc(*args)
    assert piped.exit_code == 4 and CONTROL_NAME in piped.stdout  # to a program: the record as it was
