"""Reading an export file: encodings, odd files and record line numbers.

The file is read as a stream; only the current record is in memory. Line
numbers are physical lines (the header is line 1), so a record whose quoted
field holds line breaks still reports the line it starts on, and the records
after it keep their true numbers.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from .errors import InvalidInput

# Far above any real field, far below what would exhaust memory: a quote that is
# never closed ends as one rejected record instead of swallowing the whole file.
# (Python's csv holds a field at up to 4 bytes a character, so 8 MiB of text
# can cost 32 MiB while it is read.)
FIELD_LIMIT = 8 * 1024 * 1024
csv.field_size_limit(FIELD_LIMIT)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (
    (b"PK\x03\x04", "a zip archive or an Excel workbook (.xlsx); save the sheet as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls); save the sheet as CSV"),
    (b"%PDF", "a PDF document, not a CSV export"),
    (b"SQLite format 3\x00", "a SQLite database, not a CSV export"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image, not a CSV export"),
    (b"\xff\xd8\xff", "a JPEG image, not a CSV export"),
    (b"GIF8", "a GIF image, not a CSV export"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; unpack it first"),
    (b"BZh", "a bzip2 archive; unpack it first"),
    (b"\xfd7zXZ\x00", "an xz archive; unpack it first"),
)


class _HashingReader(io.RawIOBase):
    """Passes bytes through while hashing them and counting how many were read."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.digest.update(data)
        self.consumed += size
        return size


@dataclass
class Source:
    """An opened export: a seekable binary stream plus what we learnt about it."""

    name: str
    stream: BinaryIO
    size: int
    encoding: str
    explicit_encoding: bool
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)
    _reader: _HashingReader | None = None

    @property
    def bytes_read(self) -> int:
        """Bytes consumed so far, for progress bars."""
        return self._reader.consumed if self._reader else 0

    @property
    def sha256(self) -> str:
        """Hash of the bytes read so far (all of them once the records are exhausted)."""
        return self._reader.digest.hexdigest() if self._reader else ""

    def close(self) -> None:
        """Close the underlying stream."""
        self.stream.close()


def open_source(path: str, encoding: str | None = None) -> Source:
    """Open ``path`` (``-`` for standard input) and look at its first bytes.

    Raises InvalidInput for a missing or unreadable file, an unknown encoding
    name, and files that are plainly not CSV text (empty, zip, PDF, binary).
    """
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            raise InvalidInput(f"--encoding {encoding!r} is not an encoding Python knows.") from None
        # rot13, base64, zlib … are codecs, but not text encodings a CSV can be in.
        if not getattr(info, "_is_text_encoding", True) or info.name in ("idna", "punycode", "undefined"):
            raise InvalidInput(f"--encoding {encoding!r} is not a text encoding (try utf-8, cp1252, latin-1).")
        encoding = info.name
    if path == "-":
        stream: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Source.close
        shutil.copyfileobj(sys.stdin.buffer, stream)
        stream.seek(0)
        name = "<stdin>"
    else:
        name = path
        if os.path.isdir(path):
            raise InvalidInput(f"{path} is a directory, not a CSV file.")
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed by Source.close
        except FileNotFoundError:
            raise InvalidInput(f"No such file: {path}.") from None
        except PermissionError:
            raise InvalidInput(f"Cannot read {path}: permission denied.") from None
        except OSError as err:
            raise InvalidInput(f"Cannot read {path}: {err.strerror or err}.") from None
    size = os.fstat(stream.fileno()).st_size
    head = stream.read(65536)
    stream.seek(0)
    if not head.strip(b" \t\r\n\x00") or head in (codecs.BOM_UTF8,):
        stream.close()
        raise InvalidInput(f"{name} is empty: there is no header and no invoice in it.")
    source = Source(name, stream, size, encoding or "utf-8-sig", encoding is not None)
    if encoding is None:
        for bom, bom_encoding in _BOMS:
            if head.startswith(bom):
                source.encoding = bom_encoding
                break
        else:
            for magic, what in _MAGIC:
                if head.startswith(magic):
                    stream.close()
                    raise InvalidInput(f"{name} is {what}.")
            if head.count(b"\x00") > len(head) // 10:
                stream.close()
                raise InvalidInput(f"{name} is a binary file, not CSV text.")
    source.delimiter = _delimiter(head, source.encoding)
    if source.delimiter != ",":
        source.notes.append(f"the header has no commas: fields read as separated by {source.delimiter!r}")
    return source


def _delimiter(head: bytes, encoding: str) -> str:
    """Comma, unless the header line plainly uses semicolons or tabs instead."""
    try:
        text = head.decode(encoding, errors="replace")
    except (LookupError, UnicodeError):
        return ","
    first = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    if "," not in first:
        for candidate in (";", "\t", "|"):
            if candidate in first:
                return candidate
    return ","


def iter_records(source: Source) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """Yield ``(line, fields, error)`` for each record, header first, blank lines skipped.

    ``line`` is the physical line the record starts on. A record that cannot
    be used as it stands has ``error`` saying why (and ``fields`` None when
    the CSV grammar could not even split it). Decoding
    errors propagate as UnicodeDecodeError so that the caller can choose
    another encoding and start again.
    """
    source.stream.seek(0)
    reader_bytes = _HashingReader(source.stream)
    source._reader = reader_bytes
    text = io.TextIOWrapper(
        io.BufferedReader(reader_bytes, buffer_size=1 << 20),
        encoding=source.encoding,
        errors="strict",
        newline="",
    )
    reader = csv.reader(text, delimiter=source.delimiter, strict=True)
    last = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            start, last = last + 1, reader.line_num
            yield start, None, _csv_reason(str(err), start, last)
            continue
        start, last = last + 1, reader.line_num
        joined = "".join(fields)
        if not joined.strip():
            continue  # a blank line, or one of only separators: not a record
        if "\x00" in joined:
            yield start, fields, "the record contains a NUL byte (a damaged or binary file?)"
            continue
        yield start, fields, None


def _csv_reason(message: str, start: int, end: int) -> str:
    """A CSV grammar error as a rejection reason a person can act on."""
    if "field larger than field limit" in message:
        return f"a field is longer than {FIELD_LIMIT // (1024 * 1024)} MiB (a quote never closed?)"
    if "unexpected end of data" in message:
        return f"a quoted field opened here is never closed (it runs to the end of the file, line {end})"
    if "expected after" in message:
        return "a closing quote is followed by text before the next comma (bad quoting)"
    return f"the CSV cannot be read here: {message}"
