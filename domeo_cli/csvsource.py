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
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from . import printable
from .csvcells import restore_fields
from .errors import InvalidInput

# The longest field the CSV reader builds, in characters: far above any field domeo keeps (the longest
# stored one holds 254, see parsing.MAX_LENGTH) and room for a long note in a column it ignores. Past
# it the reader stops building the field (Python's csv holds it at up to 4 bytes a character) and the
# record is one rejection with its line; a quote never closed swallows at most this much of the file.
FIELD_LIMIT = 1024 * 1024
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


# A byte that did not decode, as the surrogateescape error handler leaves it in the text.
_UNDECODED = re.compile("[\udc80-\udcff]")
# One well-formed multi-byte UTF-8 character (no overlong forms, no surrogates, at most U+10FFFF).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


class NotUtf8(Exception):
    """The file holds bytes that are not UTF-8 and no multi-byte UTF-8 at all: it is read again as cp1252."""


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
    # Set once the file is known to hold multi-byte UTF-8: it is UTF-8, and a record
    # with bytes that do not decode is rejected rather than the whole file re-read.
    holds_utf8: bool = False
    # A regular file's (device, inode, size, mtime in ns) when it was opened, for check_unchanged;
    # None for standard input and pipes, which are copied whole before they are read.
    opened_as: tuple[int, int, int, int] | None = None

    @property
    def may_fall_back(self) -> bool:
        """True while an undecodable byte may still make the file be read as cp1252."""
        return not self.explicit_encoding and self.encoding == "utf-8-sig" and not self.holds_utf8

    @property
    def encoding_name(self) -> str:
        """The encoding as a message names it."""
        return {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252 (cp1252)"}.get(self.encoding, self.encoding)

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

    def check_unchanged(self) -> None:
        """Raise InvalidInput if the file is not the one that was opened, as it was: it grew or shrank, was
        written to, or its path now names another file (an upload still in progress, a file replaced)."""
        if self.opened_as is None:
            return
        dev, ino, size, mtime = self.opened_as
        now = os.fstat(self.stream.fileno())
        try:
            there = os.stat(self.name)
        except OSError:
            there = None
        if now.st_size != size:
            what = f"it {'grew' if now.st_size > size else 'shrank'} from {size:,} to {now.st_size:,} bytes"
        elif now.st_mtime_ns != mtime:
            what = "it was written to"
        elif there is None:
            what = "it was removed or renamed"
        elif (there.st_dev, there.st_ino) != (dev, ino):
            what = "its path now names another file"
        else:
            return
        raise InvalidInput(
            f"{printable.path(self.name)} changed while it was read ({what}), so nothing was loaded; "
            "if it is still being written or uploaded, load it again once it is complete."
        )


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
    opened_as = None
    if path == "-":
        stream: BinaryIO = _spooled(sys.stdin.buffer)
        name = "<stdin>"
    else:
        name = path
        shown = printable.path(path)
        if path and os.path.isdir(path):
            raise InvalidInput(f"{shown} is a directory, not a CSV file.")
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed by Source.close
        except FileNotFoundError:
            raise InvalidInput(f"No such file: {shown}.") from None
        except PermissionError:
            raise InvalidInput(f"Cannot read {shown}: permission denied.") from None
        except OSError as err:
            raise InvalidInput(f"Cannot read {shown}: {err.strerror or err}.") from None
        opened = os.fstat(stream.fileno())
        if stat.S_ISREG(opened.st_mode):
            opened_as = (opened.st_dev, opened.st_ino, opened.st_size, opened.st_mtime_ns)
        stream = _seekable(stream, shown)
    size = os.fstat(stream.fileno()).st_size
    head = stream.read(65536)
    stream.seek(0)
    if not head.strip(b" \t\r\n") or head in (codecs.BOM_UTF8,):
        stream.close()
        raise InvalidInput(f"{printable.path(name)} is empty: there is no header and no invoice in it.")
    source = Source(name, stream, size, encoding or "utf-8-sig", encoding is not None, opened_as=opened_as)
    if encoding is None:
        for bom, bom_encoding in _BOMS:
            if head.startswith(bom):
                source.encoding = bom_encoding
                break
        else:
            for magic, what in _MAGIC:
                if head.startswith(magic):
                    stream.close()
                    raise InvalidInput(f"{printable.path(name)} is {what}.")
            if head.count(b"\x00") > len(head) // 10:
                stream.close()
                raise InvalidInput(f"{printable.path(name)} is a binary file, not CSV text.")
    source.delimiter = _delimiter(head, source.encoding)
    if source.delimiter != ",":
        source.notes.append(f"the header has no commas: fields read as separated by {source.delimiter!r}")
    return source


def _spooled(stream: BinaryIO) -> BinaryIO:
    """A seekable copy of a stream that can be read only once (standard input, a pipe)."""
    copy: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Source.close
    try:
        shutil.copyfileobj(stream, copy)
    except OSError as err:
        copy.close()
        raise InvalidInput(f"Cannot read the input: {err.strerror or err}.") from None
    copy.seek(0)
    return copy


def _seekable(stream: BinaryIO, shown: str) -> BinaryIO:
    """The opened file as a seekable stream: a pipe named by its path (``/dev/stdin``,
    ``<(cat f)``) is read whole like ``-``; a device other than a terminal is refused."""
    mode = os.fstat(stream.fileno()).st_mode
    if stat.S_ISREG(mode):
        return stream
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stream.isatty():
        with stream:
            return _spooled(stream)
    with stream:
        head = stream.read(65536)
    if not head:
        raise InvalidInput(f"{shown} is empty: there is no header and no invoice in it.")
    what = "gives only NUL bytes" if not head.strip(b"\x00") else "is not a regular file"
    raise InvalidInput(f"{shown} is a device that {what}, not a CSV export.")


def _holds_multibyte_utf8(stream: BinaryIO) -> bool:
    """True if the file holds at least one well-formed multi-byte UTF-8 character.

    Read with pread, which leaves the stream's position (shared with the
    reader, and with a forked parser) where it is.
    """
    fd = stream.fileno()
    offset, tail = 0, b""
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return False
        if _UTF8_MULTIBYTE.search(tail + chunk):
            return True
        offset += len(chunk)
        tail = chunk[-3:]  # a character cut by the chunk's end is found with the next


def _undecoded_reason(fields: list[str], header: list[str] | None, source: Source) -> str:
    """Why a record holding bytes that did not decode is rejected: which byte, in which column."""
    advice = "" if source.explicit_encoding else "; fix the record, or name the file's encoding with --encoding"
    for position, text in enumerate(fields):
        found = _UNDECODED.search(text)
        if found is not None:
            byte = ord(found[0]) - 0xDC00
            column = header[position] if header and position < len(header) else f"field {position + 1}"
            shown = printable.printable(_UNDECODED.sub(lambda m: f"\\x{ord(m[0]) - 0xDC00:02x}", text))
            shown = shown if len(shown) <= 40 else shown[:40] + "…"
            return (
                f"holds bytes that are not valid {source.encoding_name}: byte 0x{byte:02X} "
                f"in {printable.printable(column)[:40]} ('{shown}'){advice}"
            )
    return f"holds bytes that are not valid {source.encoding_name}"


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
    the CSV grammar could not even split it). A record holding bytes that do
    not decode is such a record; but a file of the default encoding with no
    multi-byte UTF-8 at all raises NotUtf8 at its first such byte, so that
    the caller reads it again as cp1252. In a rejects file domeo wrote, cells
    neutralised against spreadsheet formulas (``'=…``) are read back as they were.
    """
    source.stream.seek(0)
    reader_bytes = _HashingReader(source.stream)
    source._reader = reader_bytes
    text = io.TextIOWrapper(
        io.BufferedReader(reader_bytes, buffer_size=1 << 20),
        encoding=source.encoding,
        errors="surrogateescape",
        newline="",
    )
    reader = csv.reader(text, delimiter=source.delimiter, strict=True)
    last = 0
    header: list[str] | None = None
    restoring = False
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
        if not joined.isascii() and _UNDECODED.search(joined):
            if source.may_fall_back:
                if not _holds_multibyte_utf8(source.stream):
                    raise NotUtf8
                source.holds_utf8 = True
            yield start, fields, _undecoded_reason(fields, header, source)
            header = header or fields
            continue
        if "\x00" in joined:
            yield start, fields, "the record contains a NUL byte (a damaged or binary file?)"
            continue
        if header is None:
            header = fields
            # A rejects file domeo wrote (its header ends with line and reason) has its cells
            # neutralised against formulas; any other file's cells are taken as they are.
            restoring = fields[-2:] == ["line", "reason"]
        if restoring and "'" in joined:
            fields = restore_fields(fields)
        yield start, fields, None


def _csv_reason(message: str, start: int, end: int) -> str:
    """A CSV grammar error as a rejection reason a person can act on."""
    if "field larger than field limit" in message:
        return f"a field is longer than {FIELD_LIMIT:,} characters (a quote never closed?)"
    if "unexpected end of data" in message:
        return f"a quoted field opened here is never closed (it runs to the end of the file, line {end})"
    if "line contains NUL" in message:  # Python 3.10's reader (3.11 reads NULs: see iter_records)
        return "the record contains a NUL byte (a damaged or binary file?)"
    if "expected after" in message:
        return "a closing quote is followed by text before the next comma (bad quoting)"
    return f"the CSV cannot be read here: {message}"
