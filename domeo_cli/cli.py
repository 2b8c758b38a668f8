"""The ``domeo`` command line: the one definition of its commands and options.

A command parses its options, calls ``reports`` (or the load), and hands the
result to ``emit``, which picks the renderer. No business logic lives here.
Library errors (``errors.py``) and database errors become one sentence on
stderr (JSON with ``--json``) and the contract's exit code; a usage error is
exit 2, never a traceback.

Start-up: Typer turns only the invoked command into a click command (the
group's ``commands`` is a lazy mapping, click's lazy-subcommand pattern), and
each command imports what it uses inside its body, so ``domeo past-due
--json`` loads neither Rich nor another report's queries.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import EXIT_INVALID

_state: dict[str, Any] = {"db": None}

#: Every command, by name: its own one-command Typer app, made into a click command on first use.
_COMMANDS: dict[str, typer.Typer] = {}


def command(name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a ``domeo`` command (the function's name with dashes, unless ``name`` is given)."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        one = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        key = name or function.__name__.replace("_", "-")
        _COMMANDS[key] = one
        return one.command(key)(function)

    return register


class _LazyCommands(Mapping[str, Any]):
    """The group's commands: every name known, each built by Typer only when looked up."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = typer.main.get_command(_COMMANDS[name])
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_COMMANDS)

    def __len__(self) -> int:
        return len(_COMMANDS)


class _Group(TyperGroup):
    """Builds only the invoked command; runs it and turns whatever it raises into a message and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands()  # type: ignore[assignment]

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: ANN001, ANN201
        from .outcome import guarded, report

        click = _click_exceptions()

        argv = list(sys.argv[1:] if args is None else args)
        json_errors = "--json" in argv

        def invoke() -> int:
            try:
                result = super(_Group, self).main(
                    args=argv,
                    prog_name=prog_name or "domeo",
                    complete_var=complete_var,
                    standalone_mode=False,
                    **extra,
                )
            except click.NoArgsIsHelpError as err:
                err.show()
                return EXIT_INVALID
            except click.ClickException as err:
                return report("invalid_input", _usage_sentence(err), EXIT_INVALID, json_errors)
            except typer.Exit as err:
                return err.exit_code
            except typer.Abort:
                raise KeyboardInterrupt from None
            if result == 130:
                # Typer turns Ctrl-C into a silent exit 130 (no command of ours returns it):
                # say it in a sentence like every other interruption.
                raise KeyboardInterrupt
            return result if isinstance(result, int) else 0

        code = guarded(invoke, json_errors)
        if standalone_mode:
            sys.exit(code)
        return code


def _click_exceptions() -> Any:
    """The exceptions module of the click that Typer runs on (newer Typers vendor their own)."""
    classes = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
    module = sys.modules[classes["ClickException"].__module__]
    if not hasattr(module, "NoArgsIsHelpError"):  # older click: no such class, nothing to catch
        module.NoArgsIsHelpError = type("NoArgsIsHelpError", (Exception,), {})
    return module


def _usage_sentence(err: Any) -> str:
    """A click usage error as one sentence, with the command to get help."""
    message = err.format_message().strip().rstrip(".")
    ctx = getattr(err, "ctx", None)
    where = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
    return f"{message[0].upper()}{message[1:]}.{where}" if message else f"Invalid usage.{where}"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"domeo {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=_Group,
    name="domeo",
    help="Accounts-receivable reports from a client's invoice export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite database file (default: $DOMEO_DB, else domeo.db here).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as one JSON document.")]
LimitOption = Annotated[int, typer.Option("--limit", help="Rows per page, 1 to 200.")]
OffsetOption = Annotated[int, typer.Option("--offset", help="Rows to skip before the page.")]


@app.callback()
def _main(
    db: DbOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Load an AR export with `domeo ingest FILE.csv`, then ask: past-due, summary, contact."""
    _state["db"] = db


def _db_path(db: str | None) -> str:
    from .db import current_db, resolve_path

    path = resolve_path(db or _state["db"])
    current_db.append(path)
    return path


@command()
def init(db: DbOption = None, json: JsonOption = False) -> None:
    """Create the database, or upgrade an older one in place (never deletes data)."""
    from . import db as dbmod
    from . import schema

    path = _db_path(db)
    existed = os.path.exists(path)
    now_applied: list[str] = []
    connection = dbmod.open_for_write(path, now_applied)
    applied = [row[0] for row in connection.execute("SELECT name FROM domeo_migrations ORDER BY version")]
    connection.close()
    if json:
        from . import shapes

        shapes.dump({"database": path, "schema_version": schema.SCHEMA_VERSION, "migrations": applied})
    else:
        what = "was created" if not existed else "was upgraded" if now_applied else "is up to date"
        sys.stderr.write(f"Database {path} {what} (schema version {schema.SCHEMA_VERSION}).\n")


