"""What a person sees at a real terminal (issue 11, items 4 and 5): tables fitted to 80, 100 and 120 columns.

Each command runs in a child process on a pseudo-terminal of the given size
(pexpect), as in a terminal window; the screen, without its escape sequences,
is compared with the expected text. A number is never cut, the name column
is never left out, the columns left out are named, and a terminal too narrow
for a table gets one block of lines per row, never blank rows.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

WIDTHS = (80, 100, 120)
AS_OF = "2025-03-01"

# Long names, amounts up to ten million, a three-level hierarchy whose grandchild holds the oldest debt,
# and an invoice dated after the as-of date (left out).
ROWS = [
    {
        "customer": "Hilltop Hollow Market",
        "number": "DF2000085",
        "date": "1/9/24",
        "total": "1766.76",
        "due": "2/8/24",
        "customer_number": "100",
        "contact": "Tom Kendall",
        "phone": "555-580-7849",
    },
    {
        "customer": "Northwind Outfitters International Holdings",
        "number": "DF2000086",
        "date": "1/10/24",
        "total": "532836.08",
        "applied": "100",
        "due": "2/9/24",
        "customer_number": "200",
    },
    {
        "customer": "Lakeside Regional Distribution Centre",
        "number": "DF2000087",
        "date": "11/10/24",
        "total": "9999999.99",
        "due": "12/10/24",
        "customer_number": "210",
        "parent": "200",
    },
    {
        "customer": "Lakeside Cold Storage and Refrigerated Logistics Annex",
        "number": "DF2000088",
        "date": "2/1/25",
        "total": "45.10",
        "due": "2/20/25",
        "customer_number": "211",
        "parent": "210",
    },
    {
        "customer": "Lakeside Cold Storage and Refrigerated Logistics Annex",
        "number": "DF2000089",
        "date": "6/1/23",
        "total": "310.00",
        "due": "7/1/23",
        "customer_number": "211",
        "parent": "210",
    },
    {
        "customer": "Café Olé",
        "number": "DF2000090",
        "date": "2/25/25",
        "total": "12.5",
        "due": "3/27/25",
        "currency": "CAD",
        "customer_number": "300",
    },
    {
        "customer": "Café Olé",
        "number": "DF2000091",
        "date": "3/5/25",
        "total": "99",
        "due": "2/1/25",
        "currency": "CAD",
        "customer_number": "300",
    },
]

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")


def screen(db: Path, cols: int, *args: str) -> str:
    """``domeo ARGS`` on a pseudo-terminal ``cols`` wide: the screen's text, lines right-stripped."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", NO_COLOR="1", DOMEO_DB=str(db))
    child = pexpect.spawn(
        sys.executable, ["-m", "domeo_cli", *args], dimensions=(500, cols), env=env, encoding="utf-8", timeout=120
    )
    out = child.read()
    child.close()
    assert child.exitstatus == 0, out
    text = _ESCAPES.sub("", out).replace("\r", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


@pytest.fixture
def db(load_rows, db_path) -> Path:  # noqa: ANN001
    load_rows(ROWS)
    return db_path


def _fits(text: str, cols: int) -> None:
    """No line wider than the terminal, no ellipsis anywhere (a cut value).

    The next page's command is the exception: one line, folded by the terminal itself,
    so that a copy of it pastes as one command.
    """
    for line in text.split("\n"):
        assert len(line) <= cols or line.startswith("Next page: domeo "), (cols, line)
    assert "…" not in text


def _words_in_order(text: str, name: str) -> bool:
    """``name`` is on the screen, whole or folded over lines between other columns' cells (its words in order)."""
    words = iter(text.split())
    return all(any(word == token for token in words) for word in name.split())


PAST_DUE = {
    80: """\
                           Past due as of 2025-03-01

  Invoice     Customer                  Due date     Days    Outstanding   Cur
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  DF2000089   Lakeside Cold Storage     2023-07-01    609         310.00   USD
              and Refrigerated
              Logistics Annex
  DF2000085   Hilltop Hollow Market     2024-02-08    387       1,766.76   USD
  DF2000086   Northwind Outfitters      2024-02-09    386     532,736.08   USD
              International Holdings
  DF2000087   Lakeside Regional         2024-12-10     81   9,999,999.99   USD
              Distribution Centre
  DF2000088   Lakeside Cold Storage     2025-02-20      9          45.10   USD
              and Refrigerated
              Logistics Annex

Rows 1–5 of 5 · outstanding USD 10,534,857.93 (5)
Balances are those of the last load; invoices dated after 2025-03-01 are left
out.
Not shown at 80 columns: Status, Applied, Invoice date, Bill total (a wider
terminal or --json shows them).""",
    100: """\
                                     Past due as of 2025-03-01

  Invoice     Customer                       Due date     Days     Bill total    Outstanding   Cur
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  DF2000089   Lakeside Cold Storage and      2023-07-01    609         310.00         310.00   USD
              Refrigerated Logistics Annex
  DF2000085   Hilltop Hollow Market          2024-02-08    387       1,766.76       1,766.76   USD
  DF2000086   Northwind Outfitters           2024-02-09    386     532,836.08     532,736.08   USD
              International Holdings
  DF2000087   Lakeside Regional              2024-12-10     81   9,999,999.99   9,999,999.99   USD
              Distribution Centre
  DF2000088   Lakeside Cold Storage and      2025-02-20      9          45.10          45.10   USD
              Refrigerated Logistics Annex

Rows 1–5 of 5 · outstanding USD 10,534,857.93 (5)
Balances are those of the last load; invoices dated after 2025-03-01 are left out.
Not shown at 100 columns: Status, Applied, Invoice date (a wider terminal or --json shows them).""",
    120: """\
                                               Past due as of 2025-03-01

  Invoice     Customer                  Invoice date   Due date     Days     Bill total   Applied    Outstanding   Cur
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  DF2000089   Lakeside Cold Storage     2023-06-01     2023-07-01    609         310.00      0.00         310.00   USD
              and Refrigerated
              Logistics Annex
  DF2000085   Hilltop Hollow Market     2024-01-09     2024-02-08    387       1,766.76      0.00       1,766.76   USD
  DF2000086   Northwind Outfitters      2024-01-10     2024-02-09    386     532,836.08    100.00     532,736.08   USD
              International Holdings
  DF2000087   Lakeside Regional         2024-11-10     2024-12-10     81   9,999,999.99      0.00   9,999,999.99   USD
              Distribution Centre
  DF2000088   Lakeside Cold Storage     2025-02-01     2025-02-20      9          45.10      0.00          45.10   USD
              and Refrigerated
              Logistics Annex

Rows 1–5 of 5 · outstanding USD 10,534,857.93 (5)
Balances are those of the last load; invoices dated after 2025-03-01 are left out.
Not shown at 120 columns: Status (a wider terminal or --json shows them).""",
}


@pytest.mark.parametrize("cols", WIDTHS)
def test_past_due_screen(db, cols) -> None:  # noqa: ANN001
    """Every amount whole, the customer column kept (folded), the columns left out named."""
    assert screen(db, cols, "past-due", "--as-of", AS_OF) == PAST_DUE[cols]


# The USD table of the tree, sorted by oldest debt: the grandchild's 609 days put its
# top-level account first, and folded names keep their level's indent.
TREE_80 = """\
                Aging as of 2025-03-01 (days past due date), USD

  Top-level account          31-60          61-90          91+           Total
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  Northwind Outfitters        0.00   9,999,999.99   533,046.08   10,533,091.17
  International Holdings
    (own invoices)            0.00           0.00   532,736.08      532,736.08
    Lakeside Regional         0.00   9,999,999.99       310.00   10,000,355.09
    Distribution Centre
      (own invoices)          0.00   9,999,999.99         0.00    9,999,999.99
      Lakeside Cold           0.00           0.00       310.00          355.10
      Storage and
      Refrigerated
      Logistics Annex
  Hilltop Hollow Market       0.00           0.00     1,766.76        1,766.76

  Total USD                   0.00   9,999,999.99   534,812.84   10,534,857.93

Balances are those of the last load; invoices dated after 2025-03-01 are left
out.
Not shown at 80 columns: Invoices, Current, 1-30 (a wider terminal or --json
shows them)."""

TREE_120 = """\
                                    Aging as of 2025-03-01 (days past due date), USD

  Top-level account                     Current    1-30   31-60          61-90          91+           Total   Invoices
 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  Northwind Outfitters International       0.00   45.10    0.00   9,999,999.99   533,046.08   10,533,091.17          4
  Holdings
    (own invoices)                         0.00    0.00    0.00           0.00   532,736.08      532,736.08          1
    Lakeside Regional Distribution         0.00   45.10    0.00   9,999,999.99       310.00   10,000,355.09          3
    Centre
      (own invoices)                       0.00    0.00    0.00   9,999,999.99         0.00    9,999,999.99          1
      Lakeside Cold Storage and            0.00   45.10    0.00           0.00       310.00          355.10          2
      Refrigerated Logistics Annex
  Hilltop Hollow Market                    0.00    0.00    0.00           0.00     1,766.76        1,766.76          1

  Total USD                                0.00   45.10    0.00   9,999,999.99   534,812.84   10,534,857.93          5

Balances are those of the last load; invoices dated after 2025-03-01 are left out."""


@pytest.mark.parametrize(("cols", "expected"), [(80, TREE_80), (120, TREE_120)])
def test_aging_tree_screen_keeps_indents_when_names_fold(db, cols, expected) -> None:  # noqa: ANN001
    shown = screen(db, cols, "aging", "--as-of", AS_OF, "--tree", "--sort", "oldest")
    usd = shown[shown.index("                Aging as of 2025-03-01 (days past due date), USD".strip()) :]
    table = usd[: usd.index("\n  Current ")]
    assert table == expected.strip(" ")


COMMANDS = [
    ("past-due", "--as-of", AS_OF),
    ("customers", "--as-of", AS_OF),
    ("aging", "--as-of", AS_OF),
    ("aging", "--as-of", AS_OF, "--tree"),
    ("aging", "--as-of", AS_OF, "--buckets", "7,14,30,45,60,90,120,180"),
    ("summary", "--from", "2023-06", "--to", "2025-03"),
    ("contact", "Hilltop Hollow Market"),
    ("invoice", "DF2000086", "--as-of", AS_OF),
]


@pytest.mark.parametrize("cols", (20, 30, 45, *WIDTHS))
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:4]))
def test_every_table_fits_whole(db, args, cols) -> None:  # noqa: ANN001
    """At any width: nothing wider than the terminal, no value cut, every name and key amount on screen."""
    shown = screen(db, cols, *args)
    _fits(shown, cols)
    names = {
        "past-due": ["Lakeside Cold Storage and Refrigerated Logistics Annex", "Northwind Outfitters"],
        "customers": ["Café Olé", "Lakeside Regional Distribution Centre"],
        "aging": ["Northwind Outfitters International Holdings", "Hilltop Hollow Market"],
        "contact": ["Tom Kendall"],
        "invoice": ["Northwind Outfitters International Holdings"],
        "summary": [],
    }[args[0]]
    for name in names:
        assert _words_in_order(shown, name), (name, shown)
    amounts = {
        "past-due": ["532,736.08", "9,999,999.99", "10,534,857.93"],
        "customers": ["532,736.08", "9,999,999.99"],
        "aging": ["10,534,857.93", "12.50"],
        "invoice": ["532,836.08", "532,736.08"],
        "summary": ["9,999,999.99", "534,602.84"],
        "contact": ["555-580-7849"] if cols >= 45 else [],
    }[args[0]]
    for amount in amounts:
        assert amount in shown.split() or f"{amount}" in shown, (amount, shown)


