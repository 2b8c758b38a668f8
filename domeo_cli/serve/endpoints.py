"""The HTTP API's endpoints: their parameters, how each is read, and which report answers.

One table drives both the parsing of a request and the OpenAPI document, so
what ``/docs`` says is what the server checks. Parameters are read from the
query string here (never by FastAPI's validation, whose 422 and wording are
not the contract's): a value that is not a whole number, a parameter this
endpoint does not take, one given twice or one too long is a 400 with a
sentence; everything else (dates, months, ranges, sorts) is checked by the
reports layer with the command line's own sentences, each option in them
spelled as this endpoint's parameter (``Endpoint.spell``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..errors import InvalidInput, Option

#: The longest value a parameter may have (a customer name, a search, an invoice number).
MAX_VALUE = 200
#: The longest request target (path and query string) served; longer is 414.
MAX_TARGET = 2048

_WHOLE = re.compile(r"[+-]?[0-9]{1,12}")


class Param(NamedTuple):
    """One parameter of an endpoint, as the OpenAPI document describes it."""

    name: str
    kind: str  # "string", "integer", "boolean", "date" or "month"
    description: str
    default: Any = None
    required: bool = False
    example: Any = None
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    where: str = "query"
    option: str = ""  # the reports' option it sets, when named otherwise (customer_name: the command's --customer)


class Endpoint(NamedTuple):
    """A GET endpoint: its path, documentation, parameters and the report it calls."""

    path: str
    operation: str
    summary: str
    description: str
    params: tuple[Param, ...]
    schema: str  # the response's component schema
    call: Callable[[str, dict[str, Any]], Any]  # (database path, parsed parameters) -> report result
    not_found: str | None = None  # what a 404 means here, if it can happen

    def spell(self, option: Option) -> str:
        """An option a report's message names, as this endpoint's parameter: ``as_of``, ``by=parent``."""
        name = next((p.name for p in self.params if (p.option or p.name) == option.name), option.name)
        return f"{name}={option.value}" if option.value else name


def parse(endpoint: Endpoint, query: list[tuple[str, str]], path_params: Mapping[str, str]) -> dict[str, Any]:
    """The parameters of one request, converted; InvalidInput (400) for anything it cannot take."""
    known = {p.name: p for p in endpoint.params if p.where == "query"}
    raw: dict[str, str] = {}
    for name, value in query:
        if name not in known:
            takes = ", ".join(known) or "no parameters"
            raise InvalidInput(f"{endpoint.path} does not take the parameter {name[:40]!r} (it takes: {takes}).")
        if name in raw:
            raise InvalidInput(f"The parameter {name} is given more than once.")
        raw[name] = value
    raw.update(path_params)
    values: dict[str, Any] = {}
    for param in endpoint.params:
        text = raw.get(param.name)
        if text is None:
            if param.required:
                raise InvalidInput(f"{endpoint.path} needs the parameter {param.name} ({_form(param)}).")
            values[param.name] = param.default
            continue
        if len(text) > MAX_VALUE:
            raise InvalidInput(f"The parameter {param.name} is too long ({len(text)} characters; at most {MAX_VALUE}).")
        values[param.name] = _convert(param, text)
    return values


def _form(param: Param) -> str:
    return {"date": "YYYY-MM-DD", "month": "YYYY-MM", "integer": "a whole number", "boolean": "true or false"}.get(
        param.kind, "text"
    )


def _convert(param: Param, text: str) -> Any:
    if param.kind == "integer":
        if not _WHOLE.fullmatch(text):
            raise InvalidInput(f"The parameter {param.name} takes a whole number, not {text[:40]!r}.")
        return int(text)
    if param.kind == "boolean":
        word = text.strip().lower()
        if word in ("true", "1", "yes"):
            return True
        if word in ("false", "0", "no"):
            return False
        raise InvalidInput(f"The parameter {param.name} takes true or false, not {text[:40]!r}.")
    return text


# -- the table --------------------------------------------------------------------------------

_AS_OF = Param(
    "as_of",
    "date",
    "The date the report is as of, YYYY-MM-DD (default: today in America/New_York, or in $DOMEO_TZ).",
    example="2025-05-01",
)
_OFFSET = Param("offset", "integer", "Rows to skip before the page.", default=0, minimum=0, example=0)
_CUSTOMER = Param(
    "customer_name",
    "string",
    "Only this customer: its exact name, in any case and spacing.",
    example="Harbor Lane Bakery",
    option="customer",
)
_CURRENCY = Param("currency", "string", "Only this currency: an ISO 4217 code such as USD.", example="USD")
#: What a 404 also means on an endpoint that takes ``known_at``.
_UNKNOWN_LOAD = "`known_at` names no load kept (or a date before the first load)."
_NO_LOAD = " Or " + _UNKNOWN_LOAD
_KNOWN_AT = Param(
    "known_at",
    "string",
    "Answer from the data as it stood after the last load on or before this date (YYYY-MM-DD), "
    "or after this load number (default: the data of today).",
    example="2025-03-31",
)


def _limit(default: int, what: str) -> Param:
    return Param(
        "limit", "integer", f"{what} per page, 1 to 200.", default=default, minimum=1, maximum=200, example=default
    )


def _reports():  # noqa: ANN202 - the reports module, imported when first asked
    from .. import reports

    return reports


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "/invoices/past-due",
        "past_due",
        "Past-due invoices",
        "Invoices with money outstanding whose due date is before `as_of`, a page at a time, "
        "ordered by due date then invoice number (pages never overlap). `total` counts every match. "
        "The same document as `domeo past-due --json`.",
        (
            _AS_OF,
            _limit(50, "Invoices"),
            _OFFSET,
            Param(
                "sort",
                "string",
                "Order by due date, oldest first (asc) or newest first (desc).",
                default="due_date.asc",
                enum=("due_date.asc", "due_date.desc"),
            ),
            Param(
                "customer_name",
                "string",
                "Only this customer: its exact name (any case and spacing) or its customer number.",
                example="Harbor Lane Bakery",
                option="customer",
            ),
            Param("with_children", "boolean", "With customer_name: every account below it too.", default=False),
            Param("min_days", "integer", "Only invoices at least this many days past due.", minimum=1, example=30),
            Param(
                "contact", "boolean", "Add each invoice's customer's main contact (name, email, phone).", default=False
            ),
            _KNOWN_AT,
        ),
        "PastDuePage",
        lambda db, p: _reports().past_due(
            db,
            as_of=p["as_of"],
            limit=p["limit"],
            offset=p["offset"],
            sort=p["sort"],
            customer=p["customer_name"],
            with_children=p["with_children"],
            min_days=p["min_days"],
            contact=p["contact"],
            known_at=p["known_at"],
        ),
        not_found="No customer has the name or number `customer_name`; the message names the closest ones." + _NO_LOAD,
    ),
    Endpoint(
        "/invoices/summary/month",
        "summary_month",
        "Billing of one month",
        "Sum of `bill_total` and count of the invoices dated in `month`. Amounts in different currencies are "
        "never added: when the invoices are in several currencies, the top-level figures are those of "
        "`currency` (else USD) and `by_currency` lists every currency. The same document as "
        "`domeo summary --month M --json`.",
        (
            Param("month", "month", "The month, YYYY-MM.", required=True, example="2025-03"),
            _CUSTOMER,
            _CURRENCY,
            _KNOWN_AT,
        ),
        "MonthSummary",
        lambda db, p: _reports().summary(
            db, month=p["month"], customer=p["customer_name"], currency=p["currency"], known_at=p["known_at"]
        ),
        not_found="No customer has the name `customer_name`; the message names the closest ones." + _NO_LOAD,
    ),
    Endpoint(
        "/invoices/summary/range",
        "summary_range",
        "Billing month by month",
        "Each month from `from` to `to` (at most 120 months), per currency, with a total per currency. "
        "The same document as `domeo summary --from F --to T --json`.",
        (
            Param("from", "month", "The first month, YYYY-MM.", required=True, example="2025-01"),
            Param("to", "month", "The last month, YYYY-MM.", required=True, example="2025-03"),
            _CUSTOMER,
            _CURRENCY,
            _KNOWN_AT,
        ),
        "MonthSeries",
        lambda db, p: _reports().summary_range(
            db,
            first=p["from"],
            last=p["to"],
            customer=p["customer_name"],
            currency=p["currency"],
            known_at=p["known_at"],
        ),
        not_found="No customer has the name `customer_name`; the message names the closest ones." + _NO_LOAD,
    ),
    Endpoint(
        "/invoices/{invoice_number}",
        "invoice",
        "One invoice",
        "Every stored field of one invoice, whether it is past due as of `as_of`, and the load that last "
        "changed it. The same document as `domeo invoice NUMBER --json`.",
        (
            Param("invoice_number", "string", "The invoice number.", required=True, example="DF2031977", where="path"),
            _AS_OF,
            _KNOWN_AT,
        ),
        "InvoiceDetail",
        lambda db, p: _reports().invoice(db, number=p["invoice_number"], as_of=p["as_of"], known_at=p["known_at"]),
        not_found="No invoice has this number; the message names the closest ones." + _NO_LOAD,
    ),
    Endpoint(
        "/customers/contact",
        "contact",
        "Who to call at a customer",
        "Each distinct contact (name, email, phone) of the customer, most recently seen first, with the "
        "last invoice date it appeared on. The same document as `domeo contact NAME --json`.",
        (
            Param(
                "name",
                "string",
                "The customer's name, in any case and spacing.",
                required=True,
                example="Harbor Lane Bakery",
            ),
            _limit(10, "Contacts"),
            _OFFSET,
            _KNOWN_AT,
        ),
        "ContactPage",
        lambda db, p: _reports().contact(
            db, name=p["name"], limit=p["limit"], offset=p["offset"], known_at=p["known_at"]
        ),
        not_found="No customer has this name; the message names the closest ones." + _NO_LOAD,
    ),
    Endpoint(
        "/customers/statement",
        "statement",
        "Statement of account",
        "What the customer owes, invoice by invoice: its open invoices with days past due, and the balance by "
        "age and in total per currency (with `with_children`, every account below it in its own part). The "
        "same document as `domeo statement NAME --json`.",
        (
            Param(
                "name",
                "string",
                "The customer's name (any case and spacing) or customer number.",
                required=True,
                example="Harbor Lane Bakery",
            ),
            _AS_OF,
            Param(
                "with_children", "boolean", "Add every account below the customer, each in its own part.", default=False
            ),
            _KNOWN_AT,
        ),
        "Statement",
        lambda db, p: _reports().statement(
            db, customer=p["name"], as_of=p["as_of"], with_children=p["with_children"], known_at=p["known_at"]
        ),
        not_found="No customer has this name or number; the message names the closest ones." + _NO_LOAD,
    ),
    Endpoint(
        "/customers",
        "customers",
        "Customers",
        "Every customer (or those whose name contains `search`): number, parent, invoices, open AR and past "
        "due per currency, main contact. The same document as `domeo customers --json`.",
        (
            _AS_OF,
            Param("search", "string", "Only customers whose name contains this text (any case).", example="bakery"),
            Param(
                "sort",
                "string",
                "name; open (largest open AR first); past_due (largest past due first); "
                "oldest (longest overdue first).",
                default="name",
                enum=("name", "open", "past_due", "oldest"),
            ),
            _limit(50, "Customers"),
            _OFFSET,
            _KNOWN_AT,
        ),
        "CustomerPage",
        lambda db, p: _reports().customers(
            db,
            as_of=p["as_of"],
            search=p["search"],
            sort=p["sort"],
            limit=p["limit"],
            offset=p["offset"],
            known_at=p["known_at"],
        ),
        not_found=_UNKNOWN_LOAD,
    ),
    Endpoint(
        "/aging",
        "aging",
        "Aging of open AR",
        "Open invoices as of `as_of` summed by bucket of age, one group per customer (or parent account, or "
        "currency) and currency, with a grand total per currency. The same document as `domeo aging --json`.",
        (
            _AS_OF,
            Param(
                "buckets",
                "string",
                "Bucket edges in days, increasing, separated by commas "
                "(default 30,60,90: current, 1-30, 31-60, 61-90, 91+).",
                example="30,60,90,120",
            ),
            Param(
                "age_by",
                "string",
                "due: days past the due date; invoice: days since the invoice date.",
                default="due",
                enum=("due", "invoice"),
            ),
            Param(
                "by",
                "string",
                "Group by customer, parent (rolled up to the top-level account) or currency.",
                default="customer",
                enum=("customer", "parent", "currency"),
            ),
            Param(
                "tree",
                "boolean",
                "With by=parent: the hierarchy as a tree, with subtotals at every level.",
                default=False,
            ),
            _CUSTOMER,
            _CURRENCY,
            Param("min_total", "string", "List only groups whose total is at least this amount.", example="1000"),
            Param(
                "sort",
                "string",
                "total (largest first), name, or oldest (longest overdue first).",
                default="total",
                enum=("total", "name", "oldest"),
            ),
            Param(
                "limit", "integer", "List at most this many groups per currency (default: all).", minimum=1, example=20
            ),
            _KNOWN_AT,
        ),
        "AgingReport",
        lambda db, p: _reports().aging(
            db,
            as_of=p["as_of"],
            buckets=p["buckets"],
            age_by=p["age_by"],
            by=p["by"],
            tree=p["tree"],
            customer=p["customer_name"],
            currency=p["currency"],
            min_total=p["min_total"],
            sort=p["sort"],
            limit=p["limit"],
            known_at=p["known_at"],
        ),
        not_found="No customer has the name `customer_name`; the message names the closest ones." + _NO_LOAD,
    ),
)

#: ``/health`` takes no parameters and answers ok (``app.py``) once it has read what the reports read.
HEALTH = Endpoint("/health", "health", "Health check", "", (), "Health", lambda db, p: _reports().health(db))
