"""The ``domeo`` command line: the one definition of its commands and options.

A command parses its options, calls ``reports`` (or the load), and hands the
result to ``_Out.emit``, which picks the renderer. No business logic lives here.
Library errors (``errors.py``) and database errors become one sentence on
stderr (JSON with ``--json``) and the contract's exit code; a usage error is
exit 2, never a traceback.

Start-up: Typer turns only the invoked command into a click command (the
group's ``list_commands``/``get_command``, click's lazy-subcommand pattern), and
each command imports what it uses inside its body, so ``domeo past-due
--json`` loads neither Rich nor another report's queries.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from . import __version__
from .errors import EXIT_INVALID

if TYPE_CHECKING:
    from .store import Store


def _given_before(name: str) -> Any:
    """A global option given before the command (``domeo --db X past-due``): the group's own parameter,
    read from the running click context (None when no command line runs)."""
    import importlib

    # The click Typer runs on (newer Typers vendor their own): its context stack, not another click's.
    click_globals = importlib.import_module(typer.Context.__mro__[1].__module__.rsplit(".", 1)[0] + ".globals")
    context = click_globals.get_current_context(silent=True)
    return context.find_root().params.get(name) if context is not None else None


#: Every command, by name: its own one-command Typer app, made into a click command on first use.
_COMMANDS: dict[str, typer.Typer] = {}


def command(
    name: str | None = None, examples: list[str] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a ``domeo`` command (the function's name with dashes, unless ``name`` is given).

    ``examples`` end its ``--help``, one command line each.
    """

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        one = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        key = name or function.__name__.replace("_", "-")
        _COMMANDS[key] = one
        epilog = None
        if examples:
            epilog = "Examples:\n\n" + "\n\n".join(f"  $ {line}" for line in examples)
        return one.command(key, cls=_Command, epilog=epilog)(function)

    return register


#: How an option's value type reads in --help when the option names no metavar of its own.
_TYPE_WORDS = {int: "INTEGER", str: "TEXT", float: "NUMBER"}


class _InWords:
    """--help names a value's type in words (TEXT, INTEGER; nothing for a flag), not as Typer's <str>, <bool>.

    In ``get_params`` (click's list of every parameter of a command, --help
    included), not as ``metavar=`` in the declarations: Typer adds options of
    its own (--help, the completion ones), and shows an argument's type, never
    its metavar, in the type column.
    """

    def get_params(self, ctx: Any) -> list[Any]:
        """The command's parameters, each with the metavar its --help shows."""
        params = super().get_params(ctx)
        for param in params:
            if param.param_type_name == "argument":
                # An argument's metavar is its name in --help: its type gets the word instead.
                word = _word_for(param)
                param.display_type_rich = lambda ctx, word=word: word
            elif param.metavar is None:
                param.metavar = "" if param.is_flag else _word_for(param)
        return params


