"""Customer hierarchies: top-level ancestors, missing parents and loops, each reported once."""

from __future__ import annotations

import sqlite3

from helpers import memory_db
from hypothesis import given, settings
from hypothesis import strategies as st

from domeo_cli.hierarchy import hierarchy_warnings, resolve
from domeo_cli.store.sqlite.derived import ensure_tree
from domeo_cli.store.sqlite.derived import refresh_customer_tree as refresh


def test_chains_roll_up_to_the_top_level_ancestor() -> None:
    # 1 <- 2 <- 3 <- 4 (three levels under 1), 5 alone, 6 under 2.
    rows = [
        (1, "100", None),
        (2, "200", "100"),
        (3, "300", "200"),
        (4, "400", "300"),
        (5, "500", ""),
        (6, "600", "200"),
    ]
    family = resolve(rows)
    assert family.top == {1: 1, 2: 1, 3: 1, 4: 1, 5: 5, 6: 1}
    assert family.parent == {1: None, 2: 1, 3: 2, 4: 3, 5: None, 6: 2}
    assert family.depth == {1: 0, 2: 1, 3: 2, 4: 3, 5: 0, 6: 2}
    assert family.children() == {1: [2], 2: [3, 6], 3: [4]}
    assert family.warnings == []


def test_a_missing_parent_is_reported_once_and_the_customer_is_top_level() -> None:
    rows = [(1, "123", "999"), (2, "124", "123")]
    family = resolve(rows)
    assert family.top == {1: 1, 2: 1}
    assert family.parent == {1: None, 2: 1}
    assert family.missing == [(1, "999")]
    assert family.warnings == ["hierarchy: customer 123 names parent 999, which is not a customer in the data"]


def test_a_loop_is_reported_once_and_its_members_are_top_level() -> None:
    # 1 -> 2 -> 1 is a loop; 3 leads into it (rolls up to 2); 4 is its own parent.
    rows = [(1, "1", "2"), (2, "2", "1"), (3, "3", "2"), (4, "4", "4")]
    family = resolve(rows)
    assert family.top == {1: 1, 2: 2, 3: 2, 4: 4}
    assert family.parent == {1: None, 2: None, 3: 2, 4: None}
    assert family.depth == {1: 0, 2: 0, 3: 1, 4: 0}
    assert family.loops == [[1, 2], [4]]
    assert hierarchy_warnings(rows) == [
        "hierarchy: customers 1 → 2 → 1 form a loop",
        "hierarchy: customers 4 → 4 form a loop",
    ]


def test_a_long_loop_starts_at_its_smallest_id_whatever_the_order_of_rows() -> None:
    rows = [(5, "E", "A"), (3, "C", "D"), (1, "A", "B"), (4, "D", "E"), (2, "B", "C")]
    assert hierarchy_warnings(rows) == ["hierarchy: customers A → B → C → D → E → A form a loop"]
    assert hierarchy_warnings(list(reversed(rows))) == hierarchy_warnings(rows)


def test_numbers_are_trimmed_and_a_shared_number_links_to_the_first_customer() -> None:
    rows = [(1, " 10 ", None), (2, "10", None), (3, "30", " 10")]
    family = resolve(rows)
    assert family.top[3] == 1
    assert family.warnings == []


def test_a_customer_without_a_number_is_named_by_its_id() -> None:
    assert hierarchy_warnings([(7, None, "42")]) == [
        "hierarchy: customer (no number, id 7) names parent 42, which is not a customer in the data"
    ]


def test_a_very_deep_chain_needs_no_recursion() -> None:
    n = 200_000
    rows = [(i, str(i), str(i - 1) if i > 1 else None) for i in range(1, n + 1)]
    family = resolve(rows)
    assert family.top[n] == 1
    assert family.depth[n] == n - 1
    # and a loop as long as the data
    rows[0] = (1, "1", str(n))
    family = resolve(rows)
    assert len(family.loops) == 1 and len(family.loops[0]) == n
    assert all(family.top[i] == i for i in range(1, n + 1))


# -- a plain model ---------------------------------------------------------------------


