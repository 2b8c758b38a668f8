"""The API's endpoints: one route function each, its query parameters a model (``params``), its answer ``--json``'s.

Each route calls its ``reports`` function inside the per-request time limit
and sends ``shapes.json_bytes`` of the result, the very bytes ``--json``
prints; the response models (``documents``) only describe them. What a
report raises, and a parameter FastAPI refuses, become the contract's error
document in ``failures.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_type_hints

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from .. import reports, shapes
from ..errors import InvalidInput
from .documents import (
    AgingReport,
    ContactPage,
    CustomerPage,
    Health,
    InvoiceDetail,
    MonthSeries,
    MonthSummary,
    PastDuePage,
    Statement,
    described_model,
    responses,
)
from .params import (
    MAX_VALUE,
    AgingParams,
    ContactParams,
    CustomersParams,
    InvoiceParams,
    MonthParams,
    NoParams,
    Params,
    PastDueParams,
    RangeParams,
    StatementParams,
    described_params,
)

if TYPE_CHECKING:
    from ..store import Store

JSON = "application/json; charset=utf-8"


def params_of(route: APIRoute) -> type[Params]:
    """The query-parameter model of a route: its function's ``query`` argument."""
    return _params_of(route.endpoint)


@cache
def _params_of(endpoint: Callable[..., Response]) -> type[Params]:
    return get_args(get_type_hints(endpoint, include_extras=True)["query"])[0]


def query_names(model: type[Params]) -> list[str]:
    """The parameters a model takes, as the query string names them, in order."""
    return [field.alias or name for name, field in model.model_fields.items()]


def first_repeated(request: Request) -> str | None:
    """The first parameter given twice (FastAPI would read the last one), unless an unknown one comes before it.

    Read in the query string's order, as the first thing wrong: an unknown
    parameter before it is reported instead (the model refuses it).
    """
    items = request.query_params.multi_items()
    if len(items) == len(request.query_params):
        return None  # the common case: no name twice
    known = query_names(params_of(request.scope["route"]))
    seen = set()
    for name, _ in items:
        if name not in known:
            return None
        if name in seen:
            return name
        seen.add(name)
    return None


def repeated_refusal(name: str) -> InvalidInput:
    """The error for a parameter given more than once."""
    return InvalidInput(f"The parameter {name} is given more than once.")


router = APIRouter()


def run(request: Request, report: Callable[[Store], Any]) -> Any:
    """The report's result, asked of the worker's store (one snapshot, its queries within the time limit)."""
    repeated = first_repeated(request)  # a validation error reports it otherwise (failures.refusal)
    if repeated is not None:
        raise repeated_refusal(repeated)
    return report(request.app.state.store)


def answer(request: Request, report: Callable[[str], Any]) -> Response:
    """The report's ``--json`` bytes."""
    return Response(shapes.json_bytes(run(request, report)), media_type=JSON)


_UNKNOWN_LOAD = "`known_at` names no load kept (or a date before the first load)."
_NO_LOAD = " Or " + _UNKNOWN_LOAD
_NO_CUSTOMER = "No customer has the name `customer_name`; the message names the closest ones." + _NO_LOAD


@router.get(
    "/invoices/past-due",
    operation_id="past_due",
    summary="Past-due invoices",
    description="Invoices with money outstanding whose due date is before `as_of`, a page at a time, "
    "ordered by due date then invoice number (pages never overlap). `total` counts every match. "
    "The same document as `domeo past-due --json`.",
    responses=responses(
        PastDuePage,
        "Past-due invoices",
        "No customer has the name or number `customer_name`; the message names the closest ones." + _NO_LOAD,
    ),
)
def past_due(request: Request, query: Annotated[PastDueParams, Query()]) -> Response:
    return answer(
        request,
        lambda store: reports.past_due(
            store,
            as_of=query.as_of,
            limit=query.limit,
            offset=query.offset,
            sort=query.sort,
            customer=query.customer_name,
            with_children=query.with_children,
            min_days=query.min_days,
            contact=query.contact,
            known_at=query.known_at,
        ),
    )


@router.get(
    "/invoices/summary/month",
    operation_id="summary_month",
    summary="Billing of one month",
    description="Sum of `bill_total` and count of the invoices dated in `month`. Amounts in different currencies "
    "are never added: when the invoices are in several currencies, the top-level figures are those of "
    "`currency` (else USD) and `by_currency` lists every currency. The same document as "
    "`domeo summary --month M --json`.",
    responses=responses(MonthSummary, "Billing of one month", _NO_CUSTOMER),
)
def summary_month(request: Request, query: Annotated[MonthParams, Query()]) -> Response:
    return answer(
        request,
        lambda store: reports.summary(
            store, month=query.month, customer=query.customer_name, currency=query.currency, known_at=query.known_at
        ),
    )


@router.get(
    "/invoices/summary/range",
    operation_id="summary_range",
    summary="Billing month by month",
    description="Each month from `from` to `to` (at most 120 months), per currency, with a total per currency. "
    "The same document as `domeo summary --from F --to T --json`.",
    responses=responses(MonthSeries, "Billing month by month", _NO_CUSTOMER),
)
def summary_range(request: Request, query: Annotated[RangeParams, Query()]) -> Response:
    return answer(
        request,
        lambda store: reports.summary_range(
            store,
            first=query.first,
            last=query.last,
            customer=query.customer_name,
            currency=query.currency,
            known_at=query.known_at,
        ),
    )


