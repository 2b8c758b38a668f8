"""Names and text are data: SQL, markup, shell syntax, bidi and zero-width marks, emoji.

They are stored as written (after the contract's trimming and space
collapsing), printed literally in JSON and in tables, and ``contact NAME``
finds them again.
"""

from __future__ import annotations

import pytest
from helpers import by_hand, csv_of

NAMES = [
    "Robert'); DROP TABLE invoices;--",
    "x' OR '1'='1",
    '"; DELETE FROM customers; --',
    "[bold]x[/bold]",
    "[link=http://x]click[/link]",
    "[/] unbalanced [red",
    ":smile: :cross_mark:",
    "$(rm -rf /) `id` && echo | cat > /tmp/x; ${HOME}",
    "\u202eevil\u202c Corp",  # right-to-left override
    "Zero\u200bWidth\u200dJoin",
    "ملف عربي للشركة",
    "שלום בע״מ",
    "🍩 Donut 🚀 Co 👩‍👩‍👧",
    "%s %d {0} {name} \\N \\x00",
    "<script>alert(1)</script>",
]


BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def shown(text: str) -> str:
    """Text as a table shows it: Rich drops bidi override controls (no Trojan-Source reordering
    of a terminal line); JSON keeps them."""
    return text.translate(BIDI_CONTROLS)


def _csv(names: list[str]) -> str:
    rows = [
        {"customer": name, "number": f"T{i:04d}", "date": "1/5/25", "po": f"PO-{name}", "total": "100",
         "contact": f"{name} contact", "phone": "555-0100", "email": f"ar+{i}@example.com", "customer_number": f"N{i}"}
        for i, name in enumerate(names)
    ]  # fmt: skip
    return csv_of(rows)


@pytest.fixture
def loaded(write_csv, run, db_path):  # noqa: ANN001, ANN201
    path = write_csv(_csv(NAMES), "names.csv")
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 0, result
    assert result.json["inserted"] == len(NAMES)
    return db_path


def test_names_are_stored_as_written(loaded) -> None:  # noqa: ANN001
    db = by_hand(loaded)
    assert sorted(name for (name,) in db.execute("SELECT name FROM customers")) == sorted(NAMES)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"invoices", "customers", "contacts"} <= tables
    assert db.execute("SELECT count(*) FROM invoices").fetchone() == (len(NAMES),)


@pytest.mark.parametrize("name", NAMES)
def test_contact_finds_the_name_and_prints_it_literally(loaded, run, name: str) -> None:  # noqa: ANN001
    as_json = run("contact", name, "--json")
    assert as_json.exit_code == 0, as_json
    assert as_json.json == {
        "customer_name": name,
        "contacts": [
            {
                "contact_name": f"{name} contact",
                "contact_email": f"ar+{NAMES.index(name)}@example.com",
                "contact_phone": "555-0100",
                "last_seen_invoice_date": "2025-01-05",
            }
        ],
        "total": 1,
    }
    table = run("contact", name)
    assert table.exit_code == 0, table
    assert shown(f"{name} contact") in table.stdout  # the piped table holds the text as written
    assert shown(name) in table.stderr  # the title line ("Contacts of NAME") goes to stderr when piped
    upper = run("contact", name.upper(), "--json")  # case-insensitive, Unicode-aware
    assert upper.exit_code == 0 and upper.json["customer_name"] == name


def test_past_due_prints_every_name_literally(loaded, run) -> None:  # noqa: ANN001
    as_json = run("past-due", "--as-of", "2025-06-01", "--limit", "200", "--json")
    assert as_json.exit_code == 0
    assert sorted(item["customer_name"] for item in as_json.json["items"]) == sorted(NAMES)
    table = run("past-due", "--as-of", "2025-06-01", "--limit", "200")
    assert table.exit_code == 0
    for name in NAMES:
        assert shown(name) in table.stdout, name


def test_summary_customer_option_with_hostile_names(loaded, run) -> None:  # noqa: ANN001
    for name in NAMES:
        result = run("summary", "--month", "2025-01", "--customer", name, "--json")
        assert result.exit_code == 0, (name, result)
        assert result.json == {"month": "2025-01", "currency": "USD", "sum_bill_total": "100.00", "count_invoices": 1}


def test_unknown_hostile_name_is_not_found_and_quoted_literally(loaded, run) -> None:  # noqa: ANN001
    result = run("contact", "[bold]nobody[/bold]'; --")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith('domeo: error: No customer is named "[bold]nobody[/bold]\'; --".')


def test_hostile_names_in_a_real_process(loaded, domeo_proc) -> None:  # noqa: ANN001
    for name in (NAMES[0], NAMES[3], NAMES[7], NAMES[12]):
        result = domeo_proc("contact", name, "--json")
        assert result.exit_code == 0, result
        assert result.json["customer_name"] == name
