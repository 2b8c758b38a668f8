"""The contract's own examples, end to end through the CLI."""

from __future__ import annotations

from helpers import example_df2031977


def test_past_due_example(example, run):  # noqa: ANN001
    result = run("past-due", "--as-of", "2025-05-01", "--json")
    assert result.exit_code == 0, result
    assert result.json == {
        "items": [example_df2031977(11)],
        "total": 1,
        "limit": 50,
        "offset": 0,
    }


def test_summary_examples(example, run):  # noqa: ANN001
    one = run("summary", "--month", "2025-03", "--customer", "harbor lane bakery", "--json")
    assert one.json == {"month": "2025-03", "currency": "USD", "sum_bill_total": "4065.50", "count_invoices": 2}
    mixed = run("summary", "--month", "2025-03", "--json")
    assert mixed.json == {
        "month": "2025-03",
        "currency": "USD",
        "sum_bill_total": "5045.50",
        "count_invoices": 3,
        "by_currency": [
            {"currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
            {"currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3},
        ],
    }


def test_contact_example(example, run):  # noqa: ANN001
    result = run("contact", "HARBOR LANE BAKERY", "--json")
    assert result.json == {
        "customer_name": "Harbor Lane Bakery",
        "contacts": [
            {
                "contact_name": "Dana Whitfield",
                "contact_email": "dana@harborlanebakery.com",
                "contact_phone": "555-204-7781",
                "last_seen_invoice_date": "2025-03-21",
            }
        ],
        "total": 1,
    }
    empty = run("contact", "quiet creek dental", "--json")
    assert empty.json == {"customer_name": "Quiet Creek Dental", "contacts": [], "total": 0}


def test_unknown_customer_is_exit_3_with_json_error(example, run):  # noqa: ANN001
    result = run("contact", "Harbor Lane Bakry", "--json")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.error["code"] == "not_found"
    assert "Harbor Lane Bakery" in result.error["message"]


def test_report_without_database_creates_nothing(run, db_path):  # noqa: ANN001
    result = run("past-due", "--json")
    assert result.exit_code == 1
    assert not db_path.exists()
    assert result.error["code"] == "no_database"
