"""The floor of domeo's start-up: a Typer app declaring the reports' options that only prints.

    python benchmarks/minimal_typer.py hello
    python benchmarks/minimal_typer.py --db x.db past-due --as-of 2023-06-30 --json

Each command stands in for the domeo report of its name: it declares the same
options (same names, same kinds: a value or a flag), parses them and prints one
line, and reads nothing. benchmarks/bench.py times each report beside its floor
with the same arguments, as whole processes (docs/performance.md).
"""

from typing import Annotated

import typer

app = typer.Typer()

# Options shared by every report, as domeo declares them.
AsOf = Annotated[str | None, typer.Option("--as-of")]
Format = Annotated[str | None, typer.Option("--format")]
Output = Annotated[str | None, typer.Option("--output", "-o")]
Excel = Annotated[bool, typer.Option("--excel")]
KnownAt = Annotated[str | None, typer.Option("--known-at")]
Db = Annotated[str | None, typer.Option("--db")]
Json = Annotated[bool, typer.Option("--json")]
Customer = Annotated[str | None, typer.Option("--customer")]
Limit = Annotated[int, typer.Option("--limit")]
Offset = Annotated[int, typer.Option("--offset")]
Sort = Annotated[str | None, typer.Option("--sort")]
FailOver = Annotated[str | None, typer.Option("--fail-over")]


@app.callback()
def main(db: Db = None) -> None:
    """The group, with domeo's --db before the command."""


@app.command()
def hello() -> None:
    """Print hello."""
    print("hello")


@app.command("past-due")
def past_due(
    as_of: AsOf = None,
    limit: Limit = 50,
    offset: Offset = 0,
    sort: Sort = None,
    customer: Customer = None,
    with_children: Annotated[bool, typer.Option("--with-children")] = False,
    min_days: Annotated[int | None, typer.Option("--min-days")] = None,
    contact: Annotated[bool, typer.Option("--contact")] = False,
    fail_over: FailOver = None,
    every: Annotated[bool, typer.Option("--all")] = False,
    format: Format = None,
    output: Output = None,
    excel: Excel = False,
    known_at: KnownAt = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """Print the options (stands in for domeo past-due)."""
    print(as_of, limit, offset, json)


@app.command()
def aging(
    as_of: AsOf = None,
    buckets: Annotated[str | None, typer.Option("--buckets")] = None,
    age_by: Annotated[str | None, typer.Option("--age-by")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
    tree: Annotated[bool, typer.Option("--tree")] = False,
    customer: Customer = None,
    currency: Annotated[str | None, typer.Option("--currency")] = None,
    min_total: Annotated[str | None, typer.Option("--min-total")] = None,
    sort: Sort = None,
    limit: Annotated[int | None, typer.Option("--limit")] = None,
    fail_over: FailOver = None,
    offset: Offset = 0,
    format: Format = None,
    output: Output = None,
    excel: Excel = False,
    known_at: KnownAt = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """Print the options (stands in for domeo aging)."""
    print(as_of, limit, json)


@app.command()
def customers(
    as_of: AsOf = None,
    search: Annotated[str | None, typer.Option("--search")] = None,
    sort: Sort = None,
    limit: Limit = 50,
    offset: Offset = 0,
    every: Annotated[bool, typer.Option("--all")] = False,
    format: Format = None,
    output: Output = None,
    excel: Excel = False,
    known_at: KnownAt = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """Print the options (stands in for domeo customers)."""
    print(as_of, limit, json)


@app.command()
def statement(
    customer: Annotated[str, typer.Argument()],
    as_of: AsOf = None,
    with_children: Annotated[bool, typer.Option("--with-children")] = False,
    format: Format = None,
    output: Output = None,
    excel: Excel = False,
    known_at: KnownAt = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """Print the options (stands in for domeo statement)."""
    print(customer, as_of, json)


@app.command()
def summary(
    month: Annotated[str | None, typer.Option("--month")] = None,
    customer: Customer = None,
    currency: Annotated[str | None, typer.Option("--currency")] = None,
    first: Annotated[str | None, typer.Option("--from")] = None,
    last: Annotated[str | None, typer.Option("--to")] = None,
    format: Format = None,
    output: Output = None,
    excel: Excel = False,
    known_at: KnownAt = None,
    db: Db = None,
    json: Json = False,
) -> None:
    """Print the options (stands in for domeo summary)."""
    print(month, customer, json)


if __name__ == "__main__":
    app()
