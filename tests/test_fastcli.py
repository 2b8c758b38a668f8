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


def test_installed_console_script_takes_the_fast_path(example, db_path) -> None:  # noqa: ANN001
    # -X importtime lists every module imported: a fast-path report must not import Typer or Rich.
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "domeo_cli",
            "--db",
            str(db_path),
            "summary",
            "--month",
            "2025-03",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"sum_bill_total": "5045.50"' in result.stdout
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "typer" not in imported
    assert "rich" not in imported
    assert "domeo_cli.actions" in imported
