"""The README documents every command and option, and its examples run as shown.

Convention: in a fenced ``sh``/``console``/``bash`` block, a line that starts
with ``domeo `` or ``$ domeo `` is an example command. It runs on the bundled
sample (``data/invoices.csv``) loaded into a fresh database, and must exit 0,
or N when the line ends with the comment ``# exit N``.
A line ending ``runs until stopped`` starts a server and is not run here.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import typer

from domeo_cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SAMPLE = ROOT / "data" / "invoices.csv"


def _examples() -> list[tuple[str, int]]:
    """Every example command of the README and the exit code it shows."""
    found = []
    for block in re.findall(r"^```(?:sh|console|bash)\n(.*?)^```", README, flags=re.M | re.S):
        for line in block.splitlines():
            text = line.removeprefix("$ ")
            if not text.startswith("domeo ") or re.search(r"runs until stopped\s*$", text):
                continue  # not a command, or a server (tests/test_serve*.py run those)
            words = shlex.split(text, comments=True)
            exit_code = re.search(r"#\s*exit (\d+)\s*$", text)
            found.append((shlex.join(words), int(exit_code[1]) if exit_code else 0))
    return found


def _commands() -> dict[str, list[str]]:
    """Each command of the Typer app and the long names of its options."""
    group = typer.main.get_command(cli.app)
    ctx = group.make_context("domeo", ["--help"], resilient_parsing=True)
    out = {"": [o for p in group.params for o in p.opts if o.startswith("--") and o != "--help"]}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        out[name] = [o for p in command.params for o in p.opts if o.startswith("--") and o != "--help"]
    return out


EXAMPLES = _examples()


def test_the_readme_has_examples_of_every_command() -> None:
    shown = {shlex.split(command)[1] for command, _ in EXAMPLES}
    assert set(_commands()) - {""} <= shown


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_and_option_is_in_the_readme(name: str) -> None:
    if name:
        assert f"`domeo {name}" in README, name
    for option in _commands()[name]:
        assert re.search(rf"{re.escape(option)}\b", README), f"{name} {option}"


@pytest.mark.parametrize(("command", "exit_code"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_every_readme_example_runs_on_the_sample(run, tmp_path: Path, command: str, exit_code: int) -> None:  # noqa: ANN001
    (tmp_path / "data").mkdir()
    shutil.copy(SAMPLE, tmp_path / "data" / "invoices.csv")
    shutil.copy(SAMPLE, tmp_path / "invoices.csv")
    loaded = run("ingest", str(tmp_path / "data" / "invoices.csv"), "--json")
    assert loaded.exit_code == 0, loaded
    result = run(*shlex.split(command)[1:])
    assert result.exit_code == exit_code, result


def test_the_modules_table_lists_every_module() -> None:
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    table = design[design.index("## Modules") :]
    table = table.split("\n## ")[0]  # to the next section, if any
    package = ROOT / "domeo_cli"
    for path in sorted(package.rglob("*.py")):
        if path.name == "__init__.py" and path.parent != package:
            continue
        name = path.relative_to(package).as_posix()
        if name == "__init__.py":
            continue
        listed = f"`{name}`" in table or (path.parent != package and f"`{path.stem}`" in table)
        assert listed, name
