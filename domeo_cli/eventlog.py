"""The load log: one line per event of a load, appended to ``--log-file`` (or ``$DOMEO_LOG``).

Every line has a UTC timestamp, a level and the load's id (made up at its
start, so lines of loads that overlap can be told apart): the start, each
row-level warning and rejection with its line, the summary counts, and the
end with its duration. ``text`` lines read well in ``tail -f`` and grep;
``json`` lines (one object each) suit a log collector. Each line is written
and flushed on its own, in append mode, so two loads writing to one log
never interleave inside a line.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import IO, Any

from .errors import DomeoError, InvalidInput

LOG_FORMATS = ("text", "json")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text_value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # Quoted (as JSON) when a value holds a space, a quote, an equals sign or a control character.
    if not text or any(c.isspace() or c in '"=\\' or not c.isprintable() for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


class LoadLog:
    """Appends the events of one load to a log file."""

    def __init__(self, stream: IO[str], fmt: str) -> None:
        self._stream = stream
        self._json = fmt == "json"
        self.load_id = secrets.token_hex(4)
        self._started = time.monotonic()

    def event(self, level: str, event: str, **fields: Any) -> None:
        """Write one line: time, level, load id, event, then ``fields`` in order."""
        if self._json:
            line = json.dumps(
                {"time": _now(), "level": level, "load": self.load_id, "event": event, **fields}, ensure_ascii=False
            )
        else:
            pairs = " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())
            line = f"{_now()} {level:<7} load={self.load_id} {event}" + (f" {pairs}" if pairs else "")
        self._stream.write(line + "\n")
        self._stream.flush()

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


def check_format(fmt: str) -> str:
    """``--log-format`` checked: text or json."""
    if fmt not in LOG_FORMATS:
        raise InvalidInput(f"--log-format takes text or json, not {fmt!r}.")
    return fmt


@contextmanager
def load_log(path: str | None, fmt: str, **start: Any) -> Iterator[LoadLog | None]:
    """A LoadLog appending to ``path`` for the block (None when there is no log), its start written.

    A load that fails (a file that cannot be ingested, a database error) is
    logged as failed, with the sentence the user sees, before the error goes on.
    """
    if path is None:
        yield None
        return
    try:
        stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as err:
        raise InvalidInput(f"Cannot append to the log file {path}: {err.strerror or err}.") from None
    with stream:
        log = LoadLog(stream, fmt)
        log.event("INFO", "start", **start)
        try:
            yield log
        except DomeoError as err:
            if getattr(err, "report", None) is None:  # rows rejected: already logged by finish()
                log.event("ERROR", "failed", code=err.code, message=err.message)
                log.end("failed", exit_code=err.exit_code)
            raise
        except BaseException as err:
            log.event("ERROR", "failed", code=type(err).__name__, message=str(err))
            log.end("failed")
            raise
