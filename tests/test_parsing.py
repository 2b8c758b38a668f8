"""The pure parsers of an export's fields: money, dates, terms, headers, names.

Every accepted spelling comes from input-format.md (or the contract); every
rejected one is a kind of garbage a real export has. The properties at the
end check that no text at all makes a parser fail with anything but its own
error (which the loader turns into a rejected row).
"""

from __future__ import annotations

import time
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domeo_cli.dates import DateError, parse_date, parse_terms
from domeo_cli.errors import InvalidInput
from domeo_cli.money import MAX_CENTS, MoneyError, format_cents, format_cents_grouped, parse_cents
from domeo_cli.names import display_name, name_key
from domeo_cli.parsing import HeaderMap, normalise_header

FIRST_CLIENT_HEADER = (
    "CustomerName,InvoiceNumber,InvoiceDate,CustomerPoNumber,BillTotal,Applied,Status,Currency,"
    "ContactName,ContactPhone,ContactEmail,CustomerTerms,DueDate,customer number,parent customer"
).split(",")

# -- money ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("3150", 315000),
        ("1190.5", 119050),
        ("417.75", 41775),
        ("$1,234.50", 123450),
        (" 1234.5 ", 123450),
        ("1,234", 123400),
        ("1,234,567.89", 123456789),
        (".5", 50),
        ("5.", 500),
        ("12.340", 1234),  # a zero third decimal changes nothing: accepted
        ("0", 0),
        ("0.00", 0),
        ("007", 700),
        ("$ 5", 500),
        ("\u00a05\u00a0", 500),  # non-breaking spaces around it, as Excel writes them
        ("9999999999.99", 999999999999),  # the largest invoice
    ],
)
def test_parse_cents_accepts(text: str, cents: int) -> None:
    assert parse_cents(text) == cents


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-5", "is negative ('-5'); amounts must be zero or more"),
        ("-0.01", "is negative ('-0.01'); amounts must be zero or more"),
        ("(5.00)", "is negative ('(5.00)'); amounts must be zero or more"),
        ("$-5", "is negative ('$-5'); amounts must be zero or more"),
        ("\u22125", "is negative ('\u22125'); amounts must be zero or more"),  # a typographic minus
        ("twelve", "is not an amount ('twelve')"),
        ("N/A", "is not an amount ('N/A')"),
        ("1e3", "is not an amount ('1e3')"),
        ("+5", "is not an amount ('+5')"),
        ("12.345", "has more than two decimals ('12.345')"),
        ("0.001", "has more than two decimals ('0.001')"),
        ("1,23", "is not an amount ('1,23')"),
        ("12,34.5", "is not an amount ('12,34.5')"),
        ("1.2.3", "is not an amount ('1.2.3')"),
        ("5.00 USD", "is not an amount ('5.00 USD')"),
        ("$", "is not an amount ('$')"),
        (".", "is not an amount ('.')"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("\uff11\uff12", "is not an amount ('\uff11\uff12')"),  # full-width digits
        ("10000000000", "is too large ('10000000000'); the most one invoice can hold is 9999999999.99"),
        (
            "1,000,000,000,000",
            "is too large ('1,000,000,000,000'); the most one invoice can hold is 9999999999.99",
        ),
    ],
)
def test_parse_cents_rejects_with_reason(text: str, reason: str) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_cents(text)
    assert str(caught.value) == reason


def test_parse_cents_reason_for_a_huge_field_stays_short() -> None:
    with pytest.raises(MoneyError) as caught:
        parse_cents("x" * 200_000)
    assert str(caught.value) == "is not an amount ('" + "x" * 40 + "…')"


@pytest.mark.parametrize(
    ("cents", "text", "grouped"),
    [
        (0, "0.00", "0.00"),
        (5, "0.05", "0.05"),
        (50, "0.50", "0.50"),
        (226110, "2261.10", "2,261.10"),
        (999999999999, "9999999999.99", "9,999,999,999.99"),
        (-12345, "-123.45", "-123.45"),
    ],
)
def test_format_cents(cents: int, text: str, grouped: str) -> None:
    assert format_cents(cents) == text
    assert format_cents_grouped(cents) == grouped


