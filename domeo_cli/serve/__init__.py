"""``domeo serve``: the reports over HTTP (FastAPI on uvicorn), and a page for the AR team.

Imported only by the ``serve`` command, so the reports never pay for FastAPI.
This module checks the options, binds the socket itself (so a busy port or a
refused host is one sentence and an exit code, and ``--port 0`` can say which
port it got), then runs uvicorn with one or more worker processes.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import signal
import socket
import sys

from ..errors import DatabaseError, InvalidInput

TOKEN_VARIABLE = "DOMEO_API_TOKEN"
MIN_TOKEN = 16


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# A host name (letters, digits, hyphens and dots), an IPv4 address, or an IPv6 address in brackets.
_HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-]{0,251}[A-Za-z0-9])?\.?|\[[0-9A-Fa-f:.]+\]")


def check_options(
    host: str,
    port: int,
    workers: int,
    token: str | None,
    cors: list[str],
    timeout: float,
    allowed_hosts: list[str] | None = None,
) -> None:
    """Raise InvalidInput (exit 2) for an option the server must not start with."""
    if not 0 <= port <= 65535:
        raise InvalidInput(f"--port takes a port number from 0 to 65535 (0: any free port), not {port}.")
    if not 1 <= workers <= 64:
        raise InvalidInput(f"--workers takes a whole number from 1 to 64, not {workers}.")
    if not 0 < timeout <= 3600:
        raise InvalidInput(f"--timeout takes a number of seconds above 0 and at most 3600, not {timeout:g}.")
    if token is not None and (len(token) < MIN_TOKEN or not token.isprintable() or " " in token):
        raise InvalidInput(
            f"The API token must be at least {MIN_TOKEN} printable characters without spaces "
            '(for example: python3 -c "import secrets; print(secrets.token_urlsafe(32))").'
        )
    if not is_loopback(host) and token is None:
        raise InvalidInput(
            f"Refusing to listen on {host} without a token: anyone who can reach this machine could read the AR "
            f"data. Set {TOKEN_VARIABLE} (or --token) and send 'Authorization: Bearer TOKEN', or keep the default "
            "--host 127.0.0.1."
        )
    for origin in cors:
        if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", origin):
            raise InvalidInput(
                f"--cors takes an origin such as https://ar.example.com (scheme and host), not {origin!r}."
            )
    for name in allowed_hosts or []:
        if not _HOST_NAME.fullmatch(name):
            raise InvalidInput(
                f"--allowed-host takes a host name as clients write it, such as ar.example.com "
                f"(no scheme, port or path), not {name!r}."
            )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as err:
        sock.close()
        if err.errno == 98:
            raise DatabaseError(f"Port {port} on {host} is already in use; choose another with --port.") from None
        raise InvalidInput(f"Cannot listen on {host} port {port}: {err.strerror or err}.") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(
    db: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    token: str | None = None,
    cors: list[str] | None = None,
    timeout: float = 10.0,
    allowed_hosts: list[str] | None = None,
) -> int:
    """Run the server until SIGTERM or Ctrl-C; return the exit code (0 when stopped that way)."""
    import uvicorn

    from .app import SETTINGS_VARIABLE, Settings
    from .protocol import IDLE_SECONDS, LIMIT, Protocol

    token = token if token is not None else (os.environ.get(TOKEN_VARIABLE) or None)
    cors = list(cors or [])
    allowed = [name.lower().rstrip(".") for name in allowed_hosts or []]
    check_options(host, port, workers, token, cors, timeout, allowed_hosts)
    path = os.path.abspath(db)
    settings = Settings(db=path, token=token, cors=tuple(cors), timeout=timeout, allowed_hosts=tuple(allowed))
    os.environ[SETTINGS_VARIABLE] = settings.to_environment()
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    _enough_descriptors(LIMIT)
    config = uvicorn.Config(
        "domeo_cli.serve.app:from_environment",
        factory=True,
        workers=workers,
        http=Protocol,  # uvicorn's, with a time limit for a request to arrive and room made for new clients
        access_log=False,  # ours is one JSON line per request (guard.py)
        log_level="warning",
        server_header=False,
        date_header=True,
        timeout_graceful_shutdown=10,
        timeout_keep_alive=IDLE_SECONDS,
        limit_concurrency=LIMIT,
    )
    if not os.path.exists(path):
        sys.stderr.write(
            f"domeo serve: warning: no database at {path} yet; requests answer 503 until a load makes it.\n"
        )
    how = f"{workers} workers" if workers > 1 else "1 worker"
    sys.stderr.write(
        f"domeo serve: http://{shown}:{bound}/ (database {path}, {how}"
        f"{', token required' if token else ''}); Ctrl-C or SIGTERM stops it.\n"
    )
    sys.stderr.flush()
    try:
        if workers == 1:
            _server(config).run(sockets=[sock])
        else:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
    sys.stderr.write("domeo serve: stopped.\n")
    return 0


def _enough_descriptors(connections: int) -> None:
    """Raise the soft limit on open files so that a worker can hold ``connections`` sockets and its own files.

    Many systems start processes at 1,024: accepting the thousandth connection
    would fail with "too many open files" before the connection limit is met.
    """
    try:
        import resource
    except ImportError:  # not on this system (Windows): nothing to raise
        return
    wanted = connections + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(
                resource.RLIMIT_NOFILE, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard)
            )


def _server(config):  # noqa: ANN001, ANN202 - a uvicorn.Config, a uvicorn.Server
    """uvicorn's server, stopping on SIGINT and SIGTERM without raising the signal again afterwards.

    (uvicorn re-raises it once stopped, so that a parent sees the signal: ours says "stopped" and exits 0.)
    """
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):  # noqa: ANN202
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server(config)
