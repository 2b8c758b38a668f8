"""Files domeo writes (issue 19, items 7-10 and 32): links and owners in shared folders, the log's mode,
a full disk under the log or under -o, and the fsync before the rename.

Every file domeo writes goes through ``outfiles``: ``-o``, ``--rejects`` and the
load log. A sticky folder that everyone may write to (``/tmp``) is built in the
test's directory (``chmod 1777``); another user's link or file in it is made
with ``os.lchown``/``os.chown`` to ``nobody``, so those tests run as root only.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import EXAMPLE_CSV, HEADER, Pause, by_hand, csv_of, domeo_command

from domeo_cli import outfiles
from domeo_cli.errors import InvalidInput

AS_OF = "2025-05-01"
NOBODY = 65534
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
as_root = pytest.mark.skipif(not ROOT, reason="making another user's files needs root")
needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")

# One row rejected (not money), so that --rejects has something to write.
BAD_ROW = "Secret Clinic,DF9,3/7/25,PO-9,not money,0,Pending,USD,,,,Net 30,,1,"


@pytest.fixture(autouse=True)
def _umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def error_of(result) -> str:  # noqa: ANN001
    assert result.stderr.startswith("domeo: error: "), result
    return result.stderr.removeprefix("domeo: error: ").rstrip("\n")


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A sticky folder everyone may write to, owned by the user, as /tmp is."""
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o1777)
    return folder


def _plant(link: Path, target: Path, owner: int = NOBODY) -> None:
    """A symbolic link ``link`` -> ``target`` owned by ``owner``."""
    link.symlink_to(target)
    os.lchown(link, owner, owner)


def _each_writer(run, write_csv, target: Path, tmp_path: Path):  # noqa: ANN001, ANN202
    """The three ways domeo writes a file, each aimed at ``target``: (what, result)."""
    bad = write_csv(HEADER + "\n" + BAD_ROW + "\n", "bad.csv")
    good = write_csv(EXAMPLE_CSV, "good.csv")
    yield "-o", run("past-due", "--as-of", AS_OF, "--format", "csv", "-o", str(target))
    yield "--rejects", run("--db", str(tmp_path / "r.db"), "ingest", str(bad), "--rejects", str(target))
    yield "--log-file", run("--db", str(tmp_path / "l.db"), "ingest", str(good), "--log-file", str(target))


# -- item 7: links and owners in a shared folder ------------------------------------------------


@as_root
def test_another_users_link_in_a_shared_folder_is_not_followed(run, example, write_csv, shared, tmp_path) -> None:  # noqa: ANN001
    ours = tmp_path / "ours.csv"
    ours.write_text("precious\n", encoding="utf-8")
    link = shared / "pd.csv"
    _plant(link, ours)
    for what, result in _each_writer(run, write_csv, link, tmp_path):
        assert result.exit_code == 2, (what, result)
        assert error_of(result) == (
            f"{what} {link}: {link} is a symbolic link of user nobody in the shared folder {shared} (sticky and "
            "writable by everyone), and domeo follows a link there only when it is yours or the folder owner's "
            "(the kernel's protected_symlinks rule). Name the file itself, or another file."
        ), what
        assert ours.read_text(encoding="utf-8") == "precious\n" and link.is_symlink(), what
    assert sorted(p.name for p in shared.iterdir()) == ["pd.csv"]  # no temporary file left
    assert not (tmp_path / "r.db").exists() and not (tmp_path / "l.db").exists()  # refused before any load


@as_root
def test_a_link_to_a_folder_in_a_shared_folder_is_not_followed_either(run, example, shared, tmp_path) -> None:  # noqa: ANN001
    private = tmp_path / "private"
    private.mkdir()
    _plant(shared / "reports", private)
    result = run("past-due", "--as-of", AS_OF, "-o", str(shared / "reports" / "pd.csv"))
    assert result.exit_code == 2, result
    assert "is a symbolic link of user nobody in the shared folder" in error_of(result)
    assert list(private.iterdir()) == []


