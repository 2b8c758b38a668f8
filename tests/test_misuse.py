"""Every documented misuse of every command: exit 2, one ``domeo: error:`` line, nothing on stdout.

Options are checked before the database is opened, so none of these needs a
database, and none creates one.
"""

from __future__ import annotations

import json

import pytest
import typer
from helpers import EXAMPLE_CSV

from domeo_cli.cli import app

MISUSES = {
    "unknown command": ["frobnicate"],
    "unknown global option": ["--bogus", "past-due"],
    "--db without a value": ["--db"],
    "init: extra argument": ["init", "extra"],
    "init: unknown option": ["init", "--force"],
    "ingest: no FILE": ["ingest"],
    "ingest: missing file": ["ingest", "no-such-file.csv"],
    "ingest: a directory": ["ingest", "."],
    "ingest: two files": ["ingest", "{csv}", "{csv}"],
    "ingest: unknown option": ["ingest", "{csv}", "--fast"],
    "ingest: --dry-run with --strict": ["ingest", "{csv}", "--dry-run", "--strict"],
    "ingest: unknown encoding": ["ingest", "{csv}", "--encoding", "klingon-8"],
    "ingest: --encoding without a value": ["ingest", "{csv}", "--encoding"],
    "ingest: --rejects without a value": ["ingest", "{csv}", "--rejects"],
    "ingest: --rejects in a missing directory": ["ingest", "{csv}", "--rejects", "no/such/dir/r.csv"],
    "past-due: --limit 0": ["past-due", "--limit", "0"],
    "past-due: --limit 201": ["past-due", "--limit", "201"],
    "past-due: --limit -3": ["past-due", "--limit", "-3"],
    "past-due: --limit abc": ["past-due", "--limit", "abc"],
    "past-due: --limit 1.5": ["past-due", "--limit", "1.5"],
    "past-due: --offset -1": ["past-due", "--offset", "-1"],
    "past-due: --offset x": ["past-due", "--offset", "x"],
    "past-due: --sort unknown": ["past-due", "--sort", "amount.desc"],
    "past-due: --as-of impossible": ["past-due", "--as-of", "2025-02-30"],
    "past-due: --as-of month 13": ["past-due", "--as-of", "2025-13-01"],
    "past-due: --as-of US style": ["past-due", "--as-of", "3/7/25"],
    "past-due: --as-of word": ["past-due", "--as-of", "yesterday"],
    "past-due: --as-of without a value": ["past-due", "--as-of"],
    "past-due: extra argument": ["past-due", "now"],
    "past-due: unknown option": ["past-due", "--client", "x"],
    "summary: no --month": ["summary"],
    "summary: --month 2024-13": ["summary", "--month", "2024-13"],
    "summary: --month 2024-00": ["summary", "--month", "2024-00"],
    "summary: --month 2024-1": ["summary", "--month", "2024-1"],
    "summary: --month word": ["summary", "--month", "March"],
    "summary: --currency too short": ["summary", "--month", "2025-03", "--currency", "US"],
    "summary: --currency digits": ["summary", "--month", "2025-03", "--currency", "840"],
    "summary: --customer without a value": ["summary", "--month", "2025-03", "--customer"],
    "summary: unknown option": ["summary", "--month", "2025-03", "--limit", "5"],
    "contact: no NAME": ["contact"],
    "contact: two names": ["contact", "a", "b"],
    "contact: --limit 0": ["contact", "x", "--limit", "0"],
    "contact: --limit 201": ["contact", "x", "--limit", "201"],
    "contact: --offset -1": ["contact", "x", "--offset", "-1"],
    "contact: unknown option": ["contact", "x", "--email"],
}


def _args(template: list[str], csv_path: str) -> list[str]:
    return [csv_path if word == "{csv}" else word for word in template]


@pytest.fixture
def csv_path(write_csv) -> str:  # noqa: ANN001
    return str(write_csv(EXAMPLE_CSV, "example.csv"))


def check_usage_error(result, db_path) -> str:  # noqa: ANN001
    assert result.exit_code == 2, result
    assert result.stdout == "", result
    assert result.stderr.startswith("domeo: error: "), result
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result
    assert "Traceback" not in result.stderr
    assert not db_path.exists(), "a misuse created the database"
    return result.stderr[len("domeo: error: ") : -1]


@pytest.mark.parametrize("name", list(MISUSES))
def test_misuse_is_exit_2_with_one_sentence(run, db_path, csv_path: str, name: str) -> None:  # noqa: ANN001
    message = check_usage_error(run(*_args(MISUSES[name], csv_path)), db_path)
    assert message.endswith((".", "?", ")")), message  # a sentence, or one ending "(see: ... --help)"


@pytest.mark.parametrize("name", list(MISUSES)[::3])  # a third of them: the path is the same
def test_misuse_with_json_is_one_json_error(run, db_path, csv_path: str, name: str) -> None:  # noqa: ANN001
    args = _args(MISUSES[name], csv_path)
    if args[-1].startswith("--") and name.endswith("without a value"):
        args = args[:-1] + ["--json", args[-1]]  # keep the option last so it still lacks its value
    else:
        args = [*args, "--json"]
    result = run(*args)
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "invalid_input", error
    assert error["message"]
    assert not db_path.exists()


EXACT = {
    "past-due: --limit 0": "--limit takes a whole number from 1 to 200, not 0.",
    "past-due: --offset -1": "--offset takes a whole number from 0 up, not -1.",
    "past-due: --sort unknown": "--sort takes due_date.asc or due_date.desc, not 'amount.desc'.",
    "past-due: --as-of impossible": "--as-of '2025-02-30' is not a real date.",
    "summary: --month 2024-13": "--month takes a month as YYYY-MM (for example 2024-11), not '2024-13'.",
    "summary: --currency too short": "--currency takes a three-letter ISO 4217 code such as USD, not 'US'.",
    "ingest: --dry-run with --strict": (
        "--dry-run and --strict do not go together: --dry-run never writes, "
        "and already exits 4 if a row would be rejected."
    ),
    "ingest: missing file": "No such file: no-such-file.csv.",
    "ingest: unknown encoding": "--encoding 'klingon-8' is not an encoding Python knows.",
    "unknown command": "No such command 'frobnicate'. (see: domeo --help)",
}


@pytest.mark.parametrize("name", list(EXACT))
def test_misuse_messages(run, db_path, csv_path: str, name: str) -> None:  # noqa: ANN001
    assert check_usage_error(run(*_args(MISUSES[name], csv_path)), db_path) == EXACT[name]


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.list_commands(group.make_context("domeo", ["--help"], resilient_parsing=True)))  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", _commands())
def test_every_command_rejects_an_unknown_option(run, db_path, command: str) -> None:  # noqa: ANN001
    message = check_usage_error(run(command, "--no-such-option"), db_path)
    assert "--no-such-option" in message


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(run, command: str) -> None:  # noqa: ANN001
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_no_command_shows_usage_and_exits_2(run) -> None:  # noqa: ANN001
    result = run()
    assert result.exit_code == 2
    assert "Usage" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "name",
    [
        "past-due: --limit 0",
        "past-due: --limit abc",
        "past-due: --as-of impossible",
        "summary: no --month",
        "summary: --month 2024-13",
        "contact: no NAME",
        "contact: --offset -1",
        "unknown command",
        "ingest: --dry-run with --strict",
    ],
)
def test_misuse_in_a_real_process(domeo_proc, db_path, csv_path: str, name: str) -> None:  # noqa: ANN001
    """The fast report path and Typer's say the same kind of thing."""
    check_usage_error(domeo_proc(*_args(MISUSES[name], csv_path)), db_path)
