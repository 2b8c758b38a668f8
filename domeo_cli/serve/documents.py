"""The shapes of the API's answers, as Pydantic models: for the OpenAPI document only.

No answer is ever built or validated through these: the bodies are the bytes
``shapes.json_bytes`` writes for ``--json``. The models are strict (no key
they do not name) so that the schemathesis tests catch a renderer drifting
from this description. The examples are the answers on the example file of the
input format (``as_of`` 2025-05-01).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

Money = Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]{2}$", description="Exact amount, two decimals.")]
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]
Status = Literal["Pending", "Closed"]
_MONEY_SCHEMA = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "description": "Exact amount, two decimals."}


class Document(BaseModel):
    """A JSON object with exactly these keys."""

    model_config = ConfigDict(extra="forbid")


class Buckets(BaseModel):
    """Aging amounts: besides the keys named, one amount per bucket (its label, such as ``1-30``, is the key)."""

    model_config = ConfigDict(json_schema_extra={"additionalProperties": _MONEY_SCHEMA})


class ErrorDetail(Document):
    code: str
    message: str
    suggestions: list[str] = []


class Error(Document):
    error: ErrorDetail


class Health(Document):
    status: Literal["ok"]


class PastDueItem(Document):
    invoice_number: str
    customer_name: str
    invoice_date: Day
    due_date: Day
    bill_total: Money
    applied: Money
    outstanding: Money
    currency: str
    status: Status
    days_past_due: int = Field(ge=1)
    # with contact=true:
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


class PastDuePage(Document):
    items: list[PastDueItem]
    total: int
    limit: int
    offset: int


class CurrencySum(Document):
    currency: str
    sum_bill_total: Money
    count_invoices: int


class MonthSummary(Document):
    month: str
    currency: str
    sum_bill_total: Money
    count_invoices: int
    by_currency: list[CurrencySum] = []


class MonthRow(Document):
    month: str
    currency: str
    sum_bill_total: Money
    count_invoices: int


class MonthSeries(Document):
    first: str = Field(alias="from")
    last: str = Field(alias="to")
    months: list[MonthRow]
    by_currency: list[CurrencySum]


class Contact(Document):
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    last_seen_invoice_date: Day | None


class ContactPage(Document):
    customer_name: str
    contacts: list[Contact]
    total: int


class Balance(Document):
    currency: str
    open_ar: Money
    past_due: Money


class Customer(Document):
    name: str
    customer_number: str | None
    parent_number: str | None
    parent_name: str | None
    invoices: int
    last_invoice_date: Day | None
    balances: list[Balance]
    oldest_days_past_due: int | None
    contact: Contact | None


class CustomerPage(Document):
    as_of: Day
    customers: list[Customer]
    total: int
    limit: int
    offset: int


class Load(Document):
    run_id: int
    file: str
    started_at: str
    finished_at: str | None
    sha256: str | None


class InvoiceDetail(Document):
    invoice_number: str
    customer_name: str
    customer_number: str | None
    parent_number: str | None
    invoice_date: Day
    due_date: Day
    due_date_derived: bool
    terms: str | None
    terms_days: int | None
    po_number: str | None
    bill_total: Money
    applied: Money
    outstanding: Money
    currency: str
    status: Status
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    as_of: Day
    past_due: bool
    days_past_due: int = Field(ge=0)
    last_changed_by: Load | None


class AgingAmounts(Buckets):
    total: Money
    invoices: int


class AgingTotal(Buckets):
    currency: str
    total: Money
    invoices: int


class AgingGroup(Buckets):
    name: str
    currency: str
    total: Money
    invoices: int


class AgingNode(Buckets):
    name: str
    customer_number: str | None
    currency: str
    total: Money
    invoices: int
    own: AgingAmounts | None
    children: list[AgingNode]


class AgingReport(Document):
    as_of: Day
    age_by: Literal["due", "invoice"]
    by: Literal["customer", "parent", "currency"]
    buckets: list[str]
    groups: list[AgingGroup]
    totals: list[AgingTotal]
    tree: list[AgingNode] = []


class StatementInvoice(Document):
    invoice_number: str
    invoice_date: Day
    due_date: Day
    po_number: str | None
    bill_total: Money
    applied: Money
    outstanding: Money
    currency: str
    days_past_due: int
    bucket: str


class Account(Document):
    customer_name: str
    customer_number: str | None
    parent_number: str | None
    contact: Contact | None
    invoices: list[StatementInvoice]
    aging: list[AgingTotal]


class Statement(Document):
    as_of: Day
    customer_name: str
    customer_number: str | None
    contact: Contact | None
    buckets: list[str]
    accounts: list[Account]
    totals: list[AgingTotal]


_HARBOR = {
    "contact_name": "Dana Whitfield",
    "contact_email": "dana@harborlanebakery.com",
    "contact_phone": "555-204-7781",
    "last_seen_invoice_date": "2025-03-21",
}
_AGING_ROW = {"current": "0.00", "1-30": "778.25", "31-60": "0.00", "61-90": "0.00", "91+": "0.00"}
_AGING_TOTAL = {"currency": "USD", **_AGING_ROW, "total": "778.25", "invoices": 1}
_FIVE_BUCKETS = ["current", "1-30", "31-60", "61-90", "91+"]

#: One example answer per model, shown in the document beside its schema.
EXAMPLES: dict[type[BaseModel], Any] = {
    Health: {"status": "ok"},
    PastDuePage: {
        "items": [
            {
                "invoice_number": "DF2031977",
                "customer_name": "Harbor Lane Bakery",
                "invoice_date": "2025-03-21",
                "due_date": "2025-04-20",
                "bill_total": "1190.50",
                "applied": "412.25",
                "outstanding": "778.25",
                "currency": "USD",
                "status": "Pending",
                "days_past_due": 11,
            }
        ],
        "total": 1,
        "limit": 50,
        "offset": 0,
    },
    MonthSummary: {
        "month": "2025-03",
        "currency": "USD",
        "sum_bill_total": "5045.50",
        "count_invoices": 3,
        "by_currency": [
            {"currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
            {"currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3},
        ],
    },
    MonthSeries: {
        "from": "2025-02",
        "to": "2025-03",
        "months": [
            {"month": "2025-02", "currency": "USD", "sum_bill_total": "0.00", "count_invoices": 0},
            {"month": "2025-03", "currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3},
        ],
        "by_currency": [{"currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3}],
    },
    ContactPage: {"customer_name": "Harbor Lane Bakery", "contacts": [_HARBOR], "total": 1},
    CustomerPage: {
        "as_of": "2025-05-01",
        "customers": [
            {
                "name": "Harbor Lane Bakery",
                "customer_number": "418552",
                "parent_number": "907113",
                "parent_name": "Northwind Outfitters",
                "invoices": 2,
                "last_invoice_date": "2025-03-21",
                "balances": [{"currency": "USD", "open_ar": "778.25", "past_due": "778.25"}],
                "oldest_days_past_due": 11,
                "contact": _HARBOR,
            }
        ],
        "total": 3,
        "limit": 1,
        "offset": 0,
    },
    InvoiceDetail: {
        "invoice_number": "DF2031977",
        "customer_name": "Harbor Lane Bakery",
        "customer_number": "418552",
        "parent_number": "907113",
        "invoice_date": "2025-03-21",
        "due_date": "2025-04-20",
        "due_date_derived": True,
        "terms": "Net 30",
        "terms_days": 30,
        "po_number": "PO-004430",
        "bill_total": "1190.50",
        "applied": "412.25",
        "outstanding": "778.25",
        "currency": "USD",
        "status": "Pending",
        "contact_name": "Dana Whitfield",
        "contact_phone": "555-204-7781",
        "contact_email": "dana@harborlanebakery.com",
        "as_of": "2025-05-01",
        "past_due": True,
        "days_past_due": 11,
        "last_changed_by": {
            "run_id": 1,
            "file": "example.csv",
            "started_at": "2025-05-01T06:00:02+00:00",
            "finished_at": "2025-05-01T06:00:02+00:00",
            "sha256": "9787cbe2b9dec3168d07fa2c81c74d038d977a666243fe24b1faa1f54c2e496b",
        },
    },
    Statement: {
        "as_of": "2025-05-01",
        "customer_name": "Harbor Lane Bakery",
        "customer_number": "418552",
        "contact": _HARBOR,
        "buckets": _FIVE_BUCKETS,
        "accounts": [
            {
                "customer_name": "Harbor Lane Bakery",
                "customer_number": "418552",
                "parent_number": "907113",
                "contact": _HARBOR,
                "invoices": [
                    {
                        "invoice_number": "DF2031977",
                        "invoice_date": "2025-03-21",
                        "due_date": "2025-04-20",
                        "po_number": "PO-004430",
                        "bill_total": "1190.50",
                        "applied": "412.25",
                        "outstanding": "778.25",
                        "currency": "USD",
                        "days_past_due": 11,
                        "bucket": "1-30",
                    }
                ],
                "aging": [_AGING_TOTAL],
            }
        ],
        "totals": [_AGING_TOTAL],
    },
    AgingReport: {
        "as_of": "2025-05-01",
        "age_by": "due",
        "by": "customer",
        "buckets": _FIVE_BUCKETS,
        "groups": [{"name": "Harbor Lane Bakery", **_AGING_TOTAL}],
        "totals": [_AGING_TOTAL],
    },
}

# What each error status means, with an example document.
ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "An invalid parameter: the command line's code and sentence, naming the parameter (`as_of`, not `--as-of`).",
        {"error": {"code": "invalid_input", "message": "limit takes a whole number from 1 to 200, not 0."}},
    ),
    401: (
        "A token is set and the request did not send it (`Authorization: Bearer TOKEN`).",
        {"error": {"code": "unauthorized", "message": "This server needs the header Authorization: Bearer TOKEN."}},
    ),
    404: (
        "Not found.",
        {
            "error": {
                "code": "not_found",
                "message": "No customer is named 'Harbor Lane Bakry'. Did you mean 'Harbor Lane Bakery'?",
                "suggestions": ["Harbor Lane Bakery"],
            }
        },
    ),
    414: (
        "The path and query string are longer than 2,048 bytes.",
        {
            "error": {
                "code": "uri_too_long",
                "message": "The request's path and query string are 3012 bytes; at most 2048.",
            }
        },
    ),
    421: (
        "No token is set and the `Host` is not localhost, a loopback address or a name given with "
        "`--allowed-host` (a guard against DNS rebinding).",
        {
            "error": {
                "code": "misdirected_request",
                "message": "This server answers only requests for localhost, 127.0.0.1 or [::1] (its option "
                "--allowed-host adds names), not for 'attacker.example:8000'.",
            }
        },
    ),
    503: (
        "The database cannot be read now (none yet, locked past the wait, corrupt) or the query ran past "
        "its time limit (`query_timeout`). The sentence names no file of the server.",
        {
            "error": {
                "code": "no_database",
                "message": "No database yet. Create one by loading an export: domeo ingest FILE.csv",
            }
        },
    ),
}


def responses(model: type[BaseModel], summary: str, not_found: str | None = None) -> dict[int, Any]:
    """FastAPI's ``responses`` of an operation: the answer's model and example, and every error it can get."""
    out: dict[int, Any] = {200: {"model": model, "description": summary}}
    if model in EXAMPLES:
        out[200]["content"] = {"application/json": {"example": EXAMPLES[model]}}
    codes = (400, 401, 404, 414, 421, 503) if not_found else (400, 401, 414, 421, 503)
    for code in codes:
        text, example = ERRORS[code]
        out[code] = {
            "model": Error,
            "description": not_found if code == 404 and not_found else text,
            "content": {"application/json": {"example": example}},
        }
    return out


#: A described value's kind in the answer's schema.
_KINDS: dict[str, Any] = {"text": str, "date": Day, "count": int, "money": Money}


def described_model(report: Any) -> type[BaseModel]:
    """The answer's model of a described report: its fields, then the list of its rows, every key required."""

    def annotation(column: Any) -> Any:
        kind = _KINDS[column.kind]
        return kind | None if column.optional else kind

    name = "".join(word.capitalize() for word in report.query.split("_"))
    row = create_model(name + "Row", __base__=Document, **{c.key: (annotation(c), ...) for c in report.columns})
    fields: dict[str, Any] = {f.key: (annotation(f), ...) for f in report.fields}
    model = create_model(name + "Report", __base__=Document, **fields, **{report.rows: (list[row], ...)})
    EXAMPLES[model] = _example(report)
    return model


def _example(report: Any) -> dict[str, Any]:
    """The example answer of a described report: its fields and one row, from its columns' examples."""
    from ..shapes import json_value

    example = {f.key: json_value(f, f.example) for f in report.fields}
    example[report.rows] = [{c.key: json_value(c, c.example) for c in report.columns}]
    return example