def _word_for(param: Any) -> str:
    """TEXT, INTEGER or NUMBER for a parameter's type; else its name in capitals."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    word = next((w for t, w in _TYPE_WORDS.items() if annotation in (t, t | None)), None)
    return word or param.name.upper()


class _Command(_InWords, TyperCommand):
    """One ``domeo`` command."""


class _Group(_InWords, TyperGroup):
    """Builds only the invoked command; runs it and turns whatever it raises into a message and an exit code.

    The commands through click's lazy-group interface: ``list_commands`` names
    every registered one, ``get_command`` builds one on first use (kept in
    ``commands``, which so holds only the commands built so far).
    """

    def list_commands(self, ctx: Any) -> list[str]:
        """Every command's name, in the order they are declared (the order of --help), described reports last."""
        from .results.describe import every

        return [*_COMMANDS, *(report.name for report in every() if report.name not in _COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command named ``cmd_name`` (made into a click command on first use), or None."""
        if cmd_name not in _COMMANDS:
            from .results.describe import named

            report = named(cmd_name)
            if report is not None:
                _described_command(report)
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            self.commands[cmd_name] = typer.main.get_command(_COMMANDS[cmd_name])
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Typer's, suggesting the commands ``list_commands`` names (Typer's own suggestions read ``commands``)."""
        try:
            return super().resolve_command(ctx, args)
        except _click_exceptions().UsageError as err:
            from difflib import get_close_matches

            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches:
                err.message = f"{err.message.rstrip('.')}. Did you mean {', '.join(repr(m) for m in matches)}?"
            raise

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: ANN001, ANN201
        from .outcome import guarded, report

        click = _click_exceptions()

        argv = _optional_values(list(sys.argv[1:] if args is None else args))
        # --format json asks for JSON as --json does: errors on stderr are JSON then too.
        json_errors = (
            "--json" in argv
            or "--format=json" in argv
            or any(a == "--format" and b == "json" for a, b in zip(argv, argv[1:], strict=False))
        )

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


def _optional_values(argv: list[str]) -> list[str]:
    """``--complete`` alone means ``--complete=all`` (click options cannot take an optional value)."""
    if "--" in argv:
        cut = argv.index("--")
        return _optional_values(argv[:cut]) + argv[cut:]
    return ["--complete=all" if word == "--complete" else word for word in argv]


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
    stop = "" if message.endswith(("?", "!")) else "."  # "Did you mean 'past-due'?" takes no stop
    return f"{message[0].upper()}{message[1:]}{stop}{where}" if message else f"Invalid usage.{where}"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"domeo {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=_Group,
    name="domeo",
    help="Accounts-receivable reports from a client's invoice export.",
    no_args_is_help=True,
    suggest_commands=False,  # _Group.resolve_command suggests
    # --install-completion / --show-completion: Tab completes commands, options and their values.
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite database file (default: $DOMEO_DB, else domeo.db here).",
        show_default=False,
        metavar="FILE",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as one JSON document.")]
LimitOption = Annotated[int, typer.Option("--limit", help="Rows per page, 1 to 200.")]
OffsetOption = Annotated[int, typer.Option("--offset", help="Rows to skip before the page.")]


QuietOption = Annotated[
    bool, typer.Option("-q", "--quiet", help="Nothing on stderr when all is well (for cron); errors still show.")
]
VerboseOption = Annotated[
    bool, typer.Option("-v", "--verbose", help="More detail on stderr: every warning and rejected row of a load.")
]
LogFileOption = Annotated[
    str | None,
    typer.Option(
        "--log-file",
        help="Append one line per load event to this file (default: $DOMEO_LOG, else no log).",
        show_default=False,
        metavar="FILE",
    ),
]
LogFormatOption = Annotated[
    str | None,
    typer.Option("--log-format", help="Log lines as text (default) or json.", show_default=False, metavar="FORMAT"),
]


@app.callback()
def _main(
    db: DbOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    log_file: LogFileOption = None,
    log_format: LogFormatOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Load an AR export with `domeo ingest FILE.csv`, then ask: past-due, summary, contact, aging, statement."""


def _store(db: str | None) -> Store:
    """The store of the command's ``--db``, else of the one given before the command, else the default."""
    from .reports import open_store

    return open_store(db or _given_before("db"))


@command(examples=["domeo init", "domeo --db /srv/ar/domeo.db init --json"])
def init(db: DbOption = None, json: JsonOption = False) -> None:
    """Is the database ready? (Creates it, or upgrades an older one in place; never deletes data.)"""
    store = _store(db)
    done = store.init()
    if json:
        from . import shapes

        shapes.dump(
            {
                "database": store.path,
                "schema_version": store.schema_version,
                "migrations": done.migrations,
                "repaired": done.repaired,
            }
        )
    else:
        what = "was created" if not done.existed else "was upgraded" if done.applied else "is up to date"
        if done.repaired:
            what = "was upgraded and repaired" if done.applied else "was repaired"
        fixed = f"; put back: {', '.join(done.repaired)}" if done.repaired else ""
        sys.stderr.write(f"Database {store.path} {what} (schema version {store.schema_version}){fixed}.\n")


@command(
    examples=[
        "domeo ingest data/invoices.csv",
        "domeo ingest data/invoices.csv -q --log-file domeo.log",
        "domeo ingest data/invoices.csv --dry-run --json",
    ]
)
def ingest(
    file: Annotated[
        str, typer.Argument(help="The export CSV; - reads standard input.", show_default=False, metavar="FILE")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Parse and validate; write nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="If any row is rejected, write nothing (exit 4).")] = False,
    rejects: Annotated[
        str | None,
        typer.Option(
            "--rejects",
            help="Write rejected rows to this CSV, with line and reason.",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="The file's encoding (default: UTF-8, else cp1252 with a warning).",
            show_default=False,
            metavar="NAME",
        ),
    ] = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    log_file: LogFileOption = None,
    log_format: LogFormatOption = None,
    complete: Annotated[
        str | None,
        typer.Option(
            "--complete",
            help="The file is the whole AR (--complete) or the whole open AR (--complete=open: "
            "an open invoice it leaves out is settled from this load on).",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The date of the export, YYYY-MM-DD (default: today; at most tomorrow); loads go in date order.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Load with --complete a file that shares no invoice and no customer with the database "
            "(else refused: another client's export?).",
        ),
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """What is in this export, and is it loaded? (Loads it: upserts every valid invoice.)

    Rejected rows are reported with their line and reason; every record read is counted.
    """
    from . import ingest_command

    ingest_command.run(
        _store(db),
        file,
        dry_run=dry_run,
        strict=strict,
        rejects=rejects,
        encoding=encoding,
        as_json=json,
        quiet=quiet or _given_before("quiet"),
        verbose=verbose or _given_before("verbose"),
        log_file=log_file or _given_before("log_file"),
        log_format=log_format or _given_before("log_format"),
        complete=complete,
        as_of=as_of,
        force=force,
    )


FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="table, json, csv, tsv, md or html (default: table; with -o, the file's extension).",
        show_default=False,
        metavar="FORMAT",
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "-o",
        "--output",
        help="Write the report to this file (completed, then renamed in) instead of stdout.",
        show_default=False,
        metavar="FILE",
    ),
]
ExcelOption = Annotated[
    bool, typer.Option("--excel", help="CSV/TSV for Excel: starts with the byte-order mark, so accents read right.")
]
AllOption = Annotated[
    bool, typer.Option("--all", help="Every row, not a page (for exports: streamed, in flat memory).")
]

KnownAtOption = Annotated[
    str | None,
    typer.Option(
        "--known-at",
        help="Answer from the data as it stood after the last load on or before this date (YYYY-MM-DD) or load number.",
        show_default=False,
    ),
]


class _Out:
    """Where and how a report is written (checked before any report reads the database), and the database read."""

    def __init__(
        self,
        db: str | None,
        json: bool,
        fmt: str | None,
        output: str | None,
        excel: bool = False,
        every: bool = False,
        known_at: str | None = None,
        formats: tuple[str, ...] | None = None,
    ) -> None:
        from .errors import InvalidInput

        #: ``--all``: every row, streamed (an export).
        self.every = every
        #: ``--known-at``: the data as it stood after a load (None: as it is).
        self.known_at = known_at
        if formats is not None:  # a report that is a document (statement) takes only some formats
            from .formats import check_format

            fmt, json = ("json" if json else check_format(fmt, output, allowed=formats)), False

        #: The store of the command's --db, else of the one given before the command.
        self.store = _store(db)
        if json:
            if fmt not in (None, "json"):
                raise InvalidInput(f"--json is --format json; it does not go with --format {fmt}.")
            fmt = "json"
        self.output = output if output != "-" else None
        if self.output is not None:
            from .outfiles import check_target

            check_target(self.output, option="-o", database=self.store.file)
        if fmt is not None or output is not None:
            from .formats import check_format

            fmt = check_format(fmt, output)
        self.fmt = fmt or "table"
        if excel and self.fmt not in ("csv", "tsv"):
            raise InvalidInput("--excel is for CSV and TSV: give --format csv or tsv.")
        if every and self.fmt == "table":
            raise InvalidInput("--all is for exports: give --format csv, tsv, json, md or html (and -o FILE).")
        self.excel = excel

    @property
    def named_database(self) -> str | None:
        """The database's location, for the commands a table suggests, when it is not the one found by default."""
        from .reports import open_store

        return self.store.path if self.store.path != open_store(None).path else None

    @property
    def totals(self) -> bool:
        """True when the format shows totals over every row (a table, Markdown, HTML)."""
        return self.fmt in ("table", "md", "html")

    def emit(self, result: Any) -> None:
        """Print a report's result in its format (table, json, csv, tsv, md, html), or write it to the -o file.

        A reader that went away (``| head``) ends the report quietly, exit 0, whatever
        the report: here, because click turns a broken pipe into exit 1 on its own.
        """
        try:
            if self.output is None and self.fmt == "json":
                from . import shapes
                from .formats import streams

                if streams(result):
                    from .formats import write

                    write(result, self.fmt, shapes.stdout())  # a --all page streams
                else:
                    shapes.write(result)
            elif self.output is None and self.fmt == "table":
                from . import tables

                if _given_before("quiet"):
                    # A piped table says its title and footer on stderr; --quiet keeps stderr for errors.
                    import contextlib
                    import io

                    with contextlib.redirect_stderr(io.StringIO()):
                        tables.render(result, self.named_database)
                else:
                    tables.render(result, self.named_database)
            else:
                from .formats import save

                save(result, self.fmt, self.output, excel=self.excel)
        except BrokenPipeError:
            from .outcome import reader_gone

            reader_gone()


def report_options(
    *, every: bool = False, known_at: bool = True, formats: tuple[str, ...] | None = None
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The options every report shares, declared once and added after the report's own.

    ``[--all] --format -o --excel [--known-at] --db --json`` (``every``, ``known_at``
    say which of the optional ones the report takes; ``formats`` narrows ``--format``
    for a report that is a document). The report function takes ``out`` (an
    ``_Out``: the checked output, the store, ``out.every``, ``out.known_at``) in
    their place. Typer reads a command's options from its signature, so the
    wrapper carries the report's own parameters followed by the shared ones; a
    report that declares one of them itself keeps its own (in its place).
    """
    import functools
    import inspect

    shared = [("every", AllOption, False)] if every else []
    shared += [("fmt", FormatOption, None), ("output", OutputOption, None), ("excel", ExcelOption, False)]
    shared += [("known_at", KnownAtOption, None)] if known_at else []
    shared += [("db", DbOption, None), ("json", JsonOption, False)]

    def decorate(report: Callable[..., None]) -> Callable[..., None]:
        own = [p for p in inspect.signature(report, eval_str=True).parameters.values() if p.name != "out"]
        kind = inspect.Parameter.KEYWORD_ONLY
        declared = {p.name for p in own}  # a report may word a shared option its own way (statement's --format)
        added = [
            inspect.Parameter(name, kind, default=default, annotation=hint)
            for name, hint, default in shared
            if name not in declared
        ]

        @functools.wraps(report)
        def run(**values: Any) -> None:
            out = _Out(
                values.pop("db"),
                values.pop("json"),
                values.pop("fmt"),
                values.pop("output"),
                values.pop("excel"),
                values.pop("every") if every else False,  # (trend's own --every is not --all)
                values.pop("known_at") if known_at else None,
                formats,
            )
            report(**values, out=out)

        parameters = own + added
        run.__signature__ = inspect.Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run

    return decorate


def _fail_over(result: Any, amount: str | None) -> None:
    """Exit 5 (after the report was printed) when a currency's past-due total is over ``amount``."""
    if amount is None:
        return
    from . import reports

    reports.check_fail_over(result, amount)


AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Date YYYY-MM-DD (default: today in America/New_York, or in $DOMEO_TZ).",
        show_default=False,
        metavar="DATE",
    ),
]
CustomerOption = Annotated[
    str | None,
    typer.Option(
        "--customer",
        help="Only this customer (exact name, any case, or its number).",
        show_default=False,
        metavar="NAME",
    ),
]
CurrencyOption = Annotated[
    str | None,
    typer.Option("--currency", help="Only this currency (ISO code).", show_default=False, metavar="CODE"),
]
FailOverOption = Annotated[
    str | None,
    typer.Option(
        "--fail-over",
        help="Exit 5 after the report when the past-due total of any currency is over this amount (for cron).",
        show_default=False,
        metavar="AMOUNT",
    ),
]
WithChildrenOption = Annotated[
    bool, typer.Option("--with-children", help="With the customer, every account below it in the hierarchy.")
]


@command(
    examples=[
        "domeo past-due --as-of 2025-05-01",
        "domeo past-due --customer 'Harbor Lane Bakery' --min-days 30 --contact",
        "domeo past-due --all --format csv -o past-due.csv --fail-over 10000",
    ]
)
@report_options(every=True)
def past_due(
    as_of: AsOfOption = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    sort: Annotated[
        str, typer.Option("--sort", help="due_date.asc or due_date.desc.", metavar="ORDER")
    ] = "due_date.asc",
    customer: CustomerOption = None,
    with_children: WithChildrenOption = False,
    min_days: Annotated[
        int | None,
        typer.Option("--min-days", help="Only invoices at least this many days past due.", show_default=False),
    ] = None,
    contact: Annotated[
        bool, typer.Option("--contact", help="Add the customer's main contact: name, email, phone.")
    ] = False,
    fail_over: FailOverOption = None,
    *,
    out: _Out,
) -> None:
    """Which invoices are past due as of a date, and for how long?

    Invoices with money outstanding whose due date is before the as-of date.
    """
    from . import reports

    if fail_over is not None:
        reports.parse_fail_over(fail_over)
    result = reports.past_due(
        out.store,
        as_of=as_of,
        limit=limit,
        offset=offset,
        sort=sort,
        totals=out.totals or fail_over is not None,
        customer=customer,
        with_children=with_children,
        min_days=min_days,
        contact=contact,
        all_rows=out.every,
        known_at=out.known_at,
    )
    out.emit(result)
    _fail_over(result, fail_over)


@command(
    examples=[
        "domeo summary --month 2025-03",
        "domeo summary --month 2025-03 --customer 'harbor lane bakery' --json",
        "domeo summary --from 2025-01 --to 2025-06 --format csv -o billing.csv",
    ]
)
@report_options()
def summary(
    month: Annotated[
        str | None, typer.Option("--month", help="The month, YYYY-MM.", show_default=False, metavar="MONTH")
    ] = None,
    customer: CustomerOption = None,
    currency: CurrencyOption = None,
    first: Annotated[
        str | None,
        typer.Option(
            "--from", help="First month of a series, YYYY-MM (with --to).", show_default=False, metavar="MONTH"
        ),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option(
            "--to", help="Last month of a series, YYYY-MM (with --from).", show_default=False, metavar="MONTH"
        ),
    ] = None,
    *,
    out: _Out,
) -> None:
    """How much was billed in a month (or in each month of a range), per currency?

    Sum and count of the invoices dated in the month.
    """
    from . import reports
    from .errors import InvalidInput
    from .outcome import note

    if month is not None and (first is not None or last is not None):
        raise InvalidInput("Give either --month YYYY-MM or --from YYYY-MM --to YYYY-MM, not both.")
    if month is None and first is None and last is None:
        raise InvalidInput("summary needs --month YYYY-MM, or --from YYYY-MM --to YYYY-MM for a series.")
    if month is not None:
        out.emit(
            reports.summary(
                out.store, month=month, customer=customer, currency=currency, known_at=out.known_at, note=note
            )
        )
        return
    if first is None or last is None:
        given, missing = ("--from", "--to") if last is None else ("--to", "--from")
        raise InvalidInput(f"{given} needs {missing} too: a series runs from --from YYYY-MM to --to YYYY-MM.")
    out.emit(
        reports.summary_range(
            out.store, first=first, last=last, customer=customer, currency=currency, known_at=out.known_at, note=note
        )
    )


@command(
    examples=[
        "domeo contact 'Harbor Lane Bakery'",
        "domeo contact 418552 --json",
        "domeo contact 'harbor lane bakery' --all --format csv -o contacts.csv",
    ]
)
@report_options(every=True)
def contact(
    name: Annotated[str, typer.Argument(help="The customer's name (any case) or number.", show_default=False)],
    limit: Annotated[int, typer.Option("--limit", help="Contacts per page, 1 to 200.")] = 10,
    offset: OffsetOption = 0,
    *,
    out: _Out,
) -> None:
    """Who do we call at this customer?

    Each contact of the customer and the last invoice it appeared on, most recent first.
    """
    from . import reports

    out.emit(
        reports.contact(out.store, name=name, limit=limit, offset=offset, all_rows=out.every, known_at=out.known_at)
    )


@command(
    examples=[
        "domeo aging --as-of 2025-05-01",
        "domeo aging --by parent --tree --format html -o aging.html",
        "domeo aging --fail-over 50000 --json",
    ]
)
@report_options()
def aging(
    as_of: AsOfOption = None,
    buckets: Annotated[
        str | None,
        typer.Option(
            "--buckets",
            help="Bucket edges in days, e.g. 30,60,90,120 (default: 30,60,90: 1-30, 31-60, 61-90, 91+).",
            show_default=False,
            metavar="DAYS",
        ),
    ] = None,
    age_by: Annotated[
        str,
        typer.Option(
            "--age-by", help="due: days past the due date; invoice: days since the invoice date.", metavar="FROM"
        ),
    ] = "due",
    by: Annotated[
        str,
        typer.Option(
            "--by", help="customer, parent (rolled up to the top-level account) or currency.", metavar="GROUP"
        ),
    ] = "customer",
    tree: Annotated[
        bool, typer.Option("--tree", help="With --by parent: the hierarchy, indented, subtotals at every level.")
    ] = False,
    customer: CustomerOption = None,
    currency: CurrencyOption = None,
    min_total: Annotated[
        str | None,
        typer.Option(
            "--min-total",
            help="List only groups whose total is at least this amount.",
            show_default=False,
            metavar="AMOUNT",
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option("--sort", help="total (largest first), name, or oldest (longest overdue first).", metavar="ORDER"),
    ] = "total",
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            help="List at most this many groups per currency (default: 50 in a table, all in other formats).",
            show_default=False,
        ),
    ] = None,
    fail_over: FailOverOption = None,
    offset: Annotated[
        int, typer.Option("--offset", help="Groups to skip, per currency, before the page.", metavar="N")
    ] = 0,
    *,
    out: _Out,
) -> None:
    """How late is the money we are owed, and who owes it?

    Open invoices by age bucket, one row per customer, with a grand total per currency.
    """
    from . import reports
    from .options import TABLE_PAGE
    from .outcome import note

    if fail_over is not None:
        reports.parse_fail_over(fail_over)
    result = reports.aging(
        out.store,
        as_of=as_of,
        buckets=buckets,
        age_by=age_by,
        by=by,
        tree=tree,
        customer=customer,
        currency=currency,
        min_total=min_total,
        sort=sort,
        # A table for a person shows a page; exports and the JSON (and the HTTP API) list every group.
        limit=limit if limit is not None or out.fmt != "table" else TABLE_PAGE,
        offset=offset,
        known_at=out.known_at,
        note=note,
    )
    out.emit(result)
    _fail_over(result, fail_over)


