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

from domeo_cli.dates import MAX_TERMS_DAYS, DateError, TermsError, parse_date, parse_terms
from domeo_cli.errors import InvalidInput
from domeo_cli.money import MAX_CENTS, MoneyError, format_cents, format_cents_grouped, parse_cents
from domeo_cli.names import display_name, name_key
from domeo_cli.parsing import (
    FIELD_AT,
    FIRST_DATE,
    MAX_LENGTH,
    HeaderMap,
    RowError,
    RowParser,
    key_fold,
    normalise_header,
)

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
        ("Net 3650", 3650),  # the most: ten years
        ("Net 0030", 30),
        ("Net 30 Net 30", 30),  # the same number twice says one thing
        ("Net 30, 2% 10", 30),  # the discount's days are not a second net
        ("Net 10th", None),  # the 10th of next month is not a number of days
        ("Net 30 EOM", None),  # counted from the end of the month, not from the invoice date
        ("Net 30 end of month", None),
    ],
)
def test_parse_terms(text: str, days: int | None) -> None:
    assert parse_terms(text) == days


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Net 10 Net 60", "'Net 10 Net 60' give more than one number of days (10 and 60); which one is meant?"),
        ("Net 30/60", "'Net 30/60' give more than one number of days (30 and 60); which one is meant?"),
        ("Net 30-60", "'Net 30-60' give more than one number of days (30 and 60); which one is meant?"),
        ("net 30 or 60 days", "'net 30 or 60 days' give more than one number of days (30 and 60); which one is meant?"),
        ("Net 30, Net 45", "'Net 30, Net 45' give more than one number of days (30 and 45); which one is meant?"),
        ("Net 60 Net 10", "'Net 60 Net 10' give more than one number of days (10 and 60); which one is meant?"),
        (
            "Net 3651",
            "'Net 3651' give a number of days that is too large (3651); at most 3650 (ten years) are taken",
        ),
        (
            "Net 12345",
            "'Net 12345' give a number of days that is too large (12345); at most 3650 (ten years) are taken",
        ),
        (
            "Net 99999999",
            "'Net 99999999' give a number of days that is too large (99999999); at most 3650 (ten years) are taken",
        ),
        (
            "Net " + "9" * 5000,
            "'Net " + "9" * 36 + "…' give a number of days that is too large (999999999999…); "
            "at most 3650 (ten years) are taken",
        ),
    ],
)
def test_parse_terms_refuses_ambiguous_or_too_many_days(text: str, reason: str) -> None:
    with pytest.raises(TermsError) as caught:
        parse_terms(text)
    assert str(caught.value) == reason


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


@given(st.text(max_size=60))
def test_parse_terms_fails_only_with_terms_error(text: str) -> None:
    try:
        days = parse_terms(text)
    except TermsError as err:
        assert str(err)
    else:
        assert days is None or 0 <= days <= MAX_TERMS_DAYS


# -- the row parser: keys, lengths, the window of dates (issue 19, items 18-21, 23) --------------

AS_OF = date(2025, 6, 1)
# One valid record of FIRST_CLIENT_HEADER; the tests change one field at a time.
VALID = {
    "CustomerName": "Harbor Lane Bakery",
    "InvoiceNumber": "DF2031977",
    "InvoiceDate": "3/21/25",
    "CustomerPoNumber": "PO-004430",
    "BillTotal": "1190.5",
    "Applied": "412.25",
    "Status": "Pending",
    "Currency": "USD",
    "ContactName": "Dana Whitfield",
    "ContactPhone": "555-204-7781",
    "ContactEmail": "dana@harborlanebakery.com",
    "CustomerTerms": "Net 30",
    "DueDate": "",
    "customer number": "418552",
    "parent customer": "907113",
}
KEY_COLUMNS = {
    "InvoiceNumber": "InvoiceNumber",
    "customer number": "customer number",
    "parent customer": "parent customer",
}


def parse_row(**changes: str):  # noqa: ANN201 - (record, warnings)
    """Parse VALID with ``changes`` (column -> text) by a fresh parser dated AS_OF."""
    parser = RowParser(HeaderMap.from_header(FIRST_CLIENT_HEADER), as_of=AS_OF)
    row = {**VALID, **changes}
    return parser.parse([row[column] for column in FIRST_CLIENT_HEADER])


