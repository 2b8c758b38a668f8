"""Values a row may hold (issue 19, items 18-21 and 23), through the command users run.

Keys that look alike, keys holding control or invisible characters, dates
outside the window, fields past their length, terms that say two things:
each is rejected with its line and reason, or loaded with a warning naming
both lines. Nothing passes silently.
"""

from __future__ import annotations

import unicodedata

import pytest
from helpers import csv_of

NFD_CAFE = unicodedata.normalize("NFD", "Café-1")


def row(number: str, **fields: str) -> dict[str, str]:
    return {"customer": "Acme", "number": number, "date": "3/7/25", "total": "10", **fields}


def load(run, write_csv, rows: list[dict[str, str]], *options: str) -> dict:  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_of(rows))), "--json", "--as-of", "2025-06-01", *options)
    assert result.exit_code in (0, 4), result
    return result.json


def stored_numbers(run) -> list[str]:  # noqa: ANN001
    result = run("past-due", "--as-of", "2030-01-01", "--all", "--json")
    assert result.exit_code == 0, result
    return sorted(item["invoice_number"] for item in result.json["items"])


# -- item 18: numbers that look the same ---------------------------------------------------------


def test_invoice_numbers_that_look_the_same_load_as_two_with_a_warning_naming_both_lines(run, write_csv) -> None:  # noqa: ANN001
    rows = [
        row("Café-1"),
        row("005"),
        row("X 3"),
        row(NFD_CAFE),
        row("００５"),
        row("X  3"),
        row("X\u00a03"),
        row("X4"),
    ]
    document = load(run, write_csv, rows)
    assert (document["inserted"], document["rejected"]) == (8, 0)
    assert document["warning_details"] == [
        {
            "line": 5,
            "invoice_number": NFD_CAFE,
            "message": "look-alike number: InvoiceNumber 'Cafe\\u0301-1' (line 5) looks the same as 'Caf\\xe9-1' "
            "(line 2) but is a different number: they are loaded as two invoices",
        },
        {
            "line": 6,
            "invoice_number": "００５",
            "message": "look-alike number: InvoiceNumber '００５' (line 6) looks the same as '005' (line 3) "
            "but is a different number: they are loaded as two invoices",
        },
        {
            "line": 7,
            "invoice_number": "X  3",
            "message": "look-alike number: InvoiceNumber 'X  3' (line 7) looks the same as 'X 3' (line 4) "
            "but is a different number: they are loaded as two invoices",
        },
        {
            "line": 8,
            "invoice_number": "X\u00a03",
            "message": "look-alike number: InvoiceNumber 'X\\xa03' (line 8) looks the same as 'X 3' (line 4) "
            "but is a different number: they are loaded as two invoices",
        },
    ]
    assert document["warnings"] == 4


def test_the_look_alike_may_come_first_and_a_replaced_row_does_not_count(run, write_csv) -> None:  # noqa: ANN001
    # The odd spelling first, the plain one later; the first "００５" row is replaced by the one on line 4.
    document = load(run, write_csv, [row("００５"), row("A1"), row("００５", total="12"), row("005")])
    assert [(w["line"], w["message"]) for w in document["warning_details"]] == [
        (
            5,
            "look-alike number: InvoiceNumber '005' (line 5) looks the same as '００５' (line 4) "
            "but is a different number: they are loaded as two invoices",
        )
    ]
    assert [r["line"] for r in document["rejections"]] == [2]


def test_a_dry_run_warns_of_look_alikes_too(run, write_csv) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row("X 3"), row("X  3")], "--dry-run")
    assert [w["line"] for w in document["warning_details"]] == [3]


def test_customer_and_parent_numbers_that_look_the_same_are_a_warning_naming_both_lines(run, write_csv) -> None:  # noqa: ANN001
    rows = [
        row("A1", customer="Harbor Lane Bakery", customer_number="418552"),
        row("A2", customer="Northwind", customer_number="907 113", parent="４１８５５２"),
        row("A3", customer="Quiet Creek", customer_number="907  113"),
    ]
    document = load(run, write_csv, rows)
    assert [(w["line"], w["message"]) for w in document["warning_details"]] == [
        (
            3,
            "look-alike number: parent customer '４１８５５２' (line 3) looks the same as customer number '418552' "
            "(line 2) but is a different number",
        ),
        (
            4,
            "look-alike number: customer number '907  113' (line 4) looks the same as customer number '907 113' "
            "(line 3) but is a different number",
        ),
    ]


@pytest.mark.parametrize(
    ("column", "label"),
    [("number", "InvoiceNumber"), ("customer_number", "customer number"), ("parent", "parent customer")],
)
@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("X4\u200b", "an invisible character (U+200B zero width space)"),
        ("X\u2060\u200d4", "an invisible character (U+2060 word joiner)"),
        ("X\ufeff4", "an invisible character (U+FEFF zero width no-break space)"),
        ("\u200fX4", "an invisible character (U+200F right-to-left mark)"),
    ],
)
def test_a_key_holding_an_invisible_format_character_is_rejected_with_its_line(
    run, write_csv, column: str, label: str, text: str, what: str
) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row("A1"), {**row("A2"), column: text}, row("A3")])
    assert [(r["line"], r["reason"]) for r in document["rejections"]] == [
        (3, f"{label} {text!r} holds {what}; a number must be plain visible text")
    ]
    assert document["inserted"] == 2