def _model(rows: list[tuple[int, str | None, str | None]]) -> tuple[dict[int, int], set[int], list[int]]:
    """(top of each customer, loop members, customers with a missing parent), the slow obvious way."""
    first: dict[str, int] = {}
    for cid, number, _ in sorted(rows):
        if number is not None and number.strip() and number.strip() not in first:
            first[number.strip()] = cid
    up: dict[int, int | None] = {}
    missing = []
    for cid, _, parent in rows:
        p = parent.strip() if parent else ""
        if not p:
            up[cid] = None
        elif p in first:
            up[cid] = first[p]
        else:
            up[cid] = None
            missing.append(cid)

    def walk(cid: int) -> list[int]:
        seen = [cid]
        while up[seen[-1]] is not None and len(seen) <= len(rows) + 1:
            seen.append(up[seen[-1]])  # type: ignore[arg-type]
        return seen

    in_loop = {cid for cid in up if cid in walk(cid)[1:]}
    top = {}
    for cid in up:
        path = walk(cid)
        top[cid] = next((c for c in path if c in in_loop or up[c] is None), cid)
    return top, in_loop, sorted(missing)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3", "4", "5", "6", "7", None]),
            st.sampled_from(["1", "2", "3", "4", "5", "6", "9", "", None]),
        ),
        min_size=0,
        max_size=9,
    )
)
def test_resolution_matches_the_plain_model(pairs: list[tuple[str | None, str | None]]) -> None:
    rows = [(i + 1, number, parent) for i, (number, parent) in enumerate(pairs)]
    family = resolve(rows)
    top, in_loop, missing = _model(rows)
    assert family.top == top
    assert {m for loop in family.loops for m in loop} == in_loop
    assert [cid for cid, _ in family.missing] == missing
    assert len(family.warnings) == len(missing) + len(family.loops)
    for cid, parent in family.parent.items():  # the tree as used has no loop and agrees with top
        seen = {cid}
        while parent is not None:
            assert parent not in seen
            seen.add(parent)
            cid, parent = parent, family.parent[parent]
    assert all(family.top[c] == c for c in family.top if family.parent[c] is None)
    assert all(family.depth[c] == family.depth[family.parent[c]] + 1 for c in family.top if family.parent[c])


# -- the stored tree -------------------------------------------------------------------


def _tree(db: sqlite3.Connection) -> dict[int, tuple[int, int | None, int]]:
    return {r[0]: r[1:] for r in db.execute("SELECT customer_id, top_id, parent_id, depth FROM customer_tree")}


def test_the_stored_tree_is_refreshed_and_marked_stale_by_any_customer_change() -> None:
    db = memory_db()
    db.executemany(
        "INSERT INTO customers (id, name, name_key, customer_number, parent_number) VALUES (?, ?, ?, ?, ?)",
        [(1, "A", "a", "1", None), (2, "B", "b", "2", "1"), (3, "C", "c", "3", "2")],
    )
    assert db.execute("SELECT dirty FROM hierarchy_state").fetchone() == (1,)
    assert refresh(db) == []
    assert db.execute("SELECT dirty FROM hierarchy_state").fetchone() == (0,)
    assert _tree(db) == {1: (1, None, 0), 2: (1, 1, 1), 3: (1, 2, 2)}

    db.execute("UPDATE customers SET parent_number = '3' WHERE id = 1")  # 1 -> 3 -> 2 -> 1
    assert db.execute("SELECT dirty FROM hierarchy_state").fetchone() == (1,)
    reader = ensure_tree(db)  # a reader: a tree for its statements only, nothing created, the stored one untouched
    assert _tree(reader) == {1: (1, None, 0), 2: (2, None, 0), 3: (3, None, 0)}
    assert db.execute("SELECT count(*) FROM temp.sqlite_master").fetchone() == (0,)
    assert _tree(db) == {1: (1, None, 0), 2: (1, 1, 1), 3: (1, 2, 2)}
    assert refresh(db) == ["hierarchy: customers 1 → 3 → 2 → 1 form a loop"]
    assert _tree(db) == {1: (1, None, 0), 2: (2, None, 0), 3: (3, None, 0)}
    assert not ensure_tree(db).shadows("customer_tree")  # fresh: nothing to do


def test_ingest_reports_missing_parents_and_loops_once_each(write_csv, run) -> None:  # noqa: ANN001
    path = write_csv(
        "CustomerName,InvoiceNumber,InvoiceDate,BillTotal,Applied,Status,Currency,CustomerTerms,"
        "customer number,parent customer\n"
        "A,1,1/1/25,10,0,Pending,USD,Net 30,100,200\n"
        "A,4,1/2/25,10,0,Pending,USD,Net 30,100,200\n"
        "B,2,1/1/25,10,0,Pending,USD,Net 30,200,100\n"
        "C,3,1/1/25,10,0,Pending,USD,Net 30,300,999\n"
    )
    expected = [
        "hierarchy: customer 300 names parent 999, which is not a customer in the data",
        "hierarchy: customers 100 → 200 → 100 form a loop",
    ]
    for options in (("--dry-run",), ()):
        result = run("ingest", str(path), "--json", *options)
        assert result.exit_code == 0, result
        assert result.json["warnings"] == 0  # row warnings only: these are about the hierarchy
        assert result.json["hierarchy_warnings"] == expected
    plain = run("ingest", str(path))
    assert [line for line in plain.stderr.splitlines() if line.startswith("warning:")] == [
        f"warning: {message}" for message in expected
    ]
