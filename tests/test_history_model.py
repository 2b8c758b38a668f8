"""A sequence of random loads over time against a plain-Python model of the history (issue 15).

Each example loads a few random exports on increasing dates (some with
--complete or --complete=open, invoices left out at random) through the entry
point users run, then checks the missing counts of every load, past-due
``--known-at`` every load (by number and by date), ``diff`` of a pair of loads,
and ``trend`` per load date and per month end, against what the model says.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from helpers import csv_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NUMBERS = ["N1", "N2", "N3", "N4", "N5", "N6"]
START = date(2025, 2, 1)
# (name, email, phone); empty fields are empty columns
CONTACTS = [
    ("", "", ""),
    ("", "", ""),
    ("Dana Whitfield", "dana@x.example", "555-0100"),
    ("", "ap@x.example", ""),
    ("Lee Park", "", "555-0199"),
]


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


invoice = st.fixed_dictionaries(
    {
        "customer": st.sampled_from(["Alpha Co", "Beta Ltd"]),
        "currency": st.sampled_from(["USD", "CAD"]),
        "invoice_date": st.integers(0, 80).map(lambda d: date(2025, 1, 1) + timedelta(days=d)),
        "terms": st.integers(0, 45),
        "total": st.integers(1, 50_000),
        "paid": st.sampled_from(["none", "half", "all"]),
        # Fields a later export may fill in or empty again: a PO number added, then removed; a contact.
        "po": st.sampled_from(["", "", "PO-1", "PO-2"]),
        "contact": st.sampled_from(CONTACTS),
    }
).map(
    lambda r: {
        "customer": r["customer"],
        "currency": r["currency"],
        "invoice_date": r["invoice_date"].isoformat(),
        "due_date": (r["invoice_date"] + timedelta(days=r["terms"])).isoformat(),
        "total": r["total"],
        "applied": {"none": 0, "half": r["total"] // 2, "all": r["total"]}[r["paid"]],
        "po": r["po"],
        "contact": r["contact"],
    }
)

load = st.fixed_dictionaries(
    {
        "days_later": st.integers(0, 25),
        "complete": st.sampled_from([None, "all", "open"]),
        "rows": st.dictionaries(st.sampled_from(NUMBERS), invoice, min_size=1, max_size=len(NUMBERS)),
        # Invoices loaded again exactly as known, but for one field filled in or emptied (or none).
        "again": st.dictionaries(st.sampled_from(NUMBERS), st.sampled_from(["po", "contact", "same"]), max_size=3),
    }
)


def _again(known: dict, what: str) -> dict:
    """``known`` as the next export lists it: its PO number or contact filled in or emptied, or as it was."""
    row = dict(known)
    if what == "po":
        row["po"] = "" if row["po"] else "PO-9"
    elif what == "contact":
        row["contact"] = ("", "", "") if any(row["contact"]) else ("Lee Park", "", "555-0199")
    return row


def _outstanding(inv: dict) -> int:
    return max(inv["total"] - inv["applied"], 0)


def _status(inv: dict) -> str:
    return inv.get("status") or ("Pending" if _outstanding(inv) > 0 else "Closed")


def _file(rows: dict[str, dict]) -> str:
    def us(iso: str) -> str:
        d = date.fromisoformat(iso)
        return f"{d.month}/{d.day}/{d.year}"

    return csv_of(
        [
            {
                "customer": inv["customer"],
                "number": number,
                "date": us(inv["invoice_date"]),
                "due": us(inv["due_date"]),
                "total": _money(inv["total"]),
                "applied": _money(inv["applied"]),
                "status": _status(inv),
                "currency": inv["currency"],
                "po": inv["po"],
                "contact": inv["contact"][0],
                "email": inv["contact"][1],
                "phone": inv["contact"][2],
            }
            for number, inv in sorted(rows.items())
        ]
    )


def _past_due(state: dict[str, dict], as_of: str) -> list[tuple]:
    rows = [
        (n, i["customer"], i["due_date"], _money(i["total"]), _money(i["applied"]), _money(_outstanding(i)), _status(i))
        for n, i in state.items()
        if _outstanding(i) > 0 and i["due_date"] < as_of
    ]
    return sorted(rows, key=lambda r: (r[2], r[0]))


def _points(state: dict[str, dict], day: date, months: bool) -> list[dict]:
    iso = day.isoformat()
    start = date(day.year - (day.month <= 2), (day.month - 3) % 12 + 1, 1)
    out = []
    for currency in sorted({i["currency"] for i in state.values() if i["invoice_date"] <= iso}):
        mine = [i for i in state.values() if i["currency"] == currency and i["invoice_date"] <= iso]
        open_ar = sum(_outstanding(i) for i in mine if _status(i) == "Pending")
        past = sum(_outstanding(i) for i in mine if i["due_date"] < iso)
        point = {"date": iso, "currency": currency, "open_ar": _money(open_ar), "past_due": _money(past)}
        if months:
            billed = sum(i["total"] for i in mine if i["invoice_date"] >= start.isoformat())
            days = (day - start).days + 1
            point.update(
                billed_3m=_money(billed), days_3m=days, dso=round(open_ar * days / billed, 1) if billed else None
            )
        out.append(point)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(loads=st.lists(load, min_size=1, max_size=4), pair=st.tuples(st.integers(0, 3), st.integers(0, 3)))
def test_random_loads_over_time_match_the_model(run, loads: list[dict], pair: tuple[int, int]) -> None:  # noqa: ANN001
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "history.db")
        state: dict[str, dict] = {}
        states: list[dict[str, dict]] = []
        missings: list[list[str]] = []
        days: list[date] = []
        day = START
        files: list[dict[str, dict]] = []
        tweaked: list[list[str]] = []
        for k, spec in enumerate(loads, start=1):
            day += timedelta(days=spec["days_later"])
            rows = dict(spec["rows"])
            again = sorted(n for n in spec["again"] if n in state)
            rows.update({n: _again(state[n], spec["again"][n]) for n in again})
            missing = sorted(
                n for n, inv in state.items() if n not in rows and (spec["complete"] == "all" or _outstanding(inv) > 0)
            )
            path = Path(tmp) / f"load{k}.csv"
            path.write_text(_file(rows), encoding="utf-8")
            files.append(rows)
            tweaked.append(again)
            options = [f"--complete={spec['complete']}"] if spec["complete"] else []
            result = run("--db", db, "ingest", str(path), "--as-of", day.isoformat(), "--json", *options)
            assert result.exit_code == 0, result
            report = result.json
            settled = [n for n in missing if _outstanding(state[n]) > 0] if spec["complete"] == "open" else []
            assert (report["missing_invoices"], report["missing"], report["settled"]) == (
                missing,
                len(missing),
                len(settled),
            )
            state = {**state, **{n: dict(inv) for n, inv in rows.items()}}
            for n in settled:
                state[n] = {**state[n], "applied": max(state[n]["applied"], state[n]["total"]), "status": "Closed"}
            states.append(state)
            missings.append(missing)
            days.append(day)

        # --known-at every load, by its number and by its date (the last load of that date).
        for k, known in enumerate(states, start=1):
            last_that_day = max(j for j, d in enumerate(days, start=1) if d <= days[k - 1])
            for point, expected in ((str(k), known), (days[k - 1].isoformat(), states[last_that_day - 1])):
                page = run(
                    "--db", db, "past-due", "--as-of", "2025-06-01", "--limit", "200", "--known-at", point, "--json"
                )
                assert page.exit_code == 0, page
                got = [
                    (i["invoice_number"], i["customer_name"], i["due_date"], i["bill_total"], i["applied"],
                     i["outstanding"], i["status"])
                    for i in page.json["items"]
                ]  # fmt: skip
                assert got == _past_due(expected, "2025-06-01"), point

        # Each invoice's PO number and contact as known after each load: filled in, emptied again, or kept.
        for k, known in enumerate(states, start=1):
            for number in sorted({*tweaked[k - 1], *sorted(known)[:1]}):
                detail = run("--db", db, "invoice", number, "--known-at", str(k), "--json")
                assert detail.exit_code == 0, detail
                name, email, phone = known[number]["contact"]
                shown = {
                    key: detail.json[key] for key in ("po_number", "contact_name", "contact_email", "contact_phone")
                }
                assert shown == {
                    "po_number": known[number]["po"] or None,
                    "contact_name": name or None,
                    "contact_email": email or None,
                    "contact_phone": phone or None,
                }, (number, k)
        # Contacts as known after each load: every contact of every row loaded by then, empty ones none.
        for k in range(1, len(states) + 1):
            for customer in sorted({inv["customer"] for inv in states[k - 1].values()}):
                seen: dict[tuple[str, str, str], str] = {}
                for rows in files[:k]:
                    for inv in rows.values():
                        if inv["customer"] == customer and any(inv["contact"]):
                            seen[inv["contact"]] = max(seen.get(inv["contact"], ""), inv["invoice_date"])
                page = run("--db", db, "contact", customer, "--known-at", str(k), "--json")
                assert page.exit_code == 0, page
                got = [
                    ((c["contact_name"] or "", c["contact_email"] or "", c["contact_phone"] or ""),
                     c["last_seen_invoice_date"])
                    for c in page.json["contacts"]
                ]  # fmt: skip
                assert sorted(got) == sorted(seen.items()), (customer, k)
                assert page.json["total"] == len(seen)

        # diff of two loads (the earlier first).
        a, b = sorted(min(p, len(states) - 1) for p in pair)
        if a < b:
            doc = run("--db", db, "diff", str(a + 1), str(b + 1), "--json").json
            before, after = states[a], states[b]
            assert [n["invoice_number"] for n in doc["new"]] == sorted(set(after) - set(before))
            common = sorted(set(after) & set(before))
            assert [(p["invoice_number"], p["amount"]) for p in doc["payments"]] == [
                (
                    n,
                    ("-" if after[n]["applied"] < before[n]["applied"] else "")
                    + _money(abs(after[n]["applied"] - before[n]["applied"])),
                )
                for n in common
                if after[n]["applied"] != before[n]["applied"]
            ]
            assert [(s["invoice_number"], s["before"], s["after"]) for s in doc["status_changes"]] == [
                (n, _status(before[n]), _status(after[n])) for n in common if _status(before[n]) != _status(after[n])
            ]
            fields = [
                ("bill_total", "total"),
                ("invoice_date", "invoice_date"),
                ("due_date", "due_date"),
                ("currency", "currency"),
            ]
            assert [(c["invoice_number"], c["field"]) for c in doc["changes"]] == [
                (n, shown) for n in common for shown, key in fields if before[n][key] != after[n][key]
            ]
            assert [m["invoice_number"] for m in doc["missing"]] == sorted(set(missings[b]) - set(missings[a]))

        # trend per load date, and per month end with DSO.
        per_load = run("--db", db, "trend", "--every", "load", "--to", "2025-12-31", "--json").json["points"]
        expected = []
        for d in sorted(set(days)):
            j = max(i for i, x in enumerate(days) if x == d)
            expected += [{**p, "load": j + 1} for p in _points(states[j], d, months=False)]
        assert per_load == [{k: p[k] for k in ("date", "load", "currency", "open_ar", "past_due")} for p in expected]
        monthly = run("--db", db, "trend", "--from", "2025-01", "--to", "2025-05", "--json").json["points"]
        expected = []
        for end in (date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)):
            earlier = [i for i, x in enumerate(days) if x <= end]
            if earlier:
                expected += [{**p, "load": earlier[-1] + 1} for p in _points(states[earlier[-1]], end, months=True)]
        order = ("date", "load", "currency", "open_ar", "past_due", "billed_3m", "days_3m", "dso")
        assert monthly == [{k: p[k] for k in order} for p in expected]
