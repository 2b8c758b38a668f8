"""``domeo serve`` keeps answering while ``domeo ingest`` loads a large file in another process.

Several client threads request all the time. No request may fail, and every
answer must be one the server gave for the state before the load or for the
state after it (one committed state, never a mix). Where the loader has
named phases (``DOMEO_TEST_PAUSE``), the load is held inside its write
transaction, everything written but not committed, while the clients go on:
they must all see the old state then. Otherwise the clients run from before
the load starts until after it has ended; the waits are on what can be
observed (the process's end, counts of answers), never on the clock.
"""

from __future__ import annotations

import http.client
import importlib.util
import subprocess
import threading
from pathlib import Path

import pytest
from helpers import domeo_command, load_generator
from serving import serving

pytestmark = pytest.mark.slow

ROWS = 100_000
URLS = [
    "/invoices/past-due?as_of=2025-10-01&limit=5",
    "/invoices/past-due?as_of=2025-10-01&limit=5&offset=1000&sort=due_date.desc",
    "/invoices/summary/month?month=2024-06",
    "/invoices/summary/range?from=2024-01&to=2024-12",
    "/aging?as_of=2025-10-01&by=currency",
    "/customers?as_of=2025-10-01&sort=open&limit=3",
    "/customers/contact?name=Cedar%20Imports",
    "/health",
]
PHASES = importlib.util.find_spec("domeo_cli.phases") is not None


class Clients:
    """Threads that request URLS in turn, each on its own keep-alive connection, until stopped."""

    def __init__(self, host: str, port: int, count: int = 4) -> None:
        self.host, self.port = host, port
        self.answers: list[tuple[str, int, bytes]] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.done = threading.Condition(self.lock)
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)]

    def _run(self, first: int) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        i = first
        while not self.stopping.is_set():
            url = URLS[i % len(URLS)]
            i += 1
            try:
                connection.request("GET", url)
                response = connection.getresponse()
                answer = (url, response.status, response.read())
            except (OSError, http.client.HTTPException) as err:
                with self.lock:
                    self.failures.append(f"{url}: {type(err).__name__}: {err}")
                connection.close()
                connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
                continue
            with self.done:
                self.answers.append(answer)
                self.done.notify_all()
        connection.close()

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def count(self) -> int:
        with self.lock:
            return len(self.answers)

    def wait_for(self, more: int) -> list[tuple[str, int, bytes]]:
        """Wait until ``more`` further answers have come in; return them."""
        with self.done:
            start = len(self.answers)
            assert self.done.wait_for(lambda: len(self.answers) >= start + more or self.failures, timeout=300)
            return self.answers[start:]

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)


def _state(server) -> dict[str, bytes]:  # noqa: ANN001 - a serving.Server
    answers = {}
    for url in URLS:
        reply = server.get(url)
        assert reply.status in (200, 404), (url, reply)
        answers[url] = reply.body
    return answers


def test_answers_come_from_one_committed_state_while_a_load_runs(tmp_path: Path) -> None:
    generate = load_generator()
    before_file, load_file = tmp_path / "before.csv", tmp_path / "load.csv"
    with open(before_file, "w", encoding="utf-8", newline="") as out:
        generate.write_csv(out, ROWS, seed=1)
    with open(load_file, "w", encoding="utf-8", newline="") as out:
        generate.write_csv(out, ROWS, seed=2)  # half the numbers again with new amounts, half new invoices
    db = tmp_path / "served.db"
    first = subprocess.run(domeo_command("--db", str(db), "ingest", str(before_file)), capture_output=True, timeout=600)
    assert first.returncode == 0, first.stderr

    pause = tmp_path / "pause"
    env = {"DOMEO_TEST_PAUSE": f"before_commit:{pause}"} if PHASES else {}
    with serving(str(db), "--workers", "2") as server:
        old = _state(server)
        clients = Clients(server.host, server.port)
        clients.start()
        clients.wait_for(20)
        load = subprocess.Popen(
            domeo_command("--db", str(db), "ingest", str(load_file)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**__import__("os").environ, **env},
        )
        during_load: list[tuple[str, int, bytes]] = []
        if PHASES:
            while not pause.exists():  # the load holds inside its transaction, all written, not committed
                assert load.poll() is None, load.stderr.read() if load.stderr else ""
                during_load += clients.wait_for(1)
            held = clients.wait_for(4 * len(URLS))
            assert [(u, s, b) for u, s, b in held if b != old[u]] == []  # uncommitted: never seen
            during_load += held
            pause.unlink()
        while load.poll() is None:
            during_load += clients.wait_for(1)
        assert load.wait(timeout=600) == 0, load.stderr.read() if load.stderr else ""
        clients.wait_for(4 * len(URLS))  # and some after it
        clients.stop()
        new = _state(server)
    assert clients.failures == []
    assert during_load, "no request was answered while the load ran"
    assert {u for u in URLS if old[u] != new[u]} >= set(URLS[:6])  # the load changed what they report
    mixed = [(url, status) for url, status, body in clients.answers if body not in (old[url], new[url])]
    assert mixed == []
    assert all(status in (200, 404) for _, status, _ in clients.answers)


