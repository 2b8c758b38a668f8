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
def test_numbers_past_sqlite_integers_are_exit_2_with_a_sentence(loaded, domeo_proc, args, sentence):  # noqa: ANN001
    for extra in ((), ("--json",)):
        result = domeo_proc(*args, *extra)
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
    for extra in ((), ("--json",)):
        done = subprocess.run(
            domeo_command("--db", str(db_path), *args, *extra), stdout=subprocess.DEVNULL, capture_output=False
        )
        assert done.returncode == 0  # the same command prints fine
        shell = " ".join(f"'{a}'" for a in domeo_command("--db", str(db_path), *args, *extra))
        done = subprocess.run(["bash", "-c", f"{shell} >&-"], capture_output=True)
        assert done.returncode == 1, done
        message = "standard output is closed, so the report cannot be printed."
        if extra:
            assert json.loads(done.stderr)["error"]["code"] == "io_error"
            assert message in json.loads(done.stderr)["error"]["message"]
        else:
            assert done.stderr.decode() == f"domeo: error: I/O error: {message}\n"


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", REPORTS, ids=lambda a: " ".join(a))
def test_non_utf8_stdout_prints_names_as_stored(loaded, db_path, args, encoding):  # noqa: ANN001
    """Reports write UTF-8 whatever PYTHONIOENCODING says: the names are printed as stored, no error."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    for extra in ((), ("--json",)):
        done = subprocess.run(domeo_command("--db", str(db_path), *args, *extra), capture_output=True, env=env)
        assert done.returncode == 0, done
        text = done.stdout.decode("utf-8")  # strict: UTF-8 through and through
        if extra:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        expected = {"contact": "Zoë Ângel", "summary": "2600.50" if extra else "2,600.50"}
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