@command(
    examples=[
        "domeo customers --sort past_due",
        "domeo customers --search bakery --json",
        "domeo customers --all --format csv --excel -o customers.csv",
    ]
)
@report_options(every=True)
def customers(
    as_of: AsOfOption = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            help="Only customers whose name contains this text (any case).",
            show_default=False,
            metavar="TEXT",
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option("--sort", help="name, open (largest open AR first), past_due or oldest.", metavar="ORDER"),
    ] = "name",
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    *,
    out: _Out,
) -> None:
    """Who are our customers, and what does each owe?

    Every customer: number, parent, invoices, open AR and past due per currency, main contact.
    """
    from . import reports

    result = reports.customers(
        out.store,
        as_of=as_of,
        search=search,
        sort=sort,
        limit=limit,
        offset=offset,
        all_rows=out.every,
        known_at=out.known_at,
    )
    out.emit(result)


@command(
    examples=[
        "domeo invoice DF2031977",
        "domeo invoice DF2031977 --as-of 2025-05-01 --json",
        "domeo invoice DF2031977 --format md -o DF2031977.md",
    ]
)
@report_options()
def invoice(
    number: Annotated[str, typer.Argument(help="The invoice number.", show_default=False, metavar="NUMBER")],
    as_of: AsOfOption = None,
    *,
    out: _Out,
) -> None:
    """What do we know about this invoice?

    One invoice in full: every stored field, days past due, the load that last changed it.
    """
    from . import reports

    detail = reports.invoice(out.store, number=number, as_of=as_of, known_at=out.known_at)
    if detail.asked is not None:  # found by a number that differs only in case: say so
        from .outcome import note

        note(
            f"no invoice is numbered {detail.asked!r}; "
            f"showing {detail.invoice_number}, the one number that differs only in case."
        )
    out.emit(detail)


