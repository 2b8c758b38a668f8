"""What keeping history costs a load: a reload with 1% of invoices changed, with versions and without.

    python benchmarks/history_bench.py                         # 1M invoices, 5 pairs, against main
    python benchmarks/history_bench.py --rows 100000 --pairs 3 --base top

The baseline is the tree of a git ref (``--base``, default ``main``), taken
with ``git archive`` into benchmarks/out/; the candidate is this checkout.
Each gets its own database, loaded once from the same generated export
(data/generate.py, seed 7). Then, pair after pair, each side reloads the
same file in turn (each going first in every other pair): the export with every
hundredth invoice's PO number changed, then the export itself again, and so
on, so that every timed reload changes 1% of the invoices. The machine may
be shared: the ratio is taken within each pair (both sides ran a moment
apart) and the median of the pair ratios is the figure. Each run is a whole
load in its own process (``ingest.load``, as ``domeo ingest`` calls it),
timed from outside; inside, the merge (``ingest.Merge.run``: customers and
contacts, the comparison, the versions, the upsert, the missing invoices, the
kept tables) is timed too, in wall and CPU seconds, CPU being the figure
least moved by other work on the machine. The counts are checked, and at the end
the candidate's ``invoice_versions`` must hold exactly one version per change.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import make_changed, make_file, remove_db  # noqa: E402 - the same export files as bench.py


def baseline_tree(ref: str) -> Path:
    """The source tree of ``ref``, extracted once into benchmarks/out/base-<commit>/."""
    commit = subprocess.run(["git", "rev-parse", ref], cwd=ROOT, capture_output=True, text=True, check=True)
    where = OUT / f"base-{commit.stdout.strip()[:12]}"
    if not (where / "domeo_cli").exists():
        archive = subprocess.run(["git", "archive", ref, "domeo_cli"], cwd=ROOT, capture_output=True, check=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            # The "data" filter (no links out, no odd modes) where this Python has it (3.10.12 and up).
            options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(where, **options)
    return where


# One load in a child process, its merge step timed from inside (wall and CPU seconds).
DRIVER = """
import json, sys, time
from domeo_cli.store.sqlite import ingest

merge = ingest.Merge.run
spent = {}

def timed(self, sha256):
    wall, cpu = time.perf_counter(), time.process_time()
    merge(self, sha256)
    spent["merge_wall"], spent["merge_cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    spent["clock"] = self.clock

ingest.Merge.run = timed
report = ingest.load(sys.argv[1], sys.argv[2])
laps = {k: round(v, 3) for k, v in spent.pop("clock").timings.items()}
print(json.dumps({**spent, "laps": laps, "inserted": report.inserted, "updated": report.updated,
                  "unchanged": report.unchanged}))
"""


def ingest(tree: Path, db: Path, export: Path) -> tuple[float, dict]:
    """Wall seconds of one load of ``export`` with the package of ``tree``, and what it printed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, str(db), str(export)], capture_output=True, text=True, env=env, cwd=OUT
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    report["cpu"] = (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)
    return wall, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=5, help="timed reloads of each side")
    parser.add_argument("--base", default="main", help="git ref of the baseline")
    args = parser.parse_args()

    export = make_file(args.rows)
    changed_path, changed = make_changed(export)
    sides = {"baseline": baseline_tree(args.base), "history": ROOT}
    dbs = {name: OUT / f"history-bench-{name}-{args.rows}.db" for name in sides}
    for name, tree in sides.items():
        remove_db(dbs[name])
        print(f"loading {export.name} with the {name} …", file=sys.stderr)
        ingest(tree, dbs[name], export)
    times: dict[str, list[float]] = {name: [] for name in sides}
    merges: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    cpus: dict[str, list[float]] = {name: [] for name in sides}
    laps: dict[str, dict[str, float]] = {}
    ratios, merge_ratios = [], []
    for pair in range(args.pairs):
        target = changed_path if pair % 2 == 0 else export
        # Each side goes first in every other pair: neither always meets a warmer page cache.
        for name in sorted(sides, reverse=pair % 2 == 1):
            wall, report = ingest(sides[name], dbs[name], target)
            counts = (report["inserted"], report["updated"], report["unchanged"])
            assert counts == (0, changed, args.rows - changed), (name, counts)
            times[name].append(wall)
            merges[name].append((report["merge_wall"], report["merge_cpu"]))
            cpus[name].append(report["cpu"])
            laps[name] = report["laps"]
        ratios.append(times["history"][-1] / times["baseline"][-1])
        merge_ratios.append(merges["history"][-1][1] / merges["baseline"][-1][1])
        print(f"  phases: baseline {laps['baseline']}", file=sys.stderr)
        print(f"  phases: history  {laps['history']}", file=sys.stderr)
        print(
            f"pair {pair + 1}: load baseline {times['baseline'][-1]:.2f} s, history {times['history'][-1]:.2f} s "
            f"(ratio {ratios[-1]:.3f}); merge CPU baseline {merges['baseline'][-1][1]:.2f} s, "
            f"history {merges['history'][-1][1]:.2f} s (ratio {merge_ratios[-1]:.3f})",
            file=sys.stderr,
        )
    with sqlite3.connect(dbs["history"]) as db:
        versions = db.execute("SELECT count(*) FROM invoice_versions").fetchone()[0]
    assert versions == changed * args.pairs, (versions, changed * args.pairs)
    size = {name: db.stat().st_size / 1e6 for name, db in dbs.items()}
    print(f"| {args.rows:,} invoices, reload with {changed:,} changed | baseline ({args.base}) | with history |")
    print("|---|---:|---:|")
    print(
        f"| whole load, wall: median | {statistics.median(times['baseline']):.2f} s | "
        f"{statistics.median(times['history']):.2f} s |"
    )
    print(f"| whole load, wall: median of the {args.pairs} pair ratios | 1 | {statistics.median(ratios):.3f} |")
    print(f"| whole load, wall: pair ratios, min to max | | {min(ratios):.3f} to {max(ratios):.3f} |")
    print(
        f"| whole load, CPU: median | {statistics.median(cpus['baseline']):.2f} s | "
        f"{statistics.median(cpus['history']):.2f} s |"
    )
    cpu_ratios = [h / b for h, b in zip(cpus["history"], cpus["baseline"], strict=True)]
    print(f"| whole load, CPU: median of the pair ratios | 1 | {statistics.median(cpu_ratios):.3f} |")
    for label, column in (("merge, wall", 0), ("merge, CPU", 1)):
        base = statistics.median(m[column] for m in merges["baseline"])
        mine = statistics.median(m[column] for m in merges["history"])
        print(f"| {label}: median | {base:.2f} s | {mine:.2f} s |")
    print(f"| merge, CPU: median of the pair ratios | 1 | {statistics.median(merge_ratios):.3f} |")
    print(f"| database after the runs | {size['baseline']:.0f} MB | {size['history']:.0f} MB ({versions:,} versions) |")


if __name__ == "__main__":
    main()
