"""Domain errors and the exit codes the contract gives them.

The library raises these; the CLI turns each into one sentence on stderr
(JSON with ``--json``) and the matching exit code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

EXIT_OK = 0
EXIT_OPERATIONAL = 1
EXIT_INVALID = 2
EXIT_NOT_FOUND = 3
EXIT_REJECTED = 4
EXIT_THRESHOLD = 5


class Option(NamedTuple):
    """An option a message names; each front end spells it (``--as-of`` on the command line, ``as_of`` over HTTP).

    ``name`` is the option's own name with ``_`` for ``-`` (``as_of``,
    ``min_total``); ``value``, when given, is shown with it (``--by parent``).
    """

    name: str
    value: str = ""


class Private(NamedTuple):
    """Part of a message only the command line shows: a path of this machine, a command line naming it.

    A front end serving others (the HTTP API) shows ``public`` instead.
    """

    text: str
    public: str = ""


#: A message is text, options to spell and private parts, in order.
Part = str | Option | Private


def command_line_option(option: Option) -> str:
    """``Option("as_of")`` as the command line spells it: ``--as-of`` (``--by parent`` with a value)."""
    flag = "--" + option.name.replace("_", "-")
    return f"{flag} {option.value}" if option.value else flag


class DomeoError(Exception):
    """An error a user can cause; ``str(err)`` is the sentence shown to them on the command line.

    The sentence is made of parts (``Part``): options are spelled and private
    parts shown or hidden by the front end that renders it (``render``).
    """

    exit_code = EXIT_OPERATIONAL
    code = "operational_error"

    def __init__(self, *parts: Part) -> None:
        self.parts = parts
        message = self.render()
        super().__init__(message)
        self.message = message

    def render(self, spell: Callable[[Option], str] = command_line_option, private: bool = True) -> str:
        """The sentence with each option spelled by ``spell``; private parts as they are, or their public text."""

        def text(part: Part) -> str:
            if isinstance(part, Option):
                return spell(part)
            if isinstance(part, Private):
                return part.text if private else part.public
            return part

        return "".join(text(part) for part in self.parts)


class InvalidInput(DomeoError):
    """A bad option value or a file that cannot be ingested at all (exit 2); ``suggestions``: values meant, maybe."""

    exit_code = EXIT_INVALID
    code = "invalid_input"

    def __init__(self, *parts: Part, suggestions: list[str] | None = None) -> None:
        super().__init__(*parts)
        self.suggestions = suggestions or []


class NotFound(DomeoError):
    """A customer or invoice that does not exist (exit 3)."""

    exit_code = EXIT_NOT_FOUND
    code = "not_found"

    def __init__(self, *parts: Part | list[str], suggestions: list[str] | None = None) -> None:
        if parts and isinstance(parts[-1], list):  # NotFound(message, suggestions), as it was first written
            *parts, suggestions = parts  # type: ignore[assignment]
        super().__init__(*parts)  # type: ignore[arg-type]
        self.suggestions = suggestions or []


class DatabaseError(DomeoError):
    """No database, a locked, corrupt, foreign or unwritable one, or I/O failure (exit 1)."""

    exit_code = EXIT_OPERATIONAL
    code = "database_error"


class OutputError(DomeoError):
    """A file or stream domeo writes could not be written (a full disk, an I/O error): exit 1."""

    exit_code = EXIT_OPERATIONAL
    code = "io_error"


class QueryTimeout(DatabaseError):
    """A report query ran past the time limit its caller set (``domeo serve``: HTTP 503)."""

    code = "query_timeout"


class NoDatabase(DatabaseError):
    """A report was asked of a database file that does not exist (exit 1)."""

    code = "no_database"


class FindingsFound(DomeoError):
    """``domeo check`` found problems (exit 4, after the findings were printed)."""

    exit_code = EXIT_REJECTED
    code = "findings"


class RowsRejected(DomeoError):
    """Ingest rejected rows (exit 4); carries the load report for rendering."""

    exit_code = EXIT_REJECTED
    code = "rows_rejected"

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report


class ThresholdCrossed(DomeoError):
    """A threshold asked for on the command line (``--fail-over``) was crossed (exit 5).

    Raised after the report was printed: the report stands, the exit code signals.
    """

    exit_code = EXIT_THRESHOLD
    code = "threshold_crossed"
