"""``domeo forecast``: the open amount falling due week by week, on every front end, and against a model."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from serving import serving
from test_report_model import DAYS, START, invoices


def row(currency: str, week: int | None, first: str | None, last: str, n: int, outstanding: str) -> dict:
    return {
        "currency": currency,
        "week": week,
        "due_from": first,
        "due_to": last,
        "invoices": n,
        "outstanding": outstanding,
    }


#: The example file as of 2025-05-01, two weeks ahead: USD's one invoice overdue, CAD's due in week 2.
EXAMPLE = {
    "as_of": "2025-05-01",
    "weeks": 2,
    "rows": [
        row("CAD", None, None, "2025-04-30", 0, "0.00"),
        row("CAD", 1, "2025-05-01", "2025-05-07", 0, "0.00"),
        row("CAD", 2, "2025-05-08", "2025-05-14", 1, "6400.00"),
        row("USD", None, None, "2025-04-30", 1, "778.25"),
        row("USD", 1, "2025-05-01", "2025-05-07", 0, "0.00"),
        row("USD", 2, "2025-05-08", "2025-05-14", 0, "0.00"),
    ],
}


def test_forecast_json_is_the_whole_document(example, run) -> None:  # noqa: ANN001
    result = run("forecast", "--as-of", "2025-05-01", "--weeks", "2", "--json")
    assert result.exit_code == 0, result
    assert result.json == EXAMPLE


def test_forecast_defaults_to_eight_weeks(example, run) -> None:  # noqa: ANN001
    result = run("forecast", "--as-of", "2025-05-01", "--json")
    assert result.exit_code == 0, result
    assert result.json["weeks"] == 8
    assert [(r["currency"], r["week"]) for r in result.json["rows"]] == [
        (cur, week) for cur in ("CAD", "USD") for week in (None, *range(1, 9))
    ]


def test_weeks_out_of_bounds_are_refused_in_a_sentence(example, run) -> None:  # noqa: ANN001
    for weeks in ("0", "105"):
        result = run("forecast", "--weeks", weeks)
        assert result.exit_code == 2, result
        assert result.stderr == f"domeo: error: --weeks takes a whole number from 1 to 104, not {weeks}.\n"


def test_forecast_as_csv_and_markdown(example, run, tmp_path) -> None:  # noqa: ANN001
    result = run("forecast", "--as-of", "2025-05-01", "--weeks", "2", "--format", "csv")
    assert result.exit_code == 0, result
    assert result.stdout.replace("\r\n", "\n") == (
        "currency,week,due_from,due_to,invoices,outstanding\n"
        "CAD,,,2025-04-30,0,0.00\n"
        "CAD,1,2025-05-01,2025-05-07,0,0.00\n"
        "CAD,2,2025-05-08,2025-05-14,1,6400.00\n"
        "USD,,,2025-04-30,1,778.25\n"
        "USD,1,2025-05-01,2025-05-07,0,0.00\n"
        "USD,2,2025-05-08,2025-05-14,0,0.00\n"
    )
    path = tmp_path / "due.md"
    result = run("forecast", "--as-of", "2025-05-01", "--weeks", "2", "-o", str(path))
    assert result.exit_code == 0, result
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == ["# Falling due as of 2025-05-01, 2 week(s) ahead", "", "As of: 2025-05-01 · Weeks: 2  "]
    table = lines[lines.index("| Currency | Week | Due from | Due to | Invoices | Outstanding |") :]
    assert table[2:8] == [
        "| CAD |  |  | 2025-04-30 | 0 | 0.00 |",
        "| CAD | 1 | 2025-05-01 | 2025-05-07 | 0 | 0.00 |",
        "| CAD | 2 | 2025-05-08 | 2025-05-14 | 1 | 6,400.00 |",
        "| USD |  |  | 2025-04-30 | 1 | 778.25 |",
        "| USD | 1 | 2025-05-01 | 2025-05-07 | 0 | 0.00 |",
        "| USD | 2 | 2025-05-08 | 2025-05-14 | 0 | 0.00 |",
    ]


def test_forecast_table_piped(example, run) -> None:  # noqa: ANN001
    result = run("forecast", "--as-of", "2025-05-01", "--weeks", "1")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        "Currency     Week  Due from    Due to      Invoices  Outstanding",
        "USD       overdue  —           2025-04-30         1       778.25",
        "USD             1  2025-05-01  2025-05-07         0         0.00",
    ]  # (CAD's one invoice falls due in week 2: nothing of CAD in one week)


def test_the_api_answers_the_bytes_of_json_and_documents_it(example, run, db_path) -> None:  # noqa: ANN001
    cli = run("forecast", "--as-of", "2025-05-01", "--weeks", "2", "--json")
    with serving(str(db_path)) as server:
        answer = server.get("/forecast?as_of=2025-05-01&weeks=2")
        assert answer.status == 200
        assert answer.body == cli.stdout.encode()
        refused = server.get("/forecast?weeks=0")
        assert refused.status == 400
        assert refused.json == {
            "error": {"code": "invalid_input", "message": "weeks takes a whole number from 1 to 104, not 0."}
        }
        document = server.get("/openapi.json").json
    operation = document["paths"]["/forecast"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["as_of", "weeks", "known_at"]
    ok = operation["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/ForecastReport"}
    schemas = document["components"]["schemas"]
    assert schemas["ForecastReport"]["required"] == ["as_of", "weeks", "rows"]
    assert schemas["ForecastRow"]["required"] == ["currency", "week", "due_from", "due_to", "invoices", "outstanding"]


def model_forecast(rows, as_of: date, weeks: int) -> dict:  # noqa: ANN001
    """The forecast of the generated rows, computed plainly: one invoice at a time."""
    cells: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    end = as_of + timedelta(days=7 * weeks)
    for r in rows:
        if r.outstanding <= 0 or r.invoice_date > as_of or r.due >= end:
            continue
        week = 0 if r.due < as_of else (r.due - as_of).days // 7 + 1
        cell = cells[(r.currency.upper(), week)]
        cell[0] += 1
        cell[1] += r.outstanding
    out = []
    for cur in sorted({cur for cur, _ in cells}):
        n, cents = cells.get((cur, 0), (0, 0))
        out.append(
            row(cur, None, None, (as_of - timedelta(days=1)).isoformat(), n, f"{cents // 100}.{cents % 100:02d}")
        )
        for week in range(1, weeks + 1):
            n, cents = cells.get((cur, week), (0, 0))
            first = as_of + timedelta(days=7 * (week - 1))
            last = first + timedelta(days=6)
            out.append(row(cur, week, first.isoformat(), last.isoformat(), n, f"{cents // 100}.{cents % 100:02d}"))
    return {"as_of": as_of.isoformat(), "weeks": weeks, "rows": out}


_databases = itertools.count()


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(rows=invoices(), data=st.data())
def test_forecast_equals_the_model(load_rows, run, tmp_path, rows, data):  # noqa: ANN001
    db = str(tmp_path / f"forecast{next(_databases)}.db")
    load_rows([r.csv for r in rows], db=db)
    for _ in range(3):
        as_of = START + timedelta(days=data.draw(st.integers(-10, DAYS + 80), label="as_of"))
        weeks = data.draw(st.one_of(st.integers(1, 12), st.just(104)), label="weeks")
        result = run("--db", db, "forecast", "--as-of", as_of.isoformat(), "--weeks", str(weeks), "--json")
        assert result.exit_code == 0, result
        assert result.json == model_forecast(rows, as_of, weeks)