def rejection(**changes: str) -> str:
    """The reason VALID with ``changes`` is rejected."""
    with pytest.raises(RowError) as caught:
        parse_row(**changes)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("X4\u200b", "'X4\\u200b' holds an invisible character (U+200B zero width space)"),
        ("X\u200d4", "'X\\u200d4' holds an invisible character (U+200D zero width joiner)"),
        ("X4\ufeffZ", "'X4\\ufeffZ' holds an invisible character (U+FEFF zero width no-break space)"),
        ("\u200eX4", "'\\u200eX4' holds an invisible character (U+200E left-to-right mark)"),
        ("X\u202e4", "'X\\u202e4' holds an invisible character (U+202E right-to-left override)"),
        ("X\u00ad4", "'X\\xad4' holds an invisible character (U+00AD soft hyphen)"),
        ("X\n4", "'X\\n4' holds a control character (U+000A, a line break)"),
        ("X\r\n4", "'X\\r\\n4' holds a control character (U+000D, a carriage return)"),
        ("X\t4", "'X\\t4' holds a control character (U+0009, a tab)"),
        ("X\x1b[31m4", "'X\\x1b[31m4' holds a control character (U+001B, escape)"),
        ("X\x7f4", "'X\\x7f4' holds a control character (U+007F)"),
        ("X\x854", "'X\\x854' holds a control character (U+0085, next line)"),
        ("X\x9b4", "'X\\x9b4' holds a control character (U+009B)"),
        ("X\u20284", "'X\\u20284' holds a control character (U+2028, a line separator)"),
    ],
)
@pytest.mark.parametrize("column", sorted(KEY_COLUMNS))
def test_a_key_holding_a_control_or_invisible_character_is_rejected(column: str, text: str, reason: str) -> None:
    assert rejection(**{column: text}) == f"{column} {reason}; a number must be plain visible text"


@pytest.mark.parametrize(
    "text", ["X 3", "Café-1", unicodedata.normalize("NFD", "Café-1"), "００５", "DF-2031/7", "N°5"]
)
def test_a_key_of_visible_text_is_taken_as_written(text: str) -> None:
    record, _ = parse_row(InvoiceNumber=text, **{"customer number": text, "parent customer": text})
    assert (record.invoice_number, record.customer_number, record.parent_number) == (text, text, text)


# Control characters, line and paragraph separators, format characters: what no key may hold.
_BAD_IN_KEYS = st.characters(categories=("Cc", "Cf", "Zl", "Zp"))


@settings(max_examples=300)
@given(
    column=st.sampled_from(sorted(KEY_COLUMNS)),
    before=st.text(alphabet=st.characters(categories=("L", "N", "P", "S")), max_size=8),
    bad=_BAD_IN_KEYS,
    after=st.text(alphabet=st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=8),
)
def test_a_generated_key_with_a_control_or_format_character_inside_is_always_rejected(
    column: str, before: str, bad: str, after: str
) -> None:
    text = "A" + before + bad + after  # inside: trimming cannot take it away
    if text.startswith("A="):
        text = "A" + text[2:]  # not Excel's guard
    reason = rejection(**{column: text})
    assert reason.startswith(f"{column} ") and reason.endswith("; a number must be plain visible text"), reason
    assert f"U+{ord(bad):04X}" in reason


@settings(max_examples=300)
@given(column=st.sampled_from(FIRST_CLIENT_HEADER), text=st.text(max_size=300))
def test_any_text_in_any_field_gives_a_record_or_a_rejection(column: str, text: str) -> None:
    try:
        record, warnings = parse_row(**{column: text})
    except RowError as err:
        assert str(err) and "\n" not in str(err)
        return
    for key in (record.invoice_number, record.customer_number or "", record.parent_number or ""):
        assert all(unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") for c in key), key
        assert len(key) <= MAX_LENGTH["invoice_number"]
    assert len(record.customer_name) <= MAX_LENGTH["customer_name"]
    assert FIRST_DATE.isoformat() <= record.invoice_date <= "2035-06-01"
    assert FIRST_DATE.isoformat() <= record.due_date <= "2035-06-01"
    assert all(isinstance(w, str) for w in warnings)


@pytest.mark.parametrize(
    ("field", "column"),
    [
        ("customer_name", "CustomerName"),
        ("invoice_number", "InvoiceNumber"),
        ("customer_number", "customer number"),
        ("parent_number", "parent customer"),
        ("po_number", "CustomerPoNumber"),
        ("contact_name", "ContactName"),
        ("contact_phone", "ContactPhone"),
        ("contact_email", "ContactEmail"),
    ],
)
def test_a_field_longer_than_its_limit_is_rejected_and_one_at_the_limit_loads(field: str, column: str) -> None:
    limit = MAX_LENGTH[field]
    record, _ = parse_row(**{column: "7" * limit})
    assert record[FIELD_AT[field]] == "7" * limit
    assert (
        rejection(**{column: "7" * (limit + 1)})
        == f"{column} is {limit + 1:,} characters long; it may hold at most {limit}"
    )
    assert (
        rejection(**{column: "7" * 7_000_000}) == f"{column} is 7,000,000 characters long; it may hold at most {limit}"
    )


def test_terms_longer_than_their_limit_are_rejected() -> None:
    assert (
        rejection(CustomerTerms="Net 30 " + "x" * 100)
        == "CustomerTerms is 107 characters long; it may hold at most 100"
    )


def test_a_name_is_measured_once_its_spaces_are_collapsed() -> None:
    record, _ = parse_row(CustomerName="  " + "a" * 100 + " " * 50 + "b" * 99 + "  ")
    assert len(record.customer_name) == 200


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"InvoiceDate": "0025-03-01"}, "InvoiceDate '0025-03-01' is before 1970-01-01: is the year mistyped?"),
        ({"InvoiceDate": "1/1/1900"}, "InvoiceDate '1/1/1900' is before 1970-01-01: is the year mistyped?"),
        ({"InvoiceDate": "12/31/1969"}, "InvoiceDate '12/31/1969' is before 1970-01-01: is the year mistyped?"),
        (
            {"InvoiceDate": "2035-06-02"},
            "InvoiceDate '2035-06-02' is more than 10 years after the load date 2025-06-01 "
            "(the latest date taken is 2035-06-01): is the year mistyped?",
        ),
        ({"DueDate": "4/6/0025"}, "DueDate '4/6/0025' is before 1970-01-01: is the year mistyped?"),
        (
            {"DueDate": "9999-12-31"},
            "DueDate '9999-12-31' is more than 10 years after the load date 2025-06-01 "
            "(the latest date taken is 2035-06-01): is the year mistyped?",
        ),
        (
            {"InvoiceDate": "2030-01-01", "CustomerTerms": "Net 3650"},
            "DueDate 2039-12-30 (InvoiceDate + 3650 days of CustomerTerms) is more than 10 years after the load "
            "date 2025-06-01 (the latest date taken is 2035-06-01): is the year mistyped?",
        ),
    ],
)
def test_a_date_outside_the_window_is_rejected(changes: dict[str, str], reason: str) -> None:
    assert rejection(**changes) == reason


