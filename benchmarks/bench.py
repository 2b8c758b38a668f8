"""domeo against its floors, side by side: SQLite's own CSV import, and a Typer app that only prints.

    python benchmarks/bench.py                    # 100k and 1M rows, 3 rounds
    python benchmarks/bench.py --sizes 100000 --rounds 1 --reports-runs 3   # a quick look
    python benchmarks/bench.py --sizes 10000000 --rounds 1                  # how far one file goes
    python benchmarks/bench.py --sizes 1000000 --targets                    # every target of issue 21
    python benchmarks/bench.py --reports-only benchmarks/out/asof-1000000.db

For each size it generates a deterministic export with data/generate.py (kept
in benchmarks/out/; invoices dated 2020-01-01 to 2026-12-31, exported on
2026-12-07, so some are dated after the export), then runs, alternately so
that both see the same machine state: ``sqlite3 new.db ".import --csv FILE
t"`` and ``domeo ingest FILE`` into a new database. Then a re-ingest of the
same file (everything unchanged) and of a copy with 1% of rows changed,
checking the report's counts; the loaded sums per currency are checked
against the file.

Then the reports users ask for, at each date of ``AS_OF_DATES`` (a quarter
into the data, its middle, the export day and the last invoice day), on a
database of the largest size kept in benchmarks/out/asof-ROWS.db: each report
as a whole process beside benchmarks/minimal_typer.py run with the same
arguments (a Typer app that declares the same options and only prints),
interleaved. ``--targets`` adds benchmarks/serve_bench.py's measurements on
the same database and a table of issue 21's targets, measured and met or not.
Prints medians as Markdown tables.
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
FLOOR = ROOT / "benchmarks" / "minimal_typer.py"

# The benchmark data: seven years of invoices, exported before the last of them is dated.
FIRST_DAY, LAST_DAY, TODAY = "2020-01-01", "2026-12-31", "2026-12-07"
# (what the date is, the date): every report is asked at each of them.
AS_OF_DATES = (
    ("a quarter in", "2021-09-01"),
    ("middle", "2023-06-30"),
    ("today", TODAY),
    ("last invoice day", LAST_DAY),
)
PAST_DATES = ("2021-09-01", "2023-06-30")
CLI_MARGIN_MS = 50.0  # issue 21: each CLI report within 50 ms of its floor app


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
    path = OUT / f"export-{rows}-{FIRST_DAY[:4]}-{LAST_DAY[:4]}.csv"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr)
        period = ["--first-day", FIRST_DAY, "--last-day", LAST_DAY, "--as-of", TODAY]
        subprocess.run(
            [sys.executable, str(GENERATOR), "--rows", str(rows), "--seed", "7", *period, "--out", str(path)],
            check=True,
        )
    return path


def query_db(rows: int) -> Path:
    """The database of ``rows`` generated invoices that reports are asked on (made once, then reused)."""
    db = OUT / f"asof-{rows}.db"
    if not db.exists():
        source = make_file(rows)
        print(f"loading {source.name} into {db.name} …", file=sys.stderr)
        subprocess.run(domeo("--db", str(db), "ingest", str(source)), check=True, stdout=subprocess.DEVNULL, env=ENV)
    return db


def owing_most(db: Path, as_of: str) -> str:
    """The customer number of the customer with the most open AR on ``as_of``."""
    result = subprocess.run(
        domeo("--db", str(db), "customers", "--as-of", as_of, "--sort", "open", "--limit", "1", "--json"),
        capture_output=True,
        check=True,
        env=ENV,
    )
    return json.loads(result.stdout)["customers"][0]["customer_number"]


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


def cli_reports(as_of: str, customer: str) -> list[tuple[str, list[str]]]:
    """(label, arguments) of each report asked at ``as_of``; the summary is of that date's month."""
    return [
        ("past-due --json", ["past-due", "--as-of", as_of, "--json"]),
        ("aging --json", ["aging", "--as-of", as_of, "--json"]),
        ("aging --limit 20 --json", ["aging", "--as-of", as_of, "--limit", "20", "--json"]),
        ("customers --json (a page)", ["customers", "--as-of", as_of, "--json"]),
        ("statement (owing most) --json", ["statement", customer, "--as-of", as_of, "--json"]),
        ("summary --month --json", ["summary", "--month", as_of[:7], "--json"]),
    ]


