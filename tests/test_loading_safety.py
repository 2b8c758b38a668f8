"""Loading never destroys data (issue 11): files domeo writes, encodings, formulas in cells.

Items 1, 2, 12, 17 and 18 of issue 11, through the command line users run and
through the library.
"""

from __future__ import annotations

import csv
import os
import subprocess
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from helpers import EXAMPLE_CSV, HEADER, by_hand, csv_of, domeo_command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domeo_cli import csvcells, csvsource, feed, outfiles
from domeo_cli.errors import InvalidInput
from domeo_cli.store.sqlite import ingest

COLUMNS = HEADER.split(",")
BAD_ROW = "Acme,BAD1,not a date,,1,0,,USD,,,,Net 30,,,\n"


def error_of(result) -> str:  # noqa: ANN001 - a conftest Result
    assert result.stderr.startswith("domeo: error: ") and result.stderr.count("\n") == 1, result
    return result.stderr[len("domeo: error: ") : -1]


# -- item 1: a rejects file never replaces the database or the input ---------------------------


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "load"])
def test_rejects_naming_the_database_or_its_files_is_refused_before_anything_is_read(
    run, write_csv, example, db_path: Path, suffix: str, dry_run: bool
) -> None:  # noqa: ANN001
    bad = write_csv(HEADER + "\n" + BAD_ROW, "bad.csv")
    target = Path(str(db_path) + suffix)
    before = {p.name: p.read_bytes() for p in db_path.parent.iterdir() if p.name.startswith("test.db")}
    args = ["ingest", str(bad), "--rejects", str(target), *(["--dry-run"] if dry_run else [])]
    result = run(*args)
    assert result.exit_code == 2, result
    what = "the database" if not suffix else f"the database's {suffix} file"
    assert error_of(result) == (
        f"--rejects {target} is {what} ({target}); domeo never writes over it. Name another file."
    )
    after = {p.name: p.read_bytes() for p in db_path.parent.iterdir() if p.name.startswith("test.db")}
    assert after == before  # not even a -wal or -shm appeared


def test_rejects_naming_the_database_through_another_spelling(run, write_csv, example, db_path: Path) -> None:  # noqa: ANN001
    bad = write_csv(HEADER + "\n" + BAD_ROW, "bad.csv")
    os.symlink(db_path, "link.db")
    os.link(db_path, "hard.db")
    original = db_path.read_bytes()
    for spelling in ("./test.db", "../" + db_path.parent.name + "/test.db", "link.db", "hard.db"):
        result = run("ingest", str(bad), "--rejects", spelling, "--dry-run")
        assert result.exit_code == 2, (spelling, result)
        assert "domeo never writes over it" in result.stderr
    # Opened through a link, SQLite keeps its -wal beside the file the link points at.
    result = run("--db", "link.db", "ingest", str(bad), "--rejects", "test.db-wal", "--dry-run")
    assert result.exit_code == 2, result
    assert "is the database's -wal file" in result.stderr
    assert db_path.read_bytes() == original


def test_rejects_naming_the_input_is_refused_and_the_input_kept(run, write_csv) -> None:  # noqa: ANN001
    text = HEADER + "\n" + BAD_ROW
    path = write_csv(text, "in.csv")
    os.symlink("in.csv", "alias.csv")
    for spelling in ("in.csv", "./in.csv", str(path), "alias.csv"):
        result = run("ingest", "in.csv", "--rejects", spelling)
        assert result.exit_code == 2, (spelling, result)
        assert error_of(result) == (
            f"--rejects {spelling} is the input file (in.csv); domeo never writes over its input. Name another file."
        )
        assert path.read_text() == text
    assert not Path("test.db").exists()  # refused before the database was opened


def test_rejects_in_a_missing_directory_is_named_as_missing(run, write_csv) -> None:  # noqa: ANN001
    path = write_csv(HEADER + "\n" + BAD_ROW, "in.csv")
    result = run("ingest", str(path), "--rejects", "no/such/r.csv")
    assert result.exit_code == 2
    assert error_of(result) == f"--rejects no/such/r.csv: the directory {Path.cwd() / 'no/such'} does not exist."
    assert not Path("test.db").exists()


