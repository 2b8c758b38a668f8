"""Random invoice files: every report equals a plain-Python model of the same rows.

Hypothesis writes a CSV (in the many spellings an export uses), loads it with
``domeo ingest`` into a fresh database and asks past-due, summary and contact
with random options; the model computes the same answers from the rows it wrote.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date, timedelta

from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Spellings of one customer each: the first one written is the stored name.
CUSTOMERS = [
    ["Harbor Lane Bakery", "HARBOR LANE BAKERY", "harbor  lane bakery", " Harbor Lane Bakery "],
    ["Café Olé", "CAFÉ OLÉ", "Cafe\u0301 Ole\u0301", "café olé"],
    ["Straße AG", "STRASSE AG", "strasse ag"],
    ["Smith, Jones & Co", "SMITH, JONES & CO"],
    ["[bold]Evil[/bold]"],
    ["Cafe Ole"],
]
CONTACTS = [
    ("", "", ""),
    ("Dana Whitfield", "dana@hlb.example", "555-204-7781"),
    ("Dana  Whitfield", "dana@hlb.example", "555-204-7781"),  # the same contact once collapsed
    ("dana whitfield", "dana@hlb.example", ""),
    ("", "ap@example.com", ""),
    ("Zoë Ângel", "", "555-0001"),
    ("Al Diaz", "", ""),
]
CURRENCIES = ["USD", "usd", "CAD", "EUR"]
START = date(2024, 1, 1)
DAYS = 200  # invoice dates from 2024-01-01 to 2024-07-19, about seven months


def cents_text(cents: int, style: int) -> str:
    whole, frac = divmod(cents, 100)
    if style == 0:
        return f"{whole}.{frac:02d}"
    if style == 1:  # "1190.5", "2875"
        text = f"{whole}.{frac:02d}".rstrip("0").rstrip(".")
        return text or "0"
    return f"${whole:,}.{frac:02d}"  # "$1,234.50"


def date_text(day: date, style: int) -> str:
    if style == 0:
        return f"{day.month}/{day.day}/{day.year % 100:02d}"
    if style == 1:
        return f"{day.month:02d}/{day.day:02d}/{day.year} 00:00"
    return day.isoformat()


@dataclass(frozen=True)
class Invoice:
    """One generated invoice: what the file says and what it means."""

    number: str
    group: int
    spelling: str
    invoice_date: date
    due: date
    bill: int
    applied: int
    currency: str
    status: str
    contact: tuple[str, str, str]
    csv: dict[str, str]

    @property
    def outstanding(self) -> int:
        return max(self.bill - self.applied, 0)


@st.composite
def invoices(draw) -> list[Invoice]:  # noqa: ANN001
    numbers = draw(st.lists(st.text("AB019-", min_size=1, max_size=4), min_size=4, max_size=30, unique=True))
    # Few distinct dates, so that due dates and last-seen dates tie often.
    issue_days = draw(st.lists(st.integers(0, DAYS), min_size=1, max_size=6, unique=True))
    due_days = draw(st.lists(st.integers(-10, DAYS + 60), min_size=1, max_size=4, unique=True))
    result = []
    for number in numbers:
        group = draw(st.integers(0, len(CUSTOMERS) - 1))
        spelling = draw(st.sampled_from(CUSTOMERS[group]))
        issued = START + timedelta(days=draw(st.sampled_from(issue_days)))
        bill = draw(st.one_of(st.integers(0, 5000).map(lambda d: d * 100), st.integers(0, 10**11)))
        paid = draw(st.sampled_from(["none", "part", "part", "all", "over"]))
        if paid == "none":
            applied = 0
        elif paid == "part":
            applied = draw(st.integers(0, bill))
        elif paid == "all":
            applied = bill
        else:
            applied = draw(st.integers(bill, bill + 10**5))
        currency = draw(st.sampled_from(CURRENCIES))
        status_text = draw(st.sampled_from(["Pending", "pending", "Closed", "CLOSED", ""]))
        if status_text:
            status = status_text.capitalize()
        else:
            status = "Pending" if bill > applied else "Closed"
        how = draw(st.integers(0, 2))
        if how == 0:  # a due date in the file, one of a few shared ones
            due = START + timedelta(days=draw(st.sampled_from(due_days)))
            due_text, terms = date_text(due, draw(st.integers(0, 2))), "Net 30"
        elif how == 1:  # a due date in the file, any
            due = issued + timedelta(days=draw(st.one_of(st.sampled_from([-5, 0, 30]), st.integers(-5, 60))))
            due_text, terms = date_text(due, draw(st.integers(0, 2))), ""
        else:  # derived from the terms
            days = draw(st.one_of(st.sampled_from([0, 7, 15, 30, 45]), st.integers(0, 60)))
            due = issued + timedelta(days=days)
            due_text = ""
            terms = (
                "Due on receipt"
                if days == 0 and draw(st.booleans())
                else draw(st.sampled_from(["Net {}", "NET{}", "net {} days"])).format(days)
            )
        contact = draw(st.sampled_from(CONTACTS))
        csv = {
            "customer": spelling,
            "number": number,
            "date": date_text(issued, draw(st.integers(0, 2))),
            "total": cents_text(bill, draw(st.integers(0, 2))),
            "applied": cents_text(applied, draw(st.integers(0, 2))),
            "status": status_text,
            "currency": currency,
            "contact": contact[0],
            "email": contact[1],
            "phone": contact[2],
            "terms": terms,
            "due": due_text,
        }
        result.append(
            Invoice(number, group, spelling, issued, due, bill, applied, currency.upper(), status, contact, csv)
        )
    return result


def _contact_flipped(row: Invoice) -> Invoice:
    """``row`` as a later export lists it: the contact emptied if it had one, else filled in."""
    contact = ("", "", "") if any(row.contact) else ("Lee Park", "lee@x.example", "555-0199")
    csv = {**row.csv, "contact": contact[0], "email": contact[1], "phone": contact[2]}
    return replace(row, contact=contact, csv=csv)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def stored_names(rows: list[Invoice]) -> dict[int, str]:
    """Customer group -> name as stored: the first spelling in the file, spaces collapsed."""
    names: dict[int, str] = {}
    for row in rows:
        names.setdefault(row.group, " ".join(row.spelling.split()))
    return names


def model_past_due(rows, as_of: date, limit: int, offset: int, sort: str) -> dict:  # noqa: ANN001
    names = stored_names(rows)
    # As of D, an invoice issued after D did not exist yet (issue 11, item 6), even one "due" before D.
    due = [r for r in rows if r.outstanding > 0 and r.due < as_of and r.invoice_date <= as_of]
    if sort == "due_date.asc":
        due.sort(key=lambda r: (r.due, r.number))
    else:
        due.sort(key=lambda r: (-r.due.toordinal(), r.number))
    items = [
        {
            "invoice_number": r.number,
            "customer_name": names[r.group],
            "invoice_date": r.invoice_date.isoformat(),
            "due_date": r.due.isoformat(),
            "bill_total": money(r.bill),
            "applied": money(r.applied),
            "outstanding": money(r.outstanding),
            "currency": r.currency,
            "status": r.status,
            "days_past_due": (as_of - r.due).days,
        }
        for r in due
    ]
    return {"items": items[offset : offset + limit], "total": len(items), "limit": limit, "offset": offset}


def model_summary(rows, month: str, group: int | None, currency: str | None) -> dict:  # noqa: ANN001
    matched = [
        r
        for r in rows
        if r.invoice_date.strftime("%Y-%m") == month
        and (group is None or r.group == group)
        and (currency is None or r.currency == currency.upper())
    ]
    sums: dict[str, list[int]] = {}
    for r in matched:
        entry = sums.setdefault(r.currency, [0, 0])
        entry[0] += r.bill
        entry[1] += 1
    if currency is not None:
        headline = currency.upper()
    elif len(sums) == 1:
        (headline,) = sums
    else:
        headline = "USD"
    total, count = sums.get(headline, [0, 0])
    document = {"month": month, "currency": headline, "sum_bill_total": money(total), "count_invoices": count}
    if len(sums) > 1:
        document["by_currency"] = [
            {"currency": code, "sum_bill_total": money(s), "count_invoices": n} for code, (s, n) in sorted(sums.items())
        ]
    return document


def model_contacts(rows, group: int, limit: int, offset: int) -> dict:  # noqa: ANN001
    seen: dict[tuple[str, str, str], date] = {}
    for r in rows:
        if r.group != group or not any(r.contact):
            continue
        key = (" ".join(r.contact[0].split()), r.contact[1].strip(), r.contact[2].strip())
        seen[key] = max(seen.get(key, r.invoice_date), r.invoice_date)
    ordered = sorted(seen.items(), key=lambda kv: (-kv[1].toordinal(), *kv[0]))
    return {
        "customer_name": stored_names(rows)[group],
        "contacts": [
            {
                "contact_name": name or None,
                "contact_email": email or None,
                "contact_phone": phone or None,
                "last_seen_invoice_date": last.isoformat(),
            }
            for (name, email, phone), last in ordered[offset : offset + limit]
        ],
        "total": len(ordered),
    }


_databases = itertools.count()

limits = st.one_of(st.integers(1, 6), st.just(200))


@settings(
    max_examples=examples(40),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(rows=invoices(), data=st.data())
def test_reports_equal_the_model(load_rows, run, tmp_path, rows, data):  # noqa: ANN001
    db = str(tmp_path / f"model{next(_databases)}.db")
    load_rows([r.csv for r in rows], db=db)

    def report(*args: str) -> dict:
        result = run("--db", db, *args, "--json")
        assert result.exit_code == 0, result
        return result.json

    # past-due: random as-of (before, inside and after the dates), paging and order;
    # first the whole list in both orders, then random pages
    as_of = START + timedelta(days=data.draw(st.integers(-10, DAYS + 80), label="as_of"))
    for sort in ("due_date.asc", "due_date.desc"):
        got = report("past-due", "--as-of", as_of.isoformat(), "--limit", "200", "--sort", sort)
        assert got == model_past_due(rows, as_of, 200, 0, sort)
    for _ in range(2):
        as_of = START + timedelta(days=data.draw(st.integers(-10, DAYS + 80), label="as_of"))
        limit = data.draw(limits, label="limit")
        offset = data.draw(st.integers(0, len(rows) + 2), label="offset")
        sort = data.draw(st.sampled_from(["due_date.asc", "due_date.desc"]), label="sort")
        got = report(
            "past-due", "--as-of", as_of.isoformat(), "--limit", str(limit), "--offset", str(offset), "--sort", sort
        )
        assert got == model_past_due(rows, as_of, limit, offset, sort)

    # summary: a month with invoices (or none), every customer or one, a currency or all
    months = sorted({r.invoice_date.strftime("%Y-%m") for r in rows}) + ["2023-12"]
    groups = sorted({r.group for r in rows})
    for _ in range(3):
        month = data.draw(st.sampled_from(months), label="month")
        group = data.draw(st.one_of(st.none(), st.sampled_from(groups)), label="group")
        currency = data.draw(st.one_of(st.none(), st.sampled_from(["USD", "cad", "EUR", "GBP"])), label="currency")
        args = ["summary", "--month", month]
        if group is not None:
            args += ["--customer", data.draw(st.sampled_from(CUSTOMERS[group]), label="spelling")]
        if currency is not None:
            args += ["--currency", currency]
        assert report(*args) == model_summary(rows, month, group, currency)

    # contact: any spelling of a customer in the file, random paging
    for _ in range(2):
        group = data.draw(st.sampled_from(groups), label="contact group")
        spelling = data.draw(st.sampled_from(CUSTOMERS[group]), label="contact spelling")
        limit = data.draw(limits, label="contact limit")
        offset = data.draw(st.integers(0, 4), label="contact offset")
        got = report("contact", spelling, "--limit", str(limit), "--offset", str(offset))
        assert got == model_contacts(rows, group, limit, offset)

    # a reload: some invoices again exactly, but for the contact filled in or emptied; contacts are
    # those of every row loaded (the earlier ones stay), past-due reads the rows as reloaded
    picks = data.draw(st.lists(st.sampled_from(rows), max_size=4, unique_by=lambda r: r.number), label="reload")
    again = [_contact_flipped(r) for r in picks]
    if again:
        load_rows([r.csv for r in again], name="reload.csv", db=db)
        now = [next((a for a in again if a.number == r.number), r) for r in rows]
        for group in sorted({r.group for r in again}):
            got = report("contact", CUSTOMERS[group][0], "--limit", "200")
            assert got == model_contacts([*rows, *again], group, 200, 0)
        as_of = START + timedelta(days=data.draw(st.integers(-10, DAYS + 80), label="reload as_of"))
        got = report("past-due", "--as-of", as_of.isoformat(), "--limit", "200")
        assert got == model_past_due(now, as_of, 200, 0, "due_date.asc")

    # a customer that is not in the file is "not found", never an empty report
    absent = [g for g in range(len(CUSTOMERS)) if g not in groups]
    if absent:
        missing = run("--db", db, "contact", CUSTOMERS[absent[0]][0], "--json")
        assert missing.exit_code == 3, missing
        assert missing.stdout == ""
        assert missing.error["code"] == "not_found"


# -- the 3,000-invoice sample export --------------------------------------------------------


def _sample_rows() -> list[Invoice]:
    """The sample file read with the csv module and the contract's rules, nothing of domeo's."""
    import csv
    from decimal import Decimal

    from helpers import SAMPLE

    def day(text: str) -> date:
        month, dom, year = text.split()[0].split("/")
        return date(2000 + int(year) if len(year) == 2 else int(year), int(month), int(dom))

    def cents(text: str) -> int:
        return int(Decimal(text) * 100)

    keys: dict[str, int] = {}  # name key -> customer group, in order of first appearance
    rows = []
    with open(SAMPLE, encoding="utf-8-sig", newline="") as file:
        for record in csv.DictReader(file):
            name = " ".join(record["CustomerName"].split())
            group = keys.setdefault(name.casefold(), len(keys))
            issued = day(record["InvoiceDate"])
            if record["DueDate"].strip():
                due = day(record["DueDate"])
            else:
                due = issued + timedelta(days=int(record["CustomerTerms"].split()[1]))
            contact = (record["ContactName"], record["ContactEmail"], record["ContactPhone"])
            rows.append(
                Invoice(
                    record["InvoiceNumber"],
                    group,
                    name,
                    issued,
                    due,
                    cents(record["BillTotal"]),
                    cents(record["Applied"]),
                    record["Currency"].upper(),
                    record["Status"].capitalize(),
                    contact,
                    {},
                )
            )
    return rows


def test_sample_export_reports_equal_the_model(run, tmp_path):  # noqa: ANN001
    from helpers import SAMPLE

    rows = _sample_rows()
    loaded = run("ingest", str(SAMPLE), "--json")
    assert loaded.exit_code == 0, loaded
    assert loaded.json["inserted"] == len(rows)

    def report(*args: str) -> dict:
        result = run(*args, "--json")
        assert result.exit_code == 0, result
        return result.json

    last = max(r.invoice_date for r in rows)
    for as_of in (date(2024, 7, 1), date(2025, 3, 15), last + timedelta(days=90)):
        expected = model_past_due(rows, as_of, 10**6, 0, "due_date.asc")
        got: list[dict] = []
        for offset in range(0, expected["total"] + 1, 200):
            page = report("past-due", "--as-of", as_of.isoformat(), "--limit", "200", "--offset", str(offset))
            assert page["total"] == expected["total"]
            got += page["items"]
        assert got == expected["items"]
        desc = report("past-due", "--as-of", as_of.isoformat(), "--limit", "200", "--sort", "due_date.desc")
        assert desc == model_past_due(rows, as_of, 200, 0, "due_date.desc")

    months = sorted({r.invoice_date.strftime("%Y-%m") for r in rows})
    for month in months:
        assert report("summary", "--month", month) == model_summary(rows, month, None, None)
        assert report("summary", "--month", month, "--currency", "cad") == model_summary(rows, month, None, "CAD")

    names = {r.group: r.spelling for r in rows}
    for group in sorted(names)[:: max(1, len(names) // 8)]:
        name = names[group]
        assert report("summary", "--month", months[-3], "--customer", name.upper()) == model_summary(
            rows, months[-3], group, None
        )
        assert report("contact", name.lower(), "--limit", "200") == model_contacts(rows, group, 200, 0)