def bench_reports(db: Path, runs: int) -> list[dict]:
    """Median wall time of each report at each as-of date, as a whole process, and of its floor app.

    The floor is benchmarks/minimal_typer.py with the same arguments, run right after
    each run of the report, so that both see the same machine state.
    """
    timed(domeo("--db", str(db), "past-due", "--json"))  # warm-up: bytecode written, file cache warm
    timed([sys.executable, str(FLOOR), "hello"])
    results = []
    for _, as_of in AS_OF_DATES:
        for label, args in cli_reports(as_of, owing_most(db, as_of)):
            argv = ["--db", str(db), *args]
            times, floors = [], []
            for _ in range(runs):
                wall, _, result = timed(domeo(*argv))
                assert result.returncode == 0, (label, as_of, result.stderr)
                times.append(wall)
                wall, _, result = timed([sys.executable, str(FLOOR), *argv])
                assert result.returncode == 0, (label, as_of, result.stderr)
                floors.append(wall)
            results.append(
                {"label": label, "as_of": as_of, "ms": statistics.median(times) * 1000,
                 "floor_ms": statistics.median(floors) * 1000}
            )  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated row counts")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each load (median)")
    parser.add_argument("--reports-runs", type=int, default=11, help="runs of each report (median)")
    parser.add_argument("--reports-only", metavar="DB", help="no loads: only the reports, on this database")
    parser.add_argument("--targets", action="store_true", help="add serve_bench.py's figures and the targets table")
    parser.add_argument("--workers", default="1,2", help="with --targets: comma-separated worker counts")
    parser.add_argument("--seconds", type=float, default=3.0, help="with --targets: at most this long per HTTP run")
    parser.add_argument("--requests", type=int, default=400, help="with --targets: at most this many per client")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min)", file=sys.stderr)
    loads = []
    if args.reports_only:
        db = Path(args.reports_only)
    else:
        if shutil.which("sqlite3") is None:
            sys.exit("bench: the sqlite3 command-line shell is needed (apt-get install sqlite3)")
        loads = [bench_load(int(size), args.rounds) for size in args.sizes.split(",")]
        print_loads(loads)
        db = query_db(loads[-1]["rows"])
    cli = print_reports(db, args.reports_runs)
    serve: list[dict] = []
    if args.targets:
        import serve_bench  # here: serve_bench imports this module

        workers = [int(w) for w in args.workers.split(",")]
        serve = serve_bench.measure(db, workers, 8, args.requests, args.seconds)
        serve_bench.print_tables(serve, db, 8)
        print_targets(loads, cli, serve)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")


def print_loads(loads: list[dict]) -> None:
    """The loads' Markdown table: each size's load times beside ``sqlite3 .import``."""
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


def invoice_count(db: Path) -> int:
    """How many invoices ``db`` holds."""
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM invoices").fetchone()[0]


def print_reports(db: Path, runs: int) -> list[dict]:
    """Time every report at every as-of date on ``db``, print the Markdown table, return the figures."""
    results = bench_reports(db, runs)
    print(
        f"\nReports on the {invoice_count(db):,}-invoice database {db.name}, whole process, median of {runs} "
        f"runs: domeo ms (difference from the floor app with the same arguments, ratio)\n"
    )
    print("| command | " + " | ".join(f"{as_of} ({what})" for what, as_of in AS_OF_DATES) + " |")
    print("|---|" + "---:|" * len(AS_OF_DATES))
    for label in dict.fromkeys(r["label"] for r in results):
        cells = [
            f"{r['ms']:.0f} ({r['ms'] - r['floor_ms']:+.0f}, {r['ms'] / r['floor_ms']:.1f}×)"
            for r in results
            if r["label"] == label
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")
    floors = [r["floor_ms"] for r in results]
    print(f"\nThe floor app took {min(floors):.0f} to {max(floors):.0f} ms.")
    return results


def print_targets(loads: list[dict], cli: list[dict], serve: list[dict]) -> None:
    """Issue 21's targets: each with the figure measured (the worst over the as-of dates) and whether it is met."""
    rows: list[tuple[str, str, bool | None]] = []
    if loads:
        r = loads[-1]
        ratio = r["fresh"] / r["sqlite"]
        rows.append(("fresh load ≤ 3× sqlite3 .import", f"{ratio:.1f}× ({r['rows']:,} rows)", ratio <= 3))
    else:
        rows.append(("fresh load ≤ 3× sqlite3 .import", "not measured in this run", None))
    if cli:
        worst = max(cli, key=lambda r: r["ms"] - r["floor_ms"])
        over = worst["ms"] - worst["floor_ms"]
        rows.append(
            (f"each CLI report ≤ floor app + {CLI_MARGIN_MS:.0f} ms",
             f"{over:+.0f} ms worst ({worst['label']}, as of {worst['as_of']})", over <= CLI_MARGIN_MS)
        )  # fmt: skip
    else:
        rows.append((f"each CLI report ≤ floor app + {CLI_MARGIN_MS:.0f} ms", "not measured in this run", None))
    one_worker = [r for r in serve if r["workers"] == 1 and r["as_of"]]
    for label, limit in (
        ("past-due page", 3.0),
        ("aging, top 20", 5.0),
        ("customers page", 5.0),
        ("statement (owing most)", 10.0),
    ):
        picks = [r for r in one_worker if r["label"] == label]
        if picks:
            worst = max(picks, key=lambda r: r["p50"])
            rows.append(
                (f"{label}: p50 ≤ {limit:.0f} ms (HTTP, 1 worker, 1 client)",
                 f"{worst['p50']:.2f} ms worst (as of {worst['as_of']})", worst["p50"] <= limit)
            )  # fmt: skip
    rates = [r for r in serve if r["label"] == "past-due page" and r["as_of"] in PAST_DATES and r["rate"]]
    if rates:
        by_workers = {}
        for r in rates:
            by_workers[r["workers"]] = min(by_workers.get(r["workers"], r["rate"]), r["rate"])
        text = "; ".join(f"{w} worker{'s' if w > 1 else ''}: {rate:,.0f}" for w, rate in sorted(by_workers.items()))
        rows.append(
            ("past-due page at a past date: ≥ 500 req/s, 8 clients",
             f"{text} (the worse past date)", max(by_workers.values()) >= 500)
        )  # fmt: skip
    print("\nIssue 21's targets (the worst as-of date counts):\n")
    print("| target | measured | met? |")
    print("|---|---|---|")
    for target, measured, met in rows:
        print(f"| {target} | {measured} | {'—' if met is None else 'yes' if met else 'no'} |")


if __name__ == "__main__":
    main()