def test_an_output_file_is_renamed_in_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("the old content\n")
    os.chmod(target, 0o640)
    with pytest.raises(RuntimeError), outfiles.open_target(str(target)) as out:
        out.write("half of the new content")
        assert target.read_text() == "the old content\n"  # nothing of it shows while it is written
        raise RuntimeError("the writer failed half way")
    assert target.read_text() == "the old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temporary file left
    with outfiles.open_target(str(target)) as out:
        out.write("new\n")
    assert target.read_text() == "new\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)  # an existing file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_an_output_through_a_symbolic_link_updates_the_file_it_points_at(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with outfiles.open_target(str(link)) as out:
        out.write("new\n")
    assert link.is_symlink() and real.read_text() == "new\n"


def test_check_target_is_the_one_check_for_every_output(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with pytest.raises(InvalidInput, match=r"^-o .*x\.db-shm is the database's -shm file"):
        outfiles.check_target(str(tmp_path / "x.db-shm"), option="-o", database=str(db))
    with pytest.raises(InvalidInput, match="is a directory"):
        outfiles.check_target(str(tmp_path), option="-o")
    with pytest.raises(InvalidInput, match="needs a file name"):
        outfiles.check_target("", option="-o")
    outfiles.check_target("-", option="-o", database="-")  # standard output is always fine
    outfiles.check_target(str(tmp_path / "new.csv"), option="-o", database=str(db), inputs=["-"])


def test_a_rejects_file_on_a_device_is_written_in_place(run, write_csv) -> None:  # noqa: ANN001
    path = write_csv(HEADER + "\n" + BAD_ROW, "in.csv")
    result = run("ingest", str(path), "--rejects", "/dev/null")
    assert result.exit_code == 4, result
    assert Path("/dev/null").is_char_device()


# -- item 2: one bad byte in a UTF-8 file rejects its record; the file stays UTF-8 -------------

CAFE = "Café Olé,A1,3/7/25,,100,0,Pending,USD,Zoë,,,Net 30,,,\n"


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "forked-parser"])
@pytest.mark.parametrize("bad_first", [False, True], ids=["utf8-first", "bad-byte-first"])
def test_one_invalid_byte_rejects_its_record_and_the_rest_stays_utf8(
    run, write_csv, db_path: Path, parallel: bool, bad_first: bool
) -> None:  # noqa: ANN001
    good = CAFE.encode()
    bad = "Café Olé,A2,3/7/25,,200,0,Pending,USD,,,,Net 30,,,\n".encode().replace("é".encode(), b"\xe9", 1)
    rows = [bad, good] if bad_first else [good, bad]
    data = (HEADER + "\n").encode() + b"".join(rows)
    assert (
        run("ingest", str(write_csv(EXAMPLE_CSV.replace("Harbor Lane Bakery", "Café Olé"), "first.csv"))).exit_code == 0
    )
    with mock.patch.object(feed, "PARALLEL_FROM", 0 if parallel else feed.PARALLEL_FROM):
        result = run("ingest", str(write_csv(data)), "--json")
    assert result.exit_code == 4, result
    document = result.json
    assert (document["encoding"], document["warnings"], document["inserted"]) == ("utf-8", 0, 1)
    bad_line = 2 if bad_first else 3
    assert document["rejections"] == [
        {
            "line": bad_line,
            "invoice_number": "A2",
            "reason": "holds bytes that are not valid UTF-8: byte 0xE9 in CustomerName ('Caf\\xe9 Olé'); "
            "fix the record, or name the file's encoding with --encoding",
        }
    ]

    with by_hand(db_path) as db:
        names = [name for (name,) in db.execute("SELECT name FROM customers ORDER BY id")]
        owner = db.execute(
            "SELECT c.name FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE invoice_number = 'DF2031442'"
        ).fetchone()
    assert "Café Olé" in names and not any("Ã" in name for name in names)  # no mojibake customer
    assert owner == ("Café Olé",)  # the invoices did not move


