"""A real ``domeo serve`` process on a free loopback port, and a plain HTTP client for the tests.

The server is started with ``--port 0``; the test reads the port it got
from its first line on stderr (an observable state, never a sleep). The
rest of stderr (the access log) is collected by a thread.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from helpers import domeo_command

START_TIMEOUT = 60  # a hang guard only: a healthy start takes well under a second


class Reply(NamedTuple):
    """One HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        document = self.json
        assert set(document) == {"error"}, document
        return document["error"]


class Server:
    """A running ``domeo serve``: its process, address and collected stderr lines."""

    def __init__(self, process: subprocess.Popen, host: str, port: int, first: list[str]) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.lines: list[str] = first
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> Reply:
        """Send one request on a new connection and read the whole answer."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()

    def get(self, path: str, **headers: str) -> Reply:
        return self.request(path, headers={k.replace("_", "-"): v for k, v in headers.items()})

    def access_log(self) -> list[dict[str, Any]]:
        """The JSON access-log lines seen so far."""
        return [json.loads(line) for line in self.lines if line.startswith("{")]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send ``sig`` and wait for the process to end; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=timeout)
        return code


def start(db: str, *args: str, env: dict[str, str] | None = None) -> Server:
    """Start ``domeo --db DB serve --port 0 ARGS`` and return once it listens."""
    process = subprocess.Popen(
        domeo_command("--db", db, "serve", "--port", "0", *args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    assert process.stderr is not None
    deadline = time.monotonic() + START_TIMEOUT
    lines: list[str] = []
    while True:
        line = process.stderr.readline().decode("utf-8", "replace")
        lines.append(line.rstrip("\n"))
        found = re.search(r"http://\[?([0-9a-f.:]+)\]?:(\d+)/", line)
        if found:
            return Server(process, found[1], int(found[2]), lines)
        if not line and process.poll() is not None:
            raise AssertionError(f"domeo serve ended (exit {process.returncode}) before listening")
        assert time.monotonic() < deadline, "domeo serve never said it was listening"


@contextmanager
def serving(db: str, *args: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A server for the length of a ``with`` block, stopped with SIGTERM (exit 0) after it."""
    server = start(db, *args, env=env)
    try:
        yield server
    finally:
        code = server.stop()
        assert code == 0, server.lines[-20:]


def raw_request(host: str, port: int, data: bytes) -> bytes:
    """Send bytes as they are (a malformed request) and return whatever comes back."""
    import socket

    with socket.create_connection((host, port), timeout=60) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)
