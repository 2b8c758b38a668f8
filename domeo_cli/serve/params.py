"""The query parameters of each endpoint, as Pydantic models (FastAPI reads them with ``Annotated[Model, Query()]``).

Only the web layer's checks are made here: a parameter the endpoint does not
take (``extra="forbid"``), a value over 200 characters, a whole number or a
true/false that is not one. Everything else (dates, months, ranges, sorts,
currencies) goes to the reports layer as text, which checks it with the
command line's own sentences; the bounds and choices written below are for
the OpenAPI document only. ``failures.py`` turns a validation error into the
contract's 400 sentence.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, create_model
from pydantic_core import PydanticCustomError

#: The longest value a parameter may have (a customer name, a search, an invoice number).
MAX_VALUE = 200

_WHOLE = re.compile(r"[+-]?[0-9]{1,12}")
_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _whole(value: Any) -> Any:
    if isinstance(value, str):
        if not _WHOLE.fullmatch(value):
            raise PydanticCustomError("whole_number", "a whole number")
        return int(value)
    return value


def _flag(value: Any) -> Any:
    if isinstance(value, str):
        if value.strip().lower() not in _FLAGS:
            raise PydanticCustomError("true_or_false", "true or false")
        return _FLAGS[value.strip().lower()]
    return value


class Form(str):
    """How a required parameter is written, as the sentence for a missing one says it (``YYYY-MM``)."""


Text = Annotated[str, StringConstraints(max_length=MAX_VALUE), Form("text")]
Date = Annotated[str, StringConstraints(max_length=MAX_VALUE), Field(json_schema_extra={"format": "date"})]
Month = Annotated[
    str,
    StringConstraints(max_length=MAX_VALUE),
    Field(json_schema_extra={"pattern": "^[0-9]{4}-[0-9]{2}$"}),
    Form("YYYY-MM"),
]
Whole = Annotated[int, BeforeValidator(_whole)]
Flag = Annotated[bool, BeforeValidator(_flag)]


def _choice(*values: str) -> Any:
    return Field(values[0], json_schema_extra={"enum": list(values)})


def _limit(default: int, what: str) -> Any:
    return Field(default, description=f"{what} per page, 1 to 200.", json_schema_extra={"minimum": 1, "maximum": 200})


class Params(BaseModel):
    """An endpoint's query parameters: unknown ones refused."""

    model_config = ConfigDict(extra="forbid")

    #: The reports' option a message names, spelled as this endpoint's parameter when named otherwise.
    renamed: ClassVar[dict[str, str]] = {}


_AS_OF = "The date the report is as of, YYYY-MM-DD (default: today in America/New_York, or in $DOMEO_TZ)."
_KNOWN_AT = (
    "Answer from the data as it stood after the last load on or before this date (YYYY-MM-DD), "
    "or after this load number (default: the data of today)."
)
_CUSTOMER = "Only this customer: its exact name, in any case and spacing."
_CURRENCY = "Only this currency: an ISO 4217 code such as USD."
_OFFSET = Field(0, description="Rows to skip before the page.", json_schema_extra={"minimum": 0})


class NoParams(Params):
    """``/health`` takes no parameters."""


class PastDueParams(Params):
    renamed = {"customer": "customer_name"}

    as_of: Date | None = Field(None, description=_AS_OF, examples=["2025-05-01"])
    limit: Whole = _limit(50, "Invoices")
    offset: Whole = _OFFSET
    sort: Text = Field(
        "due_date.asc",
        description="Order by due date, oldest first (asc) or newest first (desc).",
        json_schema_extra={"enum": ["due_date.asc", "due_date.desc"]},
    )
    customer_name: Text | None = Field(
        None,
        description="Only this customer: its exact name (any case and spacing) or its customer number.",
        examples=["Harbor Lane Bakery"],
    )
    with_children: Flag = Field(False, description="With customer_name: every account below it too.")
    min_days: Whole | None = Field(
        None, description="Only invoices at least this many days past due.", json_schema_extra={"minimum": 1}
    )
    contact: Flag = Field(False, description="Add each invoice's customer's main contact (name, email, phone).")
    known_at: Text | None = Field(None, description=_KNOWN_AT, examples=["2025-03-31"])


class MonthParams(Params):
    renamed = {"customer": "customer_name"}

    month: Month = Field(description="The month, YYYY-MM.", examples=["2025-03"])
    customer_name: Text | None = Field(None, description=_CUSTOMER, examples=["Harbor Lane Bakery"])
    currency: Text | None = Field(None, description=_CURRENCY, examples=["USD"])
    known_at: Text | None = Field(None, description=_KNOWN_AT, examples=["2025-03-31"])


