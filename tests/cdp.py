"""A small Chrome DevTools Protocol client: headless Chromium (Debian's ``chromium``) driven over a websocket.

Just what the page test needs: open a page, evaluate JavaScript (awaiting
promises), wait for a condition on the page, collect console errors, take a
screenshot. ``websocket-client`` is its one dependency (in the test extra).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HANG_GUARD = 60  # seconds: a guard against a hung browser only; healthy steps take milliseconds


class Browser:
    """One headless Chromium with one page, in a new profile directory, gone on ``close``."""

    def __init__(self, width: int = 1280, height: int = 1800) -> None:
        import websocket

        assert CHROMIUM, "Debian's chromium package is not installed (apt-get install -y chromium)"
        self.profile = tempfile.mkdtemp(prefix="domeo-chromium-")
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        port = self._devtools_port()
        deadline = time.monotonic() + HANG_GUARD
        while True:  # the first tab may be listed a moment after the endpoint opens
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=HANG_GUARD) as answer:
                pages = [t for t in json.load(answer) if t["type"] == "page" and "webSocketDebuggerUrl" in t]
            if pages:
                break
            assert time.monotonic() < deadline, "chromium opened no page"
            time.sleep(0.02)
        # No Origin header: Chromium refuses DevTools connections from an origin it was not told to allow.
        self.socket = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=HANG_GUARD, suppress_origin=True
        )
        self.next_id = 0
        self.errors: list[str] = []
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Log.enable")

    def _devtools_port(self) -> int:
        assert self.process.stderr is not None
        deadline = time.monotonic() + HANG_GUARD
        while time.monotonic() < deadline:
            line = self.process.stderr.readline().decode("utf-8", "replace")
            found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if found:
                return int(found[1])
            if not line and self.process.poll() is not None:
                break
        raise AssertionError("chromium did not start its DevTools endpoint")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events met on the way are looked at for errors."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message["result"]
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.errors.append(json.dumps(params["exceptionDetails"])[:500])
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(params["entry"]["text"])
        elif method == "Runtime.consoleAPICalled" and params["type"] == "error":
            self.errors.append(json.dumps(params["args"])[:500])

    def open(self, url: str) -> None:
        """Navigate to ``url`` and return once the new document is there (the old one is marked first)."""
        self.js("window.__leaving = true")
        self.send("Page.navigate", url=url)
        self.wait("!window.__leaving && document.readyState !== 'loading'")

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, condition: str) -> None:
        """Return once the JavaScript ``condition`` is true in the page (checked as the page changes)."""
        deadline = time.monotonic() + HANG_GUARD
        check = f"(() => {{ try {{ return Boolean({condition}); }} catch (e) {{ return false; }} }})()"
        while not self.js(check):
            assert time.monotonic() < deadline, f"the page never got to: {condition}; errors: {self.errors}"
            time.sleep(0.02)

    def screenshot(self, path: str) -> None:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=HANG_GUARD)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
