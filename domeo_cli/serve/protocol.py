"""uvicorn's HTTP protocol (httptools) with the limits it lacks, handed to uvicorn as ``Config(http=Protocol)``.

uvicorn closes a keep-alive connection left idle ``timeout_keep_alive``
seconds after an answer, but keeps for ever a connection that never sends a
request, or sends one a header line at a time; and every connection counts
towards ``limit_concurrency``, past which each new request is a plain 503. So
a thousand idle sockets would lock every real client out. Here:

- a request must arrive whole (its headers, and its body if it has one)
  within ``IDLE_SECONDS`` of the connection's opening or of the request's
  first byte, else the connection is closed (while an answer is being made
  on the connection, the clock waits for it);
- when the worker holds ``LIMIT - ROOM`` connections, a new one closes the
  connection that has waited longest for a request, so idle sockets never
  take the places of requests.
"""

from __future__ import annotations

import asyncio
import time

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Seconds a connection may wait for a request to arrive whole, and stay idle between requests.
IDLE_SECONDS = 5
#: Requests in progress (and connections) a worker takes before answering 503: uvicorn's limit_concurrency.
LIMIT = 1000
#: Places kept free below LIMIT by closing idle connections (for those arriving while one is being closed).
ROOM = 16


class Protocol(HttpToolsProtocol):
    """One HTTP connection: uvicorn's, closed when a request is too slow to arrive, or when idle and room is needed."""

    _waiting_since: float | None = None  # monotonic time since it waits for a request; None while one is answered
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting_since = time.monotonic()
        self._arm()
        if len(self.connections) >= LIMIT - ROOM:
            self._make_room()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # a request after an answer: uvicorn's keep-alive timer stopped at its first byte
            self._arm()

    def on_headers_complete(self) -> None:
        self._waiting_since = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.pipeline:
            self._waiting_since = time.monotonic()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(IDLE_SECONDS, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm()  # an answer is being made: the next request's time starts when it is sent
        elif not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> None:
        """Close the connection that has waited longest for a request (never this new one)."""
        idle = [c for c in self.connections if c is not self and getattr(c, "_waiting_since", None) is not None]
        if idle:
            oldest = min(idle, key=lambda c: c._waiting_since)
            oldest._waiting_since = None
            oldest.transport.close()
