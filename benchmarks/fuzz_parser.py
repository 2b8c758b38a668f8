#!/usr/bin/env python3
"""Coverage-guided fuzzing of the ingest path: file bytes -> csvsource -> RowParser -> ingest.load.

Each input is a whole export file. It is read the way ``domeo ingest`` reads
it (``csvsource.open_source`` and ``iter_records``, ``HeaderMap`` and
``RowParser.parse``) and then loaded with ``ingest.load`` into a scratch
database, sometimes as a dry run, sometimes for real, sometimes with an
explicit ``--encoding``. The only exceptions allowed out of the library are
``DomeoError`` subclasses (and, inside the parser, ``RowError`` and
``UnicodeDecodeError``, which ingest turns into rejections or a retry). Any
other exception is a finding: it is recorded (once per kind and place),
fuzzing goes on, and the script exits 1 at the end listing them all.

atheris is NOT a dependency of domeo; install it by hand to run this::

    pip install atheris
    python benchmarks/fuzz_parser.py --seconds 60

Options: ``--seconds N`` (default 60), ``--max-len BYTES`` (default 4096),
``--scratch DIR`` (where the scratch database lives; default a new temporary
directory, on /dev/shm when there is one so that fsync is cheap).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = (
    "CustomerName,InvoiceNumber,InvoiceDate,CustomerPoNumber,BillTotal,Applied,Status,Currency,"
    "ContactName,ContactPhone,ContactEmail,CustomerTerms,DueDate,customer number,parent customer"
)
SEEDS = [
    HEADER + "\n" + "Harbor Lane Bakery,DF2031442,3/7/25,PO-004417,2875,2875,Closed,USD,Dana Whitfield,555-204-7781,"
    "dana@harborlanebakery.com,Net 30,4/6/25 00:00,418552,907113\n"
    "Harbor Lane Bakery,DF2031977,3/21/25,PO-004430,1190.5,412.25,Pending,USD,Dana Whitfield,"
    "555-204-7781,dana@harborlanebakery.com,Net 30,,418552,907113\n",
    "\ufeffinvoice_number;customer;invoice date;amount;paid;currency;terms\r\n"
    'X1;"Smith, Jones & Co";2024-11-19;$1,234.50;0;usd;NET30\r\nX2;Café Olé;11/19/2024; 1234.5 ;;CAD;'
    "Due on receipt\r\n\r\n",
    'InvoiceNumber,CustomerName,InvoiceDate,BillTotal,Applied,Currency,DueDate\rA,"multi\nline",2/30/24,'
    "-5,1.234,US,\rB,b,1/1/25,1e3,0,USD,1/31/25 3:05 PM\r",
]
ENCODINGS = [None, None, None, "utf-8", "cp1252", "latin-1", "utf-16", "utf-8-sig", "ascii", "rot13", "idna"]

findings: dict[tuple[str, str], str] = {}
state = {"runs": 0, "last_report": 0.0}


def _where(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    inside = [f for f in frames if "domeo_cli" in f.filename] or frames
    last = inside[-1]
    return f"{Path(last.filename).name}:{last.lineno} ({last.name})"


def _record(stage: str, err: BaseException, data: bytes) -> None:
    key = (type(err).__name__, _where(err))
    if key not in findings:
        findings[key] = f"{stage}: {type(err).__name__}: {str(err)[:200]} -- input {data[:120]!r}"
        print(f"\nFINDING {key}: {findings[key]}", file=sys.stderr, flush=True)


def make_target(scratch: Path):  # noqa: ANN201 - the fuzz target
    from domeo_cli import csvsource
    from domeo_cli.errors import DomeoError
    from domeo_cli.parsing import HeaderMap, RowError, RowParser
    from domeo_cli.store.sqlite import ingest

    csv_path = scratch / "input.csv"
    db_path = scratch / "fuzz.db"

    def parse_only(path: str, encoding: str | None) -> None:
        source = csvsource.open_source(path, encoding)
        try:
            records = csvsource.iter_records(source)
            first = next(records, None)
            if first is None or first[1] is None:
                return
            parser = RowParser(HeaderMap.from_header(first[1]))
            for line, fields, error in records:
                assert line >= 2
                if error is not None:
                    assert isinstance(error, str) and error
                    continue
                try:
                    parser.parse(fields)
                except RowError as err:
                    assert str(err)
        finally:
            source.close()

    def target(data: bytes) -> None:
        state["runs"] += 1
        choice = data[0] if data else 0
        encoding = ENCODINGS[choice % len(ENCODINGS)] if choice & 0x80 else None
        csv_path.write_bytes(data[1:])
        try:
            parse_only(str(csv_path), encoding)
        except (DomeoError, UnicodeDecodeError):
            pass
        except Exception as err:  # noqa: BLE001 - a finding
            _record("parse", err, data)
        try:
            report = ingest.load(str(db_path), str(csv_path), dry_run=bool(choice & 1), encoding=encoding)
            assert report.rows_read == report.inserted + report.updated + report.unchanged + report.rejected
            assert all(r.line >= 2 for r in report.rejections)
        except DomeoError:
            pass
        except Exception as err:  # noqa: BLE001 - a finding
            _record("ingest.load", err, data)
        if state["runs"] % 2000 == 0 and db_path.exists() and db_path.stat().st_size > 64 << 20:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)

    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long to fuzz (default 60)")
    parser.add_argument("--max-len", type=int, default=4096, help="largest input in bytes (default 4096)")
    parser.add_argument("--scratch", help="directory for the scratch database")
    args = parser.parse_args(argv)
    try:
        import atheris
    except ImportError:
        print(
            "fuzz_parser.py needs atheris, which is not a domeo dependency: pip install atheris",
            file=sys.stderr,
        )
        return 2
    base = args.scratch or ("/dev/shm" if os.path.isdir("/dev/shm") else None)
    scratch = Path(tempfile.mkdtemp(prefix="domeo-fuzz-", dir=base))
    corpus = scratch / "corpus"
    corpus.mkdir()
    for i, seed in enumerate(SEEDS):
        (corpus / f"seed{i}").write_bytes(b"\x00" + seed.encode("utf-8"))
        (corpus / f"seed{i}-enc").write_bytes(b"\x84" + seed.encode("cp1252", "replace"))
    with atheris.instrument_imports():
        import domeo_cli.csvsource  # noqa: F401
        import domeo_cli.dates  # noqa: F401
        import domeo_cli.money  # noqa: F401
        import domeo_cli.names  # noqa: F401
        import domeo_cli.parsing  # noqa: F401
        import domeo_cli.store.sqlite.ingest  # noqa: F401
    target = make_target(scratch)
    started = time.monotonic()

    def finish() -> None:
        elapsed = time.monotonic() - started
        print(f"\nfuzz_parser: {state['runs']} inputs in {elapsed:.0f} s, {len(findings)} finding(s)")
        for key, text in findings.items():
            print(f"  {key[0]} at {key[1]}: {text}")
        sys.stdout.flush()
        os._exit(1 if findings else 0)

    def guarded(data: bytes) -> None:
        target(data)
        if time.monotonic() - started >= args.seconds:
            finish()

    atheris.Setup(
        [sys.argv[0], str(corpus), f"-max_len={args.max_len}", "-rss_limit_mb=4096", "-timeout=30"],
        guarded,
    )
    atheris.Fuzz()
    finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
