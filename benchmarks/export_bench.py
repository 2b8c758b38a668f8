"""An export of every row: time and peak memory of ``past-due --all --format csv -o FILE``.

    python benchmarks/export_bench.py                       # 100k and 1M rows, 3 rounds
    python benchmarks/export_bench.py --sizes 2000 --rounds 1   # a quick look

For each size it generates a deterministic export with data/generate.py, every
invoice left open (Applied 0, Pending), so that past-due as of 2030-01-01
lists every one of them; loads it with ``domeo ingest`` (kept in
benchmarks/out/ for the next run); then runs the export as a whole process,
alternately with ``--format json``, and reads the process's own peak RSS from
``wait4``. The file written is checked: one row per invoice, and its sums per
currency equal the database's. Memory that does not grow with the rows is the
point: the rows stream from a cursor to the file.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
GENERATOR = ROOT / "data" / "generate.py"
AS_OF = "2030-01-01"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _generator():  # noqa: ANN202 - the data/generate.py module
    import importlib.util

    spec = importlib.util.spec_from_file_location("domeo_data_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def open_book(rows: int) -> Path:
    """A database of ``rows`` open invoices (made once, then reused)."""
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"export-{rows}.db"
    if db.exists():
        return db
    raw, opened = OUT / f"export-{rows}-raw.csv", OUT / f"export-{rows}.csv"
    with raw.open("w", encoding="utf-8", newline="") as out:
        _generator().write_csv(out, rows, seed=11)
    with raw.open(encoding="utf-8", newline="") as source, opened.open("w", encoding="utf-8", newline="") as out:
        reader, writer = csv.reader(source), csv.writer(out)
        header = next(reader)
        writer.writerow(header)
        applied, status = header.index("Applied"), header.index("Status")
        for record in reader:
            record[applied], record[status] = "0", "Pending"
            writer.writerow(record)
    raw.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "domeo_cli", "--db", str(db), "-q", "ingest", str(opened)], env=ENV, check=False
    )
    if done.returncode != 0:
        sys.exit(f"loading {opened} failed with exit {done.returncode}")
    opened.unlink()
    return db


def timed(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {process.returncode}")
    return seconds, usage.ru_maxrss


def check(db: Path, path: Path, rows: int) -> None:
    """The CSV holds one row per open invoice, and sums per currency to the database's."""
    sums: dict[str, Decimal] = {}
    count = 0
    with path.open(encoding="utf-8", newline="") as f:
        for record in csv.DictReader(f):
            sums[record["currency"]] = sums.get(record["currency"], Decimal(0)) + Decimal(record["outstanding"])
            count += 1
    with sqlite3.connect(db) as connection:
        want = {
            cur: Decimal(cents) / 100
            for cur, cents in connection.execute(
                "SELECT currency, sum(outstanding_cents) FROM invoices WHERE outstanding_cents > 0 GROUP BY 1"
            )
        }
    assert count == rows, (count, rows)
    assert sums == want, (sums, want)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="invoice counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each export (median reported)")
    args = parser.parse_args(argv)
    print("| invoices | format | wall s (median) | rows/s | peak RSS MB | file MB |")
    print("|---:|---|---:|---:|---:|---:|")
    for rows in (int(s) for s in args.sizes.split(",")):
        db = open_book(rows)
        results: dict[str, list[tuple[float, int]]] = {"csv": [], "json": []}
        sizes: dict[str, int] = {}
        for _ in range(args.rounds):
            for fmt in results:
                target = OUT / f"export-{rows}.{fmt}"
                command = [sys.executable, "-m", "domeo_cli", "--db", str(db), "past-due", "--as-of", AS_OF]
                results[fmt].append(timed([*command, "--all", "--format", fmt, "-o", str(target)]))
                sizes[fmt] = target.stat().st_size
                if fmt == "csv":
                    check(db, target, rows)
                target.unlink()
        for fmt, runs in results.items():
            wall = statistics.median(s for s, _ in runs)
            peak = max(kib for _, kib in runs) / 1024
            print(f"| {rows:,} | {fmt} | {wall:.2f} | {rows / wall:,.0f} | {peak:.0f} | {sizes[fmt] / 1e6:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
