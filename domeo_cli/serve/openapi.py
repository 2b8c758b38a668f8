"""The OpenAPI document of ``domeo serve``: every endpoint, its parameters, its response shapes, examples.

Written as OpenAPI 3.0 (``nullable``), the version the Swagger UI served
from the package (``swagger-ui-bundle``, no CDN) renders. The response
schemas are the contract's JSON documents, strict (``additionalProperties``
false) so that the schemathesis tests catch any drift between a renderer and
this description.
"""

from __future__ import annotations

from typing import Any

from .endpoints import ENDPOINTS, Endpoint, Param

_MONEY = {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$", "description": "Exact amount, two decimals."}
_DATE = {"type": "string", "format": "date"}
_TEXT = {"type": "string"}
_INT = {"type": "integer"}


def _null(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = (), extra: Any = False) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
        "additionalProperties": extra,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


_CONTACT = _object(
    {
        "contact_name": _null(_TEXT),
        "contact_email": _null(_TEXT),
        "contact_phone": _null(_TEXT),
        "last_seen_invoice_date": _null(_DATE),
    }
)
_CURRENCY_SUM = _object({"currency": _TEXT, "sum_bill_total": _MONEY, "count_invoices": _INT})
# Aging amounts: one money field per bucket (names depend on `buckets`), then total and invoices.
_AMOUNTS = {"total": _MONEY, "invoices": _INT}

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "error": _object(
                {"code": _TEXT, "message": _TEXT, "suggestions": _array(_TEXT)},
                optional=("suggestions",),
            )
        }
    ),
    "Health": _object({"status": {"type": "string", "enum": ["ok"]}}),
    "PastDuePage": _object(
        {
            "items": _array(
                _object(
                    {
                        "invoice_number": _TEXT,
                        "customer_name": _TEXT,
                        "invoice_date": _DATE,
                        "due_date": _DATE,
                        "bill_total": _MONEY,
                        "applied": _MONEY,
                        "outstanding": _MONEY,
                        "currency": _TEXT,
                        "status": {"type": "string", "enum": ["Pending", "Closed"]},
                        "days_past_due": {"type": "integer", "minimum": 1},
                        # with contact=true:
                        "contact_name": _null(_TEXT),
                        "contact_email": _null(_TEXT),
                        "contact_phone": _null(_TEXT),
                    },
                    optional=("contact_name", "contact_email", "contact_phone"),
                )
            ),
            "total": _INT,
            "limit": _INT,
            "offset": _INT,
        }
    ),
    "MonthSummary": _object(
        {
            "month": _TEXT,
            "currency": _TEXT,
            "sum_bill_total": _MONEY,
            "count_invoices": _INT,
            "by_currency": _array(_CURRENCY_SUM),
        },
        optional=("by_currency",),
    ),
    "MonthSeries": _object(
        {
            "from": _TEXT,
            "to": _TEXT,
            "months": _array(
                _object({"month": _TEXT, "currency": _TEXT, "sum_bill_total": _MONEY, "count_invoices": _INT})
            ),
            "by_currency": _array(_CURRENCY_SUM),
        }
    ),
    "ContactPage": _object({"customer_name": _TEXT, "contacts": _array(_CONTACT), "total": _INT}),
    "CustomerPage": _object(
        {
            "as_of": _DATE,
            "customers": _array(
                _object(
                    {
                        "name": _TEXT,
                        "customer_number": _null(_TEXT),
                        "parent_number": _null(_TEXT),
                        "parent_name": _null(_TEXT),
                        "invoices": _INT,
                        "last_invoice_date": _null(_DATE),
                        "balances": _array(_object({"currency": _TEXT, "open_ar": _MONEY, "past_due": _MONEY})),
                        "oldest_days_past_due": _null(_INT),
                        "contact": _null(_CONTACT),
                    }
                )
            ),
            "total": _INT,
            "limit": _INT,
            "offset": _INT,
        }
    ),
    "InvoiceDetail": _object(
        {
            "invoice_number": _TEXT,
            "customer_name": _TEXT,
            "customer_number": _null(_TEXT),
            "parent_number": _null(_TEXT),
            "invoice_date": _DATE,
            "due_date": _DATE,
            "due_date_derived": {"type": "boolean"},
            "terms": _null(_TEXT),
            "terms_days": _null(_INT),
            "po_number": _null(_TEXT),
            "bill_total": _MONEY,
            "applied": _MONEY,
            "outstanding": _MONEY,
            "currency": _TEXT,
            "status": {"type": "string", "enum": ["Pending", "Closed"]},
            "contact_name": _null(_TEXT),
            "contact_phone": _null(_TEXT),
            "contact_email": _null(_TEXT),
            "as_of": _DATE,
            "past_due": {"type": "boolean"},
            "days_past_due": {"type": "integer", "minimum": 0},
            "last_changed_by": _null(
                _object(
                    {
                        "run_id": _INT,
                        "file": _TEXT,
                        "started_at": _TEXT,
                        "finished_at": _null(_TEXT),
                        "sha256": _null(_TEXT),
                    }
                )
            ),
        }
    ),
    "Statement": _object(
        {
            "as_of": _DATE,
            "customer_name": _TEXT,
            "customer_number": _null(_TEXT),
            "contact": _null(_CONTACT),
            "buckets": _array(_TEXT),
            "accounts": _array(
                _object(
                    {
                        "customer_name": _TEXT,
                        "customer_number": _null(_TEXT),
                        "parent_number": _null(_TEXT),
                        "contact": _null(_CONTACT),
                        "invoices": _array(
                            _object(
                                {
                                    "invoice_number": _TEXT,
                                    "invoice_date": _DATE,
                                    "due_date": _DATE,
                                    "po_number": _null(_TEXT),
                                    "bill_total": _MONEY,
                                    "applied": _MONEY,
                                    "outstanding": _MONEY,
                                    "currency": _TEXT,
                                    "days_past_due": _INT,
                                    "bucket": _TEXT,
                                }
                            )
                        ),
                        "aging": _array(_ref("AgingTotal")),
                    }
                )
            ),
            "totals": _array(_ref("AgingTotal")),
        }
    ),
    "AgingAmounts": _object(_AMOUNTS, extra=_MONEY),
    "AgingGroup": _object({"name": _TEXT, "currency": _TEXT, **_AMOUNTS}, extra=_MONEY),
    "AgingTotal": _object({"currency": _TEXT, **_AMOUNTS}, extra=_MONEY),
    "AgingNode": _object(
        {
            "name": _TEXT,
            "customer_number": _null(_TEXT),
            "currency": _TEXT,
            **_AMOUNTS,
            "own": {**_ref("AgingAmounts"), "nullable": True},
            "children": _array(_ref("AgingNode")),
        },
        extra=_MONEY,
    ),
    "AgingReport": _object(
        {
            "as_of": _DATE,
            "age_by": {"type": "string", "enum": ["due", "invoice"]},
            "by": {"type": "string", "enum": ["customer", "parent", "currency"]},
            "buckets": _array(_TEXT),
            "groups": _array(_ref("AgingGroup")),
            "totals": _array(_ref("AgingTotal")),
            "tree": _array(_ref("AgingNode")),
        },
        optional=("tree",),
    ),
}

