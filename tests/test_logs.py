"""Loads for cron (issue 14): --quiet, --verbose, the load log line by line, and `domeo runs`."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from helpers import csv_of
from hypothesis import given, settings
from hypothesis import strategies as st

from domeo_cli import printable

TEXT_LINE = re.compile(
    r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>INFO|WARNING|ERROR) +load=(?P<load>[0-9a-f]{8}) "
    r'(?P<event>\w+)(?P<fields>( \w+=("(?:[^"\\]|\\.)*"|\S+))*)$'
)

# Three good rows, one with a warning (empty status: Closed, paid in full), one rejected (bad status).
ROWS = [
    {"customer": "Acme", "number": "A1", "date": "1/2/25", "total": "10"},
    {"customer": "Acme", "number": "A2", "date": "1/3/25", "total": "20", "applied": "20", "status": ""},
    {"customer": "Acme", "number": "A3", "date": "1/4/25", "total": "30", "status": "Maybe"},
    {"customer": "Bolt", "number": "B1", "date": "1/5/25", "total": "40"},
]


def _fields(text: str) -> dict[str, str]:
    out = {}
    for match in re.finditer(r' (\w+)=("(?:[^"\\]|\\.)*"|\S+)', text):
        value = match[2]
        out[match[1]] = json.loads(value) if value.startswith('"') else value
    return out


def test_quiet_load_prints_nothing_when_all_is_well(run, write_csv) -> None:  # noqa: ANN001
    path = write_csv(csv_of([r for r in ROWS if r["number"] != "A3"]))
    for args in (["-q", "ingest", str(path)], ["ingest", str(path), "--quiet"]):
        result = run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), result
    report = run("--quiet", "past-due", "--as-of", "2025-06-01")
    assert report.exit_code == 0 and report.stderr == "" and "A1" in report.stdout


def test_quiet_load_still_says_what_went_wrong(run, write_csv) -> None:  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_of(ROWS))), "-q")
    assert result.exit_code == 4
    assert "line 4" in result.stderr and "rejected" in result.stderr
    missing = run("-q", "ingest", "no-such-file.csv")
    assert missing.exit_code == 2 and missing.stderr.startswith("domeo: error:")


def test_verbose_lists_every_warning_with_its_line(run, write_csv) -> None:  # noqa: ANN001
    rows = [{"customer": "Acme", "number": f"W{i}", "date": "1/2/25", "total": "5", "applied": "5", "status": ""}
            for i in range(5)]  # fmt: skip
    path = write_csv(csv_of(rows))
    plain = run("ingest", str(path))
    verbose = run("ingest", str(path), "-v", "--db", "other.db")
    assert plain.exit_code == verbose.exit_code == 0
    listed = [line for line in verbose.stderr.splitlines() if re.match(r"warning: line \d+: ", line)]
    assert [int(re.search(r"line (\d+)", line)[1]) for line in listed] == [2, 3, 4, 5, 6]
    assert not [line for line in plain.stderr.splitlines() if re.match(r"warning: line \d+: ", line)]
    assert run("ingest", str(path), "-q", "-v").exit_code == 2


def test_the_log_has_one_line_per_event(run, write_csv, tmp_path: Path) -> None:  # noqa: ANN001
    path = write_csv(csv_of(ROWS))
    log = tmp_path / "domeo.log"
    log.write_text("an older line\n", encoding="utf-8")
    result = run("ingest", str(path), "--quiet", "--log-file", str(log))
    assert result.exit_code == 4
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "an older line"  # appended, never replaced
    parsed = [TEXT_LINE.match(line) for line in lines[1:]]
    assert all(parsed), lines
    assert len({m["load"] for m in parsed}) == 1
    events = [(m["level"], m["event"], _fields(m["fields"])) for m in parsed]
    assert [(level, event) for level, event, _ in events] == [
        ("INFO", "start"),
        ("WARNING", "warning"),
        ("ERROR", "rejected"),
        ("INFO", "summary"),
        ("WARNING", "end"),
    ]
    start, warning, rejected, summary, end = (fields for _, _, fields in events)
    assert start["file"] == str(path) and start["dry_run"] == "false"
    assert (warning["line"], warning["invoice_number"]) == ("3", "A2")
    assert warning["message"].startswith("Status is empty")
    assert rejected["line"] == "4" and rejected["invoice_number"] == "A3" and "Maybe" in rejected["reason"]
    assert {k: summary[k] for k in ("rows_read", "inserted", "rejected", "warnings")} == {
        "rows_read": "4",
        "inserted": "3",
        "rejected": "1",
        "warnings": "1",
    }
    assert end["outcome"] == "rejected" and float(end["duration_s"]) >= 0
    assert summary["run_id"] == str(run("runs", "--json").json["runs"][0]["run_id"])  # the load as `runs` lists it


def test_the_log_in_json_from_the_environment(run, write_csv, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    log = tmp_path / "json.log"
    monkeypatch.setenv("DOMEO_LOG", str(log))
    path = write_csv(csv_of([r for r in ROWS if r["number"] != "A3"]))
    assert run("-q", "--log-format", "json", "ingest", str(path)).exit_code == 0
    assert run("ingest", str(path), "-q", "--log-format", "json").exit_code == 0
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [r["event"] for r in records] == ["start", "warning", "summary", "end"] * 2
    assert all(set(r) >= {"time", "level", "load", "event"} for r in records)
    first, second = records[:4], records[4:]
    assert len({r["load"] for r in first}) == 1 and first[0]["load"] != second[0]["load"]
    assert first[2]["inserted"] == 3 and second[2]["unchanged"] == 3
    assert first[3] | {"duration_s": 0, "time": ""} == {
        "time": "", "level": "INFO", "load": first[0]["load"], "event": "end", "outcome": "ok", "duration_s": 0,
    }  # fmt: skip


def test_a_load_that_fails_is_logged_as_failed(run, write_csv, tmp_path: Path) -> None:  # noqa: ANN001
    log = tmp_path / "fail.log"
    path = write_csv("not,a,header\n1,2,3\n", "bad.csv")
    result = run("ingest", str(path), "--log-file", str(log))
    assert result.exit_code == 2
    lines = [TEXT_LINE.match(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(m["level"], m["event"]) for m in lines] == [("INFO", "start"), ("ERROR", "failed"), ("ERROR", "end")]
    assert _fields(lines[1]["fields"])["message"] in result.stderr
    assert _fields(lines[2]["fields"])["exit_code"] == "2"


def test_bad_log_options_are_exit_2(run, write_csv, tmp_path: Path) -> None:  # noqa: ANN001
    path = write_csv(csv_of(ROWS[:1]))
    assert run("ingest", str(path), "--log-format", "xml").exit_code == 2
    assert run("ingest", str(path), "--log-file", str(tmp_path / "no" / "dir.log")).exit_code == 2


def test_runs_lists_every_load_newest_first(run, write_csv) -> None:  # noqa: ANN001
    path = write_csv(csv_of([r for r in ROWS if r["number"] != "A3"]))
    run("ingest", str(path))
    run("ingest", str(path))
    document = run("runs", "--json").json
    assert document["total"] == 2 and [r["run_id"] for r in document["runs"]] == [2, 1]
    newest = document["runs"][0]
    assert newest["file"] == str(path) and len(newest["sha256"]) == 64
    assert (newest["rows_read"], newest["inserted"], newest["unchanged"]) == (3, 0, 3)
    assert newest["duration_s"] >= 0 and newest["finished_at"] >= newest["started_at"]
    assert run("runs", "--all", "--format", "json").json == document | {"limit": 2}
    rows = run("runs", "--format", "csv").stdout.splitlines()
    assert rows[0].startswith("run_id,started_at,finished_at,duration_s,file,sha256")
    assert len(rows) == 3
    table = run("runs")
    assert table.exit_code == 0 and str(path) in table.stdout


@pytest.mark.parametrize("args", [["runs", "--limit", "0"], ["runs", "--offset", "-1"]])
def test_runs_bad_paging_is_exit_2(run, args: list[str]) -> None:  # noqa: ANN001
    assert run(*args).exit_code == 2


# -- issue 19, item 32: every value of a text line reads back as it was --------------------------


# As logfmt reads a pair: a bare value holds no white space, quote, equals sign or backslash.
STRICT_PAIR = re.compile(r' (\w+)=("(?:[^"\\]|\\.)*"|[^\s"=\\]+)')


def _parse(line: str) -> tuple[str, dict[str, object]]:
    """A text line's event and its fields, each value read back: None, a boolean, a string."""
    match = TEXT_LINE.match(line)
    assert match, line
    assert "".join(pair[0] for pair in STRICT_PAIR.finditer(match["fields"])) == match["fields"], line
    fields: dict[str, object] = {}
    for pair in STRICT_PAIR.finditer(match["fields"]):
        value = pair[2]
        fields[pair[1]] = (
            json.loads(value) if value.startswith('"') else {"-": None, "true": True, "false": False}.get(value, value)
        )
    return match["event"], fields


