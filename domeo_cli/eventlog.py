"""The load log: one line per event of a load, appended to ``--log-file`` (or ``$DOMEO_LOG``).

Every line has a UTC timestamp, a level and the load's id (made up at its
start, so lines of loads that overlap can be told apart): the start, each
row-level warning and rejection with its line, the summary counts, and the
end with its duration. ``text`` lines read well in ``tail -f`` and grep;
``json`` lines (one object each) suit a log collector. Each line is written
with one ``write`` call in append mode, so two loads writing to one log
never interleave inside a line.

In ``text`` lines a value is written bare when it is a number, ``true`` or
``false``, ``-`` (nothing), or text without white space, quotes, ``=``,
backslashes or invisible characters; any other text (the empty text, and
text that reads as one of the bare words) is a JSON string. So every line
splits back into ``key=value`` pairs unambiguously, and no value breaks a
line or reaches a terminal (``tail -f``) as a control character.

A new log file is the owner's alone (0600); an existing one keeps its owner
and mode (see ``outfiles.open_append``). A line that cannot be written (a
full disk) ends the load with exit 1 and a sentence that names the log and
says what became of the load: nothing loaded when the start or a line
written during the load failed (the load is rolled back), committed when
only the lines after the commit are missing.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from . import printable
from .errors import DomeoError, InvalidInput, OutputError

LOG_FORMATS = ("text", "json")
# Text that a bare value could be mistaken for: nothing, and the two booleans.
_BARE_WORDS = frozenset({"", "-", "true", "false"})


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text_value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    # Quoted (as JSON) when a value holds a space, a quote, an equals sign, a backslash or an
    # invisible character, or would read as a bare word.
    if text in _BARE_WORDS or any(c.isspace() or c in '"=\\' or not c.isprintable() for c in text):
        return printable.json_safe(json.dumps(text, ensure_ascii=False))
    return text


class LogFailed(OutputError):
    """A line of the load log could not be written (exit 1); no later line is tried."""

    def __init__(self, path: str, err: OSError) -> None:
        self.path = path
        self.reason = err.strerror or str(err)
        super().__init__(f"The log file {printable.path(path)} could not be written: {self.reason}")


class LoadLog:
    """Appends the events of one load to a log file open as ``fd``."""

    def __init__(self, fd: int, fmt: str, path: str = "") -> None:
        self._fd = fd
        self._json = fmt == "json"
        self.path = path
        self.load_id = secrets.token_hex(4)
        self._started = time.monotonic()
        self.failed: LogFailed | None = None

    def event(self, level: str, event: str, **fields: Any) -> None:
        """Write one line: time, level, load id, event, then ``fields`` in order.

        Raises LogFailed when the line cannot be written; after that the log
        writes nothing more (a later line would follow half of one).
        """
        if self.failed is not None:
            return
        if self._json:
            line = printable.json_safe(
                json.dumps(
                    {"time": _now(), "level": level, "load": self.load_id, "event": event, **fields},
                    ensure_ascii=False,
                )
            )
        else:
            pairs = " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())
            line = f"{_now()} {level:<7} load={self.load_id} {event}" + (f" {pairs}" if pairs else "")
        data = memoryview((line + "\n").encode("utf-8"))
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError as err:
            self.failed = LogFailed(self.path, err)
            raise self.failed from None

    def warning(self, item: Any) -> None:
        """A row-level warning (``ingest.Warning_``), as the load meets it."""
        self.event("WARNING", "warning", line=item.line, invoice_number=item.invoice_number, message=item.message)

    def finish(self, report: Any) -> None:
        """The rejections, the summary counts and the end of a load that ran to its end."""
        for item in report.rejections:
            self.event("ERROR", "rejected", line=item.line, invoice_number=item.invoice_number, reason=item.reason)
        for message in report.hierarchy_warnings:
            self.event("WARNING", "hierarchy", message=message)
        self.event(
            "INFO",
            "summary",
            rows_read=report.rows_read,
            inserted=report.inserted,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
            warnings=report.warnings,
            committed=report.committed,
            run_id=report.run_id,
        )
        self.end("ok" if not report.rejected else "rejected")

    def end(self, outcome: str, **fields: Any) -> None:
        """The last line of a load: how it ended and how long it took."""
        seconds = round(time.monotonic() - self._started, 3)
        level = "INFO" if outcome == "ok" else "WARNING" if outcome == "rejected" else "ERROR"
        self.event(level, "end", outcome=outcome, duration_s=seconds, **fields)


def log_path(option: str | None) -> str | None:
    """The log file: ``--log-file``, else ``$DOMEO_LOG``, else None (no log)."""
    return option or os.environ.get("DOMEO_LOG") or None


def log_option(option: str | None) -> str:
    """How messages name the log file: the option, or the variable it came from."""
    return "--log-file" if option else "$DOMEO_LOG"


def check_format(fmt: str) -> str:
    """``--log-format`` checked: text or json."""
    if fmt not in LOG_FORMATS:
        raise InvalidInput(f"--log-format takes text or json, not {fmt!r}.")
    return fmt


def after_load(failed: LogFailed, report: Any) -> OutputError:
    """The error for a log whose last lines (after the load) could not be written: what became of the load."""
    if report.committed:
        return OutputError(
            f"The load of {printable.path(report.file)} was committed ({report.inserted} inserted, "
            f"{report.updated} updated, {report.unchanged} unchanged, {report.rejected} rejected), but the log file "
            f"{printable.path(failed.path)} could not be written: {failed.reason}; its last lines are missing."
        )
    return OutputError(
        f"Nothing was loaded ({'a dry run' if report.dry_run else 'rows were rejected under --strict'}), "
        f"and the log file {printable.path(failed.path)} could not be written: {failed.reason}."
    )


@contextmanager
def load_log(path: str | None, fmt: str, *, option: str = "--log-file", **start: Any) -> Iterator[LoadLog | None]:
    """A LoadLog appending to ``path`` for the block (None when there is no log), its start written.

    A load that fails (a file that cannot be ingested, a database error) is
    logged as failed, with the sentence the user sees, before the error goes on.
    A line that cannot be written before or during the load fails it
    (OutputError, exit 1: nothing loaded); ``option`` names the log in messages.
    """
    if path is None:
        yield None
        return
    from .outfiles import open_append

    fd = open_append(path, option=option)
    try:
        log = LoadLog(fd, fmt, path)
        try:
            log.event("INFO", "start", **start)
        except LogFailed as failed:
            raise OutputError(f"{failed.message}; nothing was loaded.") from None
        try:
            yield log
        except LogFailed as failed:  # a warning's line, written as the load met it: the load was rolled back
            raise OutputError(
                f"{failed.message}; the load stopped there and was rolled back: nothing was loaded."
            ) from None
        except DomeoError as err:
            if getattr(err, "report", None) is None:  # rows rejected: already logged by finish()
                _try(log, "failed", code=err.code, message=err.message, exit_code=err.exit_code)
            raise
        except BaseException as err:
            _try(log, "failed", code=type(err).__name__, message=str(err))
            raise
    finally:
        os.close(fd)


def _try(log: LoadLog, event: str, *, exit_code: int | None = None, **fields: Any) -> None:
    """Log a failed load; a log that cannot be written then leaves the load's own error to be said."""
    try:
        log.event("ERROR", event, **fields)
        if exit_code is None:
            log.end("failed")
        else:
            log.end("failed", exit_code=exit_code)
    except LogFailed:
        pass
