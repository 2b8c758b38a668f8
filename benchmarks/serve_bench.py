"""``domeo serve`` under load, over loopback: latency with one client, throughput with eight.

    python benchmarks/serve_bench.py                       # 1M invoices, 1 and 2 workers
    python benchmarks/serve_bench.py --rows 20000 --seconds 1 --requests 50   # a quick look

Makes (once, kept in benchmarks/out/) a database of ``--rows`` generated
invoices, starts ``domeo serve --workers W`` on a free loopback port, and
for every endpoint measures, after a warm-up:

- p50 and p99 latency with 1 client sending one request after another
  (at most ``--requests`` requests or ``--seconds`` seconds);
- requests per second and p99 latency with ``--clients`` concurrent clients,
  each on its own keep-alive connection (at most ``--seconds`` seconds and
  ``--requests`` x clients requests), and the server's CPU time per request
  in that run (its processes' user and system time, from /proc): a figure
  that other work on the machine does not change much.

The client is a minimal HTTP/1.1 client on raw sockets (a few microseconds a
request), in this process, on the same machine: its cost is in the figures.
Every answer is checked (status 200 and the body's length). Prints a Markdown
table, and the machine's load average before and after.
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
from bench import OUT, domeo, make_file  # noqa: E402

AS_OF = "2025-10-01"


def endpoints(db: Path) -> list[tuple[str, str]]:
    """(label, path) of each endpoint measured, with real names and numbers from the database."""
    customers = json.loads(
        subprocess.run(domeo("--db", str(db), "customers", "--sort", "open", "--limit", "1", "--json"),
                       capture_output=True, check=True).stdout
    )["customers"][0]["name"]  # fmt: skip
    invoice = json.loads(
        subprocess.run(domeo("--db", str(db), "past-due", "--as-of", AS_OF, "--limit", "1", "--json"),
                       capture_output=True, check=True).stdout
    )["items"][0]["invoice_number"]  # fmt: skip
    name = customers.replace(" ", "%20").replace("&", "%26")
    return [
        ("past-due page", f"/invoices/past-due?as_of={AS_OF}&limit=50"),
        ("month summary", "/invoices/summary/month?month=2025-03"),
        ("contact", f"/customers/contact?name={name}"),
        ("health", "/health"),
        ("one invoice", f"/invoices/{invoice}?as_of={AS_OF}"),
        ("summary range (12 months)", "/invoices/summary/range?from=2024-10&to=2025-09"),
        ("customers page", f"/customers?as_of={AS_OF}&limit=50"),
        ("aging, top 20 per currency", f"/aging?as_of={AS_OF}&limit=20"),
    ]


def make_db(rows: int) -> Path:
    """The database of ``rows`` generated invoices (made once, then reused)."""
    db = OUT / f"serve-{rows}.db"
    if not db.exists():
        source = make_file(rows)
        print(f"loading {source.name} into {db.name} …", file=sys.stderr)
        subprocess.run(domeo("--db", str(db), "ingest", str(source)), check=True, stdout=subprocess.DEVNULL)
    return db


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoices in the database")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=400, help="at most this many requests per client and run")
    parser.add_argument("--seconds", type=float, default=3.0, help="at most this long per run")
    parser.add_argument("--only", help="measure only endpoints whose label contains this")
    args = parser.parse_args()

    db = make_db(args.rows)
    points = [e for e in endpoints(db) if not args.only or args.only in e[0]]
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores", file=sys.stderr)
    rows = []
    for workers in (int(w) for w in args.workers.split(",")):
        process, port = start_server(db, workers)
        try:
            for label, path in points:
                single = one_client(port, path, args.requests, args.seconds)
                cpu = tree_cpu_seconds(process.pid)
                rate, concurrent = many_clients(port, path, args.clients, args.requests, args.seconds)
                cpu = (tree_cpu_seconds(process.pid) - cpu) / len(concurrent) * 1000
                rows.append(
                    (label, workers, statistics.median(single) * 1000, percentile(single, 0.99) * 1000, rate,
                     percentile(concurrent, 0.99) * 1000, cpu, len(single), len(concurrent))
                )  # fmt: skip
                print(f"{label}, {workers} worker(s): done", file=sys.stderr)
        finally:
            process.terminate()
            process.wait(timeout=60)
    load = os.getloadavg()[0]
    print(f"\n{args.rows:,} invoices; loopback; client in the same machine; load average after: {load:.2f}\n")
    print(f"| endpoint | workers | p50, 1 client | p99, 1 client | req/s, {args.clients} clients "
          f"| p99, {args.clients} clients | server CPU per request | requests |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, workers, p50, p99, rate, p99c, cpu, n1, n8 in rows:
        print(
            f"| {label} | {workers} | {p50:.2f} ms | {p99:.2f} ms | {rate:,.0f} | {p99c:.1f} ms | {cpu:.2f} ms "
            f"| {n1} + {n8} |"
        )


if __name__ == "__main__":
    main()
