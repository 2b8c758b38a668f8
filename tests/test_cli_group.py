"""The ``domeo`` group: every command named, only the one used built, suggestions over every name."""

from __future__ import annotations

import typer

from domeo_cli.cli import app

COMMANDS = [
    "init",
    "ingest",
    "past-due",
    "summary",
    "contact",
    "aging",
    "customers",
    "invoice",
    "statement",
    "runs",
    "serve",
    "check",
    "diff",
    "trend",
    "redate",
    "forecast",
]


def _group_and_context() -> tuple[typer.core.TyperGroup, object]:
    group = typer.main.get_command(app)
    return group, group.make_context("domeo", ["--help"], resilient_parsing=True)


def test_list_commands_names_every_command_in_the_order_of_help() -> None:
    group, ctx = _group_and_context()
    assert group.list_commands(ctx) == COMMANDS


def test_get_command_builds_only_the_command_asked_for_once() -> None:
    group, ctx = _group_and_context()
    aging = group.get_command(ctx, "aging")
    assert aging.name == "aging"
    assert group.get_command(ctx, "aging") is aging
    assert list(group.commands) == ["aging"]
    assert group.get_command(ctx, "pst-due") is None
    assert list(group.commands) == ["aging"]


def test_a_misspelt_command_is_answered_with_the_closest_names(run) -> None:  # noqa: ANN001
    result = run("pst-due")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "domeo: error: No such command 'pst-due'. Did you mean 'past-due'? (see: domeo --help)\n"
    result = run("custmer")
    assert result.stderr == (
        "domeo: error: No such command 'custmer'. Did you mean 'customers'? (see: domeo --help)\n"
    ), result


def test_help_names_types_in_words(run, monkeypatch) -> None:  # noqa: ANN001
    """TEXT and INTEGER, nothing for a flag, not Typer's <str>, <int> and <bool>; the options Typer adds too."""
    monkeypatch.setenv("COLUMNS", "80")
    help_text = run("contact", "--help").stdout
    panels = help_text[help_text.index("╭─ Arguments") : help_text.rindex("╯") + 1]
    assert (
        panels
        == """\
╭─ Arguments ──────────────────────────────────────────────────────────────────╮
│ *    name      TEXT  The customer's name (any case) or number. [required]    │
╰──────────────────────────────────────────────────────────────────────────────╯
╭─ Options ────────────────────────────────────────────────────────────────────╮
│ --limit             INTEGER  Contacts per page, 1 to 200. [default: 10]      │
│ --offset            INTEGER  Rows to skip before the page. [default: 0]      │
│ --all                        Every row, not a page (for exports: streamed,   │
│                              in flat memory).                                │
│ --format            FORMAT   table, json, csv, tsv, md or html (default:     │
│                              table; with -o, the file's extension).          │
│ --output    -o      FILE     Write the report to this file (completed, then  │
│                              renamed in) instead of stdout.                  │
│ --excel                      CSV/TSV for Excel: starts with the byte-order   │
│                              mark, so accents read right.                    │
│ --known-at          TEXT     Answer from the data as it stood after the last │
│                              load on or before this date (YYYY-MM-DD) or     │
│                              load number.                                    │
│ --db                FILE     SQLite database file (default: $DOMEO_DB, else  │
│                              domeo.db here).                                 │
│ --json                       Print the result as one JSON document.          │
│ --help      -h               Show this message and exit.                     │
╰──────────────────────────────────────────────────────────────────────────────╯"""
    )
    top = [line for line in run("--help").stdout.splitlines() if "completion" in line and "--" in line]
    assert [line.split()[:2] for line in top] == [["│", "--install-completion"], ["│", "--show-completion"]]
    assert all(line.split()[2] in ("Install", "Show") for line in top), top
