"""User-given text made safe to show on a terminal.

A file name or a field can hold ESC and other control characters; written
raw, they would move the cursor, recolour or retitle the user's terminal,
and a bidi control (U+202E) would reorder the rest of the line so that it
reads as something else ("Trojan Source"). Messages show them escaped
instead (``\\x1b``, ``\\u202e``), the way Python's repr does.

What is unsafe, once for every front end (``UNSAFE``): C0 controls but tab
and line feed (and a carriage return just before one), DEL, C1 controls
(U+009B is a terminal's CSI on its own), the bidi embedding, override,
isolate and mark characters (U+061C, U+200E, U+200F, U+202A-U+202E,
U+2066-U+2069), the line and paragraph separators (U+2028, U+2029:
invisible on a terminal, line breaks to a log reader), and bytes of a file
that did not decode (lone surrogates U+DC80-U+DCFF).

- ``printable`` / ``message``: one line / one message of a sentence on stderr.
- ``for_terminal`` / ``TerminalStream``: a report in CSV, TSV, Markdown or
  HTML written to a terminal (a file or a pipe keeps the data as stored).
- ``json_safe``: a JSON text with the unsafe characters JSON leaves raw
  written as ``\\u`` escapes: the same JSON value, safe to print.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

# The characters that format or reorder text but are not line breaks or tabs.
_FORMAT = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
#: Every character that must never reach a terminal raw. Tab and line feed are layout, not controls,
#: and so is a carriage return before a line feed (a CSV line's end); alone, it would overwrite the line.
UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_FORMAT}\udc80-\udcff]|\r(?!\n)")
_CONTROLS = re.compile(f"[\x00-\x1f{_FORMAT}]")
# The same, except the line breaks and tabs a multi-line message may hold on purpose.
_CONTROLS_IN_MESSAGE = re.compile(f"[\x00-\x08\x0b-\x1f{_FORMAT}]")
# What ``json.dumps(..., ensure_ascii=False)`` leaves raw of the above (it escapes C0 itself),
# and lone surrogates (bytes of a file name that did not decode), which UTF-8 cannot hold.
_RAW_IN_JSON = re.compile(f"[{_FORMAT}\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    if "\udc80" <= char <= "\udcff":  # a byte that did not decode: shown as that byte
        return f"\\x{ord(char) - 0xDC00:02x}"
    return repr(char)[1:-1] if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text: str) -> str:
    """``text`` with every control character escaped (``\\x1b``, ``\\n``), for one line of a message."""
    text = _CONTROLS.sub(_escape, text)
    # A lone surrogate (bytes that did not decode) cannot be written as UTF-8: show its byte.
    return text.encode("utf-8", "backslashreplace").decode("utf-8") if not text.isascii() else text


def path(name: str) -> str:
    """A user-given file name as a message shows it: escaped, and an empty name said as such."""
    return printable(name) if name else "'' (an empty file name)"


def message(text: str) -> str:
    """A whole message made safe for a terminal; its own line breaks and tabs are kept."""
    text = _CONTROLS_IN_MESSAGE.sub(_escape, text)
    return text.encode("utf-8", "backslashreplace").decode("utf-8") if not text.isascii() else text


def for_terminal(text: str) -> str:
    """``text`` with every character of ``UNSAFE`` escaped (``\\x1b``, ``\\u202e``); tabs and line ends kept."""
    return UNSAFE.sub(_escape, text) if not text.isascii() or UNSAFE.search(text) else text


def json_safe(text: str) -> str:
    """A JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1, bidi and separator characters
    and lone surrogates as ``\\u`` escapes: the same JSON value, nothing in it a terminal would act on."""
    return text if text.isascii() and "\x7f" not in text else _RAW_IN_JSON.sub(_unicode_escape, text)


def _unicode_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


class TerminalStream:
    """A text stream for a person at a terminal: what is written passes through ``for_terminal``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` made safe for the terminal."""
        return self._stream.write(for_terminal(text))

    def writelines(self, lines: Any) -> None:
        """Write each of ``lines`` made safe for the terminal."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
