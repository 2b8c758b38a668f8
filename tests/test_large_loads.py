"""The paths only large files take, forced on small ones.

A file of 4 MB or more is parsed in a forked child process; a load larger
than the table drops the indexes and the rollup's triggers and builds them
again at the end. Both must give exactly what the small-file path gives.
"""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest
from helpers import EXAMPLE_CSV, HEADER, SAMPLE, by_hand

from domeo_cli import feed
from domeo_cli.store.sqlite import ingest


def contents(db_path: Path) -> dict[str, list]:
    """Everything a load writes, in a comparable form (ids and run stamps aside)."""
    connection = by_hand(db_path)
    try:
        return {
            "invoices": connection.execute(
                """SELECT i.invoice_number, c.name, i.invoice_date, i.due_date, i.due_date_derived, i.po_number,
                          i.bill_total_cents, i.applied_cents, i.outstanding_cents, i.currency, i.status,
                          i.terms, i.terms_days, i.contact_name, i.contact_phone, i.contact_email
                   FROM invoices AS i JOIN customers AS c ON c.id = i.customer_id ORDER BY 1"""
            ).fetchall(),
            "customers": connection.execute(
                "SELECT name, name_key, customer_number, parent_number FROM customers ORDER BY name_key"
            ).fetchall(),
            "contacts": connection.execute(
                """SELECT c.name, k.name, k.email, k.phone, k.last_seen FROM contacts AS k
                   JOIN customers AS c ON c.id = k.customer_id ORDER BY 1, 2, 3, 4"""
            ).fetchall(),
            "rollup": connection.execute("SELECT * FROM billing_by_month ORDER BY 1, 2").fetchall(),
            "open_groups": connection.execute(
                """SELECT c.name, g.currency, g.invoices, g.outstanding_cents, g.first_due, g.first_invoiced
                   FROM open_groups AS g JOIN customers AS c ON c.id = g.customer_id ORDER BY 1, 2"""
            ).fetchall(),
            "open_days": connection.execute("SELECT * FROM open_days ORDER BY 1, 2, 3").fetchall(),
            "open_groups_stale": connection.execute("SELECT dirty FROM open_groups_state").fetchall(),
            "schema": connection.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
            ).fetchall(),
            "broken_references": connection.execute("PRAGMA foreign_key_check").fetchall(),
        }
    finally:
        connection.close()


def report_of(db_path: Path, path: Path) -> dict:
    report = ingest.load(str(db_path), str(path)).as_json()
    report.pop("database")
    return report


# A second file: one invoice changed, one new, a number repeated, a bad row, a new customer.
SECOND_CSV = (
    HEADER
    + "\n"
    + """\
Harbor Lane Bakery,DF2031442,3/7/25,PO-004417,2875,2875,Closed,USD,Dana Whitfield,555-204-7781,dana@harborlanebakery.com,Net 30,4/6/25 00:00,418552,907113
Harbor Lane Bakery,DF2031977,3/21/25,PO-004430,1190.5,500,Pending,USD,Dana Whitfield,555-204-7781,dana@harborlanebakery.com,Net 30,,418552,907113
Lens & Light,LL-1,4/2/25,,99.99,0,Pending,EUR,Ana Silva,,ana@lens.example,Net 15,,555001,
Lens & Light,LL-1,4/3/25,,100.00,0,Pending,EUR,Ana Silva,,ana@lens.example,Net 15,,555001,
Quiet Creek Dental,DF2032101,3/26/25,PO-004441,nine,980,Closed,USD,,,,Net 7,4/2/25 00:00,230871,
"""  # noqa: E501
)


@pytest.mark.parametrize("files", [("example",), ("example", "second"), ("sample",), ("sample", "sample")])
def test_child_process_and_index_rebuild_give_what_the_plain_path_gives(tmp_path: Path, files: tuple) -> None:
    texts = {"example": EXAMPLE_CSV, "second": SECOND_CSV}
    paths = []
    for name in files:
        path = SAMPLE if name == "sample" else tmp_path / f"{name}.csv"
        if name != "sample":
            path.write_text(texts[name], encoding="utf-8")
        paths.append(path)

    def load_all(db_path: Path) -> list[dict]:
        return [report_of(db_path, path) for path in paths]

    plain = load_all(tmp_path / "plain.db")
    with (
        mock.patch.object(feed, "PARALLEL_FROM", 0),
        mock.patch.object(feed, "BATCH", 7),
        mock.patch.object(ingest, "REBUILD_FROM", 0),
    ):
        forced = load_all(tmp_path / "forced.db")
    assert forced == plain
    assert contents(tmp_path / "forced.db") == contents(tmp_path / "plain.db")
    assert contents(tmp_path / "forced.db")["broken_references"] == []


def test_the_rollup_rebuilt_after_a_large_load_equals_the_invoices(tmp_path: Path) -> None:
    db_path = tmp_path / "r.db"
    with mock.patch.object(ingest, "REBUILD_FROM", 0):
        report_of(db_path, SAMPLE)
    connection = by_hand(db_path)
    try:
        rollup = connection.execute("SELECT * FROM billing_by_month ORDER BY 1, 2").fetchall()
        direct = connection.execute(
            """SELECT substr(invoice_date, 1, 7), currency, count(*), sum(bill_total_cents)
               FROM invoices GROUP BY 1, 2 ORDER BY 1, 2"""
        ).fetchall()
        triggers = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0]
    finally:
        connection.close()
    assert rollup == direct and len(rollup) > 12
    # The triggers are back: a later small load keeps the rollup without a rebuild.
    assert triggers >= 3
    extra = tmp_path / "extra.csv"
    extra.write_text(HEADER + "\nNew Co,NEW-1,1/15/24,,10.00,0,Pending,USD,,,,Net 30,,,\n", encoding="utf-8")
    report_of(db_path, extra)
    connection = by_hand(db_path)
    try:
        again = connection.execute("SELECT * FROM billing_by_month ORDER BY 1, 2").fetchall()
    finally:
        connection.close()
    grown = {(m, c): (n, s) for m, c, n, s in rollup}
    n, s = grown[("2024-01", "USD")]
    grown[("2024-01", "USD")] = (n + 1, s + 1000)
    assert {(m, c): (n, s) for m, c, n, s in again} == grown


