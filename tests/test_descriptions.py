"""Reports described once (``results.describe``) are whole, and no renderer dispatches on a type's name."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from domeo_cli.results import describe

PACKAGE = Path(__file__).resolve().parent.parent / "domeo_cli"

#: A type's name compared, looked up or kept to choose what to do (an error message may name it).
_BY_NAME = re.compile(r"__name__\s*(==|!=|in\b)|\[type\([^)]*\)\.__name__\]|=\s*type\([^)]*\)\.__name__\s*$")


def test_no_module_dispatches_on_a_types_name() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _BY_NAME.search(line) and not line.strip().startswith("if __name__ ==")
    ]
    assert found == []


def test_forecast_is_a_described_report() -> None:
    assert [report.name for report in describe.every()] == ["forecast"]
    assert describe.named("forecast") is describe.every()[0]
    assert describe.named("past-due") is None


@pytest.mark.parametrize("report", describe.every(), ids=lambda r: r.name)
def test_a_description_names_only_what_its_result_holds(report: describe.Report) -> None:
    """Every field and column is an attribute of the result (or of its rows), of a known kind."""
    hints = typing.get_type_hints(report.result)
    for field in report.fields:
        assert field.key in hints, field
    rows = typing.get_args(hints[report.rows])[0]
    assert [c.key for c in report.columns] == list(typing.get_type_hints(rows)), "the rows' own order"
    for column in (*report.fields, *report.columns):
        assert column.kind in describe.KINDS, column
        assert column.example is not None, column  # the API document's example answer
    names = [option.name for option in report.options]
    assert len(set(names)) == len(names)
    assert {option.kind for option in report.options} <= {"as_of", "known_at", "whole"}
