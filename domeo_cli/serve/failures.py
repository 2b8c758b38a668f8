"""The API's errors as the contract's document: what a report raised, a parameter refused, a path or method wrong.

Every sentence names the endpoint's parameters where the command line names
its options (``as_of``, not ``--as-of``), and no file or command line of the
server. FastAPI's own 422 document is never sent.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ..errors import DomeoError, Option
from .guard import error_body
from .params import MAX_VALUE, Form, Params
from .routes import JSON, first_repeated, params_of, query_names, repeated_refusal

_STATUS = {2: 400, 3: 404, 1: 503}


def error(status: int, code: str, message: str, suggestions: list[str] | None = None, headers=None) -> Response:  # noqa: ANN001
    """The error document as a response."""
    return Response(error_body(code, message, suggestions), status_code=status, media_type=JSON, headers=headers)


def _model(request: Request) -> type[Params] | None:
    route = request.scope.get("route")
    return params_of(route) if route is not None else None


def _form(model: type[Params], name: str) -> str:
    field = next((f for key, f in model.model_fields.items() if (f.alias or key) == name), None)
    return next((m for m in field.metadata if isinstance(m, Form)), "text") if field is not None else "text"


def refusal(request: Request, errors: list[dict[str, Any]]) -> str:
    """The sentence for the first thing wrong with a request's parameters, in the order they are read.

    In the query string's order, a parameter unknown or given twice; then
    each parameter in the endpoint's order: missing, too long, not a number.
    """
    repeated = first_repeated(request)
    if repeated is not None:
        return repeated_refusal(repeated).message
    route = request.scope["route"]
    model = params_of(route)
    order = [name for name, _ in request.query_params.multi_items()]
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    if extra:
        name = min((str(e["loc"][-1]) for e in extra), key=order.index)
        takes = ", ".join(query_names(model)) or "no parameters"
        return f"{route.path_format} does not take the parameter {name[:40]!r} (it takes: {takes})."
    first = errors[0]
    name, value = str(first["loc"][-1]), first.get("input")
    if first["type"] == "missing":
        return f"{route.path_format} needs the parameter {name} ({_form(model, name)})."
    if isinstance(value, str) and len(value) > MAX_VALUE:
        return f"The parameter {name} is too long ({len(value)} characters; at most {MAX_VALUE})."
    if first["type"] in ("whole_number", "true_or_false"):
        return f"The parameter {name} takes {first['msg']}, not {str(value)[:40]!r}."
    return f"The parameter {name} is not valid."  # no other check is declared in params.py


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with the contract's document."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error(400, "invalid_input", refusal(request, list(exc.errors())))

    @app.exception_handler(DomeoError)
    async def failed(request: Request, exc: DomeoError) -> Response:
        model = _model(request)
        renamed = model.renamed if model is not None else {}

        def spell(option: Option) -> str:  # as this endpoint's parameter: ``as_of``, ``by=parent``
            name = renamed.get(option.name, option.name)
            return f"{name}={option.value}" if option.value else name

        message = exc.render(spell, private=False)
        return error(_STATUS.get(exc.exit_code, 503), exc.code, message, getattr(exc, "suggestions", None))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return error(404, "not_found", f"Nothing is served at {request.url.path[:200]}; see /docs for the API.")
        if exc.status_code == 405:
            headers = {"Allow": "GET"}
            return error(
                405, "method_not_allowed", f"{request.method[:20]} is not allowed here; use GET.", headers=headers
            )
        return error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:
        return error(
            500, "internal_error", f"Internal error ({type(exc).__name__}); please report it with the request made."
        )
