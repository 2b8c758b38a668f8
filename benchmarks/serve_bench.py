"""``domeo serve`` under load, over loopback: latency with one client, throughput with eight.

    python benchmarks/serve_bench.py                       # 1M invoices, 1 and 2 workers
    python benchmarks/serve_bench.py --rows 20000 --seconds 1 --requests 50   # a quick look

Makes (once, kept in benchmarks/out/, shared with bench.py) a database of
``--rows`` generated invoices, starts ``domeo serve --workers W`` on a free
loopback port, and measures, after a warm-up, the pages users ask for at each
as-of date of bench.py's ``AS_OF_DATES`` (the past-due page, the aging top 20,
a customers page, the statement of the customer owing most on that date) and
a few pages without a date:

- p50 and p99 latency with 1 client sending one request after another
  (at most ``--requests`` requests or ``--seconds`` seconds);
- for the past-due page and the pages without a date: requests per second
  and p99 latency with ``--clients`` concurrent clients,
  each on its own keep-alive connection (at most ``--seconds`` seconds and
  ``--requests`` x clients requests), and the server's CPU time per request
  in that run (its processes' user and system time, from /proc): a figure
  that other work on the machine does not change much.

The client is a minimal HTTP/1.1 client on raw sockets (a few microseconds a
request), in this process, on the same machine: its cost is in the figures.
Every answer is checked (status 200 and the body's length). Prints Markdown
tables, issue 21's targets that these figures decide, and the machine's load
average before and after. ``bench.py --targets`` runs this beside its own.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import AS_OF_DATES, ENV, TODAY, domeo, invoice_count, owing_most, print_targets, query_db  # noqa: E402

# Pages measured with many clients too, at every as-of date (the others: with one client).
CONCURRENT = ("past-due page",)


def endpoints(db: Path) -> list[tuple[str, str | None, str]]:
    """(label, as-of date or None, path) of each endpoint measured, with real names and numbers."""
    points: list[tuple[str, str | None, str]] = []
    for _, as_of in AS_OF_DATES:
        points += [
            ("past-due page", as_of, f"/invoices/past-due?as_of={as_of}&limit=50"),
            ("aging, top 20", as_of, f"/aging?as_of={as_of}&limit=20"),
            ("customers page", as_of, f"/customers?as_of={as_of}&limit=50"),
            ("statement (owing most)", as_of, f"/customers/statement?name={owing_most(db, as_of)}&as_of={as_of}"),
        ]
    contact = owing_most(db, TODAY)
    invoice = json.loads(
        subprocess.run(domeo("--db", str(db), "past-due", "--as-of", TODAY, "--limit", "1", "--json"),
                       capture_output=True, check=True, env=ENV).stdout
    )["items"][0]["invoice_number"]  # fmt: skip
    return points + [
        ("month summary", None, "/invoices/summary/month?month=2025-03"),
        ("contact", None, f"/customers/contact?name={contact}"),
        ("health", None, "/health"),
        ("one invoice", None, f"/invoices/{invoice}?as_of={TODAY}"),
        ("summary range (12 months)", None, "/invoices/summary/range?from=2025-10&to=2026-09"),
    ]


class Connection:
    """One keep-alive HTTP/1.1 connection that sends GETs and reads whole answers."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def get(self, request: bytes) -> tuple[int, int]:
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])
        while len(self.buffer) < length:
            self.buffer += self._recv()
        self.buffer = self.buffer[length:]
        return status, length

    def _recv(self) -> bytes:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def request_bytes(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def one_client(port: int, path: str, requests: int, seconds: float) -> list[float]:
    connection = Connection(port)
    request = request_bytes(path)
    for _ in range(10):  # warm-up: imports, caches, the page cache
        assert connection.get(request)[0] == 200, path
    times: list[float] = []
    stop = time.perf_counter() + seconds
    while len(times) < requests and time.perf_counter() < stop:
        start = time.perf_counter()
        status, _ = connection.get(request)
        times.append(time.perf_counter() - start)
        assert status == 200, (path, status)
    connection.close()
    return times


def many_clients(port: int, path: str, clients: int, requests: int, seconds: float) -> tuple[float, list[float]]:
    request = request_bytes(path)
    connections = [Connection(port) for _ in range(clients)]
    for connection in connections:
        assert connection.get(request)[0] == 200, path
    times: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def run(i: int) -> None:
        barrier.wait()
        mine = times[i]
        while len(mine) < requests and time.perf_counter() < stop_at[0]:
            start = time.perf_counter()
            status, _ = connections[i].get(request)
            mine.append(time.perf_counter() - start)
            if status != 200:
                failures.append(f"{path}: {status}")
                return

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for connection in connections:
        connection.close()
    assert not failures, failures[:3]
    every = [t for mine in times for t in mine]
    return len(every) / elapsed, every


def tree_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its descendants, in seconds (from /proc)."""
    total, pending = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def start_server(db: Path, workers: int) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        domeo("--db", str(db), "serve", "--port", "0", "--workers", str(workers)),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=ENV,
    )
    assert process.stderr is not None
    while True:
        line = process.stderr.readline().decode()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found:
            break
        if not line:
            raise SystemExit(f"domeo serve did not start: exit {process.wait()}")
    port = int(found[1])
    # Drain the access log so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    deadline = time.monotonic() + 60
    while True:  # every worker up: a few answers in a row
        try:
            connection = Connection(port)
            if all(connection.get(request_bytes("/health"))[0] == 200 for _ in range(workers * 4)):
                connection.close()
                return process, port
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("domeo serve never answered /health")
        time.sleep(0.05)


def measure(
    db: Path, workers: list[int], clients: int, requests: int, seconds: float, only: str | None = None
) -> list[dict]:
    """Every endpoint's figures with each worker count: one dict per endpoint, as-of date and worker count."""
    points = [e for e in endpoints(db) if not only or only in e[0]]
    results = []
    for count in workers:
        process, port = start_server(db, count)
        try:
            for label, as_of, path in points:
                single = one_client(port, path, requests, seconds)
                result = {"label": label, "as_of": as_of, "workers": count, "p50": statistics.median(single) * 1000,
                          "p99": percentile(single, 0.99) * 1000, "n1": len(single), "rate": None}  # fmt: skip
                if as_of is None or label in CONCURRENT:
                    cpu = tree_cpu_seconds(process.pid)
                    rate, concurrent = many_clients(port, path, clients, requests, seconds)
                    result |= {"rate": rate, "p99c": percentile(concurrent, 0.99) * 1000, "n8": len(concurrent),
                               "cpu": (tree_cpu_seconds(process.pid) - cpu) / len(concurrent) * 1000}  # fmt: skip
                results.append(result)
                print(f"{label}{f' as of {as_of}' if as_of else ''}, {count} worker(s): done", file=sys.stderr)
        finally:
            process.terminate()
            process.wait(timeout=60)
    return results


def print_tables(results: list[dict], db: Path, clients: int) -> None:
    """The figures as Markdown: latency per as-of date, then throughput, then the pages without a date."""
    print(
        f"\n`domeo serve` on the {invoice_count(db):,}-invoice database {db.name}; loopback, the client on the "
        f"same machine. p50 / p99 ms with 1 client:\n"
    )
    print("| endpoint | workers | " + " | ".join(f"{as_of} ({what})" for what, as_of in AS_OF_DATES) + " |")
    print("|---|---:|" + "---:|" * len(AS_OF_DATES))
    dated = [r for r in results if r["as_of"]]
    for label, count in dict.fromkeys((r["label"], r["workers"]) for r in dated):
        cells = [f"{r['p50']:.2f} / {r['p99']:.2f}" for r in dated if r["label"] == label and r["workers"] == count]
        print(f"| {label} | {count} | " + " | ".join(cells) + " |")
    print(f"\nWith {clients} clients: req/s (p99 ms, server CPU ms per request):\n")
    print("| endpoint | workers | " + " | ".join(f"{as_of}" for _, as_of in AS_OF_DATES) + " |")
    print("|---|---:|" + "---:|" * len(AS_OF_DATES))
    for label, count in dict.fromkeys((r["label"], r["workers"]) for r in dated if r["rate"]):
        cells = [
            f"{r['rate']:,.0f} ({r['p99c']:.1f}, {r['cpu']:.2f})"
            for r in dated
            if r["label"] == label and r["workers"] == count
        ]
        print(f"| {label} | {count} | " + " | ".join(cells) + " |")
    print("\nPages without an as-of date:\n")
    print(f"| endpoint | workers | p50, 1 client | p99, 1 client | req/s, {clients} clients "
          f"| p99, {clients} clients | server CPU per request | requests |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if r["as_of"] is None:
            print(
                f"| {r['label']} | {r['workers']} | {r['p50']:.2f} ms | {r['p99']:.2f} ms | {r['rate']:,.0f} "
                f"| {r['p99c']:.1f} ms | {r['cpu']:.2f} ms | {r['n1']} + {r['n8']} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoices in the database")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=400, help="at most this many requests per client and run")
    parser.add_argument("--seconds", type=float, default=3.0, help="at most this long per run")
    parser.add_argument("--only", help="measure only endpoints whose label contains this")
    args = parser.parse_args()

    db = query_db(args.rows)
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores", file=sys.stderr)
    workers = [int(w) for w in args.workers.split(",")]
    results = measure(db, workers, args.clients, args.requests, args.seconds, args.only)
    print_tables(results, db, args.clients)
    print_targets([], [], results)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
