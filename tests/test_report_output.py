"""Reports and their output stream (issue 11): huge numbers, closed or foreign stdout, pipes, usage messages.

Each test runs the real command in a child process, the way a shell does.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from helpers import domeo_command

REPORTS = [
    ("past-due", "--as-of", "2025-03-01"),
    ("customers", "--as-of", "2025-03-01"),
    ("aging", "--as-of", "2025-03-01"),
    ("summary", "--month", "2024-02"),
    ("summary", "--from", "2024-01", "--to", "2024-06"),
    ("contact", "Café Olé 東京"),
    ("invoice", "X1", "--as-of", "2025-03-01"),
]

ROWS = [
    {"customer": "Café Olé 東京", "number": "X1", "date": "2/5/24", "total": "100", "contact": "Zoë Ângel"},
    {"customer": "Straße AG", "number": "X2", "date": "2/6/24", "total": "2500.50", "applied": "100"},
    {"customer": "Plain Co", "number": "X3", "date": "1/6/24", "total": "75", "currency": "CAD"},
]


@pytest.fixture
def loaded(load_rows) -> None:  # noqa: ANN001
    load_rows(ROWS)


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("customers", "--offset", "99999999999999999999"), "--offset takes a whole number from 0 to"),
        (("past-due", "--offset", "99999999999999999999"), "--offset takes a whole number from 0 to"),
        (("contact", "Plain Co", "--offset", "99999999999999999999"), "--offset takes a whole number from 0 to"),
        (("aging", "--limit", "99999999999999999999"), "--limit takes a whole number from 1 to"),
        (("aging", "--offset", "99999999999999999999"), "--offset takes a whole number from 0 to"),
        (("aging", "--min-total", "1" + "0" * 30), "--min-total 1" + "0" * 30 + " is larger than any total can be"),
    ],
)
def test_numbers_past_sqlite_integers_are_exit_2_with_a_sentence(loaded, run, args, sentence):  # noqa: ANN001
    # In-process: the check is the option rules'; a real process's exit 2 is test_unknown_command_suggestion's.
    for extra in ((), ("--json",)):
        result = run(*args, *extra)
        assert result.exit_code == 2, result
        assert result.stdout == ""
        if extra:
            assert result.error["code"] == "invalid_input"
            assert result.error["message"].startswith(sentence), result
        else:
            assert result.stderr.startswith(f"domeo: error: {sentence}"), result
            assert len(result.stderr.strip().splitlines()) == 1


def test_min_total_above_one_invoice_is_a_floor_for_totals(loaded, domeo_proc):  # noqa: ANN001
    """Ten billion is more than one invoice holds, not more than a total can be."""
    result = domeo_proc("aging", "--min-total", "10000000000", "--json", "--as-of", "2025-03-01")
    assert result.exit_code == 0, result
    assert result.json["groups"] == []
    assert [t["total"] for t in result.json["totals"]] == ["75.00", "2500.50"]


def test_unknown_command_suggestion_ends_with_one_stop(domeo_proc):  # noqa: ANN001
    result = domeo_proc("pastdue")
    assert result.exit_code == 2
    assert result.stderr == (
        "domeo: error: No such command 'pastdue'. Did you mean 'past-due'? (see: domeo --help)\n"
    ), result


@pytest.mark.parametrize("args", REPORTS, ids=lambda a: " ".join(a))
def test_closed_stdout_is_one_sentence_exit_1(loaded, db_path, args):  # noqa: ANN001
    for extra in ((), ("--json",), *(() if args[0] == "summary" else (("--format", f) for f in ("csv", "md")))):
        done = subprocess.run(
            domeo_command("--db", str(db_path), *args, *extra), stdout=subprocess.DEVNULL, capture_output=False
        )
        assert done.returncode == 0  # the same command prints fine
        shell = " ".join(f"'{a}'" for a in domeo_command("--db", str(db_path), *args, *extra))
        done = subprocess.run(["bash", "-c", f"{shell} >&-"], capture_output=True)
        assert done.returncode == 1, done
        message = "standard output is closed, so the report cannot be printed."
        if "--json" in extra:
            assert json.loads(done.stderr)["error"]["code"] == "io_error"
            assert message in json.loads(done.stderr)["error"]["message"]
        else:
            assert done.stderr.decode() == f"domeo: error: I/O error: {message}\n"


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", REPORTS, ids=lambda a: " ".join(a))
def test_non_utf8_stdout_prints_names_as_stored(loaded, db_path, args, encoding):  # noqa: ANN001
    """Reports write UTF-8 whatever PYTHONIOENCODING says: the names are printed as stored, no error."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    for extra in ((), ("--json",), *(() if args[0] == "summary" else (("--format", f) for f in ("csv", "html")))):
        done = subprocess.run(domeo_command("--db", str(db_path), *args, *extra), capture_output=True, env=env)
        assert done.returncode == 0, done
        text = done.stdout.decode("utf-8")  # strict: UTF-8 through and through
        if extra == ("--json",):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        expected = {"contact": "Zoë Ângel", "summary": "2600.50" if extra == ("--json",) else "2,600.50"}
        assert expected.get(args[0], "Café Olé 東京") in text, text


