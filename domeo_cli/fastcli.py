"""A fast path for the report commands that cron runs all day.

Importing Typer (and the libraries it pulls in) costs several times
Python's own start-up. A report invocation written plainly (``domeo --db X
past-due --as-of D --json``) is parsed here instead and handed to the same
``actions`` functions; anything else (help, a misspelt option, a value that
is not a number, any other command) returns None and goes to Typer, so its
messages stay Typer's. ``tests/test_fastcli.py`` checks that both paths
agree and that this table matches the Typer commands' options.
"""

from __future__ import annotations

from collections.abc import Callable

# command -> (option -> converter); "--json" is the one flag, every option takes a value.
OPTIONS: dict[str, dict[str, Callable[[str], object]]] = {
    "past-due": {"--as-of": str, "--limit": int, "--offset": int, "--sort": str, "--db": str},
    "summary": {"--month": str, "--from": str, "--to": str, "--customer": str, "--currency": str, "--db": str},
    "contact": {"--limit": int, "--offset": int, "--db": str},
    "aging": {
        "--as-of": str,
        "--buckets": str,
        "--age-by": str,
        "--by": str,
        "--customer": str,
        "--currency": str,
        "--min-total": str,
        "--sort": str,
        "--limit": int,
        "--db": str,
    },
    "customers": {"--as-of": str, "--search": str, "--sort": str, "--limit": int, "--offset": int, "--db": str},
    "invoice": {"--as-of": str, "--db": str},
}
DEFAULTS: dict[str, dict[str, object]] = {
    "past-due": {"--as-of": None, "--limit": 50, "--offset": 0, "--sort": "due_date.asc", "--db": None},
    "summary": {"--month": None, "--from": None, "--to": None, "--customer": None, "--currency": None, "--db": None},
    "contact": {"--limit": 10, "--offset": 0, "--db": None},
    "aging": {
        "--as-of": None,
        "--buckets": None,
        "--age-by": "due",
        "--by": "customer",
        "--customer": None,
        "--currency": None,
        "--min-total": None,
        "--sort": "total",
        "--limit": None,
        "--db": None,
    },
    "customers": {"--as-of": None, "--search": None, "--sort": "name", "--limit": 50, "--offset": 0, "--db": None},
    "invoice": {"--as-of": None, "--db": None},
}
#: Flags (options without a value) besides --json, each False unless given.
FLAGS: dict[str, set[str]] = {"aging": {"--tree"}}
#: Commands that take one positional argument.
POSITIONAL = {"contact", "invoice"}


def parse(argv: list[str]) -> tuple[str, dict[str, object], str | None, bool] | None:
    """``(command, options, positional, json)`` for a plain report invocation, else None."""
    global_db = None
    args = list(argv)
    if args[:1] == ["--db"] and len(args) >= 2:
        global_db, args = args[1], args[2:]
    elif args and args[0].startswith("--db="):
        global_db, args = args[0][5:], args[1:]
    if not args or args[0] not in OPTIONS:
        return None
    command, rest = args[0], args[1:]
    spec = OPTIONS[command]
    values = dict(DEFAULTS[command])
    values.update(dict.fromkeys(FLAGS.get(command, ()), False))
    positional: list[str] = []
    as_json = False
    seen: set[str] = set()
    i = 0
    while i < len(rest):
        word = rest[i]
        if word == "--json":
            as_json = True
        elif word in FLAGS.get(command, ()):
            values[word] = True
        elif word == "--":
            positional.extend(rest[i + 1 :])
            break
        elif word.startswith("-"):
            name, eq, value = word.partition("=")
            if name not in spec or name in seen:
                return None
            if not eq:
                if i + 1 >= len(rest):
                    return None
                i += 1
                value = rest[i]
            try:
                values[name] = spec[name](value)
            except ValueError:
                return None
            seen.add(name)
        else:
            positional.append(word)
        i += 1
    if len(positional) != (1 if command in POSITIONAL else 0):
        return None
    if values.get("--db") is None:
        values["--db"] = global_db
    return command, values, (positional[0] if positional else None), as_json


def run(argv: list[str]) -> int | None:
    """Run a plain report invocation and return its exit code; None if Typer must handle it."""
    parsed = parse(argv)
    if parsed is None:
        return None
    command, values, positional, as_json = parsed
    from . import actions, report_actions
    from .outcome import guarded

    v = values
    db = v["--db"]
    calls: dict[str, Callable[[], None]] = {
        "past-due": lambda: actions.past_due(db, v["--as-of"], v["--limit"], v["--offset"], v["--sort"], as_json),
        "summary": lambda: actions.summary_command(
            db, v["--month"], v["--from"], v["--to"], v["--customer"], v["--currency"], as_json
        ),
        "contact": lambda: actions.contact(db, positional, v["--limit"], v["--offset"], as_json),
        "aging": lambda: report_actions.aging(
            db, v["--as-of"], v["--buckets"], v["--age-by"], v["--by"], v["--tree"], v["--customer"],
            v["--currency"], v["--min-total"], v["--sort"], v["--limit"], as_json,
        ),
        "customers": lambda: report_actions.customers(
            db, v["--as-of"], v["--search"], v["--sort"], v["--limit"], v["--offset"], as_json
        ),
        "invoice": lambda: report_actions.invoice(db, positional, v["--as-of"], as_json),
    }  # fmt: skip
    call = calls[command]
    return guarded(call, as_json)
