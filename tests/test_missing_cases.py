"""Cases no test caught before (issue 11, item 18): each was planted as a bug by hand and the suite still passed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# P has two children. A's own invoice is only 10 days late, but A's child AA owes the
# oldest debt of all (500 days); B's own invoice is 100 days late. Ranked by oldest
# debt, A's subtree (500) comes before B's (100): taking the minimum over a subtree
# (A's 10 days) would put B first.
FAMILY = [
    {"customer": "P Holdings", "number": "P1", "date": "1/1/25", "total": "50", "due": "2/20/25",
     "customer_number": "1"},
    {"customer": "A Branch", "number": "A1", "date": "1/1/25", "total": "10", "due": "2/19/25",
     "customer_number": "2", "parent": "1"},
    {"customer": "AA Depot", "number": "AA1", "date": "1/1/23", "total": "5", "due": "10/18/23",
     "customer_number": "3", "parent": "2"},
    {"customer": "B Branch", "number": "B1", "date": "1/1/24", "total": "900", "due": "11/21/24",
     "customer_number": "4", "parent": "1"},
    {"customer": "Z Alone", "number": "Z1", "date": "1/1/24", "total": "1", "due": "3/1/24", "customer_number": "5"},
]  # fmt: skip


def test_grandchild_with_the_oldest_debt_orders_the_tree(load_rows, run):  # noqa: ANN001
    load_rows(FAMILY)
    doc = run("aging", "--as-of", "2025-03-01", "--by", "parent", "--tree", "--sort", "oldest", "--json").json
    # Z Alone: 366 days; P Holdings' subtree: 500 days (AA Depot, two levels down): P first.
    assert [node["name"] for node in doc["tree"]] == ["P Holdings", "Z Alone"]
    top = doc["tree"][0]
    assert [child["name"] for child in top["children"]] == ["A Branch", "B Branch"]
    assert [grandchild["name"] for grandchild in top["children"][0]["children"]] == ["AA Depot"]
    assert (top["total"], top["children"][0]["total"], top["children"][1]["total"]) == ("965.00", "15.00", "900.00")
    # by total, B's 900.00 comes first: the order really is the sort's
    by_total = run("aging", "--as-of", "2025-03-01", "--tree", "--json").json
    assert [child["name"] for child in by_total["tree"][0]["children"]] == ["B Branch", "A Branch"]


def test_grandchild_with_the_oldest_debt_in_the_tree_table(load_rows, run):  # noqa: ANN001
    """The same order in the table a person reads (piped: one line per node, indented by level)."""
    load_rows(FAMILY)
    shown = run("aging", "--as-of", "2025-03-01", "--tree", "--sort", "oldest").stdout
    names = [line[: line.index("USD")].rstrip() for line in shown.splitlines()[1:] if "USD" in line]
    assert names == [
        "P Holdings",
        "  (own invoices)",
        "  A Branch",
        "    (own invoices)",
        "    AA Depot",
        "  B Branch",
        "Z Alone",
        "Total",  # (piped, the currency is a column of its own)
    ]


def _console_script() -> str:
    """The ``domeo`` script pip installed beside this Python (the program cron runs)."""
    script = Path(sys.executable).parent / "domeo"
    if not script.exists():
        pytest.skip("the domeo console script is not installed beside this Python")
    return str(script)


ENTRY_POINTS = {
    "console script": lambda: [_console_script()],
    "python -m domeo_cli": lambda: [sys.executable, "-m", "domeo_cli"],
    "__main__:main": lambda: [sys.executable, "-c", "from domeo_cli.__main__ import main; main()"],
}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@pytest.mark.parametrize(
    "where",
    [
        ("--db={db}", "past-due", "--as-of", "2025-03-01", "--json"),  # what cron runs
        ("--db={db}", "aging", "--as-of", "2025-03-01", "--json"),
        ("past-due", "--db={db}", "--as-of", "2025-03-01", "--json"),
        ("--db={db}", "past-due", "--as-of=2025-03-01", "--json", "--limit", "x"),  # a usage error
        ("--db={db}", "contact", "--json", "Z Alone"),
    ],
    ids=lambda w: " ".join(w[:3]),
)
@pytest.mark.parametrize("relative", [False, True])
def test_db_equals_path_keeps_every_character(load_rows, tmp_path, entry, where, relative):  # noqa: ANN001
    """``--db=PATH`` names PATH, whichever entry point runs: a lost first character names another file."""
    target = tmp_path / "xdomeo.db"
    load_rows(FAMILY, db=str(target))
    (tmp_path / "domeo.db").write_bytes(b"")  # what "xdomeo.db" minus its first character would open
    db = "xdomeo.db" if relative else str(target)
    argv = [*ENTRY_POINTS[entry](), *(part.format(db=db) for part in where)]
    env = {k: v for k, v in os.environ.items() if k != "DOMEO_DB"}
    done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, env=env)
    if "x" in where:
        assert done.returncode == 2 and "--limit" in done.stderr, done
        return
    assert done.returncode == 0, done
    assert done.stderr == ""
    assert "Z Alone" in done.stdout or "P Holdings" in done.stdout or "B1" in done.stdout, done