@pytest.mark.parametrize(
    ("changes", "due"),
    [
        ({"InvoiceDate": "1970-01-01", "DueDate": "1/1/1970"}, "1970-01-01"),
        ({"InvoiceDate": "2035-06-01", "CustomerTerms": "Net 0"}, "2035-06-01"),
        ({"InvoiceDate": "2025-06-01", "CustomerTerms": "Net 3650"}, "2035-05-30"),
    ],
)
def test_a_date_at_either_edge_of_the_window_loads(changes: dict[str, str], due: str) -> None:
    record, _ = parse_row(**changes)
    assert record.due_date == due


@settings(max_examples=200)
@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_a_date_loads_exactly_when_it_is_inside_the_window(day: date) -> None:
    inside = FIRST_DATE <= day <= date(2035, 6, 1)
    try:
        record, _ = parse_row(InvoiceDate=day.isoformat(), DueDate=day.isoformat())
    except RowError as err:
        assert not inside, err
    else:
        assert inside and record.invoice_date == day.isoformat()


def test_the_window_of_a_load_dated_29_february_ends_on_the_28th() -> None:
    parser = RowParser(HeaderMap.from_header(FIRST_CLIENT_HEADER), as_of=date(2028, 2, 29))
    row = {**VALID, "InvoiceDate": "2038-02-28", "DueDate": "2038-02-28"}
    assert parser.parse([row[c] for c in FIRST_CLIENT_HEADER])[0].invoice_date == "2038-02-28"
    row = {**VALID, "InvoiceDate": "2038-03-01", "DueDate": "2038-03-01"}
    with pytest.raises(RowError, match="the latest date taken is 2038-02-28"):
        parser.parse([row[c] for c in FIRST_CLIENT_HEADER])


@pytest.mark.parametrize(
    ("terms", "reason"),
    [
        (
            "Net 10 Net 60",
            "CustomerTerms 'Net 10 Net 60' give more than one number of days (10 and 60); which one is meant?",
        ),
        (
            "Net 99999999",
            "CustomerTerms 'Net 99999999' give a number of days that is too large (99999999); "
            "at most 3650 (ten years) are taken",
        ),
    ],
)
def test_ambiguous_or_too_long_terms_reject_the_row(terms: str, reason: str) -> None:
    assert rejection(CustomerTerms=terms) == reason


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Café-1", unicodedata.normalize("NFD", "Café-1")),
        ("005", "００５"),
        ("X 3", "X  3"),
        ("X 3", "X\u00a03"),
        ("ﬁ-1", "fi-1"),  # a ligature
    ],
)
def test_look_alike_keys_have_one_fold(one: str, other: str) -> None:
    assert one != other and key_fold(one) == key_fold(other)


@given(st.text(max_size=30))
def test_key_fold_is_stable_and_blind_to_composition(text: str) -> None:
    fold = key_fold(text)
    assert key_fold(fold) == fold
    assert key_fold(unicodedata.normalize("NFD", text)) == fold
    assert key_fold(unicodedata.normalize("NFC", text)) == fold