AWKWARD = ['a=b', 'x = "y"', "back\\slash", "two\nlines", "tab\there", "-", "true", "", "Ev\x1b[31mil", "\u202eevil",
           "next\x85line", "para\u2029graph", "=SUM(A1)", "é中", "undecoded\udc9bbyte"]  # fmt: skip


def test_the_log_quotes_what_would_be_ambiguous_and_reads_back(run, write_csv, tmp_path: Path) -> None:  # noqa: ANN001
    name = 'in put=1 "q"\nx.csv'  # a file name with a space, =, quotes and a line break
    rows = [{"customer": "Acme", "number": "N=1 \"x\"", "date": "1/2/25", "total": "10", "status": "Maybe"},
            {"customer": "Acme", "number": "-", "date": "1/2/25", "total": "10", "status": "Maybe"}]  # fmt: skip
    path = write_csv(csv_of(rows), name)
    log = tmp_path / "quoted.log"
    assert run("ingest", str(path), "--log-file", str(log), "-q").exit_code == 4
    lines = log.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 6  # start, two rejected, summary, end: one line each
    events = [_parse(line) for line in lines[:-1]]
    assert [event for event, _ in events] == ["start", "rejected", "rejected", "summary", "end"]
    assert events[0][1] == {"file": str(path), "database": str(tmp_path / "test.db"), "dry_run": False, "strict": False}
    assert [(f["line"], f["invoice_number"]) for _, f in events[1:3]] == [("2", 'N=1 "x"'), ("3", "-")]
    assert 'invoice_number="-"' in lines[2]  # the text "-", not nothing


