"""Ingest as a person runs it (issue 11, items 3, 8, 13 and 15): at a terminal, from pipes, with odd names.

The terminal tests run the real ``domeo`` in a pseudo-terminal (pexpect) of
80, 100 and 120 columns; the others run it in a child process with real
pipes and devices.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLE_CSV, HEADER, SAMPLE, by_hand, domeo_command, load_generator

pexpect = pytest.importorskip("pexpect")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated export of over 8 MB: large enough for the progress bar."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        load_generator().write_csv(out, rows=55_000, seed=11)
    assert path.stat().st_size > 8 * 1024 * 1024
    return path


# -- item 3: a large file loads at a terminal, with its progress bar ----------------------------


@pytest.mark.parametrize("width", [80, 100, 120])
def test_a_large_file_loads_at_a_terminal_with_a_progress_bar(big_csv: Path, tmp_path: Path, width: int) -> None:
    (tmp_path / "big.csv").symlink_to(big_csv)
    argv = domeo_command("--db", "pty.db", "ingest", "big.csv")
    child = pexpect.spawn(
        argv[0],
        argv[1:],
        cwd=str(tmp_path),
        dimensions=(30, width),
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "COLUMNS": str(width), "TERM": "xterm-256color"},
    )
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before
    assert child.exitstatus == 0, screen
    plain = ANSI.sub("", screen)
    assert "Internal error" not in plain
    size = f"{big_csv.stat().st_size / 1e6:.1f}"
    bars = re.findall(rf"Loading (━[━╸╺ ]*━) (\d+\.\d)/{size} MB", plain)
    assert bars and bars[-1][1] == size, plain[:2000]  # the bar was drawn, and reached the end
    assert all(len(bar) < width for bar, _ in bars)
    assert "Loaded big.csv into pty.db\r\n" in plain
    assert re.search(r"inserted\s+55000", plain)
    with by_hand(tmp_path / "pty.db") as connection:
        assert connection.execute("SELECT count(*) FROM invoices").fetchone() == (55_000,)


# -- item 8: a pipe named by its path is read like - -------------------------------------------


def test_dev_stdin_reads_a_pipe(domeo_proc) -> None:  # noqa: ANN001
    result = domeo_proc("ingest", "/dev/stdin", "--json", input=EXAMPLE_CSV.encode())
    assert result.exit_code == 0, result
    assert (result.json["file"], result.json["inserted"]) == ("/dev/stdin", 4)


def test_process_substitution_reads_a_pipe(tmp_path: Path) -> None:
    source = tmp_path / "example.csv"
    source.write_text(EXAMPLE_CSV)
    command = " ".join(map(repr, domeo_command("--db", str(tmp_path / "p.db"), "ingest")))
    done = subprocess.run(
        ["bash", "-c", f"{command} <(cat {source}) --json"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["inserted"] == 4


# -- item 13: messages that say what happened ----------------------------------------------------


def test_dev_zero_is_a_device_not_an_empty_file(run) -> None:  # noqa: ANN001
    result = run("ingest", "/dev/zero")
    assert (result.exit_code, result.stderr) == (
        2,
        "domeo: error: /dev/zero is a device that gives only NUL bytes, not a CSV export.\n",
    )


def test_an_empty_file_name_is_said_to_be_empty(run) -> None:  # noqa: ANN001
    result = run("ingest", "")
    assert (result.exit_code, result.stderr) == (2, "domeo: error: No such file: '' (an empty file name).\n")


def test_a_missing_directory_for_the_database_is_not_called_read_only(run, write_csv, tmp_path: Path) -> None:  # noqa: ANN001
    path = write_csv(EXAMPLE_CSV)
    result = run("--db", "no/such/dir/x.db", "ingest", str(path))
    assert (result.exit_code, result.stderr) == (
        1,
        f"domeo: error: The directory of the database no/such/dir/x.db does not exist "
        f"({tmp_path / 'no/such/dir'}); create it first.\n",
    )


def test_a_header_repeated_mid_file_is_said_to_be_one(run, write_csv) -> None:  # noqa: ANN001
    lines = EXAMPLE_CSV.splitlines()
    joined = "\n".join(lines[:3] + [HEADER] + lines[3:]) + "\n"
    result = run("ingest", str(write_csv(joined)), "--json")
    assert result.exit_code == 4
    assert result.json["rejections"] == [
        {
            "line": 4,
            "invoice_number": "InvoiceNumber",
            "reason": "is the header line again (two exports joined into one file?); it is not an invoice",
        }
    ]


def test_control_characters_in_a_file_name_never_reach_the_terminal(domeo_proc, tmp_path: Path) -> None:  # noqa: ANN001
    name = str(tmp_path / "evil\x1b]0;owned\x07\x1b[2J.csv")
    missing = domeo_proc("ingest", name)
    assert missing.exit_code == 2
    assert "\x1b" not in missing.stderr and "\x07" not in missing.stderr
    assert missing.stderr == f"domeo: error: No such file: {tmp_path}/evil\\x1b]0;owned\\x07\\x1b[2J.csv.\n"
    Path(name).write_text(EXAMPLE_CSV + "Acme,X1,not a date,,1,0,,USD,,,,Net 30,,,\n")
    loaded = domeo_proc("--db", str(tmp_path / "e.db"), "ingest", name, "--rejects", name + ".rej")
    assert loaded.exit_code == 4, loaded
    assert "\x1b" not in loaded.stderr and "\x07" not in loaded.stderr
    assert f"Loaded {tmp_path}/evil\\x1b]0;owned\\x07\\x1b[2J.csv into" in loaded.stderr


# -- item 15: the report as scripts and people read it -------------------------------------------


def test_ingest_json_is_one_line_when_piped(domeo_proc, tmp_path: Path) -> None:  # noqa: ANN001
    result = domeo_proc("--db", str(tmp_path / "j.db"), "ingest", str(SAMPLE), "--json")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1 and json.loads(result.stdout)["inserted"] == 3000


def test_ingest_json_is_indented_at_a_terminal(tmp_path: Path) -> None:
    argv = domeo_command("--db", str(tmp_path / "t.db"), "ingest", str(SAMPLE), "--json")
    child = pexpect.spawn(argv[0], argv[1:], dimensions=(30, 100), encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert '{\r\n  "file": ' in child.before


def test_a_header_of_fifty_thousand_columns_lists_a_few_ignored(run, write_csv) -> None:  # noqa: ANN001
    extra = [f"extra{i}" for i in range(50_000)]
    header = HEADER + "," + ",".join(extra)
    rows = [line + "," * len(extra) for line in EXAMPLE_CSV.splitlines()[1:]]
    result = run("ingest", str(write_csv(header + "\n" + "\n".join(rows) + "\n")))
    assert result.exit_code == 0, result
    (line,) = [text for text in result.stderr.splitlines() if text.startswith("Columns ignored")]
    assert line == "Columns ignored: extra0, extra1, extra2, extra3, extra4, extra5, extra6, extra7 and 49,992 more"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "table"])
def test_a_report_that_cannot_be_written_says_the_load_was_committed(tmp_path: Path, as_json: bool) -> None:
    db = tmp_path / "full.db"
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            domeo_command("--db", str(db), "ingest", str(SAMPLE), *(["--json"] if as_json else [])),
            stdout=full if as_json else subprocess.PIPE,
            stderr=subprocess.PIPE if as_json else full,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    if as_json:
        assert json.loads(done.stderr) == {
            "error": {
                "code": "database_error",
                "message": f"The load of {SAMPLE} was committed (3000 inserted, 0 updated, 0 unchanged, "
                "0 rejected), but its report could not be written to standard output: No space left on device.",
            }
        }
    with by_hand(db) as connection:  # the data is in
        assert connection.execute("SELECT count(*) FROM invoices").fetchone() == (3000,)
    assert sys.executable  # the child ran under this interpreter