def test_names_in_composed_and_decomposed_form_are_one_customer(run, write_csv) -> None:  # noqa: ANN001
    rows = [row("A1", customer="Café Olé"), row("A2", customer=unicodedata.normalize("NFD", "CAFÉ OLÉ"))]
    document = load(run, write_csv, rows)
    assert (document["inserted"], document["customers"], document["warnings"]) == (2, 1, 0)
    customers = run("customers", "--json").json["customers"]
    assert [c["name"] for c in customers] == ["Café Olé"]  # stored as first seen
    found = run("contact", unicodedata.normalize("NFD", "café olé"), "--json")
    assert found.exit_code == 0 and found.json["customer_name"] == "Café Olé"


# -- item 19: control characters in keys -------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "label"),
    [("number", "InvoiceNumber"), ("customer_number", "customer number"), ("parent", "parent customer")],
)
@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("X\n4", "U+000A, a line break"),
        ("X\r\n4", "U+000D, a carriage return"),
        ("X\t4", "U+0009, a tab"),
        ("X\x1b[31m4", "U+001B, escape"),
        ("X\x7f4", "U+007F"),
        ("X\x9b4", "U+009B"),
        ("X\u20294", "U+2029, a paragraph separator"),
    ],
)
def test_a_key_holding_a_control_character_is_rejected_with_its_line(
    run, write_csv, column: str, label: str, text: str, what: str
) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row("A1"), {**row("A2"), column: text}])
    assert [(r["line"], r["reason"]) for r in document["rejections"]] == [
        (3, f"{label} {text!r} holds a control character ({what}); a number must be plain visible text")
    ]
    assert stored_numbers(run) == ["A1"]


def test_a_number_with_a_line_break_is_rejected_on_the_line_its_record_starts(run, write_csv) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row("A1"), row("A2\nB"), row("A3")])
    assert [(r["line"], r["invoice_number"]) for r in document["rejections"]] == [(3, "A2\nB")]
    assert stored_numbers(run) == ["A1", "A3"]


# -- item 20: the window of dates --------------------------------------------------------------


def test_dates_outside_the_window_are_rejected_with_their_line(run, write_csv) -> None:  # noqa: ANN001
    rows = [
        row("A1", date="0025-03-01"),
        row("A2", date="1/1/1900"),
        row("A3", date="3/7/25", due="3/7/0025"),
        row("A4", date="6/2/2035"),
        row("A5", date="1970-01-01"),
        row("A6", date="6/1/2035", due="6/1/2035"),
    ]
    document = load(run, write_csv, rows)
    assert [(r["line"], r["reason"]) for r in document["rejections"]] == [
        (2, "InvoiceDate '0025-03-01' is before 1970-01-01: is the year mistyped?"),
        (3, "InvoiceDate '1/1/1900' is before 1970-01-01: is the year mistyped?"),
        (4, "DueDate '3/7/0025' is before 1970-01-01: is the year mistyped?"),
        (
            5,
            "InvoiceDate '6/2/2035' is more than 10 years after the load date 2025-06-01 "
            "(the latest date taken is 2035-06-01): is the year mistyped?",
        ),
    ]
    assert stored_numbers(run) == ["A5"]  # A6 is not due yet on 2030-01-01


# -- item 21: fields past their length ---------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "label", "limit"),
    [
        ("customer", "CustomerName", 200),
        ("number", "InvoiceNumber", 200),
        ("customer_number", "customer number", 200),
        ("parent", "parent customer", 200),
        ("po", "CustomerPoNumber", 100),
        ("contact", "ContactName", 200),
        ("phone", "ContactPhone", 100),
        ("email", "ContactEmail", 254),
        ("terms", "CustomerTerms", 100),
    ],
)
def test_a_field_past_its_limit_is_rejected_with_its_line(run, write_csv, column: str, label: str, limit: int) -> None:  # noqa: ANN001
    rows = [{**row("A1", due="4/6/25"), column: "7" * limit}, {**row("A2", due="4/6/25"), column: "8" * (limit + 1)}]
    document = load(run, write_csv, rows)
    assert [(r["line"], r["reason"]) for r in document["rejections"]] == [
        (3, f"{label} is {limit + 1} characters long; it may hold at most {limit}")
    ]
    assert document["inserted"] == 1


def test_a_seven_million_character_name_is_one_rejection_with_its_line(run, write_csv) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row("A1"), row("A2", customer="N" * 7_000_000), row("A3")])
    assert [(r["line"], r["reason"]) for r in document["rejections"]] == [
        (3, "a field is longer than 1,048,576 characters (a quote never closed?)")
    ]
    assert stored_numbers(run) == ["A1", "A3"]
    assert [c["name"] for c in run("customers", "--json").json["customers"]] == ["Acme"]


# -- item 23: terms that say two things, or too much -----------------------------------------


def test_ambiguous_or_too_long_terms_are_rejected_with_a_sentence(run, write_csv) -> None:  # noqa: ANN001
    rows = [
        row("A1", terms="Net 10 Net 60"),
        row("A2", terms="Net 30/60"),
        row("A3", terms="Net 99999999"),
        row("A4", terms="Net 3650"),
        row("A5", terms="2/10 Net 30"),
    ]
    document = load(run, write_csv, rows)
    assert [(r["line"], r["reason"]) for r in document["rejections"]] == [
        (2, "CustomerTerms 'Net 10 Net 60' give more than one number of days (10 and 60); which one is meant?"),
        (3, "CustomerTerms 'Net 30/60' give more than one number of days (30 and 60); which one is meant?"),
        (
            4,
            "CustomerTerms 'Net 99999999' give a number of days that is too large (99999999); "
            "at most 3650 (ten years) are taken",
        ),
    ]
    details = {n: run("invoice", n, "--json").json for n in ("A4", "A5")}
    assert (details["A4"]["due_date"], details["A4"]["terms_days"]) == ("2035-03-05", 3650)
    assert (details["A5"]["due_date"], details["A5"]["terms_days"]) == ("2025-04-06", 30)
