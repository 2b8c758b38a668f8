"""Rows that were silently accepted (issue 11, items 9, 10 and 11): rejected or warned, with the line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import csv_of

from domeo_cli.dates import DateError, TermsError, parse_date, parse_terms


def load(run, write_csv, rows: list[dict[str, str]]) -> dict:  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_of(rows))), "--json")
    assert result.exit_code in (0, 4), result
    return result.json


def row(number: str, **fields: str) -> dict[str, str]:
    return {"customer": "Acme", "number": number, "date": "3/7/25", "total": "10", **fields}


# -- item 9: currency codes come from the ISO 4217 list ------------------------------------------


@pytest.mark.parametrize("code", ["UDS", "ZZZ", "usx"])
def test_a_currency_code_not_in_iso_4217_is_rejected(run, write_csv, code: str) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row("A1"), row("A2", currency=code)])
    assert document["rejections"] == [
        {
            "line": 3,
            "invoice_number": "A2",
            "reason": f"Currency {code!r} is not in the ISO 4217 list of currency codes",
        }
    ]
    assert document["inserted"] == 1


@pytest.mark.parametrize("code", ["USD", "cad", "EUR", "JPY", "CHF", "XAU"])
def test_iso_4217_codes_load(run, write_csv, code: str) -> None:  # noqa: ANN001
    assert load(run, write_csv, [row("A1", currency=code)])["inserted"] == 1


def test_reports_never_import_the_currency_list(example, db_path) -> None:  # noqa: ANN001
    for argv in (["past-due", "--as-of", "2025-06-01", "--json"], ["aging", "--json"], ["customers", "--json"]):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "domeo_cli", "--db", str(db_path), *argv],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
        assert "iso4217" not in imported and "domeo_cli.currencies" not in imported


# -- item 10: one number on two names, one name with two numbers ---------------------------------


def test_one_customer_number_on_two_names_is_a_warning_naming_both_lines(run, write_csv) -> None:  # noqa: ANN001
    rows = [
        row("A1", customer="Harbor Lane Bakery", customer_number="418552"),
        row("A2", customer="Harbor Lane Bakery", customer_number="418552"),
        row("A3", customer="Harbour Lane Bakery", customer_number="418552"),
    ]
    document = load(run, write_csv, rows)
    assert document["warning_details"] == [
        {
            "line": 4,
            "invoice_number": "A3",
            "message": "customer number: '418552' is on two customers, 'Harbor Lane Bakery' (line 2) "
            "and 'Harbour Lane Bakery' (line 4)",
        }
    ]


def test_one_name_with_two_numbers_is_a_warning_naming_both_lines(run, write_csv) -> None:  # noqa: ANN001
    rows = [row("A1", customer_number="100"), row("A2", customer_number="100"), row("A3", customer_number="101")]
    document = load(run, write_csv, rows)
    assert [w["message"] for w in document["warning_details"]] == [
        "customer number: 'Acme' has two numbers, '100' (line 2) and '101' (line 4); the last one is kept"
    ]
    assert run("customers", "--json").json["customers"][0]["customer_number"] == "101"


def test_one_number_per_name_gives_no_warning(run, write_csv) -> None:  # noqa: ANN001
    rows = [row("A1", customer_number="100"), row("A2", customer="ACME", customer_number="100"), row("A3")]
    assert load(run, write_csv, rows)["warnings"] == 0


# -- item 11: Excel's text guard, invisible keys, negative terms, impossible times ---------------


def test_excels_text_guard_is_unwrapped_with_a_warning(run, write_csv) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row('="00123"', customer_number='="000418"')])
    assert document["inserted"] == 1
    assert [w["message"] for w in document["warning_details"]] == [
        "text guard: InvoiceNumber '=\"00123\"' is Excel's guard around '00123'; read as '00123'",
        "text guard: customer number '=\"000418\"' is Excel's guard around '000418'; read as '000418'",
    ]
    again = load(run, write_csv, [row("00123", customer_number="000418")])
    assert (again["inserted"], again["unchanged"]) == (0, 1)  # the same invoice, not a second one


@pytest.mark.parametrize("invisible", ["\u200b", "\u00a0\u200b", "\ufeff", "\u2060\u200d", "\u3164"])
@pytest.mark.parametrize("column", ["customer", "number"])
def test_a_name_or_number_made_only_of_invisible_characters_is_rejected(
    run, write_csv, invisible: str, column: str
) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row("A1"), {**row("A2"), column: invisible}])
    label = "CustomerName" if column == "customer" else "InvoiceNumber"
    assert [(r["line"], r["reason"]) for r in document["rejections"]] == [
        (3, f"{label} holds only invisible characters (zero-width or no-break spaces, BOM …)")
    ]


def test_negative_terms_are_rejected(run, write_csv) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row("A1", terms="Net -5"), row("A2", terms="Net-30"), row("A3", terms="NET 30")])
    assert [(r["line"], r["reason"]) for r in document["rejections"]] == [
        (2, "CustomerTerms 'Net -5' give a negative number of days")
    ]
    assert document["inserted"] == 2  # Net-30 is the hyphenated spelling of 30 days


@pytest.mark.parametrize("text", ["11/19/2024 25:99", "11/19/2024 24:30", "11/19/24 12:60", "2024-11-19T13:00 PM"])
def test_an_impossible_time_is_rejected(text: str) -> None:
    with pytest.raises(DateError, match=r"^has an impossible time"):
        parse_date(text)


@pytest.mark.parametrize("text", ["11/19/2024 23:59", "11/19/24 00:00", "11/19/2024 12:30 PM", "2024-11-19T24:00"])
def test_a_real_time_is_ignored(text: str) -> None:
    assert parse_date(text).isoformat() == "2024-11-19"


def test_an_impossible_time_rejects_its_row(run, write_csv) -> None:  # noqa: ANN001
    document = load(run, write_csv, [row("A1", date="11/19/2024 25:99")])
    assert document["rejections"][0]["reason"] == "InvoiceDate has an impossible time ('11/19/2024 25:99')"


def test_parse_terms_refuses_negative_days() -> None:
    with pytest.raises(TermsError):
        parse_terms("net -15 days")
    assert parse_terms("Net-15") == 15