@command(
    examples=[
        "domeo statement 'Harbor Lane Bakery' --as-of 2025-05-01",
        "domeo statement 907113 --with-children -o statement.html",
        "domeo statement 'harbor lane bakery' --format csv --excel -o statement.csv",
    ]
)
@report_options(formats=("md", "html", "csv", "tsv", "json"))
def statement(
    customer: Annotated[
        str, typer.Argument(help="The customer's name (any case) or number.", show_default=False, metavar="CUSTOMER")
    ],
    as_of: AsOfOption = None,
    with_children: Annotated[
        bool, typer.Option("--with-children", help="Add every account below the customer, each under its own heading.")
    ] = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="md, html, csv, tsv or json (default: md; with -o, the file's extension).",
            show_default=False,
            metavar="FORMAT",
        ),
    ] = None,
    *,
    out: _Out,
) -> None:
    """What does this customer owe us, invoice by invoice? (The statement to send them.)

    A header with the customer, its number and contact; its open invoices with days past due;
    the balance by age and in total, per currency.
    """
    from . import reports

    out.emit(
        reports.statement(out.store, customer=customer, as_of=as_of, with_children=with_children, known_at=out.known_at)
    )


@command(
    examples=[
        "domeo runs",
        "domeo runs --limit 5 --json",
        "domeo runs --format csv -o loads.csv",
    ]
)
@report_options(every=True, known_at=False)
def runs(
    limit: Annotated[int, typer.Option("--limit", help="Loads per page, 1 to 200.")] = 20,
    offset: OffsetOption = 0,
    *,
    out: _Out,
) -> None:
    """Which files were loaded, when, and what did each load do?

    The loads kept in the database, newest first: start, end, duration, file, SHA-256, counts.
    """
    from . import reports

    out.emit(reports.runs(out.store, limit=limit, offset=offset, all_rows=out.every))


