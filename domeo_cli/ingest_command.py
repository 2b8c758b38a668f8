"""``domeo ingest`` once its options are parsed: progress, the load, the report, the exit.

Kept out of ``cli.py`` so that the command line only parses. The load itself
is the store's (``store.load``); this module shows its progress on a terminal and renders
its report (a table on stderr, or with ``--json`` one JSON object on stdout).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from . import printable
from .errors import DatabaseError, InvalidInput, RowsRejected
from .load_report import LoadReport

if TYPE_CHECKING:
    from .store import Store

# A file smaller than this loads in a moment: no progress bar.
PROGRESS_FROM = 8 * 1024 * 1024


def run(
    store: Store,
    file: str,
    *,
    dry_run: bool,
    strict: bool,
    rejects: str | None,
    encoding: str | None,
    as_json: bool,
    quiet: bool = False,
    verbose: bool = False,
    log_file: str | None = None,
    log_format: str | None = None,
    complete: str | None = None,
    as_of: str | None = None,
    force: bool = False,
) -> None:
    """Load ``file`` into ``store`` and report; raises RowsRejected (exit 4) when rows were rejected.

    ``quiet``: nothing on stderr unless rows were rejected; ``verbose``: every warning
    in full. ``log_file`` (else ``$DOMEO_LOG``) gets one line per event of the load.
    """
    from . import eventlog

    if quiet and verbose:
        raise InvalidInput("--quiet and --verbose do not go together: pick one.")
    if dry_run and strict:
        raise InvalidInput(
            "--dry-run and --strict do not go together: --dry-run never writes, "
            "and already exits 4 if a row would be rejected."
        )
    if rejects == "-" and as_json:
        raise InvalidInput("--rejects - and --json would both write to standard output; name a file for --rejects.")
    fmt = eventlog.check_format(log_format or "text")
    progress = _progress_bar(file) if not quiet and (not as_json or sys.stderr.isatty()) else None
    start = {"file": file, "database": store.path, "dry_run": dry_run, "strict": strict}
    path = eventlog.log_path(log_file)
    option = eventlog.log_option(log_file)
    if path is not None:
        from .outfiles import check_target

        check_target(path, option=option, database=store.file, inputs=(file,), append=True)
    with eventlog.load_log(path, fmt, option=option, **start) as log:
        try:
            report = store.load(
                file,
                dry_run=dry_run,
                strict=strict,
                rejects_path=rejects,
                encoding=encoding,
                progress=progress.update if progress else None,
                on_warning=log.warning if log else None,
                complete=complete,
                as_of=as_of,
                force=force,
            )
        finally:
            if progress:
                progress.close()
        unlogged = None
        if log:
            try:
                log.finish(report)
            except eventlog.LogFailed as failed:
                unlogged = eventlog.after_load(failed, report)  # said once the report is shown
        if as_json or not quiet or report.rejected or unlogged:
            _render(report, rejects, as_json, verbose)
        if unlogged:
            raise unlogged
        if report.rejected:
            if strict:
                message = f"{report.rejected} row(s) rejected, so with --strict nothing was loaded."
            elif dry_run:
                message = f"{report.rejected} row(s) would be rejected; nothing was written (dry run)."
            else:
                message = f"{report.rejected} row(s) rejected; the other {report.rows_read - report.rejected} loaded."
            raise RowsRejected(message, report)


def _every_warning(report: LoadReport) -> None:
    """With --verbose: every warning kept in full, one line each, on stderr."""
    for w in report.warning_details:
        where = f"line {w.line}: " if w.line else ""
        sys.stderr.write(f"warning: {where}{printable.message(w.message)}\n")
    if report.warnings > len(report.warning_details):
        sys.stderr.write(f"warning: … {report.warnings - len(report.warning_details)} more (see --log-file)\n")


def _render(report: LoadReport, rejects: str | None, as_json: bool, verbose: bool = False) -> None:
    """Write the report; a failure to write it says whether the load was committed."""
    from .shapes import isatty

    try:
        if as_json:
            report.write_json(sys.stdout, indent=isatty(sys.stdout))
        else:
            from . import tables

            tables.load_report(report, rejects, len(report.rejections) if verbose else 10)
            if verbose:
                _every_warning(report)
    except BrokenPipeError:
        raise  # the reader went away (``| head``): not an error
    except OSError as err:
        _silence(sys.stdout)
        where = "standard output" if as_json else "standard error"
        if report.committed:
            raise DatabaseError(
                f"The load of {printable.path(report.file)} was committed ({report.inserted} inserted, "
                f"{report.updated} updated, {report.unchanged} unchanged, {report.rejected} rejected), "
                f"but its report could not be written to {where}: {err.strerror or err}."
            ) from None
        raise DatabaseError(
            f"Nothing was loaded, and the report could not be written to {where}: {err.strerror or err}."
        ) from None


def _silence(stream: object) -> None:
    """Point a failed stream at /dev/null, so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())  # type: ignore[attr-defined]
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


class _ProgressBar:
    """A Rich progress bar on stderr, shown only on a terminal for large files."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        # The console is given to Progress when it is made: Rich offers no way to set it later.
        self._progress = Progress(
            "Loading",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._progress.add_task("load", total=total)
        self._progress.start()

    def update(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        self._progress.stop()


def _progress_bar(file: str) -> _ProgressBar | None:
    if not sys.stderr.isatty() or file == "-":
        return None
    try:
        size = os.path.getsize(file)
    except OSError:
        return None
    return _ProgressBar(size) if size > PROGRESS_FROM else None