def test_the_serve_benchmark_runs_end_to_end() -> None:
    """A tiny run of benchmarks/serve_bench.py, so that it keeps working (timings are not checked)."""
    import sys

    bench = Path(__file__).resolve().parent.parent / "benchmarks" / "serve_bench.py"
    done = subprocess.run(
        [sys.executable, str(bench), "--rows", "2000", "--seconds", "0.2", "--requests", "5", "--clients", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    labels = ("past-due page", "aging, top 20", "customers page", "statement (owing most)", "month summary", "health")
    for label in labels:
        assert f"| {label} | 1 |" in done.stdout and f"| {label} | 2 |" in done.stdout, label
    assert "| past-due page at a past date: ≥ 500 req/s, 8 clients |" in done.stdout


# -- issue 19, item 1: the server beside loads, never "corrupt" ---------------------------------------------------

SCENARIO = ("/aging?as_of=2025-10-01", "/customers?as_of=2025-10-01", "/customers/statement?as_of=2025-10-01&name=")


class Rounds:
    """Three clients looping over SCENARIO, each on its keep-alive connection; every answer kept with its window.

    An answer is kept with ``(first, last)``: the loads finished when its request
    was sent and the loads let commit when its answer came. It must then be the
    answer of one of the states ``first`` to ``last`` (state k: after k loads).
    """

    def __init__(self, host: str, port: int, name: str) -> None:
        from urllib.parse import quote

        self.urls = [*SCENARIO[:2], SCENARIO[2] + quote(name)]
        self.host, self.port = host, port
        self.finished = self.released = 0
        self.answers: list[tuple[int, int, int, int, bytes]] = []  # (URL's index, first, last, status, body)
        self.rounds = [0, 0, 0]
        self.failures: list[str] = []
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(3)]
        for thread in self.threads:
            thread.start()

    def _run(self, client: int) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        step = client  # each client starts at another URL
        while not self.stopping.is_set():
            url = self.urls[step % 3]
            first = self.finished
            try:
                connection.request("GET", url)
                response = connection.getresponse()
                status, body = response.status, response.read()
            except (OSError, http.client.HTTPException) as err:
                with self.changed:
                    self.failures.append(f"{url}: {type(err).__name__}: {err}")
                    self.changed.notify_all()
                return
            with self.changed:
                self.answers.append((step % 3, first, self.released, status, body))
                step += 1
                if step % 3 == client:
                    self.rounds[client] += 1
                self.changed.notify_all()
        connection.close()

    def wait_rounds(self, more: int) -> None:
        """Wait until every client has gone ``more`` further times round the three URLs."""
        with self.changed:
            goal = [n + more for n in self.rounds]
            done = self.changed.wait_for(
                lambda: self.failures or all(n >= g for n, g in zip(self.rounds, goal, strict=True)), timeout=600
            )
            assert done and not self.failures, self.failures

    def burst(self, count: int = 12) -> None:
        """``count`` requests at once besides the clients', so that the server answers on several threads at once.

        Each worker thread of the server keeps a connection of its own: a thread opening its first one
        while others hold theirs is where a server that opens the file by other means loses its locks.
        """
        connections = [http.client.HTTPConnection(self.host, self.port, timeout=120) for _ in range(count)]
        for connection in connections:
            connection.connect()
        ready = threading.Barrier(count)

        def ask(i: int) -> None:
            url, connection = i % 3, connections[i]
            ready.wait(timeout=120)
            first = self.finished
            try:
                connection.request("GET", self.urls[url])
                response = connection.getresponse()
                status, body = response.status, response.read()
            except (OSError, http.client.HTTPException) as err:
                with self.changed:
                    self.failures.append(f"{self.urls[url]}: {type(err).__name__}: {err}")
                return
            finally:
                connection.close()
            with self.changed:
                self.answers.append((url, first, self.released, status, body))

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)