@pytest.mark.parametrize("cols", (20, 30))
def test_narrow_terminal_shows_each_row_as_a_block(db, cols) -> None:  # noqa: ANN001
    """Below 40 columns a row is a block of "label: value" lines, never a blank row."""
    shown = screen(db, cols, "past-due", "--as-of", AS_OF, "--limit", "2")
    blocks = shown.split("\n\n")
    assert blocks[1].split("\n")[0] == "DF2000089"
    assert blocks[2].split("\n")[0] == "DF2000085"
    assert "  Outstanding: 310.00" in blocks[1].split("\n") or "  Outstanding:" in blocks[1]
    assert "1,766.76" in blocks[2] and "Hilltop" in blocks[2] and "387" in blocks[2]
    assert all(line.strip() for block in blocks for line in block.split("\n"))
    _fits(shown, cols)


def test_past_due_screen_at_20_columns(db) -> None:  # noqa: ANN001
    """Each row a block; the next page's command on one line, which the terminal folds."""
    expected = """\
Past due as of
2025-03-01

DF2000089
  Customer:
    Lakeside Cold
    Storage and
    Refrigerated
    Logistics Annex
  Invoice date:
    2023-06-01
  Due date:
    2023-07-01
  Days: 609
  Bill total:
    310.00
  Applied: 0.00
  Outstanding:
    310.00
  Cur: USD
  Status: Pending

Rows 1–1 of 5 ·
outstanding USD
10,534,857.93 (5)
Next page: domeo past-due --as-of 2025-03-01 --limit 1 --offset 1
Balances are those
of the last load;
invoices dated after
2025-03-01 are left
out."""
    assert screen(db, 20, "past-due", "--as-of", AS_OF, "--limit", "1") == expected


@pytest.mark.parametrize("cols", (30, 45, 60, 100))
@pytest.mark.parametrize(
    "args", [("trend", "--every", "load"), ("forecast", "--as-of", AS_OF, "--weeks", "3")], ids=lambda a: a[0]
)
def test_trend_and_forecast_fit_whole_through_the_one_mechanism(db, args, cols) -> None:  # noqa: ANN001
    """The history tables and a described report fit any width as every table does: no line too wide, no value cut."""
    shown = screen(db, cols, *args)
    _fits(shown, cols)
    assert ("Open AR" if args[0] == "trend" else "overdue") in shown