@as_root
@pytest.mark.parametrize("whose", ["mine", "the folder owner's", "not in a sticky folder"])
def test_a_link_the_kernel_rule_allows_is_written_through(run, example, tmp_path, whose: str) -> None:  # noqa: ANN001
    folder = tmp_path / "folder"
    folder.mkdir()
    os.chmod(folder, 0o1777 if whose != "not in a sticky folder" else 0o777)
    if whose == "the folder owner's":
        os.chown(folder, NOBODY, NOBODY)
    ours = tmp_path / "ours.csv"
    ours.write_text("old\n", encoding="utf-8")
    os.chmod(ours, 0o640)
    link = folder / "pd.csv"
    _plant(link, ours, owner=os.geteuid() if whose == "mine" else NOBODY)
    result = run("past-due", "--as-of", AS_OF, "--format", "csv", "-o", str(link))
    assert result.exit_code == 0, result
    # The link is followed, as a shell's > follows it: the file it points at gets the report, the link stays.
    assert link.is_symlink() and os.readlink(link) == str(ours)
    assert ours.read_text(encoding="utf-8") == run("past-due", "--as-of", AS_OF, "--format", "csv").stdout
    assert mode(ours) == 0o640
    assert sorted(p.name for p in folder.iterdir()) == ["pd.csv"]


@as_root
def test_another_users_file_in_a_shared_folder_is_never_written(run, example, write_csv, shared, tmp_path) -> None:  # noqa: ANN001
    planted = shared / "pd.csv"
    planted.write_text("theirs\n", encoding="utf-8")
    os.chown(planted, NOBODY, NOBODY)
    os.chmod(planted, 0o666)  # replaced with its mode kept, everyone could read the report
    for what, result in _each_writer(run, write_csv, planted, tmp_path):
        assert result.exit_code == 2, (what, result)
        assert error_of(result) == (
            f"{what} {planted} belongs to user nobody, in the shared folder {shared} (sticky and writable by "
            "everyone); domeo never writes another user's file there (the kernel's protected_regular rule). "
            "Name another file."
        ), what
        assert planted.read_text(encoding="utf-8") == "theirs\n", what
    assert sorted(p.name for p in shared.iterdir()) == ["pd.csv"]


@as_root
def test_my_own_link_to_another_users_file_in_a_shared_folder_is_refused_at_the_file(run, example, shared) -> None:  # noqa: ANN001
    theirs = shared / "theirs.csv"
    theirs.write_text("theirs\n", encoding="utf-8")
    os.chown(theirs, NOBODY, NOBODY)
    link = shared / "pd.csv"
    _plant(link, theirs, owner=os.geteuid())  # the link is mine, so it is followed: to their file
    result = run("past-due", "--as-of", AS_OF, "-o", str(link))
    assert result.exit_code == 2, result
    assert error_of(result).startswith(f"-o {theirs} belongs to user nobody, in the shared folder {shared}")
    assert theirs.read_text(encoding="utf-8") == "theirs\n" and link.is_symlink()


@as_root
def test_root_replacing_another_users_file_keeps_its_owner_group_and_mode(run, example, tmp_path) -> None:  # noqa: ANN001
    theirs = tmp_path / "pd.csv"
    theirs.write_text("last month's\n", encoding="utf-8")
    os.chown(theirs, NOBODY, NOBODY)
    os.chmod(theirs, 0o640)
    result = run("past-due", "--as-of", AS_OF, "-o", str(theirs))
    assert result.exit_code == 0, result
    status = os.stat(theirs)
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (NOBODY, NOBODY, 0o640)
    assert theirs.read_text(encoding="utf-8") == run("past-due", "--as-of", AS_OF, "--format", "csv").stdout


@as_root
def test_a_new_file_that_cannot_take_the_old_owner_is_refused(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    theirs = tmp_path / "pd.csv"
    theirs.write_text("last month's\n", encoding="utf-8")
    os.chown(theirs, NOBODY, NOBODY)

    def refused(fd: int, uid: int, gid: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refused)
    with pytest.raises(InvalidInput, match=r"cannot be given the owner and group of the old one \(user nobody"):
        with outfiles.open_target(str(theirs), option="-o") as out:
            out.write("never\n")
    assert theirs.read_text(encoding="utf-8") == "last month's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pd.csv"]


