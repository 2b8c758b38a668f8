"""The fast path for reports must behave exactly like the Typer command line."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domeo_cli import fastcli
from domeo_cli.cli import app


def _typer_options(command: str) -> dict[str, object]:
    click_command = typer.main.get_command(app).commands[command]
    options = {}
    for param in click_command.params:
        if param.param_type_name == "option" and not param.is_flag:
            (name,) = [o for o in param.opts if o.startswith("--")]
            options[name] = param.default
    return options


def _typer_flags(command: str) -> set[str]:
    click_command = typer.main.get_command(app).commands[command]
    return {
        name
        for param in click_command.params
        if param.param_type_name == "option" and param.is_flag
        for name in param.opts
        if name.startswith("--") and name not in ("--json", "--help")
    }


@pytest.mark.parametrize("command", sorted(fastcli.OPTIONS))
def test_fast_path_knows_exactly_the_typer_options(command: str) -> None:
    typer_options = _typer_options(command)
    assert set(fastcli.OPTIONS[command]) == set(typer_options)
    assert fastcli.FLAGS.get(command, set()) == _typer_flags(command)
    for name, default in fastcli.DEFAULTS[command].items():
        assert typer_options[name] == default, name


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["past-due", "--help"],
        ["past-due", "-h"],
        ["--version"],
        ["past-due", "--limit", "abc"],
        ["past-due", "--limit"],
        ["past-due", "--bogus", "1"],
        ["past-due", "--limit", "5", "--limit", "6"],
        ["contact"],
        ["contact", "a", "b"],
        ["ingest", "x.csv"],
        ["init"],
        ["--db"],
    ],
)
def test_anything_unusual_goes_to_typer(argv: list[str]) -> None:
    assert fastcli.parse(argv) is None


def test_plain_invocations_are_parsed() -> None:
    assert fastcli.parse(["--db", "x.db", "past-due", "--as-of=2025-01-01", "--json"]) == (
        "past-due",
        {"--as-of": "2025-01-01", "--limit": 50, "--offset": 0, "--sort": "due_date.asc", "--db": "x.db"},
        None,
        True,
    )
    assert fastcli.parse(["contact", "--limit", "3", "Café Olé", "--db", "y.db"]) == (
        "contact",
        {"--limit": 3, "--offset": 0, "--db": "y.db"},
        "Café Olé",
        False,
    )


_values = st.sampled_from(
    [
        "2025-05-01",
        "2025-02-30",
        "2025-03",
        "2024-13",
        "Nov 2024",
        "0",
        "1",
        "2",
        "201",
        "-1",
        "50",
        "due_date.asc",
        "due_date.desc",
        "amount",
        "USD",
        "cad",
        "US",
        "harbor lane bakery",
        "HARBOR  LANE BAKERY",
        "Nobody",
        "Harbor Lane Bakry",
        "Northwind Outfitters",
    ]
)


@st.composite
def _argv(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(fastcli.OPTIONS)))
    argv = [command]
    names = [n for n in fastcli.OPTIONS[command] if n != "--db"]
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))):
        value = draw(_values)
        argv += [f"{name}={value}"] if draw(st.booleans()) else [name, value]
    if command == "summary" and "--month" not in " ".join(argv) and draw(st.booleans()):
        argv += ["--month", draw(_values)]
    for flag in sorted(fastcli.FLAGS.get(command, ())):
        if draw(st.booleans()):
            argv.append(flag)
    if command in fastcli.POSITIONAL:
        argv.append(draw(_values))
    if draw(st.booleans()):
        argv.append("--json")
    return argv


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=_argv())
def test_fast_path_and_typer_give_the_same_answer(example, run, capsys, argv: list[str]) -> None:  # noqa: ANN001
    capsys.readouterr()
    code = fastcli.run(argv)
    fast = capsys.readouterr()
    slow = run(*argv)
    if code is None:  # not a plain invocation: Typer alone answers it
        return
    assert (code, fast.out, fast.err) == (slow.exit_code, slow.stdout, slow.stderr)


# What a report's start-up must not pay for: Typer and Rich (several times Python's own
# start-up), dataclasses (inspect, ast and dis with it), and modules a report has no use for.
HEAVY = {"typer", "rich", "click", "dataclasses", "inspect", "calendar", "urllib.parse", "dateutil"}


def _imported(argv: list[str]) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run Python with ``argv`` under ``-X importtime``: the result and every module it imported."""
    result = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, check=False)
    return result, {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize(
    ("argv", "marker", "own"),
    [
        (["summary", "--month", "2025-03", "--json"], '"sum_bill_total": "5045.50"', {"common", "contract"}),
        (["past-due", "--as-of", "2025-06-01", "--json"], '"invoice_number": "DF2031977"', {"common", "contract"}),
        (["contact", "Harbor Lane Bakery", "--json"], '"contact_name": "Dana Whitfield"', {"common", "contract"}),
        (["aging", "--as-of", "2025-03-01", "--json"], '"age_by": "due"', {"common", "aging"}),
        (["aging", "--as-of", "2025-03-01", "--by", "parent", "--json"], '"by": "parent"', {"common", "aging"}),
        (["customers", "--as-of", "2025-03-01", "--json"], '"customers": [', {"common", "contract", "customers"}),
        (["invoice", "DF2032015", "--as-of", "2025-03-01", "--json"], '"invoice_number": "DF2032015"', None),
        (["summary", "--from", "2025-01", "--to", "2025-03", "--json"], '"months": [', None),
    ],
)
def test_a_report_imports_only_what_it_uses(example, db_path, argv: list[str], marker: str, own) -> None:  # noqa: ANN001
    # What Python imports for ``pass`` (site, and an editable install's finder) is not the report's.
    _, baseline = _imported(["-c", "pass"])
    result, imported = _imported(["-m", "domeo_cli", "--db", str(db_path), *argv])
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout
    imported -= baseline
    assert "domeo_cli.actions" in imported  # the fast path, not Typer
    assert not {m for m in imported if m.split(".")[0] in HEAVY or m in HEAVY}, sorted(imported)
    assert "domeo_cli.dates" not in imported  # the parser's regular expressions are the ingest's
    if own is not None:
        queries = {m.removeprefix("domeo_cli.queries.") for m in imported if m.startswith("domeo_cli.queries.")}
        assert queries == own
