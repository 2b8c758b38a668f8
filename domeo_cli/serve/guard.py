"""What every request goes through before the app: size limits, the token, headers, the access log.

A plain ASGI middleware (one per server, no per-request objects beyond a
closure), so it costs microseconds. It answers by itself, with the error
document, for a request target that is too long (414), a request for a host
it does not serve (421), a request without the token when one is set (401),
and anything that is not HTTP.

The Host check stops DNS rebinding: a page of another site can point a name
of its own at 127.0.0.1 and read the answers from the browser of anyone who
visits it, sending that name as the Host. Without a token, only loopback
names and addresses (and ``--allowed-host`` names) are served.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import sys
import time
from typing import Any

#: The longest request target (path and query string) served; longer is 414.
MAX_TARGET = 2048

# Paths whose answers hold no data: the page, its assets and the API's description.
PUBLIC = ("/", "/docs", "/openapi.json", "/favicon.ico")
PUBLIC_PREFIXES = ("/static/", "/docs/")

# The page and /docs: own scripts and styles only, no inline script, nothing from elsewhere.
# Swagger UI sets style attributes, so the docs page allows inline styles (never inline script).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = PAGE_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"

# A Host header: a name or an IPv4 address, or an IPv6 address in brackets; then an optional port.
_HOST = re.compile(r"(\[[^\]]*\]|[^:\[\]]*)(?::[0-9]*)?")


def host_name(header: bytes) -> str | None:
    """The name a Host header holds, without its port, in lower case: ``b"[::1]:8000"`` -> ``"[::1]"``."""
    match = _HOST.fullmatch(header.decode("latin-1").strip().lower())
    return match[1].rstrip(".") if match and match[1] else None


def is_loopback_host(name: str) -> bool:
    """True for ``localhost`` and for loopback addresses written as a Host (``127.0.0.1``, ``[::1]``)."""
    if name == "localhost":
        return True
    address = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    if ":" in address and not name.startswith("["):
        return False  # an IPv6 address is written in brackets in a Host
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def error_body(code: str, message: str, suggestions: list[str] | None = None) -> bytes:
    """The error document, as the API sends it (and the command line prints it with --json)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if suggestions:
        error["suggestions"] = suggestions
    return json.dumps({"error": error}, ensure_ascii=False).encode() + b"\n"


class Guard:
    """ASGI middleware: limits, bearer token, security headers, one JSON access-log line per request."""

    def __init__(
        self, app: Any, token: str | None = None, log: Any = None, allowed_hosts: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.log = log or sys.stderr
        self.allowed_hosts = frozenset(allowed_hosts)
        # With a token, the token protects the data; names to allow, when given, are still the only ones.
        self.check_host = self.token is None or bool(self.allowed_hosts)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
            return  # websockets: not served
        start = time.perf_counter()
        path: str = scope["path"]
        method: str = scope["method"]
        status = 0
        if method == "HEAD":  # answered as GET, without the body (health checks use it)
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: dict[str, Any]) -> None:
            nonlocal status
            if method == "HEAD" and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                content_type = next((v for k, v in headers if k == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    csp = DOCS_CSP if path.startswith("/docs") else PAGE_CSP
                else:
                    csp = DATA_CSP
                headers.append((b"content-security-policy", csp.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                if not path.startswith(PUBLIC_PREFIXES) and path not in PUBLIC:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await _answer(send_with_headers, *refusal)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            ms = (time.perf_counter() - start) * 1000
            line = {"method": method, "path": path[:300], "status": status, "ms": round(ms, 2)}
            self.log.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.log.flush()

    def _refusal(self, scope: dict[str, Any]) -> tuple[int, str, str, list] | None:
        target = len(scope.get("raw_path") or scope["path"]) + len(scope.get("query_string", b""))
        if target > MAX_TARGET:
            return (
                414,
                "uri_too_long",
                f"The request's path and query string are {target} bytes; at most {MAX_TARGET}.",
                [],
            )
        if self.check_host:
            refusal = self._host_refusal(scope)
            if refusal is not None:
                return refusal
        if self.token is None or scope["method"] == "OPTIONS":  # a CORS preflight carries no token
            return None
        path = scope["path"]
        if path in PUBLIC or path.startswith(PUBLIC_PREFIXES):
            return None
        sent = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        # "Bearer TOKEN": the scheme in any case (RFC 7235), then one or more spaces and the token.
        scheme, _, credentials = sent.partition(b" ")
        if scheme.lower() == b"bearer" and hmac.compare_digest(credentials.lstrip(b" "), self.token):
            return None
        message = "This server needs the header Authorization: Bearer TOKEN (the token it was started with)."
        if sent:
            message = "The token sent in the Authorization header is not this server's."
        return 401, "unauthorized", message, [(b"www-authenticate", b'Bearer realm="domeo"')]

    def _host_refusal(self, scope: dict[str, Any]) -> tuple[int, str, str, list] | None:
        sent = next((v for k, v in scope["headers"] if k == b"host"), None)
        name = host_name(sent) if sent is not None else None
        if name is not None and (is_loopback_host(name) or name in self.allowed_hosts):
            return None
        names = "localhost, 127.0.0.1, [::1] or the names given with --allowed-host"
        if not self.allowed_hosts:
            names = "localhost, 127.0.0.1 or [::1] (its option --allowed-host adds names)"
        if sent is None:
            message = f"This server answers only requests for {names}; this one named no host."
        else:
            message = f"This server answers only requests for {names}, not for {sent.decode('latin-1')[:100]!r}."
        return 421, "misdirected_request", message, []


async def _answer(send: Any, status: int, code: str, message: str, headers: list) -> None:
    body = error_body(code, message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