def _answers_of_state(db: Path, name: str) -> list[bytes]:
    """What the command line answers now for each scenario URL, in order (the server answers the same bytes)."""
    commands = (
        ["aging", "--as-of", "2025-10-01"],
        ["customers", "--as-of", "2025-10-01"],
        ["statement", name, "--as-of", "2025-10-01"],
    )
    answers = []
    for argv in commands:
        done = subprocess.run(domeo_command("--db", str(db), *argv, "--json"), capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr
        answers.append(done.stdout)
    return answers


def test_clients_beside_two_loads_and_a_large_one_get_every_answer_from_a_committed_state(tmp_path: Path) -> None:
    import json
    import os
    import sys

    from helpers import GENERATOR, SAMPLE, Pause

    other, large = tmp_path / "other.csv", tmp_path / "large.csv"
    for path, args in ((other, ["--rows", "3000", "--seed", "2"]), (large, ["--rows", "60000"])):
        made = subprocess.run([sys.executable, str(GENERATOR), *args, "--out", str(path)], timeout=600)
        assert made.returncode == 0
    db = tmp_path / "served.db"
    first = subprocess.run(domeo_command("--db", str(db), "ingest", str(SAMPLE)), capture_output=True, timeout=600)
    assert first.returncode in (0, 4), first.stderr
    customers = subprocess.run(
        domeo_command("--db", str(db), "customers", "--as-of", "2025-10-01", "--sort", "open", "--json"),
        capture_output=True,
        timeout=300,
    )
    name = json.loads(customers.stdout)["customers"][0]["name"]  # in every state: loads never remove customers
    states = [_answers_of_state(db, name)]
    with serving(str(db)) as server:
        clients = Rounds(server.host, server.port, name)
        try:
            clients.wait_rounds(3)
            clients.burst()
            for number, export in enumerate((other, large), start=1):
                pause = Pause(tmp_path / f"pause{number}", "before_commit", "committed")
                load = subprocess.Popen(
                    domeo_command("--db", str(db), "ingest", str(export)),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env={**os.environ, **pause.env},
                )
                pause.wait("before_commit", load)  # all written, not committed: the clients go on
                clients.burst()
                clients.wait_rounds(2)
                clients.released = number
                pause.release()
                pause.wait("committed", load)  # committed, its connection still open
                clients.burst()
                clients.wait_rounds(2)
                pause.release()
                assert load.wait(timeout=600) in (0, 4), load.stderr.read() if load.stderr else ""
                clients.finished = number
                # The load ended beside the server's connections: it was not the last, so it left the -wal and -shm.
                assert Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()
                states.append(_answers_of_state(db, name))
                clients.burst()
                clients.wait_rounds(3)
                health = server.get("/health")
                assert (health.status, health.body) == (200, b'{"status": "ok"}\n')
        finally:
            clients.stop()
        assert clients.failures == []
        for url in (*clients.urls, "/invoices/past-due?as_of=2025-10-01&limit=5"):
            assert server.get(url).status == 200, url
    assert states[0] != states[1] != states[2]
    wrong = [
        (clients.urls[url], first, last, status, body[:300])
        for url, first, last, status, body in clients.answers
        if status != 200 or body not in [states[k][url] for k in range(first, last + 1)]
    ]
    assert wrong == []
    assert {(first, last) for _, first, last, _, _ in clients.answers} >= {(0, 0), (0, 1), (1, 1), (1, 2), (2, 2)}