@given(st.lists(st.sampled_from(AWKWARD) | st.text(), min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_any_text_value_makes_one_line_that_reads_back(values: list[str]) -> None:
    from domeo_cli.eventlog import LoadLog

    read, write = os.pipe()
    try:
        log = LoadLog(write, "text")
        fields = {f"v{i}": value for i, value in enumerate(values)}
        log.event("WARNING", "warning", **fields, none=None, flag=True, count=3)
        data = os.read(read, 1 << 20).decode("utf-8")
    finally:
        os.close(read)
        os.close(write)
    assert data.endswith("\n") and len(data[:-1].splitlines()) == 1, data  # no value breaks the line
    assert not printable.UNSAFE.search(data[:-1]), data  # nor reaches a terminal (tail -f) raw
    assert _parse(data[:-1]) == ("warning", {**fields, "none": None, "flag": True, "count": "3"})


@given(st.lists(st.sampled_from(AWKWARD) | st.text(), min_size=1, max_size=4))
@settings(max_examples=100, deadline=None)
def test_any_text_value_makes_one_json_line_that_reads_back(values: list[str]) -> None:
    from domeo_cli.eventlog import LoadLog

    read, write = os.pipe()
    try:
        fields = {f"v{i}": value for i, value in enumerate(values)}
        LoadLog(write, "json").event("INFO", "start", **fields)
        data = os.read(read, 1 << 20).decode("utf-8")
    finally:
        os.close(read)
        os.close(write)
    assert data.endswith("\n") and len(data[:-1].splitlines()) == 1, data
    assert not printable.UNSAFE.search(data[:-1]), data
    assert {key: value for key, value in json.loads(data).items() if key.startswith("v")} == fields