@command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; other than loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0: any free port, shown on start).")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (each answers requests).")] = 1,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Require 'Authorization: Bearer TOKEN' on every API request (prefer $DOMEO_API_TOKEN: "
            "a command line is visible to other users).",
            show_default=False,
        ),
    ] = None,
    cors: Annotated[
        list[str] | None,
        typer.Option(
            "--cors", help="Allow this web origin to call the API from a browser (repeatable).", show_default=False
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a request's queries may run before a 503.")
    ] = 10.0,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Answer requests for this host name too, e.g. behind a reverse proxy (repeatable; "
            "without a token only localhost, 127.0.0.1 and [::1] are answered).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Serve the reports as a read-only JSON API (FastAPI) with a page for the AR team, until Ctrl-C."""
    from .serve import serve as run_server

    run_server(
        _store(db).path,
        host=host,
        port=port,
        workers=workers,
        token=token,
        cors=cors,
        timeout=timeout,
        allowed_hosts=allowed_host,
    )


@command(
    examples=[
        "domeo check",
        "domeo check --json > findings.json || echo 'the book needs a look'",
        "domeo check --known-at 2025-03-31 --format csv -o findings.csv",
    ]
)
@report_options()
def check(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Invoices dated after this day are in the future (default: today).", show_default=False
        ),
    ] = None,
    *,
    out: _Out,
) -> None:
    """Is anything wrong in the book? Each finding with its invoices and customers; exit 4 when anything is found.

    Closed invoices with a balance, due dates before invoice dates, invoices dated in the future,
    one customer number on two names or two numbers on one name, parent loops and missing parents,
    overpaid invoices, duplicate contacts.
    """
    from . import reports
    from .errors import FindingsFound

    result = reports.check(out.store, as_of=as_of, known_at=out.known_at)
    out.emit(result)
    if result.findings:
        raise FindingsFound(f"{len(result.findings)} finding(s) in the book; see above.")


