"""The floor of domeo's start-up: a Typer app of two commands that only print.

    python benchmarks/minimal_typer.py hello

Timed as a whole process beside ``domeo past-due --json`` (docs/performance.md).
"""

import typer

app = typer.Typer()


@app.command()
def hello() -> None:
    """Print hello."""
    print("hello")


@app.command()
def bye() -> None:
    """Print bye."""
    print("bye")


if __name__ == "__main__":
    app()
