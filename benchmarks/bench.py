"""domeo against SQLite's own CSV import, side by side on the same files.

    python benchmarks/bench.py                    # 100k and 1M rows, 3 rounds
    python benchmarks/bench.py --sizes 100000 --rounds 1 --reports-runs 3   # a quick look
    python benchmarks/bench.py --sizes 10000000 --rounds 1                  # how far one file goes

For each size it generates a deterministic export with data/generate.py (kept
in benchmarks/out/), then runs, alternately so that both see the same machine
state: ``sqlite3 new.db ".import --csv FILE t"`` and ``domeo ingest FILE``
into a new database. Then a re-ingest of the same file (everything
unchanged) and of a copy with 1% of rows changed, checking the report's
counts; the loaded sums per currency are checked against the file. Last, the
wall time of each report command as a whole process against ``python -c
pass``. Prints medians, ratios, rows/s and peak RSS as a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
GENERATOR = ROOT / "data" / "generate.py"


# A pip-installed package has its bytecode compiled at install time; a shell that
# sets PYTHONDONTWRITEBYTECODE would make every run compile every module again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def tree_pss_kib(pid: int) -> int:
    """Memory of a process and its descendants, in KiB: the sum of their PSS.

    PSS shares each page among the processes that map it, so a forked child's
    pages shared with its parent are not counted twice, as a sum of RSS would.
    """
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def timed(argv: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run argv; return its wall seconds, its peak memory in KiB and its result.

    The peak is the larger of the process's own peak RSS (from wait4) and the
    highest PSS of its whole process tree, sampled every 20 ms (a large load
    parses in a child process, whose memory counts too).
    """
    import threading

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=ENV)
        peak_tree = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak_tree[0] = max(peak_tree[0], tree_pss_kib(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if os.path.exists("/proc/self/smaps_rollup"):
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if sampler.is_alive():
            sampler.join()
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (
            wall,
            max(usage.ru_maxrss, peak_tree[0]),
            subprocess.CompletedProcess(argv, code, out.read().decode(), err.read().decode()),
        )


def make_file(rows: int) -> Path:
    """The generated export of ``rows`` rows (made once, then reused)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"export-{rows}.csv"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(GENERATOR), "--rows", str(rows), "--seed", "7", "--out", str(path)],
            check=True,
        )
    return path


def make_changed(path: Path, every: int = 100) -> tuple[Path, int]:
    """A copy of ``path`` with every ``every``-th invoice's PO number changed; returns it and the count."""
    changed_path = path.with_name(path.stem + "-changed.csv")
    changed = 0
    with (
        path.open(newline="", encoding="utf-8") as src,
        changed_path.open("w", newline="", encoding="utf-8") as dst,
    ):
        reader = csv.reader(src)
        writer = csv.writer(dst, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        po = header.index("CustomerPoNumber")
        for number, row in enumerate(reader):
            if number % every == 0:
                row[po] = f"CHANGED-{number}"
                changed += 1
            writer.writerow(row)
    return changed_path, changed


def file_sums(path: Path) -> dict[str, Decimal]:
    """Sum of BillTotal per currency, straight from the CSV with Decimal."""
    sums: dict[str, Decimal] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            amount = Decimal(row["BillTotal"].replace("$", "").replace(",", "").strip())
            sums[row["Currency"]] = sums.get(row["Currency"], Decimal(0)) + amount
    return sums


def db_sums(path: Path) -> dict[str, Decimal]:
    """Sum of bill_total per currency in a domeo database, exactly."""
    with sqlite3.connect(path) as db:
        return {
            currency: Decimal(cents) / 100
            for currency, cents in db.execute("SELECT currency, sum(bill_total_cents) FROM invoices GROUP BY 1")
        }


def domeo(*args: str) -> list[str]:
    """The argv of domeo with this interpreter."""
    return [sys.executable, "-m", "domeo_cli", *args]


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def bench_load(rows: int, rounds: int) -> dict:
    """Fresh load, unchanged re-load and 1%-changed re-load of one size."""
    export = make_file(rows)
    work = OUT / f"run-{rows}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sqlite_times, domeo_times, rss = [], [], []
    db = work / "domeo.db"
    for _ in range(rounds):
        ref = work / "ref.db"
        remove_db(ref)
        wall, _, result = timed(["sqlite3", str(ref), ".import --csv " + str(export) + " t"])
        assert result.returncode == 0, result.stderr
        sqlite_times.append(wall)
        remove_db(db)
        wall, peak, result = timed(domeo("--db", str(db), "ingest", str(export), "--json"))
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["inserted"] == rows and report["rejected"] == 0, report
        domeo_times.append(wall)
        rss.append(peak)
    assert db_sums(db) == file_sums(export), "loaded sums differ from the file"
    reload_times = []
    for _ in range(rounds):
        wall, peak, result = timed(domeo("--db", str(db), "ingest", str(export), "--json"))
        report = json.loads(result.stdout)
        assert (report["inserted"], report["updated"], report["unchanged"]) == (0, 0, rows), report
        reload_times.append(wall)
        rss.append(peak)
    changed_path, changed = make_changed(export)
    changed_times = []
    for round_number in range(rounds):
        # Alternate the two versions so that every run really changes 1% of the rows.
        target = changed_path if round_number % 2 == 0 else export
        wall, peak, result = timed(domeo("--db", str(db), "ingest", str(target), "--json"))
        report = json.loads(result.stdout)
        assert (report["inserted"], report["updated"], report["unchanged"]) == (0, changed, rows - changed), report
        changed_times.append(wall)
        rss.append(peak)
    return {
        "rows": rows,
        "file_mb": export.stat().st_size / 1e6,
        "db_mb": db.stat().st_size / 1e6,
        "sqlite": statistics.median(sqlite_times),
        "fresh": statistics.median(domeo_times),
        "reload": statistics.median(reload_times),
        "changed": statistics.median(changed_times),
        "rss_mb": max(rss) / 1024,
        "db": db,
    }


REPORTS = [
    ("past-due --json", ["past-due", "--as-of", "2025-06-01", "--json"]),
    (
        "past-due --offset 100000 --json",
        ["past-due", "--as-of", "2025-06-01", "--offset", "100000", "--json"],
    ),
    (
        "past-due --sort due_date.desc --json",
        ["past-due", "--as-of", "2025-06-01", "--sort", "due_date.desc", "--json"],
    ),
    ("summary --json", ["summary", "--month", "2024-11", "--json"]),
    ("summary --customer --json", None),  # filled in with a real customer name
    ("contact --json", None),
    ("past-due (table)", ["past-due", "--as-of", "2025-06-01"]),
    ("summary (table)", ["summary", "--month", "2024-11"]),
]
EXTRA_REPORTS = [
    ("aging --json", ["aging", "--as-of", "2025-06-01", "--json"]),
    ("aging --by parent --json", ["aging", "--as-of", "2025-06-01", "--by", "parent", "--json"]),
    ("aging --limit 20 --json", ["aging", "--as-of", "2025-06-01", "--limit", "20", "--json"]),
    ("aging --min-total 50000 --json", ["aging", "--as-of", "2025-06-01", "--min-total", "50000", "--json"]),
    ("customers --json", ["customers", "--json"]),
    ("invoice --json", None),
    ("summary --from --to --json", ["summary", "--from", "2024-01", "--to", "2025-09", "--json"]),
]


def bench_reports(db: Path, runs: int) -> list[tuple[str, float, float]]:
    """Median wall time of each report as a whole process, and of ``python -c pass``."""
    with sqlite3.connect(db) as connection:
        customer = connection.execute("SELECT name FROM customers ORDER BY id LIMIT 1").fetchone()[0]
        invoice = connection.execute("SELECT invoice_number FROM invoices ORDER BY id DESC LIMIT 1").fetchone()[0]
    fills = {
        "summary --customer --json": ["summary", "--month", "2024-11", "--customer", customer, "--json"],
        "contact --json": ["contact", customer, "--json"],
        "invoice --json": ["invoice", invoice, "--json"],
    }
    help_text = subprocess.run(domeo("--help"), capture_output=True, text=True, check=False, env=ENV).stdout
    reports = REPORTS + [r for r in EXTRA_REPORTS if r[0].split()[0] in help_text]
    timed(domeo("--db", str(db), "past-due", "--json"))  # warm-up: bytecode written, file cache warm
    baseline = statistics.median(timed([sys.executable, "-c", "pass"])[0] for _ in range(runs))
    results = []
    for label, args in reports:
        argv = domeo("--db", str(db), *(args or fills[label]))
        times = []
        for _ in range(runs):
            wall, _, result = timed(argv)
            assert result.returncode == 0, (label, result.stderr)
            times.append(wall)
        results.append((label, statistics.median(times), baseline))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated row counts")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each load (median)")
    parser.add_argument("--reports-runs", type=int, default=11, help="runs of each report (median)")
    parser.add_argument("--reports-only", metavar="DB", help="only time the reports, on this database")
    args = parser.parse_args()
    if args.reports_only:
        print_reports(Path(args.reports_only), args.reports_runs)
        return
    if shutil.which("sqlite3") is None:
        sys.exit("bench: the sqlite3 command-line shell is needed (apt-get install sqlite3)")
    loads = [bench_load(int(size), args.rounds) for size in args.sizes.split(",")]
    print(f"\nMachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}\n")
    print(
        "| rows | file MB | sqlite3 .import s | domeo fresh s (×) | re-ingest unchanged s (×) "
        "| re-ingest 1% changed s (×) | rows/s fresh | peak RSS MB | db MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in loads:
        base = r["sqlite"]
        print(
            f"| {r['rows']:,} | {r['file_mb']:.0f} | {base:.2f} | {r['fresh']:.2f} ({r['fresh'] / base:.1f}×) "
            f"| {r['reload']:.2f} ({r['reload'] / base:.1f}×) | {r['changed']:.2f} ({r['changed'] / base:.1f}×) "
            f"| {r['rows'] / r['fresh']:,.0f} | {r['rss_mb']:.0f} | {r['db_mb']:.0f} |"
        )
    print_reports(loads[-1]["db"], args.reports_runs)


def print_reports(db: Path, runs: int) -> None:
    """Time every report on ``db`` and print the Markdown table."""
    with sqlite3.connect(db) as connection:
        invoices = connection.execute("SELECT count(*) FROM invoices").fetchone()[0]
    results = bench_reports(db, runs)
    print(f"\nReports on the {invoices:,}-invoice database (median of {runs} runs):\n")
    print("| command | wall ms | python -c pass ms | over start-up ms |")
    print("|---|---:|---:|---:|")
    for label, wall, baseline in results:
        print(f"| {label} | {wall * 1000:.0f} | {baseline * 1000:.0f} | {(wall - baseline) * 1000:+.0f} |")


if __name__ == "__main__":
    main()
