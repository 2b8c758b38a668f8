"""Reports as files: CSV, TSV, Markdown, HTML, and JSON written to a file or streamed.

``write(result, fmt, out)`` renders any result of ``reports`` to a text
stream; ``save(result, fmt, path)`` writes it to a file the way the contract
says (beside, then renamed in). Renderers never query: a lazy result
(``--all``) is read once, row by row, as it is written.
"""

from __future__ import annotations

from typing import IO, Any

from ..errors import InvalidInput

#: Every --format, in the order help lists them.
FORMATS = ("table", "json", "csv", "tsv", "md", "html")
#: What a file's extension says its format is, for ``-o FILE`` with no ``--format``.
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}


def check_format(fmt: str | None, output: str | None, *, allowed: tuple[str, ...] = FORMATS) -> str:
    """The format to write: ``fmt``, else the one ``output``'s extension names, else ``allowed[0]``."""
    import os

    if fmt is None:
        if output is None or output == "-":
            return allowed[0]
        extension = os.path.splitext(output)[1].lower()
        fmt = EXTENSIONS.get(extension)
        if fmt is None or fmt not in allowed:
            files = ", ".join(f for f in allowed if f != "table")
            raise InvalidInput(f"-o {output}: give --format ({files}); the file name does not say which.")
    fmt = fmt.strip().lower()
    if fmt not in allowed:
        raise InvalidInput(f"--format takes {', '.join(allowed)}; not {fmt!r}.")
    if fmt == "table" and output is not None and output != "-":
        files = ", ".join(f for f in allowed if f != "table")
        raise InvalidInput(f"-o writes a file as {files}: give --format, or a file name ending in one of them.")
    return fmt


def write(result: Any, fmt: str, out: IO[str], *, excel: bool = False) -> None:
    """Write ``result`` in ``fmt`` (json, csv, tsv, md, html) to the text stream ``out``."""
    if fmt == "json":
        _json(result, out)
        return
    from .records import document

    doc = document(result)
    if fmt in ("csv", "tsv"):
        from . import delimited

        delimited.write(doc.records, out, tab=fmt == "tsv", excel=excel)
    elif fmt == "md":
        from . import markdown

        markdown.write(doc, out)
    elif fmt == "html":
        from . import html

        html.write(doc, out)
    else:
        raise InvalidInput(f"--format {fmt} cannot be written here.")


def save(result: Any, fmt: str, path: str | None, *, excel: bool = False) -> None:
    """Write ``result`` to ``path`` (temporary file beside it, renamed in when complete), or stdout if None/-."""
    if path is None or path == "-":
        from .. import printable
        from ..shapes import isatty, stdout

        out = stdout()  # UTF-8 whatever PYTHONIOENCODING says; a closed stdout is a sentence
        # A pipe gets the data as stored; a person at a terminal never gets its control characters raw.
        write(result, fmt, printable.TerminalStream(out) if isatty(out) else out, excel=excel)
        out.flush()
        return
    from ..outfiles import open_target

    with open_target(path, option="-o") as out:
        write(result, fmt, out, excel=excel)


def _json(result: Any, out: IO[str]) -> None:
    """The report's --json document; a lazy page (``--all``) is streamed item by item."""
    from .. import shapes

    if not streams(result):
        shapes.dump(shapes.document(result), out)
        return
    import json

    from ..results.past_due import PastDuePage

    if isinstance(result, PastDuePage):
        key, items = "items", (shapes.past_due_item(i, result.filters.contact) for i in result.items)
        head: dict[str, Any] = {}
    else:
        key, items = "customers", (shapes.customer_item(c) for c in result.customers)
        head = {"as_of": result.as_of.isoformat()}
    # The same document as shapes gives, on one line, written as the rows come.
    prefix = json.dumps(head, ensure_ascii=False)[:-1]
    out.write(prefix + (", " if head else "") + json.dumps(key) + ": [")
    for n, item in enumerate(items):
        out.write((", " if n else "") + shapes.json_text(item))
    tail = {"total": result.total, "limit": result.limit, "offset": result.offset}
    out.write("], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n")
    out.flush()


def streams(result: Any) -> bool:
    """True for a page read lazily (``--all``): its rows are written as they come, never held."""
    from ..results.past_due import PastDuePage

    if isinstance(result, PastDuePage):
        return not isinstance(result.items, list)
    from ..results.customers import CustomerPage  # (here: a past-due report never imports it)

    return isinstance(result, CustomerPage) and not isinstance(result.customers, list)