class RangeParams(Params):
    renamed = {"customer": "customer_name"}

    first: Month = Field(alias="from", description="The first month, YYYY-MM.", examples=["2025-01"])
    last: Month = Field(alias="to", description="The last month, YYYY-MM.", examples=["2025-03"])
    customer_name: Text | None = Field(None, description=_CUSTOMER, examples=["Harbor Lane Bakery"])
    currency: Text | None = Field(None, description=_CURRENCY, examples=["USD"])
    known_at: Text | None = Field(None, description=_KNOWN_AT, examples=["2025-03-31"])


class InvoiceParams(Params):
    as_of: Date | None = Field(None, description=_AS_OF, examples=["2025-05-01"])
    known_at: Text | None = Field(None, description=_KNOWN_AT, examples=["2025-03-31"])


class ContactParams(Params):
    name: Text = Field(description="The customer's name, in any case and spacing.", examples=["Harbor Lane Bakery"])
    limit: Whole = _limit(10, "Contacts")
    offset: Whole = _OFFSET
    known_at: Text | None = Field(None, description=_KNOWN_AT, examples=["2025-03-31"])


class StatementParams(Params):
    name: Text = Field(
        description="The customer's name (any case and spacing) or customer number.", examples=["Harbor Lane Bakery"]
    )
    as_of: Date | None = Field(None, description=_AS_OF, examples=["2025-05-01"])
    with_children: Flag = Field(False, description="Add every account below the customer, each in its own part.")
    known_at: Text | None = Field(None, description=_KNOWN_AT, examples=["2025-03-31"])


class CustomersParams(Params):
    as_of: Date | None = Field(None, description=_AS_OF, examples=["2025-05-01"])
    search: Text | None = Field(
        None, description="Only customers whose name contains this text (any case).", examples=["bakery"]
    )
    sort: Text = Field(
        "name",
        description="name; open (largest open AR first); past_due (largest past due first); "
        "oldest (longest overdue first).",
        json_schema_extra={"enum": ["name", "open", "past_due", "oldest"]},
    )
    limit: Whole = _limit(50, "Customers")
    offset: Whole = _OFFSET
    known_at: Text | None = Field(None, description=_KNOWN_AT, examples=["2025-03-31"])


class AgingParams(Params):
    renamed = {"customer": "customer_name"}

    as_of: Date | None = Field(None, description=_AS_OF, examples=["2025-05-01"])
    buckets: Text | None = Field(
        None,
        description="Bucket edges in days, increasing, separated by commas "
        "(default 30,60,90: current, 1-30, 31-60, 61-90, 91+).",
        examples=["30,60,90,120"],
    )
    age_by: Text = Field(
        "due",
        description="due: days past the due date; invoice: days since the invoice date.",
        json_schema_extra={"enum": ["due", "invoice"]},
    )
    by: Text = Field(
        "customer",
        description="Group by customer, parent (rolled up to the top-level account) or currency.",
        json_schema_extra={"enum": ["customer", "parent", "currency"]},
    )
    tree: Flag = Field(False, description="With by=parent: the hierarchy as a tree, with subtotals at every level.")
    customer_name: Text | None = Field(None, description=_CUSTOMER, examples=["Harbor Lane Bakery"])
    currency: Text | None = Field(None, description=_CURRENCY, examples=["USD"])
    min_total: Text | None = Field(
        None, description="List only groups whose total is at least this amount.", examples=["1000"]
    )
    sort: Text = Field(
        "total",
        description="total (largest first), name, or oldest (longest overdue first).",
        json_schema_extra={"enum": ["total", "name", "oldest"]},
    )
    limit: Whole | None = Field(
        None,
        description="List at most this many groups per currency (default: all).",
        json_schema_extra={"minimum": 1},
        examples=[20],
    )
    known_at: Text | None = Field(None, description=_KNOWN_AT, examples=["2025-03-31"])


def described_params(report: Any) -> type[Params]:
    """The query parameters of a described report's endpoint, one per option, named as the option is."""
    fields: dict[str, Any] = {}
    for option in report.options:
        examples = [option.example] if option.example is not None else None
        if option.kind == "whole":
            bounds = {k: v for k, v in (("minimum", option.minimum), ("maximum", option.maximum)) if v is not None}
            declared = Field(option.default, description=option.help, json_schema_extra=bounds, examples=examples)
            fields[option.name] = (Whole, declared)
        else:
            help_text = _AS_OF if option.kind == "as_of" else _KNOWN_AT if option.kind == "known_at" else option.help
            kind = Date if option.kind == "as_of" else Text
            fields[option.name] = (kind | None, Field(None, description=help_text, examples=examples))
    name = "".join(word.capitalize() for word in report.query.split("_")) + "Params"
    return create_model(name, __base__=Params, **fields)
