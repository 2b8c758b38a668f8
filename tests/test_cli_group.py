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


REPORTS = ["past-due", "summary", "contact", "aging", "customers", "invoice", "statement", "runs", "check", "diff"]


def test_every_report_takes_the_shared_options_as_declared_once() -> None:
    group, context = _group_and_context()
    shared = {}
    for name in [*REPORTS, "trend", "forecast"]:
        options = {p.opts[-1]: p for p in group.get_command(context, name).params}
        for flag in ("--output", "--excel", "--db", "--json"):
            declared = options[flag]
            seen = shared.setdefault(flag, (declared.help, declared.default, declared.opts))
            assert (declared.help, declared.default, declared.opts) == seen, (name, flag)
        assert "--format" in options, name
        # after the report's own options, in one order: [--all] --format -o --excel [--known-at] --db --json
        tail = [p.opts[-1] for p in group.get_command(context, name).params][-4:]
        assert tail[-2:] == ["--db", "--json"], name
    assert all("--all" in [p.opts[-1] for p in group.get_command(context, n).params] for n in ("past-due", "runs"))
    assert "--all" not in [p.opts[-1] for p in group.get_command(context, "aging").params]


def test_the_global_db_is_read_from_the_group_not_kept_between_runs(run, tmp_path) -> None:  # noqa: ANN001
    first = run("--db", str(tmp_path / "first.db"), "past-due")
    assert first.exit_code == 1 and "first.db" in first.stderr, first
    second = run("past-due", "--db", str(tmp_path / "second.db"))
    assert second.exit_code == 1 and "second.db" in second.stderr and "first.db" not in second.stderr, second
    again = run("past-due")  # neither: the default, nothing left over from the runs before in this process
    assert again.exit_code == 1 and "first.db" not in again.stderr and "second.db" not in again.stderr, again