def test_a_file_with_no_multibyte_utf8_is_still_read_as_cp1252(run, write_csv) -> None:  # noqa: ANN001
    result = run("ingest", str(write_csv((HEADER + "\n" + CAFE).encode("cp1252"))), "--json")
    assert result.exit_code == 0, result
    assert result.json["encoding"] == "cp1252"
    assert result.json["warning_details"][0]["message"] == (
        "encoding: the file is not UTF-8; read it as Windows-1252 (cp1252)"
    )


def test_the_rejects_file_keeps_the_bytes_that_did_not_decode(run, write_csv) -> None:  # noqa: ANN001
    bad = b"Caf\xe9,A2,3/7/25,,200,0,Pending,USD,,,,Net 30,,,\r\n"
    data = (HEADER + "\r\n" + CAFE.replace("\n", "\r\n")).encode() + bad
    assert run("ingest", str(write_csv(data)), "--rejects", "r.csv").exit_code == 4
    lines = Path("r.csv").read_bytes().split(b"\r\n")
    assert lines[1].startswith(bad.rstrip(b"\r\n"))  # byte for byte as in the export


# -- item 17: --encoding decides, and its message names the line and byte ----------------------


def test_encoding_ascii_on_a_non_ascii_file_names_line_and_byte(run, write_csv) -> None:  # noqa: ANN001
    result = run("ingest", str(write_csv(HEADER + "\n" + CAFE)), "--encoding", "ascii", "--json")
    assert result.exit_code == 4, result
    assert result.json["rejections"] == [
        {
            "line": 2,
            "invoice_number": "A1",
            "reason": "holds bytes that are not valid ascii: byte 0xC3 in CustomerName ('Caf\\xc3\\xa9 Ol\\xc3\\xa9')",
        }
    ]
    assert "--encoding" not in result.stdout + result.stderr


# -- item 18: UTF-16 and UTF-32 files, either byte order, with a BOM ---------------------------


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_utf16_and_utf32_files_with_a_bom_load(run, write_csv, codec: str) -> None:  # noqa: ANN001
    text = "\ufeff" + HEADER + "\r\n" + CAFE.replace("\n", "\r\n")
    result = run("ingest", str(write_csv(text.encode(codec))), "--json")
    assert result.exit_code == 0, result
    assert (result.json["inserted"], result.json["warnings"]) == (1, 0)
    assert result.json["encoding"] == codec[:6]
    assert run("contact", "CAFÉ OLÉ", "--json").json["contacts"][0]["contact_name"] == "Zoë"


# -- item 12: formulas are neutralised in every CSV domeo writes, and read back as they were ---

FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+cmd", "-2+3", "\tx", "\rx", "-5", "'=x", "''@y"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_neutralise_puts_a_quote_before_a_formula(cell: str) -> None:
    assert csvcells.neutralise(cell) == "'" + cell
    assert csvcells.restore("'" + cell) == cell


@given(st.text())
def test_restore_undoes_neutralise(cell: str) -> None:
    safe = csvcells.neutralise(cell)
    assert not safe.startswith(csvcells.FORMULA_START)
    assert csvcells.restore(safe) == cell


def test_the_rejects_file_holds_no_formula(run, write_csv) -> None:  # noqa: ANN001
    rows = [{"customer": '=HYPERLINK("http://evil","x")', "number": "@SUM(A1)", "date": "+cmd", "total": "-2+3"}]
    assert run("ingest", str(write_csv(csv_of(rows))), "--rejects", "r.csv").exit_code == 4
    with open("r.csv", newline="", encoding="utf-8") as handle:
        record = list(csv.reader(handle))[1]
    assert record[:5] == ['\'=HYPERLINK("http://evil","x")', "'@SUM(A1)", "'+cmd", "", "'-2+3"]
    assert not any(cell.startswith(csvcells.FORMULA_START) for cell in record)


_CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example([["'=", "-5", "@SUM(A1)", "\tx", "+cmd", "''-2+3", '=HYPERLINK("x")', *[""] * 8]])
@given(st.lists(st.lists(_CELL, min_size=15, max_size=15), min_size=1, max_size=4))
def test_a_rejects_file_reads_back_as_the_export_held_it(rows: list[list[str]]) -> None:
    for row in rows:
        row[2] = "not a date"  # every record is rejected, whatever its other cells hold
    with tempfile.TemporaryDirectory() as folder:
        source, rejects = Path(folder) / "in.csv", Path(folder) / "rejects.csv"
        with source.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        report = ingest.load(str(Path(folder) / "t.db"), str(source), dry_run=True, rejects_path=str(rejects))
        assert report.rejected == len(rows)
        again = csvsource.open_source(str(rejects))
        try:
            records = [fields for _, fields, _ in csvsource.iter_records(again)]
        finally:
            again.close()
    assert records[0] == [*COLUMNS, "line", "reason"]
    assert [fields[:15] for fields in records[1:]] == rows


def test_a_fixed_rejects_file_loads_again_with_the_original_text(run, write_csv) -> None:  # noqa: ANN001
    rows = [{"number": "=A1", "customer": "Acme", "date": "3/7/25", "total": "-5"}]
    assert run("ingest", str(write_csv(csv_of(rows))), "--rejects", "r1.csv").exit_code == 4
    again = run("ingest", "r1.csv", "--rejects", "r2.csv", "--json")
    assert again.exit_code == 4
    # Read back as "-5" (a negative amount), not as the text "'-5"; the number is "=A1" again.
    assert again.json["rejections"] == [
        {"line": 2, "invoice_number": "=A1", "reason": "BillTotal is negative ('-5'); amounts must be zero or more"}
    ]
    assert again.json["ignored_columns"] == ["line", "reason"]
    assert Path("r2.csv").read_text().splitlines()[1].startswith("Acme,'=A1,3/7/25,,'-5,")


def test_an_export_cell_starting_with_a_quote_is_kept_as_it_is(run, write_csv) -> None:  # noqa: ANN001
    rows = [{"number": "'=A1", "customer": "'+Acme", "date": "3/7/25", "total": "5"}]
    result = run("ingest", str(write_csv(csv_of(rows))), "--json")
    assert result.exit_code == 0, result
    assert run("invoice", "'=A1", "--json").json["customer_name"] == "'+Acme"


def test_rejects_to_standard_output_keeps_undecodable_bytes(domeo_proc, tmp_path: Path) -> None:  # noqa: ANN001
    source = tmp_path / "in.csv"
    source.write_bytes(
        (HEADER + "\r\n" + CAFE.replace("\n", "\r\n")).encode() + b"Caf\xe9,A2,3/7/25,,2,0,,USD,,,,,,,\r\n"
    )
    result = subprocess.run(
        domeo_command("--db", str(tmp_path / "s.db"), "ingest", str(source), "--rejects", "-"),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 4, result.stderr
    assert result.stdout.split(b"\r\n")[1].startswith(b"Caf\xe9,A2,")


def test_rejects_to_standard_output_with_json_is_refused(run, write_csv) -> None:  # noqa: ANN001
    result = run("ingest", str(write_csv(EXAMPLE_CSV)), "--rejects", "-", "--json")
    assert result.exit_code == 2
    assert result.error["message"] == (
        "--rejects - and --json would both write to standard output; name a file for --rejects."
    )


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "forked-parser"])
def test_the_load_records_the_hash_of_the_file_whichever_side_parses_it(
    run, write_csv, db_path: Path, parallel: bool
) -> None:  # noqa: ANN001
    import hashlib

    path = write_csv(EXAMPLE_CSV)
    with mock.patch.object(feed, "PARALLEL_FROM", 0 if parallel else feed.PARALLEL_FROM):
        assert run("ingest", str(path)).exit_code == 0
    with by_hand(db_path) as db:
        assert db.execute("SELECT sha256 FROM ingest_runs").fetchall() == [
            (hashlib.sha256(path.read_bytes()).hexdigest(),)
        ]
