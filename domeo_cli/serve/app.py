"""The FastAPI application of ``domeo serve``: routes over the reports layer, errors as the contract's document.

No SQL here: each endpoint parses its parameters (``endpoints.parse``), calls
its ``reports`` function inside a per-request time limit, and sends
``shapes.json_bytes`` of the result, the very bytes ``--json`` prints.
"""

from __future__ import annotations

import json
import os
import sqlite3
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from .. import __version__, shapes
from ..errors import DomeoError
from .endpoints import ENDPOINTS, HEALTH, Endpoint, parse
from .guard import Guard, error_body
from .openapi import document as openapi_document

JSON = "application/json; charset=utf-8"
#: The environment variable that hands the settings to each worker process.
SETTINGS_VARIABLE = "DOMEO_SERVE_SETTINGS"

_STATUS = {2: 400, 3: 404, 1: 503}


class Settings(NamedTuple):
    """What a server needs to know; the same in every worker."""

    db: str
    token: str | None = None
    cors: tuple[str, ...] = ()
    timeout: float = 10.0
    allowed_hosts: tuple[str, ...] = ()  # Host names answered besides loopback's (lower case)

    def to_environment(self) -> str:
        return json.dumps(self._asdict())

    @classmethod
    def from_environment(cls) -> Settings:
        values = json.loads(os.environ[SETTINGS_VARIABLE])
        values["cors"] = tuple(values["cors"])
        values["allowed_hosts"] = tuple(values.get("allowed_hosts", ()))
        return cls(**values)


def _error(status: int, code: str, message: str, suggestions: list[str] | None = None, headers=None) -> Response:  # noqa: ANN001
    return Response(error_body(code, message, suggestions), status_code=status, media_type=JSON, headers=headers)


def _failure(err: Exception, db: str, endpoint: Endpoint) -> Response:
    """The response for what a report raised: the CLI's code and sentence, the contract's status.

    The sentence names the endpoint's parameters where the command line's names its options
    (``as_of``, not ``--as-of``), and no file or command line of the server.
    """
    if isinstance(err, sqlite3.Error):
        from ..db import explain

        err = explain(err, db)
    if isinstance(err, DomeoError):
        message = err.render(endpoint.spell, private=False)
        return _error(_STATUS.get(err.exit_code, 503), err.code, message, getattr(err, "suggestions", None))
    raise err


def _route(settings: Settings, endpoint: Endpoint):  # noqa: ANN202 - a FastAPI endpoint function
    from ..db import keep_connections, query_deadline

    def answer(request: Request) -> Response:
        try:
            params = parse(endpoint, request.query_params.multi_items(), request.path_params)
            # One snapshot, on this worker thread's kept connection, its queries stopped at the time limit.
            with query_deadline(settings.timeout), keep_connections():
                result = endpoint.call(settings.db, params)
        except (DomeoError, sqlite3.Error) as err:
            return _failure(err, settings.db, endpoint)
        if endpoint is HEALTH:
            return Response(b'{"status": "ok"}\n', media_type=JSON)
        return Response(shapes.json_bytes(result), media_type=JSON)

    answer.__name__ = endpoint.operation
    return answer


def build(settings: Settings) -> Any:
    """The ASGI application: FastAPI behind the ``Guard`` middleware."""
    app = FastAPI(
        title="domeo",
        version=__version__,
        openapi_url=None,  # served below: our own document (OpenAPI 3.0, strict schemas, examples)
        docs_url=None,
        redoc_url=None,
    )
    app.router.redirect_slashes = False  # /invoices is not found, never redirected to /invoices/
    document = json.dumps(openapi_document(__version__), ensure_ascii=False).encode()
    static = resources.files("domeo_cli.serve") / "static"

    for endpoint in (*ENDPOINTS, HEALTH):
        path = endpoint.path.replace("{invoice_number}", "{invoice_number:path}")
        app.add_api_route(path, _route(settings, endpoint), methods=["GET"], include_in_schema=False)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json() -> Response:
        return Response(document, media_type=JSON)

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return Response((static / "index.html").read_bytes(), media_type="text/html; charset=utf-8")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return Response((static / "docs.html").read_bytes(), media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    swagger = _swagger_files()

    @app.get("/docs/swagger/{name}", include_in_schema=False)
    def swagger_asset(name: str) -> Response:
        # Only the two files /docs uses: the bundle's demo index.html and its initializer are not served.
        if name not in swagger:
            raise HTTPException(404)
        path, media_type = swagger[name]
        return Response(path.read_bytes(), media_type=media_type, headers={"Cache-Control": "max-age=86400"})

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return _error(404, "not_found", f"Nothing is served at {request.url.path[:200]}; see /docs for the API.")
        if exc.status_code == 405:
            headers = {"Allow": "GET"}
            return _error(
                405, "method_not_allowed", f"{request.method[:20]} is not allowed here; use GET.", headers=headers
            )
        return _error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:
        return _error(
            500, "internal_error", f"Internal error ({type(exc).__name__}); please report it with the request made."
        )

    if settings.cors:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=list(settings.cors), allow_methods=["GET"], allow_headers=["Authorization"]
        )
    return Guard(app, settings.token, allowed_hosts=settings.allowed_hosts)


def _swagger_files() -> dict[str, tuple[Path, str]]:
    """Swagger UI's script and style, from the swagger-ui-bundle package (so /docs loads nothing from a CDN)."""
    import swagger_ui_bundle

    folder = Path(swagger_ui_bundle.swagger_ui_path)
    return {
        "swagger-ui-bundle.js": (folder / "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        "swagger-ui.css": (folder / "swagger-ui.css", "text/css; charset=utf-8"),
    }


def from_environment() -> Any:
    """The application of a worker process, from the settings ``domeo serve`` put in the environment."""
    return build(Settings.from_environment())