@command(
    examples=[
        "domeo diff",
        "domeo diff 2025-03-31 2025-04-30 --json",
        "domeo diff 3 --format csv -o changes.csv",
    ]
)
@report_options(known_at=False)
def diff(
    load_a: Annotated[
        str | None,
        typer.Argument(help="The earlier load (number or date; default: the one before LOAD_B).", show_default=False),
    ] = None,
    load_b: Annotated[
        str | None, typer.Argument(help="The later load (number or date; default: the last load).", show_default=False)
    ] = None,
    *,
    out: _Out,
) -> None:
    """What changed between two loads? New invoices, payments, status changes, amounts and dates, gone missing."""
    from . import reports

    result = reports.diff(out.store, first=load_a, second=load_b)
    out.emit(result)


@command(
    examples=[
        "domeo trend --from 2025-01 --to 2025-06",
        "domeo trend --every load --json",
    ]
)
@report_options(known_at=False)
def trend(
    first: Annotated[
        str | None,
        typer.Option("--from", help="First day or month (default: the first load's date).", show_default=False),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last day or month (default: today).", show_default=False)
    ] = None,
    every: Annotated[
        str, typer.Option("--every", help="month (month ends, with DSO) or load (each load date).")
    ] = "month",
    *,
    out: _Out,
) -> None:
    """How did open AR, past due and DSO move? Per currency, per month end (with DSO) or per load date."""
    from . import reports

    out.emit(reports.trend(out.store, first=first, last=last, every=every))