# What each answer looks like on the example file of the input format (`as_of` 2025-05-01).
_HARBOR = {
    "contact_name": "Dana Whitfield",
    "contact_email": "dana@harborlanebakery.com",
    "contact_phone": "555-204-7781",
    "last_seen_invoice_date": "2025-03-21",
}
_AGING_ROW = {"current": "0.00", "1-30": "778.25", "31-60": "0.00", "61-90": "0.00", "91+": "0.00"}
EXAMPLES: dict[str, Any] = {
    "Health": {"status": "ok"},
    "PastDuePage": {
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
    "MonthSummary": {
        "month": "2025-03",
        "currency": "USD",
        "sum_bill_total": "5045.50",
        "count_invoices": 3,
        "by_currency": [
            {"currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
            {"currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3},
        ],
    },
    "MonthSeries": {
        "from": "2025-02",
        "to": "2025-03",
        "months": [
            {"month": "2025-02", "currency": "USD", "sum_bill_total": "0.00", "count_invoices": 0},
            {"month": "2025-03", "currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3},
        ],
        "by_currency": [{"currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3}],
    },
    "ContactPage": {"customer_name": "Harbor Lane Bakery", "contacts": [_HARBOR], "total": 1},
    "CustomerPage": {
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
    "InvoiceDetail": {
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
    "Statement": {
        "as_of": "2025-05-01",
        "customer_name": "Harbor Lane Bakery",
        "customer_number": "418552",
        "contact": _HARBOR,
        "buckets": ["current", "1-30", "31-60", "61-90", "91+"],
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
                "aging": [{"currency": "USD", **_AGING_ROW, "total": "778.25", "invoices": 1}],
            }
        ],
        "totals": [{"currency": "USD", **_AGING_ROW, "total": "778.25", "invoices": 1}],
    },
    "AgingReport": {
        "as_of": "2025-05-01",
        "age_by": "due",
        "by": "customer",
        "buckets": ["current", "1-30", "31-60", "61-90", "91+"],
        "groups": [{"name": "Harbor Lane Bakery", "currency": "USD", **_AGING_ROW, "total": "778.25", "invoices": 1}],
        "totals": [{"currency": "USD", **_AGING_ROW, "total": "778.25", "invoices": 1}],
    },
}

_ERROR_EXAMPLES = {
    400: {"error": {"code": "invalid_input", "message": "limit takes a whole number from 1 to 200, not 0."}},
    401: {"error": {"code": "unauthorized", "message": "This server needs the header Authorization: Bearer TOKEN."}},
    414: {
        "error": {
            "code": "uri_too_long",
            "message": "The request's path and query string are 3012 bytes; at most 2048.",
        }
    },
    404: {
        "error": {
            "code": "not_found",
            "message": "No customer is named 'Harbor Lane Bakry'. Did you mean 'Harbor Lane Bakery'?",
            "suggestions": ["Harbor Lane Bakery"],
        }
    },
    503: {
        "error": {
            "code": "no_database",
            "message": "No database yet. Create one by loading an export: domeo ingest FILE.csv",
        }
    },
    421: {
        "error": {
            "code": "misdirected_request",
            "message": "This server answers only requests for localhost, 127.0.0.1 or [::1] (its option "
            "--allowed-host adds names), not for 'attacker.example:8000'.",
        }
    },
}
_ERROR_TEXT = {
    400: "An invalid parameter: the command line's code and sentence, naming the parameter (`as_of`, not `--as-of`).",
    401: "A token is set and the request did not send it (`Authorization: Bearer TOKEN`).",
    414: "The path and query string are longer than 2,048 bytes.",
    404: "Not found.",
    503: "The database cannot be read now (none yet, locked past the wait, corrupt) or the query ran past "
    "its time limit (`query_timeout`). The sentence names no file of the server.",
    421: "No token is set and the `Host` is not localhost, a loopback address or a name given with "
    "`--allowed-host` (a guard against DNS rebinding).",
}


def _param(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"string": {"type": "string"}, "integer": {"type": "integer"}}.get(param.kind, {})
    if param.kind == "boolean":
        schema = {"type": "boolean"}
    elif param.kind == "date":
        schema = {"type": "string", "format": "date"}
    elif param.kind == "month":
        schema = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}
    if param.kind in ("string", "date", "month"):
        schema["maxLength"] = 200
    if param.enum:
        schema["enum"] = list(param.enum)
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.default is not None:
        schema["default"] = param.default
    out: dict[str, Any] = {
        "name": param.name,
        "in": param.where,
        "required": param.required,
        "description": param.description,
        "schema": schema,
    }
    if param.example is not None:
        out["example"] = param.example
    return out


def _json(schema: str, example: Any) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(schema), "example": example}}


def _errors(codes: tuple[int, ...], not_found: str | None = None) -> dict[str, Any]:
    out = {}
    for code in codes:
        text = not_found if code == 404 and not_found else _ERROR_TEXT[code]
        out[str(code)] = {"description": text, "content": _json("Error", _ERROR_EXAMPLES[code])}
    return out


def operation(endpoint: Endpoint) -> dict[str, Any]:
    """The OpenAPI operation object of one endpoint."""
    codes = (400, 401, 404, 414, 421, 503) if endpoint.not_found else (400, 401, 414, 421, 503)
    return {
        "summary": endpoint.summary,
        "description": endpoint.description,
        "operationId": endpoint.operation,
        "parameters": [_param(p) for p in endpoint.params],
        "responses": {
            "200": {"description": endpoint.summary, "content": _json(endpoint.schema, EXAMPLES[endpoint.schema])},
            **_errors(codes, endpoint.not_found),
        },
    }


def document(version: str) -> dict[str, Any]:
    """The whole OpenAPI document."""
    paths: dict[str, Any] = {endpoint.path: {"get": operation(endpoint)} for endpoint in ENDPOINTS}
    paths["/health"] = {
        "get": {
            "summary": "Health check",
            "description": '`{"status": "ok"}` once it has read what the reports read (the past-due count and '
            "the open AR by currency); 503 with the reports' error document when not.",
            "operationId": "health",
            "responses": {
                "200": {"description": "The reports can be read.", "content": _json("Health", EXAMPLES["Health"])},
                **_errors((401, 421, 503)),
            },
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "domeo",
            "version": version,
            "description": "Accounts-receivable reports over HTTP: each endpoint returns, byte for byte, the JSON "
            "document of the matching `domeo` command with `--json`. Amounts are exact strings with two "
            "decimals; amounts in different currencies are never added together. Errors are "
            '`{"error": {"code", "message"}}` with 400 (invalid parameter), 401 (token missing), 404 '
            "(no such customer or invoice, unknown path), 405 (not GET), 414 (request too long), 421 (a Host "
            "this server does not answer for), 503 (database unavailable, or the query ran past its time limit).",
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Needed when the server was started with a token (--token or DOMEO_API_TOKEN).",
                }
            },
        },
        "security": [{}, {"bearer": []}],
    }