@router.get(
    "/invoices/{invoice_number:path}",
    operation_id="invoice",
    summary="One invoice",
    description="Every stored field of one invoice, whether it is past due as of `as_of`, and the load that last "
    "changed it. The same document as `domeo invoice NUMBER --json`.",
    responses=responses(
        InvoiceDetail, "One invoice", "No invoice has this number; the message names the closest ones." + _NO_LOAD
    ),
)
def invoice(
    request: Request,
    invoice_number: Annotated[
        str, Path(max_length=MAX_VALUE, description="The invoice number.", examples=["DF2031977"])
    ],
    query: Annotated[InvoiceParams, Query()],
) -> Response:
    return answer(
        request, lambda store: reports.invoice(store, number=invoice_number, as_of=query.as_of, known_at=query.known_at)
    )


@router.get(
    "/customers/contact",
    operation_id="contact",
    summary="Who to call at a customer",
    description="Each distinct contact (name, email, phone) of the customer, most recently seen first, with the "
    "last invoice date it appeared on. The same document as `domeo contact NAME --json`.",
    responses=responses(
        ContactPage,
        "Who to call at a customer",
        "No customer has this name; the message names the closest ones." + _NO_LOAD,
    ),
)
def contact(request: Request, query: Annotated[ContactParams, Query()]) -> Response:
    return answer(
        request,
        lambda store: reports.contact(
            store, name=query.name, limit=query.limit, offset=query.offset, known_at=query.known_at
        ),
    )


@router.get(
    "/customers/statement",
    operation_id="statement",
    summary="Statement of account",
    description="What the customer owes, invoice by invoice: its open invoices with days past due, and the balance "
    "by age and in total per currency (with `with_children`, every account below it in its own part). The "
    "same document as `domeo statement NAME --json`.",
    responses=responses(
        Statement,
        "Statement of account",
        "No customer has this name or number; the message names the closest ones." + _NO_LOAD,
    ),
)
def statement(request: Request, query: Annotated[StatementParams, Query()]) -> Response:
    return answer(
        request,
        lambda store: reports.statement(
            store, customer=query.name, as_of=query.as_of, with_children=query.with_children, known_at=query.known_at
        ),
    )


@router.get(
    "/customers",
    operation_id="customers",
    summary="Customers",
    description="Every customer (or those whose name contains `search`): number, parent, invoices, open AR and "
    "past due per currency, main contact. The same document as `domeo customers --json`.",
    responses=responses(CustomerPage, "Customers", _UNKNOWN_LOAD),
)
def customers(request: Request, query: Annotated[CustomersParams, Query()]) -> Response:
    return answer(
        request,
        lambda store: reports.customers(
            store,
            as_of=query.as_of,
            search=query.search,
            sort=query.sort,
            limit=query.limit,
            offset=query.offset,
            known_at=query.known_at,
        ),
    )


@router.get(
    "/aging",
    operation_id="aging",
    summary="Aging of open AR",
    description="Open invoices as of `as_of` summed by bucket of age, one group per customer (or parent account, "
    "or currency) and currency, with a grand total per currency. The same document as `domeo aging --json`.",
    responses=responses(AgingReport, "Aging of open AR", _NO_CUSTOMER),
)
def aging(request: Request, query: Annotated[AgingParams, Query()]) -> Response:
    return answer(
        request,
        lambda store: reports.aging(
            store,
            as_of=query.as_of,
            buckets=query.buckets,
            age_by=query.age_by,
            by=query.by,
            tree=query.tree,
            customer=query.customer_name,
            currency=query.currency,
            min_total=query.min_total,
            sort=query.sort,
            limit=query.limit,
            known_at=query.known_at,
        ),
    )


@router.get(
    "/health",
    operation_id="health",
    summary="Health check",
    description='`{"status": "ok"}` once it has read what the reports read (the past-due count and the open AR by '
    "currency); 503 with the reports' error document when not.",
    responses=responses(Health, "The reports can be read."),
)
def health(request: Request, query: Annotated[NoParams, Query()]) -> Response:
    run(request, reports.health)
    return Response(b'{"status": "ok"}\n', media_type=JSON)


def _described_route(report: Any) -> None:
    """The route of a described report (``results.describe``): ``GET /NAME``, its options as parameters."""
    model = described_params(report)

    def endpoint(request: Request, query: Any) -> Response:
        return answer(request, lambda store: reports.described(report, store, **query.model_dump()))

    endpoint.__annotations__ = {"request": Request, "query": Annotated[model, Query()], "return": Response}
    router.get(
        f"/{report.name}",
        operation_id=report.query,
        summary=report.question,
        description=f"{report.description} The same document as `domeo {report.name} --json`.",
        responses=responses(described_model(report), report.question, _UNKNOWN_LOAD),
    )(endpoint)


def _described_routes() -> None:
    from ..results.describe import every

    for report in every():
        _described_route(report)


_described_routes()
