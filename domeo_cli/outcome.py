"""How a command ends: every error a user can cause becomes one sentence and an exit code.

Used by the command line around every command. Kept free of Typer and
Rich imports.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from .errors import EXIT_OPERATIONAL, DomeoError


def guarded(call: Callable[[], Any], json_errors: bool) -> int:
    """Run ``call`` and return its exit code; errors are reported on stderr, never raised."""
    try:
        result = call()
        return result if isinstance(result, int) else 0
    except DomeoError as err:
        return report(err.code, err.message, err.exit_code, json_errors, getattr(err, "suggestions", None))
    except KeyboardInterrupt:
        return report("interrupted", "Interrupted; nothing was changed.", 130, json_errors)
    except BrokenPipeError:
        reader_gone()
        return 0
    except OSError as err:
        return report("io_error", f"I/O error: {err.strerror or err}.", EXIT_OPERATIONAL, json_errors)
    except Exception as err:  # noqa: BLE001 - a bug: one line, the traceback only on request
        if debugging():
            raise
        return report(
            "internal_error",
            f"Internal error ({type(err).__name__}: {err}); please report it, "
            "and set DOMEO_DEBUG=1 to see the traceback.",
            EXIT_OPERATIONAL,
            json_errors,
        )


def debugging() -> bool:
    """True when ``$DOMEO_DEBUG`` asks for tracebacks: ``1``, ``true`` or ``yes`` in any case. Anything else
    (``0``, ``false``, ``no``, empty) keeps errors to one sentence."""
    return os.environ.get("DOMEO_DEBUG", "").strip().lower() in ("1", "true", "yes")


def report(code: str, message: str, exit_code: int, as_json: bool, suggestions: list[str] | None = None) -> int:
    """Write one error to stderr (the contract's JSON object with ``--json``); return ``exit_code``."""
    if as_json:
        import json

        error: dict[str, Any] = {"code": code, "message": message}
        if suggestions:
            error["suggestions"] = suggestions
        from .printable import json_safe

        sys.stderr.write(json_safe(json.dumps({"error": error}, ensure_ascii=False)) + "\n")
    else:
        from .printable import message as safe

        sys.stderr.write(f"domeo: error: {safe(message)}\n")  # a name holding ESC must not reach the terminal raw
    sys.stderr.flush()
    return exit_code


def note(message: str) -> None:
    """One line for the person running the command, on stderr (stdout is data)."""
    sys.stderr.write(f"domeo: note: {message}\n")
    sys.stderr.flush()


def reader_gone() -> None:
    """Whoever read our output went away (``| head``), not an error of ours: stdout goes to /dev/null,
    so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # AttributeError: stdout was closed (None)
        pass