@pytest.mark.parametrize("args", REPORTS, ids=lambda a: " ".join(a))
def test_reader_gone_is_exit_0_like_every_report(loaded, db_path, args):  # noqa: ANN001
    """``| head`` that has stopped reading: every write fails with EPIPE; the command ends quietly, exit 0.

    The pipe's reading end is closed before the command starts, so the first write already
    fails: no race with how much fits in the pipe.
    """
    for extra in ((), ("--json",)):
        read, write = os.pipe()
        os.close(read)
        try:
            done = subprocess.run(
                domeo_command("--db", str(db_path), *args, *extra), stdout=write, stderr=subprocess.PIPE
            )
        finally:
            os.close(write)
        assert done.returncode == 0, done
        assert b"error" not in done.stderr, done


def _many(n: int) -> list[dict[str, str]]:
    """``n`` customers, each owing a different amount: C001 owes the most."""
    return [
        {"customer": f"C{i:03d} Trading", "number": f"M{i:03d}", "date": "1/1/25", "total": str(10_000 - i)}
        for i in range(1, n + 1)
    ]


def test_aging_table_is_a_page_whose_totals_cover_everything(load_rows, run, db_path):  # noqa: ANN001
    """Issue 11, item 5: 120 groups: the table lists 50, sums the other 70 in one row, totals all 120,
    and gives the command of the next page, which runs as pasted; --json still lists every group."""
    import shlex

    load_rows(_many(120))
    whole = run("aging", "--as-of", "2025-03-01", "--json")
    assert len(whole.json["groups"]) == 120
    total = whole.json["totals"][0]["total"]
    table = run("aging", "--as-of", "2025-03-01")
    assert table.exit_code == 0, table
    lines = table.stdout.splitlines()
    names = [line.split()[0] for line in lines if line[:1] == "C" and line[1:4].isdigit()]
    assert names == [f"C{i:03d}" for i in range(1, 51)]
    assert "(70 more)" in table.stdout
    grand = [line for line in lines if line.startswith("Total USD")]
    assert len(grand) == 1 and f"{int(total.split('.')[0]):,}.{total.split('.')[1]}" in grand[0].split()
    assert "70 more group(s) not listed (70 after this page); included in the total." in table.stderr
    hint = [line for line in table.stderr.splitlines() if line.startswith("Next page: ")]
    assert hint == ["Next page: domeo aging --as-of 2025-03-01 --limit 50 --offset 50"]
    argv = shlex.split(hint[0].removeprefix("Next page: "))
    second = run(*argv[1:])
    assert second.exit_code == 0, second
    names = [line.split()[0] for line in second.stdout.splitlines() if line[:1] == "C" and line[1:4].isdigit()]
    assert names == [f"C{i:03d}" for i in range(51, 101)]
    assert "(70 more)" in second.stdout  # 50 before this page, 20 after it
    assert "70 more group(s) not listed (50 before this page, 20 after this page)" in second.stderr
    last = run(*argv[1:-1], "100")
    names = [line.split()[0] for line in last.stdout.splitlines() if line[:1] == "C" and line[1:4].isdigit()]
    assert names == [f"C{i:03d}" for i in range(101, 121)]
    assert not any(line.startswith("Next page") for line in last.stderr.splitlines())


def test_next_page_names_the_database_and_quotes_what_the_shell_would_split(load_rows, run, tmp_path):  # noqa: ANN001
    """The next page's command is pasted into a shell: an explicit --db is kept, odd text is quoted."""
    import shlex

    other = tmp_path / "other dir"
    other.mkdir()
    db = str(other / "it's.db")
    load_rows([{**row, "customer": row["customer"].replace("Trading", "Trading & Sons")} for row in _many(3)], db=db)
    result = run("--db", db, "customers", "--as-of", "2025-03-01", "--search", "trading & sons", "--limit", "2")
    hint = [line for line in result.stderr.splitlines() if line.startswith("Next page: ")]
    assert hint == [
        "Next page: domeo --db "
        + shlex.quote(db)
        + " customers --as-of 2025-03-01 --search 'trading & sons' --limit 2 --offset 2"
    ]
    argv = shlex.split(hint[0].removeprefix("Next page: "))
    rest = run(*argv[1:], "--json")
    assert [c["name"] for c in rest.json["customers"]] == ["C003 Trading & Sons"]
