"""The package's import graph (every import, function-level ones included) has no cycle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "domeo_cli"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, anywhere in its body (TYPE_CHECKING blocks left out)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue  # annotations only: never imported at run time
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(max(node.level - 1, 0)):
                    base = base.rpartition(".")[0]
                source = node.module if node.level == 0 else ".".join(p for p in (base, node.module) if p)
                targets = [source or ""]
                # ``from . import x`` / ``from .queries import aging`` name modules too
                targets += [f"{source}.{alias.name}" for alias in node.names]
            for target in targets:
                # A module's own packages are imported before it (implied, never a cycle).
                if target in graph and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path of modules, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in sorted(graph):
        if state.get(start):
            continue
        path: list[str] = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_the_package_has_no_import_cycle() -> None:
    graph = _graph()
    assert "domeo_cli.reports" in graph["domeo_cli.cli"]  # the graph is read, function-level imports too
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_reports_layer_names_no_database_engine_nor_front_end() -> None:
    text = (PACKAGE / "reports.py").read_text(encoding="utf-8")
    for word in ("sqlite", "typer", "rich", "fastapi"):
        assert word not in text.lower(), word


STORE = PACKAGE / "store" / "sqlite"
#: What SQL looks like in a string: a statement's opening words.
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|(CREATE|DROP)(\s+TEMP|\s+UNIQUE)?\s+"
    r"(TABLE|INDEX|VIEW|TRIGGER)|PRAGMA\s+\w+|BEGIN(\s+IMMEDIATE)?\s*$|COMMIT\s*$|ROLLBACK\s*$)",
    re.S,
)


def _outside_the_store() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if STORE not in p.parents]


def _strings(tree: ast.AST) -> list[str]:
    """Every string constant of ``tree`` but docstrings (which may quote a query to explain it)."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_only_the_sqlite_store_imports_sqlite3() -> None:
    importers = []
    for path in _outside_the_store():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n == "sqlite3" or n.startswith("sqlite3.") for n in names):
                importers.append(_module_name(path))
    assert importers == []
    assert "sqlite3" in (STORE / "db.py").read_text(encoding="utf-8")  # the test reads the files it means to


def test_no_sql_text_outside_the_sqlite_store() -> None:
    holders = {
        _module_name(path): [s for s in _strings(ast.parse(path.read_text(encoding="utf-8"))) if SQL.search(s)]
        for path in _outside_the_store()
    }
    assert {name: found for name, found in holders.items() if found} == {}


def test_the_sql_finder_finds_sql() -> None:
    tree = ast.parse('"""SELECT a FROM b in a docstring."""\nx = "SELECT id FROM customers"\ny = f"PRAGMA {n}"')
    assert [s for s in _strings(tree) if SQL.search(s)] == ["SELECT id FROM customers"]
    assert SQL.search("PRAGMA user_version") and SQL.search("BEGIN IMMEDIATE") and SQL.search("DELETE FROM x")
    assert not SQL.search("Select a customer from the list") and not SQL.search("begin the load")


def test_only_the_reports_layer_enters_the_store() -> None:
    graph = _graph()
    entering = {
        name
        for name, targets in graph.items()
        if not name.startswith("domeo_cli.store") and any(t.startswith("domeo_cli.store") for t in targets)
    }
    # The command line and the server open a store through the reports layer and hand it back to it (or to
    # the load, which is given the store): no front end imports the store.
    assert entering == {"domeo_cli.reports"}
    naming_the_backend = {
        _module_name(path)
        for path in _outside_the_store()
        if "store.sqlite" in path.read_text(encoding="utf-8") or "from .sqlite" in path.read_text(encoding="utf-8")
    }
    assert naming_the_backend == {"domeo_cli.store"}  # nothing above the store names its backend, not even a type