@given(st.integers(min_value=0, max_value=MAX_CENTS - 1))
def test_money_round_trips(cents: int) -> None:
    assert parse_cents(format_cents(cents)) == cents
    assert parse_cents("$" + format_cents_grouped(cents)) == cents
    whole, frac = divmod(cents, 100)
    short = f"{whole}.{frac:02d}".rstrip("0").rstrip(".")  # "1190.5", "2875"
    assert parse_cents(short or "0") == cents


@given(st.text())
def test_parse_cents_fails_only_with_money_error(text: str) -> None:
    try:
        cents = parse_cents(text)
    except MoneyError as err:
        assert str(err)
    else:
        assert 0 <= cents < MAX_CENTS


@given(st.text(alphabet="0123456789$,. -()e\u00a0", max_size=30))
def test_parse_cents_on_money_like_text(text: str) -> None:
    try:
        cents = parse_cents(text)
    except MoneyError as err:
        assert str(err)
    else:
        assert 0 <= cents < MAX_CENTS
        digits = text.replace("$", "").replace(",", "").strip()
        # Whatever was accepted means exactly what its digits say.
        assert Decimal(digits) * 100 == cents


# -- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("3/7/25", date(2025, 3, 7)),  # month first, never 3 July
        ("11/19/24", date(2024, 11, 19)),
        ("1/3/25", date(2025, 1, 3)),
        ("03/07/25", date(2025, 3, 7)),
        ("11/19/2024", date(2024, 11, 19)),
        ("2024-11-19", date(2024, 11, 19)),
        ("2024-1-5", date(2024, 1, 5)),
        ("4/6/25 00:00", date(2025, 4, 6)),
        ("12/19/24 00:00", date(2024, 12, 19)),
        ("2024-11-19T00:00:00", date(2024, 11, 19)),
        ("2024-11-19 00:00:00.000", date(2024, 11, 19)),
        ("2024-11-19T00:00:00Z", date(2024, 11, 19)),
        ("2024-11-19T00:00:00.000000+05:00", date(2024, 11, 19)),
        ("12/19/24 12:30 PM", date(2024, 12, 19)),
        ("11/19/24 12:00:00 AM", date(2024, 11, 19)),
        (" 3/7/25 ", date(2025, 3, 7)),
        ("2/29/24", date(2024, 2, 29)),
        ("1/1/00", date(2000, 1, 1)),  # two-digit years are 20YY
        ("12/31/99", date(2099, 12, 31)),
    ],
)
def test_parse_date_accepts(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2/30/24", "is not a real date ('2/30/24')"),
        ("2/29/25", "is not a real date ('2/29/25')"),
        ("13/1/25", "is not a real date ('13/1/25')"),  # day first is never guessed
        ("25/12/2024", "is not a real date ('25/12/2024')"),
        ("0/1/25", "is not a real date ('0/1/25')"),
        ("2024-13-01", "is not a real date ('2024-13-01')"),
        ("0000-01-01", "is not a real date ('0000-01-01')"),
        ("garbage", "is not a date ('garbage'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
        ("", "is not a date (''); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
        ("3/7/25x", "is not a date ('3/7/25x'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
        ("3/7/025", "is not a date ('3/7/025'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
        ("3.7.25", "is not a date ('3.7.25'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
        ("20241119", "is not a date ('20241119'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
        ("2024/11/19", "is not a date ('2024/11/19'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
        ("3-7-25", "is not a date ('3-7-25'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
    ],
)
def test_parse_date_rejects_with_reason(text: str, reason: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value) == reason


def test_parse_date_never_guesses_day_first() -> None:
    # 12/1/25 could be 12 January read day first: it is 1 December.
    assert parse_date("12/1/25") == date(2025, 12, 1)
    assert parse_date("1/12/2025") == date(2025, 1, 12)


def test_parse_date_on_a_long_field_is_fast_and_its_reason_short() -> None:
    # A run of spaces after the time once cost minutes of regex backtracking.
    text = "4/6/25 00:00" + " " * 50_000 + "x"
    started = time.perf_counter()
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert time.perf_counter() - started < 1.0
    assert str(caught.value) == (
        "is not a date ('4/6/25 00:00" + " " * 28 + "…'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"
    )


dates_in_range = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@given(
    day=dates_in_range,
    form=st.sampled_from(["us2", "us4", "iso"]),
    padded=st.booleans(),
    time_part=st.sampled_from(["", " 00:00", " 12:30 PM", "T00:00:00", " 23:59:59.5", "T08:00:00Z"]),
)
def test_dates_round_trip(day: date, form: str, padded: bool, time_part: str) -> None:
    month, dom = (f"{day.month:02d}", f"{day.day:02d}") if padded else (str(day.month), str(day.day))
    if form == "us2":
        day = day.replace(year=2000 + day.year % 100)
        text = f"{month}/{dom}/{day.year % 100:02d}"
    elif form == "us4":
        text = f"{month}/{dom}/{day.year}"
    else:
        text = f"{day.year:04d}-{month}-{dom}"
    if form == "iso" or time_part[:1] != "T":
        text += time_part
    assert parse_date(text) == day


@given(st.text())
def test_parse_date_fails_only_with_date_error(text: str) -> None:
    try:
        day = parse_date(text)
    except DateError as err:
        assert str(err)
    else:
        assert isinstance(day, date)


@given(st.text(alphabet="0123456789/-: TAPMZ+.", max_size=40))
def test_parse_date_on_date_like_text(text: str) -> None:
    try:
        parse_date(text)
    except DateError as err:
        assert str(err)


# -- terms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Net 7", 7),
        ("Net 15", 15),
        ("Net 30", 30),
        ("Net 45", 45),
        ("Net 60", 60),
        ("NET30", 30),
        ("net 30", 30),
        ("Net  30", 30),
        ("Net 30 days", 30),
        ("Net 30 Days", 30),
        ("net30days", 30),
        ("Net-30", 30),
        ("2/10 Net 30", 30),  # a discount for early payment; the net is still 30 days
        ("Net 0", 0),
        ("Due on receipt", 0),
        ("DUE ON RECEIPT", 0),
        ("Due upon receipt", 0),
        ("COD", 0),
        ("unknown", None),
        ("Net", None),
        ("Prepaid", None),
        ("", None),
        ("Net 12345", None),
        ("Net 10th", None),  # the 10th of next month is not a number of days
        ("Net 30 EOM", None),  # counted from the end of the month, not from the invoice date
        ("Net 30 end of month", None),
    ],
)
def test_parse_terms(text: str, days: int | None) -> None:
    assert parse_terms(text) == days


# -- headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    ["InvoiceNumber", "invoice_number", "Invoice Number", "INVOICENUMBER", " invoice-number ", "\ufeffInvoiceNumber"],
)
def test_normalise_header(spelling: str) -> None:
    assert normalise_header(spelling) == "invoicenumber"


def test_header_map_of_the_first_clients_export() -> None:
    header = HeaderMap.from_header(FIRST_CLIENT_HEADER)
    assert header.index == {
        "customer_name": 0,
        "invoice_number": 1,
        "invoice_date": 2,
        "po_number": 3,
        "bill_total": 4,
        "applied": 5,
        "status": 6,
        "currency": 7,
        "contact_name": 8,
        "contact_phone": 9,
        "contact_email": 10,
        "terms": 11,
        "due_date": 12,
        "customer_number": 13,
        "parent_number": 14,
    }
    assert header.ignored == []


def test_header_map_other_spellings_other_order_extra_columns() -> None:
    header = HeaderMap.from_header(
        [
            "Region",
            "invoice_number",
            "Bill Total",
            "CUSTOMER NAME",
            "Invoice Date",
            "applied",
            "Notes",
            "currency",
            "Terms",
            "Due Date",
        ]
    )
    assert header.index == {
        "invoice_number": 1,
        "bill_total": 2,
        "customer_name": 3,
        "invoice_date": 4,
        "applied": 5,
        "currency": 7,
        "terms": 8,
        "due_date": 9,
    }
    assert header.ignored == ["Region", "Notes"]


def test_header_map_own_name_beats_a_looser_alias() -> None:
    # "Total" is an alias of BillTotal, but the file has BillTotal itself.
    columns = ["Total", *FIRST_CLIENT_HEADER]
    header = HeaderMap.from_header(columns)
    assert header.index["bill_total"] == 5
    assert header.ignored == ["Total"]


def test_header_map_older_export_without_hierarchy_columns() -> None:
    header = HeaderMap.from_header(FIRST_CLIENT_HEADER[:-2])
    assert "customer_number" not in header.index
    assert "parent_number" not in header.index
    assert header.ignored == []


@pytest.mark.parametrize(
    "missing", ["CustomerName", "InvoiceNumber", "InvoiceDate", "BillTotal", "Applied", "Currency"]
)
def test_header_map_missing_required_column_is_named(missing: str) -> None:
    columns = [c for c in FIRST_CLIENT_HEADER if c != missing]
    with pytest.raises(InvalidInput) as caught:
        HeaderMap.from_header(columns)
    assert caught.value.message.startswith(f"The file lacks the required column(s) {missing}; its header is ")
    assert caught.value.message.endswith(". Is it an invoice export?")


def test_header_map_of_something_else_names_every_missing_column() -> None:
    with pytest.raises(InvalidInput) as caught:
        HeaderMap.from_header(["name", "address"])
    assert caught.value.message == (
        "The file lacks the required column(s) CustomerName, InvoiceNumber, InvoiceDate, BillTotal, "
        "Applied, Currency; its header is 'name', 'address'. Is it an invoice export?"
    )


def test_header_map_two_columns_for_one_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        HeaderMap.from_header([*FIRST_CLIENT_HEADER, "invoice_number"])
    assert caught.value.message == "The header has two columns for InvoiceNumber: 'InvoiceNumber' and 'invoice_number'."


# -- names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("CAFÉ OLÉ", "Café Olé"),
        ("Café Olé", unicodedata.normalize("NFD", "Café Olé")),  # decomposed é
        ("CAFE\u0301 OLE\u0301", "café olé"),
        ("Harbor Lane Bakery", "  harbor   LANE\tbakery "),
        ("Harbor Lane Bakery", "Harbor\u00a0Lane Bakery"),
        ("Straße AG", "STRASSE AG"),
        ("\u017f\u0301", "\u015b"),  # long s + accent folds to s + accent, which composes to ś
    ],
)
def test_name_key_matches(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Café Olé", "Cafe Ole"),  # accents matter: exact, not fuzzy
        ("Harbor Lane Bakery", "HarborLane Bakery"),
        ("Harbor Lane Bakery", "Harbor Lane Bakery Inc"),
    ],
)
def test_name_key_distinguishes(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_display_name_trims_and_collapses() -> None:
    assert display_name("  Smith,  Jones\n& Co ") == "Smith, Jones & Co"
    assert name_key("  Smith,  Jones\n& Co ") == "smith, jones & co"


@given(st.text())
def test_name_key_is_canonical_caseless(text: str) -> None:
    # Unicode's canonical caseless match, D145: NFD(casefold(NFD(X))).
    expected = unicodedata.normalize("NFD", unicodedata.normalize("NFD", " ".join(text.split())).casefold())
    assert unicodedata.normalize("NFD", name_key(text)) == expected
    assert name_key(name_key(text)) == name_key(text)


@settings(max_examples=50)
@given(st.text(min_size=1, max_size=20))
def test_name_key_ignores_composition_and_case(text: str) -> None:
    for form in ("NFC", "NFD", "NFKC"):
        variant = unicodedata.normalize(form, text)
        if form == "NFKC" and unicodedata.normalize("NFD", variant) != unicodedata.normalize("NFD", text):
            continue  # a compatibility change is a different name
        assert name_key(variant) == name_key(text)
