"""The FastAPI application of ``domeo serve``: the routes, the page, ``/docs`` and FastAPI's own OpenAPI document.

No SQL here: the endpoints are ``routes``, their errors ``failures``.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from typing import Any, NamedTuple

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from .. import __version__
from .failures import install_error_handlers
from .guard import Guard
from .routes import router

#: The environment variable that hands the settings to each worker process.
SETTINGS_VARIABLE = "DOMEO_SERVE_SETTINGS"

DESCRIPTION = (
    "Accounts-receivable reports over HTTP: each endpoint returns, byte for byte, the JSON document of the matching "
    "`domeo` command with `--json`. Amounts are exact strings with two decimals; amounts in different currencies "
    'are never added together. Errors are `{"error": {"code", "message"}}` with 400 (invalid parameter), 401 '
    "(token missing), 404 (no such customer or invoice, unknown path), 405 (not GET), 414 (request too long), 421 "
    "(a Host this server does not answer for), 503 (database unavailable, or the query ran past its time limit)."
)
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "Needed when the server was started with a token (--token or DOMEO_API_TOKEN).",
}


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


def build(settings: Settings) -> Any:
    """The ASGI application: FastAPI behind the ``Guard`` middleware."""
    app = FastAPI(
        title="domeo",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # our page below: Swagger UI from the package, its start-up script a file (no inline script)
        redoc_url=None,
    )
    app.state.settings = settings
    from ..reports import open_store

    # One store for the worker: each request's snapshot within the time limit, on its thread's kept connection.
    app.state.store = open_store(settings.db, timeout=settings.timeout, keep_connections=True)
    app.router.redirect_slashes = False  # /invoices is not found, never redirected to /invoices/
    app.include_router(router)
    install_error_handlers(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.openapi()  # made once per worker, before the first request
    static = resources.files("domeo_cli.serve") / "static"

    @app.get("/", include_in_schema=False)
    def page() -> Response:
        return Response((static / "index.html").read_bytes(), media_type="text/html; charset=utf-8")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return Response((static / "docs.html").read_bytes(), media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    swagger = resources.files("fastapi_offline") / "static"
    assets = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8"}

    @app.get("/docs/swagger/{name}", include_in_schema=False)
    def swagger_asset(name: str) -> Response:
        # Only the two files /docs uses, from fastapi-offline's copy of Swagger UI (so /docs loads nothing from a CDN).
        if name not in assets:
            raise HTTPException(404)
        return Response(
            (swagger / name).read_bytes(), media_type=assets[name], headers={"Cache-Control": "max-age=86400"}
        )

    if settings.cors:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=list(settings.cors), allow_methods=["GET"], allow_headers=["Authorization"]
        )
    return Guard(app, settings.token, allowed_hosts=settings.allowed_hosts)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with the bearer token, and without the 422 answer it adds (refusals are 400s here)."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for item in document["paths"].values():
            item["get"]["responses"].pop("422", None)
        schemas = document["components"]["schemas"]
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        document["components"]["securitySchemes"] = {"bearer": BEARER}
        document["security"] = [{}, {"bearer": []}]
        app.openapi_schema = document
    return app.openapi_schema


def from_environment() -> Any:
    """The application of a worker process, from the settings ``domeo serve`` put in the environment."""
    return build(Settings.from_environment())
