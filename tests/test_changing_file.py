"""A file that changes while it is read loads nothing (issue 19, item 22).

An upload still in progress, a file rewritten or replaced while domeo reads
it: the load compares the file's size, modification time and identity
(device, inode) from when it was opened with what they are after the read,
and again just before it commits. Each test holds the load at a named phase
(``DOMEO_TEST_PAUSE``), changes the file while it is held, and lets it go on.
"""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import pytest
from helpers import EXAMPLE_CSV, Pause, by_hand, domeo_command, load_generator

from domeo_cli import feed

EXTRA = "Late Upload Ltd,LATE-1,3/28/25,PO-1,100,0,Pending,USD,,,,Net 30,,,\n"


def _state(db: Path) -> tuple:
    """What a load would change: the loads kept and every invoice."""
    with by_hand(db) as connection:
        runs = connection.execute("SELECT id, sha256 FROM ingest_runs ORDER BY id").fetchall()
        invoices = connection.execute("SELECT * FROM invoices ORDER BY invoice_number").fetchall()
    return runs, invoices


def _start(db: Path, path: Path, pause: Pause, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        domeo_command("--db", str(db), "ingest", str(path), *options),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **pause.env},
    )


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """A database holding the example, and the export to load next (the example with one more row)."""
    db = tmp_path / "c.db"
    first = tmp_path / "first.csv"
    first.write_text(EXAMPLE_CSV, encoding="utf-8")
    done = subprocess.run(domeo_command("--db", str(db), "ingest", str(first)), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    return db


def _sentence(path: Path, what: str) -> str:
    return (
        f"domeo: error: {path} changed while it was read ({what}), so nothing was loaded; "
        "if it is still being written or uploaded, load it again once it is complete.\n"
    )


@pytest.mark.parametrize("options", [(), ("--dry-run",), ("--json",)])
def test_a_file_appended_to_while_it_is_read_loads_nothing(loaded: Path, tmp_path: Path, options: tuple) -> None:
    path = tmp_path / "upload.csv"
    path.write_text(EXAMPLE_CSV, encoding="utf-8")
    size = path.stat().st_size
    before = _state(loaded)
    pause = Pause(tmp_path / "pause", "staged")
    process = _start(loaded, path, pause, *options)
    pause.wait("staged", process)  # every record read and staged, nothing committed
    with path.open("a", encoding="utf-8") as upload:
        upload.write(EXTRA)  # the rest of the upload arrives
    pause.release()
    code, out, err = _finish(process)
    assert (code, out) == (2, ""), err
    what = f"it grew from {size:,} to {size + len(EXTRA):,} bytes"
    if "--json" in options:
        assert err == (
            '{"error": {"code": "invalid_input", "message": "'
            + _sentence(path, what).removeprefix("domeo: error: ").rstrip("\n")
            + '"}}\n'
        )
    else:
        assert err == _sentence(path, what)
    assert _state(loaded) == before


def test_a_file_replaced_while_it_is_read_loads_nothing(loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_text(EXAMPLE_CSV, encoding="utf-8")
    before = _state(loaded)
    pause = Pause(tmp_path / "pause", "staged")
    process = _start(loaded, path, pause)
    pause.wait("staged", process)
    newer = tmp_path / "upload.csv.part"
    newer.write_text(EXAMPLE_CSV, encoding="utf-8")  # the same bytes, another file
    os.replace(newer, path)  # a tool that uploads beside the target and renames it in
    pause.release()
    code, out, err = _finish(process)
    assert (code, out, err) == (2, "", _sentence(path, "its path now names another file"))
    assert _state(loaded) == before


def test_a_file_rewritten_in_place_while_it_is_read_loads_nothing(loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_text(EXAMPLE_CSV, encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    before = _state(loaded)
    pause = Pause(tmp_path / "pause", "staged")
    process = _start(loaded, path, pause)
    pause.wait("staged", process)
    path.write_text(EXAMPLE_CSV.replace("2875", "2876"), encoding="utf-8")  # same size, other bytes
    os.utime(path, ns=(stamp, stamp + 1_000_000_000))  # a later time, whatever the clock's granularity
    pause.release()
    code, out, err = _finish(process)
    assert (code, out, err) == (2, "", _sentence(path, "it was written to"))
    assert _state(loaded) == before


def test_a_file_removed_while_it_is_read_loads_nothing(loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_text(EXAMPLE_CSV, encoding="utf-8")
    before = _state(loaded)
    pause = Pause(tmp_path / "pause", "before_commit")  # the last check, just before the commit
    process = _start(loaded, path, pause)
    pause.wait("before_commit", process)
    path.unlink()
    pause.release()
    code, out, err = _finish(process)
    assert (code, out, err) == (2, "", _sentence(path, "it was removed or renamed"))
    assert _state(loaded) == before


def test_a_large_file_appended_to_while_its_parsing_child_reads_it_loads_nothing(tmp_path: Path) -> None:
    gen = load_generator()
    path = tmp_path / "large.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(gen.HEADER)
        writer.writerows(gen.generate_rows(30_000, seed=19))
    size = path.stat().st_size
    assert size >= feed.PARALLEL_FROM  # parsed in a forked child
    db = tmp_path / "large.db"
    pause = Pause(tmp_path / "pause", "parsing")
    process = _start(db, path, pause)
    pause.wait("parsing", process)  # the first batch staged; the child still reading
    with path.open("a", encoding="utf-8") as upload:
        upload.write(EXTRA)
    pause.release()
    code, out, err = _finish(process)
    assert (code, out) == (2, ""), err
    assert err == _sentence(path, f"it grew from {size:,} to {size + len(EXTRA):,} bytes")
    assert not db.exists()  # a first load that fails leaves no database behind


def test_an_unchanged_file_held_at_every_phase_loads(loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_text(EXAMPLE_CSV + EXTRA, encoding="utf-8")
    pause = Pause(tmp_path / "pause", "staged")
    process = _start(loaded, path, pause, "--json")
    pause.wait("staged", process)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))  # touched, not changed
    pause.release()
    code, out, err = _finish(process)
    assert code == 0, err
    assert '"inserted": 1' in out


def test_standard_input_has_nothing_to_compare_and_loads(loaded: Path, tmp_path: Path) -> None:
    source = tmp_path / "piped.csv"
    source.write_text(EXAMPLE_CSV + EXTRA, encoding="utf-8")
    pause = Pause(tmp_path / "pause", "staged")
    with source.open("rb") as stdin:
        process = subprocess.Popen(
            domeo_command("--db", str(loaded), "ingest", "-", "--json"),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **pause.env},
        )
    pause.wait("staged", process)
    with source.open("a", encoding="utf-8") as later:
        later.write(EXTRA.replace("LATE-1", "LATE-2"))  # standard input was copied whole before the load began
    pause.release()
    code, out, err = _finish(process)
    assert code == 0, err
    assert '"inserted": 1' in out