@command()
def ingest(
    file: Annotated[str, typer.Argument(help="The export CSV; - reads standard input.", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Parse and validate; write nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="If any row is rejected, write nothing (exit 4).")] = False,
    rejects: Annotated[
        str | None,
        typer.Option("--rejects", help="Write rejected rows to this CSV, with line and reason.", show_default=False),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding", help="The file's encoding (default: UTF-8, else cp1252 with a warning).", show_default=False
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Load (upsert) the invoices of FILE; rejected rows are reported with line and reason."""
    from . import ingest_command

    ingest_command.run(
        _db_path(db), file, dry_run=dry_run, strict=strict, rejects=rejects, encoding=encoding, as_json=json
    )


def _db(db: str | None) -> str | None:
    """The command's --db, else the one given before the command."""
    return db or _state["db"]


def _format(json: bool) -> str:
    """The output format the options ask for."""
    return "json" if json else "table"


def emit(result: Any, fmt: str) -> None:
    """Print a report's result in ``fmt``: ``json`` (its JSON document) or ``table``."""
    if fmt == "json":
        from . import shapes

        shapes.write(result)
    elif fmt == "table":
        from . import tables

        tables.render(result)
    else:
        raise ValueError(f"unknown output format {fmt!r}")


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Date YYYY-MM-DD (default: today in America/New_York, or in $DOMEO_TZ).",
        show_default=False,
    ),
]
CustomerOption = Annotated[
    str | None,
    typer.Option("--customer", help="Only this customer (exact name, any case).", show_default=False),
]
CurrencyOption = Annotated[
    str | None, typer.Option("--currency", help="Only this currency (ISO code).", show_default=False)
]


@command()
def past_due(
    as_of: AsOfOption = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    sort: Annotated[str, typer.Option("--sort", help="due_date.asc or due_date.desc.")] = "due_date.asc",
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Invoices with money outstanding whose due date is before the as-of date."""
    from . import reports

    emit(reports.past_due(_db(db), as_of=as_of, limit=limit, offset=offset, sort=sort, totals=not json), _format(json))


@command()
def summary(
    month: Annotated[str | None, typer.Option("--month", help="The month, YYYY-MM.", show_default=False)] = None,
    customer: CustomerOption = None,
    currency: CurrencyOption = None,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First month of a series, YYYY-MM (with --to).", show_default=False),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--to", help="Last month of a series, YYYY-MM (with --from).", show_default=False),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Sum and count of the invoices dated in a month (or each month from --from to --to), per currency."""
    from . import reports
    from .errors import InvalidInput

    if month is not None and (first is not None or last is not None):
        raise InvalidInput("Give either --month YYYY-MM or --from YYYY-MM --to YYYY-MM, not both.")
    if month is None and first is None and last is None:
        raise InvalidInput("summary needs --month YYYY-MM, or --from YYYY-MM --to YYYY-MM for a series.")
    if month is not None:
        emit(reports.summary(_db(db), month=month, customer=customer, currency=currency), _format(json))
        return
    if first is None or last is None:
        given, missing = ("--from", "--to") if last is None else ("--to", "--from")
        raise InvalidInput(f"{given} needs {missing} too: a series runs from --from YYYY-MM to --to YYYY-MM.")
    emit(reports.summary_range(_db(db), first=first, last=last, customer=customer, currency=currency), _format(json))


@command()
def contact(
    name: Annotated[str, typer.Argument(help="The customer's name (any case).", show_default=False)],
    limit: Annotated[int, typer.Option("--limit", help="Contacts per page, 1 to 200.")] = 10,
    offset: OffsetOption = 0,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Who to call at a customer: each contact and the last invoice it appeared on."""
    from . import reports

    emit(reports.contact(_db(db), name=name, limit=limit, offset=offset), _format(json))


@command()
def aging(
    as_of: AsOfOption = None,
    buckets: Annotated[
        str | None,
        typer.Option(
            "--buckets",
            help="Bucket edges in days, e.g. 30,60,90,120 (default: 30,60,90: 1-30, 31-60, 61-90, 91+).",
            show_default=False,
        ),
    ] = None,
    age_by: Annotated[
        str, typer.Option("--age-by", help="due: days past the due date; invoice: days since the invoice date.")
    ] = "due",
    by: Annotated[
        str,
        typer.Option("--by", help="customer, parent (rolled up to the top-level account) or currency."),
    ] = "customer",
    tree: Annotated[
        bool, typer.Option("--tree", help="With --by parent: the hierarchy, indented, subtotals at every level.")
    ] = False,
    customer: Annotated[
        str | None,
        typer.Option("--customer", help="Only this customer's invoices (exact name, any case).", show_default=False),
    ] = None,
    currency: CurrencyOption = None,
    min_total: Annotated[
        str | None,
        typer.Option("--min-total", help="List only groups whose total is at least this amount.", show_default=False),
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="total (largest first), name, or oldest (longest overdue first).")
    ] = "total",
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="List at most this many groups per currency (default: all).", show_default=False),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Open invoices by age bucket, one row per customer, with a grand total per currency."""
    from . import reports

    result = reports.aging(
        _db(db),
        as_of=as_of,
        buckets=buckets,
        age_by=age_by,
        by=by,
        tree=tree,
        customer=customer,
        currency=currency,
        min_total=min_total,
        sort=sort,
        limit=limit,
    )
    emit(result, _format(json))


@command()
def customers(
    as_of: AsOfOption = None,
    search: Annotated[
        str | None,
        typer.Option("--search", help="Only customers whose name contains this text (any case).", show_default=False),
    ] = None,
    sort: Annotated[
        str,
        typer.Option("--sort", help="name, open (largest open AR first), past_due or oldest."),
    ] = "name",
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Every customer: number, parent, invoices, open AR and past due per currency, main contact."""
    from . import reports

    emit(reports.customers(_db(db), as_of=as_of, search=search, sort=sort, limit=limit, offset=offset), _format(json))


@command()
def invoice(
    number: Annotated[str, typer.Argument(help="The invoice number.", show_default=False)],
    as_of: AsOfOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """One invoice in full: every stored field, days past due, the load that last changed it."""
    from . import reports

    emit(reports.invoice(_db(db), number=number, as_of=as_of), _format(json))


def main(argv: list[str] | None = None) -> None:
    """Run ``domeo`` with ``argv`` (default: the process's arguments); exits with the command's code."""
    app(args=argv, prog_name="domeo")