@command(examples=["domeo redate 3 2025-10-01", "domeo redate 1 2025-01-31 --json"])
def redate(
    load: Annotated[
        str, typer.Argument(help="The load's number (see domeo runs).", show_default=False, metavar="LOAD")
    ],
    date: Annotated[
        str, typer.Argument(help="Its real date, YYYY-MM-DD (at most tomorrow).", show_default=False, metavar="DATE")
    ],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Was a load dated wrongly? (Gives it its real date, e.g. after a typo in --as-of; the old one is kept.)

    The loads stay in date order: the date may be neither before the load before it nor after the one after it.
    """
    from . import printable

    done = _store(db).redate(load, date)
    if json:
        from . import shapes

        shapes.dump({"load": done.load, "file": done.file_name, "as_of": done.as_of, "was": done.was})
    elif done.was == done.as_of:
        sys.stderr.write(f"Load {done.load} is already dated {done.as_of}; nothing changed.\n")
    else:
        sys.stderr.write(
            f"Load {done.load} ({printable.path(done.file_name)}) is dated {done.as_of} now, not {done.was}; "
            "the old date is kept in the database.\n"
        )


#: How a described option's value reads on the command line: its Python type and metavar.
_OPTION_TYPES = {"as_of": (str | None, "DATE"), "whole": (int, "INTEGER")}


def _described_command(report: Any) -> None:
    """Register the command of a described report (``results.describe``): its options, then the shared ones.

    ``--weeks`` for an option ``weeks``; ``--format``, ``-o``, ``--excel``,
    ``--known-at``, ``--db`` and ``--json`` from ``report_options``, as every
    report has them; the result goes to ``out.emit`` as every report's does.
    """
    import inspect

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = []
    for option in report.options:
        if option.kind == "known_at":
            continue  # a shared option (report_options)
        kind, metavar = _OPTION_TYPES[option.kind]
        flag = "--" + option.name.replace("_", "-")
        declared = typer.Option(flag, help=option.help, metavar=metavar, show_default=option.default is not None)
        parameters.append(
            inspect.Parameter(option.name, keyword, default=option.default, annotation=Annotated[kind, declared])
        )

    def run(*, out: _Out, **values: Any) -> None:
        from . import reports

        out.emit(reports.described(report, out.store, known_at=out.known_at, **values))

    run.__signature__ = inspect.Signature([*parameters, inspect.Parameter("out", keyword)])  # type: ignore[attr-defined]
    run.__doc__ = f"{report.question}\n\n{report.description}"
    known_at = any(option.kind == "known_at" for option in report.options)
    command(report.name, examples=list(report.examples))(report_options(known_at=known_at)(run))


def main(argv: list[str] | None = None) -> None:
    """Run ``domeo`` with ``argv`` (default: the process's arguments); exits with the command's code."""
    app(args=argv, prog_name="domeo")
