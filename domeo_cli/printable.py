"""User-given text made safe to show on a terminal.

A file name or a field can hold ESC and other control characters; written
raw, they would move the cursor, recolour or retitle the user's terminal.
Messages show them escaped instead (``\\x1b``), the way Python's repr does.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls (U+009B is a terminal's CSI on its own).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
# The same, except the line breaks and tabs a multi-line message may hold on purpose.
_CONTROLS_IN_MESSAGE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return repr(match[0])[1:-1]


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