def test_a_child_that_dies_leaves_nothing_loaded(tmp_path: Path) -> None:
    db_path = tmp_path / "d.db"
    path = tmp_path / "example.csv"
    path.write_text(EXAMPLE_CSV, encoding="utf-8")
    report_of(db_path, path)
    before = contents(db_path)
    second = tmp_path / "second.csv"
    second.write_text(SECOND_CSV, encoding="utf-8")

    def die(self: feed.Feed):  # noqa: ANN202 - a generator that never yields
        os._exit(9)
        yield

    with mock.patch.object(feed, "PARALLEL_FROM", 0), mock.patch.object(feed.Feed, "batches", die):
        with pytest.raises(ingest.DatabaseError, match="The process reading the file stopped unexpectedly"):
            ingest.load(str(db_path), str(second))
    assert contents(db_path) == before


def test_a_cp1252_file_parsed_in_a_child_restarts_as_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes((HEADER + "\nCafé Olé,C-1,1/2/25,,10.00,0,Pending,EUR,,,,Net 30,,,\n").encode("cp1252"))
    with mock.patch.object(feed, "PARALLEL_FROM", 0):
        report = report_of(tmp_path / "c.db", path)
    assert report["encoding"] == "cp1252" and report["inserted"] == 1
    assert contents(tmp_path / "c.db")["customers"][0][0] == "Café Olé"


def test_the_child_does_not_outlive_a_killed_parent(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from helpers import Pause

    # One row a batch: the child has far more to send than the pipe holds, so it is
    # still running (blocked on the pipe) while the parent holds after its first batch.
    script = f"""
from domeo_cli import feed
from domeo_cli.store.sqlite import ingest
feed.PARALLEL_FROM = 0
feed.BATCH = 1
ingest.load({str(tmp_path / "k.db")!r}, {str(SAMPLE)!r})
"""
    pause = Pause(tmp_path / "pause", "parsing")
    parent = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, **pause.env})
    pause.wait("parsing", parent)
    with open(f"/proc/{parent.pid}/task/{parent.pid}/children") as listing:
        children = [int(pid) for pid in listing.read().split()]
    assert children, "the load never started its parsing child"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{children[0]}/status"):
        with open(f"/proc/{children[0]}/status") as status:
            if "State:\tZ" in status.read():
                break  # exited, waiting to be reaped by init
        time.sleep(0.05)
    else:
        assert not os.path.exists(f"/proc/{children[0]}/status"), "the child is still running"


def test_an_error_in_the_child_is_raised_in_the_parent(tmp_path: Path) -> None:
    path = tmp_path / "example.csv"
    path.write_text(EXAMPLE_CSV, encoding="utf-8")

    def fail(self: feed.Feed):  # noqa: ANN202 - a generator that fails at once
        raise ingest.InvalidInput("the disk went away")
        yield

    with mock.patch.object(feed, "PARALLEL_FROM", 0), mock.patch.object(feed.Feed, "batches", fail):
        with pytest.raises(ingest.InvalidInput, match="the disk went away"):
            ingest.load(str(tmp_path / "e.db"), str(path))
    assert not (tmp_path / "e.db").exists()  # a failed first load leaves no file


def test_ctrl_c_during_a_large_load_is_one_sentence_and_changes_nothing(tmp_path: Path) -> None:
    import csv
    import signal
    import subprocess

    from helpers import Pause, domeo_command, load_generator

    gen = load_generator()
    path = tmp_path / "large.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(gen.HEADER)
        writer.writerows(gen.generate_rows(60_000, seed=44))
    assert path.stat().st_size >= feed.PARALLEL_FROM  # parsed in a child
    db_path = tmp_path / "i.db"
    pause = Pause(tmp_path / "pause", "parsing")
    # A terminal's foreground job gets Ctrl-C, but a shell's background job (``pytest &`` in
    # a script) ignores SIGINT, and the load would inherit that through exec and never stop.
    # A Python handler is reset to the default by exec: the load starts as a foreground job.
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
    blocked = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        process = subprocess.Popen(
            domeo_command("--db", str(db_path), "ingest", str(path)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a process group of its own, as a terminal's foreground job
            env={**os.environ, **pause.env},
        )
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        signal.signal(signal.SIGINT, ignored)
    try:
        pause.wait("parsing", process)  # the first batch staged; the child parsing the rest, or blocked on the pipe
        with open(f"/proc/{process.pid}/task/{process.pid}/children") as listing:
            children = listing.read().split()
        assert children, "the load never started its parsing child"
        # Held, the load can leave the phase only through the interrupt: the pause is never released.
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: parent and child alike
        out, err = process.communicate(timeout=60)  # a hang guard only
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # leave nothing running behind a failure
            process.communicate()
    assert process.returncode == 130
    assert err.decode() == "domeo: error: Interrupted; nothing was changed.\n" and out == b""
    assert not db_path.exists()
    assert pause.path.exists()  # the interrupt, not a release, ended the hold
    # The parent joins its child before it exits: nothing of it is left.
    assert not any(os.path.exists(f"/proc/{child}/cmdline") for child in children)