@as_root
def test_a_user_other_than_root_never_takes_another_users_file(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    theirs = tmp_path / "pd.csv"
    theirs.write_text("x\n", encoding="utf-8")  # root's
    monkeypatch.setattr(os, "geteuid", lambda: NOBODY)  # as nobody, the file's owner is root
    with pytest.raises(InvalidInput) as refused:
        outfiles.check_target(str(theirs), option="-o")
    assert str(refused.value) == (
        f"-o {theirs} belongs to user root; replaced by domeo it would become yours, and only root can give it "
        "back. Remove it first, or name another file."
    )
    os.chown(theirs, NOBODY, 0)  # nobody's now, but of the group root, which nobody is not in
    monkeypatch.setattr(os, "getegid", lambda: NOBODY)
    monkeypatch.setattr(os, "getgroups", lambda: [NOBODY])
    with pytest.raises(InvalidInput, match=r"has the group root, which you are not in"):
        outfiles.check_target(str(theirs), option="-o")
    outfiles.check_target(str(theirs), option="--log-file", append=True)  # appending changes neither
    assert theirs.read_text(encoding="utf-8") == "x\n"


# -- item 8: the load log is the owner's alone ---------------------------------------------------


def test_a_new_log_is_0600_and_an_existing_one_keeps_its_mode(run, write_csv, tmp_path) -> None:  # noqa: ANN001
    path = write_csv(EXAMPLE_CSV)
    log = tmp_path / "domeo.log"
    assert run("ingest", str(path), "--log-file", str(log)).exit_code == 0
    assert mode(log) == 0o600
    os.chmod(log, 0o640)
    assert run("ingest", str(path), "--log-file", str(log)).exit_code == 0
    assert mode(log) == 0o640
    assert len(log.read_text(encoding="utf-8").splitlines()) == 6  # appended: start, summary, end twice


def test_a_new_output_file_is_0600_and_a_replaced_one_keeps_its_mode(run, example, tmp_path) -> None:  # noqa: ANN001
    target = tmp_path / "pd.md"
    assert run("past-due", "--as-of", AS_OF, "-o", str(target)).exit_code == 0
    assert mode(target) == 0o600
    os.chmod(target, 0o644)
    assert run("past-due", "--as-of", AS_OF, "-o", str(target)).exit_code == 0
    assert mode(target) == 0o644


def test_the_log_is_never_the_database_or_the_input(run, write_csv, db_path) -> None:  # noqa: ANN001
    path = write_csv(EXAMPLE_CSV)
    assert run("ingest", str(path)).exit_code == 0
    before = db_path.read_bytes()
    into_db = run("ingest", str(path), "--log-file", str(db_path))
    assert into_db.exit_code == 2 and "is the database" in error_of(into_db)
    into_input = run("ingest", str(path), "--log-file", str(path))
    assert into_input.exit_code == 2 and "is the input file" in error_of(into_input)
    assert db_path.read_bytes() == before and path.read_text(encoding="utf-8") == EXAMPLE_CSV


# -- item 9: a log that cannot be written fails the load, and says what became of it -------------


@needs_dev_full
def test_a_full_disk_under_the_log_loads_nothing_and_names_the_log(run, write_csv, db_path) -> None:  # noqa: ANN001
    path = write_csv(EXAMPLE_CSV)
    result = run("ingest", str(path), "--log-file", "/dev/full")
    assert result.exit_code == 1, result
    assert error_of(result) == (
        "The log file /dev/full could not be written: No space left on device; nothing was loaded."
    )
    assert not db_path.exists()  # a first load leaves no database behind
    assert run("ingest", str(path)).exit_code == 0
    before = db_path.read_bytes()
    again = run("ingest", str(path), "--log-file", "/dev/full", "--json")
    assert again.exit_code == 1 and again.error == {
        "code": "io_error",
        "message": "The log file /dev/full could not be written: No space left on device; nothing was loaded.",
    }
    assert db_path.read_bytes() == before


# Three rows, one with a warning (empty status), so that a line is written while the load runs.
LOG_ROWS = [
    {"customer": "Acme", "number": "A1", "date": "1/2/25", "total": "10"},
    {"customer": "Acme", "number": "A2", "date": "1/3/25", "total": "20", "applied": "20", "status": ""},
    {"customer": "Bolt", "number": "B1", "date": "1/5/25", "total": "40"},
]


def _load_into_a_log_that_breaks(tmp_path: Path, phase: str) -> tuple[subprocess.CompletedProcess, Path]:
    """Load LOG_ROWS with the log a pipe whose reader goes away while the load is held at ``phase``."""
    source = tmp_path / "rows.csv"
    source.write_text(csv_of(LOG_ROWS), encoding="utf-8")
    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    db = tmp_path / "pipe.db"
    pause = Pause(tmp_path / "pause", phase)
    child = subprocess.Popen(
        domeo_command("--db", str(db), "ingest", str(source), "--log-file", str(fifo)),
        env={**os.environ, **pause.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pause.wait(phase, child)
        assert b" start " in os.read(reader, 65536)  # the start line went through
    finally:
        os.close(reader)  # the next line written to the log fails (a broken pipe)
    pause.release()
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err), db


def test_a_log_line_that_fails_during_the_load_rolls_the_load_back(tmp_path: Path) -> None:
    done, db = _load_into_a_log_that_breaks(tmp_path, "opened")  # the warning's line is written after this
    assert done.returncode == 1, done
    assert done.stderr == (
        f"domeo: error: The log file {tmp_path / 'log.fifo'} could not be written: Broken pipe; the load stopped "
        "there and was rolled back: nothing was loaded.\n"
    )
    assert not db.exists()  # the load was this database's first: nothing is left of it


def test_a_log_line_that_fails_after_the_commit_says_the_load_was_committed(tmp_path: Path) -> None:
    done, db = _load_into_a_log_that_breaks(tmp_path, "committed")
    assert done.returncode == 1, done
    assert f"Loaded {tmp_path / 'rows.csv'} into" in done.stderr  # the load's own report is shown first
    assert done.stderr.endswith(
        f"domeo: error: The load of {tmp_path / 'rows.csv'} was committed (3 inserted, 0 updated, 0 unchanged, "
        f"0 rejected), but the log file {tmp_path / 'log.fifo'} could not be written: Broken pipe; its last lines "
        "are missing.\n"
    )
    with by_hand(db) as connection:
        assert connection.execute("SELECT count(*) FROM invoices").fetchone() == (3,)


# -- item 10: an I/O error writing a file is exit 1, and names the file ----------------------------


@needs_dev_full
def test_a_full_disk_under_o_is_exit_1_naming_the_file(run, example) -> None:  # noqa: ANN001
    for fmt in ("csv", "tsv", "md", "html"):
        result = run("past-due", "--as-of", AS_OF, "--format", fmt, "-o", "/dev/full")
        assert result.exit_code == 1, (fmt, result)
        assert error_of(result) == "Cannot write -o /dev/full: No space left on device.", fmt
    for args in (["aging", "--json"], ["past-due", "--all", "--format", "json"]):  # whole, and streamed
        as_json = run(*args, "--as-of", AS_OF, "-o", "/dev/full")
        assert as_json.exit_code == 1, args
        assert as_json.error == {"code": "io_error", "message": "Cannot write -o /dev/full: No space left on device."}


@needs_dev_full
def test_a_full_disk_under_the_rejects_file_loads_nothing(run, write_csv, db_path) -> None:  # noqa: ANN001
    path = write_csv(EXAMPLE_CSV + BAD_ROW + "\n")
    result = run("ingest", str(path), "--rejects", "/dev/full")
    assert result.exit_code == 1, result
    assert error_of(result) == (
        "Cannot write the rejects file /dev/full: No space left on device; nothing was loaded."
    )
    assert not db_path.exists()


# -- item 32: the content is on disk before the rename, and the rename before success -------------


def _record_syncs(monkeypatch: pytest.MonkeyPatch, events: list[tuple]) -> None:
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        status = os.fstat(fd)
        events.append(("fsync", status.st_ino, stat.S_ISDIR(status.st_mode)))
        real_fsync(fd)

    def replace(source, target) -> None:  # noqa: ANN001
        events.append(("replace", os.stat(source).st_ino, os.path.basename(target)))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("what", ["-o", "--rejects"])
def test_a_file_is_fsynced_before_it_is_renamed_in(run, example, write_csv, tmp_path, monkeypatch, what) -> None:  # noqa: ANN001
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    events: list[tuple] = []
    _record_syncs(monkeypatch, events)
    if what == "-o":
        result = run("past-due", "--as-of", AS_OF, "-o", str(target))
        assert result.exit_code == 0, result
    else:
        result = run("ingest", str(write_csv(EXAMPLE_CSV + BAD_ROW + "\n", "bad.csv")), "--rejects", str(target))
        assert result.exit_code == 4, result
    written = os.stat(target).st_ino
    folder = os.stat(tmp_path).st_ino
    mine = [e for e in events if e[1] in (written, folder)]
    # The new file's content reaches the disk, then its name replaces the old one, then the folder is synced.
    assert mine == [("fsync", written, False), ("replace", written, "out.csv"), ("fsync", folder, True)]
    assert "old" not in target.read_text(encoding="utf-8")


def test_a_file_that_fails_its_fsync_is_never_renamed_in(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing)
    from domeo_cli.errors import OutputError

    with pytest.raises(OutputError, match=r"^Cannot write -o .*out\.csv: Input/output error\.$"):
        with outfiles.open_target(str(target), option="-o") as out:
            out.write("new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
