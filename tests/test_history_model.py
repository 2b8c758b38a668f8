"""A sequence of random loads over time against a plain-Python model of the history (issues 15 and 19).

Each example loads a few random exports on increasing dates (some with
--complete or --complete=open, invoices left out at random, invoices moving
between the two customers, customers given numbers and parents, a file loaded
again) through the entry point users run, then checks the counts and warnings
of every load (missing, moved, customers changed, payments taken back, a file
identical to an earlier one, another client's file refused with --complete),
past-due and customers ``--known-at`` every load (by number and by date),
``diff`` of a pair of loads, and ``trend`` per load date and per month end,
against what the model says.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from helpers import csv_of, examples
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

NUMBERS = ["N1", "N2", "N3", "N4", "N5", "N6"]
# (name, email, phone); empty fields are empty columns
CONTACTS = [
    ("", "", ""),
    ("", "", ""),
    ("Dana Whitfield", "dana@x.example", "555-0100"),
    ("", "ap@x.example", ""),
    ("Lee Park", "", "555-0199"),
]
START = date(2025, 2, 1)


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

CUSTOMERS = ("Alpha Co", "Beta Ltd")
load = st.fixed_dictionaries(
    {
        "days_later": st.integers(0, 25),
        "complete": st.sampled_from([None, "all", "open"]),
        "rows": st.dictionaries(st.sampled_from(NUMBERS), invoice, min_size=1, max_size=len(NUMBERS)),
        # Each customer's number and parent in this file (None: the column is empty, which changes nothing).
        # The two customers' numbers never meet, so a number is never on two names.
        "numbers": st.fixed_dictionaries(
            {
                "Alpha Co": st.sampled_from([None, "A-1", "A-2"]),
                "Beta Ltd": st.sampled_from([None, "B-1", "B-2"]),
                "Zeta GmbH": st.sampled_from([None, "Z-1"]),
            }
        ),
        "parents": st.fixed_dictionaries(
            {
                "Alpha Co": st.sampled_from([None, "B-1", "P-9"]),
                "Beta Ltd": st.sampled_from([None, "A-1"]),
                "Zeta GmbH": st.none(),
            }
        ),
        # Now and then another client's export: its own customer and invoice numbers.
        "other_client": st.sampled_from([False, False, False, True]),
        # Load the file of an earlier load again (its index among the loads so far), instead of this one.
        "again": st.one_of(st.none(), st.integers(0, 3)),
        # Invoices loaded again exactly as known, but for one field filled in or emptied (or none).
        "tweak": st.dictionaries(st.sampled_from(NUMBERS), st.sampled_from(["po", "contact", "same"]), max_size=3),
    }
)


def _again(known: dict, what: str) -> dict:
    """``known`` as the next export lists it: its PO number or contact filled in or emptied, or as it was."""
    row = {key: value for key, value in known.items() if key != "status"}
    if what == "po":
        row["po"] = "" if row["po"] else "PO-9"
    elif what == "contact":
        row["contact"] = ("", "", "") if any(row["contact"]) else ("Lee Park", "", "555-0199")
    return row


def _outstanding(inv: dict) -> int:
    return max(inv["total"] - inv["applied"], 0)


def _status(inv: dict) -> str:
    return inv.get("status") or ("Pending" if _outstanding(inv) > 0 else "Closed")


def _file(rows: dict[str, dict], numbers: dict[str, str | None], parents: dict[str, str | None]) -> str:
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
                "customer_number": numbers[inv["customer"]] or "",
                "parent": parents[inv["customer"]] or "",
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


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(loads=st.lists(load, min_size=1, max_size=4), pair=st.tuples(st.integers(0, 3), st.integers(0, 3)))
def test_random_loads_over_time_match_the_model(run, loads: list[dict], pair: tuple[int, int]) -> None:  # noqa: ANN001
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "history.db")
        state: dict[str, dict] = {}
        states: list[dict[str, dict]] = []
        missings: list[list[str]] = []
        days: list[date] = []
        texts: list[str] = []  # the file of each load made
        # Each customer's (number, parent) once it exists, after each load made.
        customers: dict[str, tuple[str | None, str | None]] = {}
        customer_states: list[dict[str, tuple[str | None, str | None]]] = []
        made: list[dict] = []  # the spec of each load made
        tweaked: list[list[str]] = []  # the invoices each load made lists again with a field filled or emptied
        day = START
        for index, spec in enumerate(loads):
            day += timedelta(days=spec["days_later"])
            if spec["other_client"]:
                spec = {**spec, "rows": {f"Z{n}": {**inv, "customer": "Zeta GmbH"} for n, inv in spec["rows"].items()}}
            if spec["again"] is not None and spec["again"] < len(made):  # an earlier load's file, byte for byte
                spec = {**spec, **{key: made[spec["again"]][key] for key in ("rows", "numbers", "parents")}}
                again = []
            else:
                again = sorted(n for n in spec["tweak"] if n in state and not spec["other_client"])
                rows = {**spec["rows"], **{n: _again(state[n], spec["tweak"][n]) for n in again}}
                spec = {**spec, "rows": rows}
            text = _file(spec["rows"], spec["numbers"], spec["parents"])
            missing = sorted(
                n
                for n, inv in state.items()
                if n not in spec["rows"] and (spec["complete"] == "all" or _outstanding(inv) > 0)
            )
            path = Path(tmp) / f"load{index}.csv"
            path.write_text(text, encoding="utf-8")
            options = [f"--complete={spec['complete']}"] if spec["complete"] else []
            result = run("--db", db, "ingest", str(path), "--as-of", day.isoformat(), "--json", *options)
            used = {inv["customer"] for inv in spec["rows"].values()}
            foreign = bool(state) and not (state.keys() & spec["rows"].keys()) and not (used & customers.keys())
            if foreign and spec["complete"]:  # another client's file? refused, nothing written
                event("another client's file, refused")
                assert (result.exit_code, result.stdout) == (2, ""), result
                assert "shares nothing with the database" in result.stderr
                continue
            assert result.exit_code == 0, result
            report = result.json
            settled = [n for n in missing if _outstanding(state[n]) > 0] if spec["complete"] == "open" else []
            assert (report["missing_invoices"], report["missing"], report["settled"]) == (
                missing,
                len(missing),
                len(settled),
            )
            moved = [n for n, inv in spec["rows"].items() if n in state and state[n]["customer"] != inv["customer"]]
            taken_back = [n for n, inv in spec["rows"].items() if n in state and inv["applied"] < state[n]["applied"]]
            changed = 0
            said = len(moved) + foreign
            for name in sorted(used):
                number, parent = customers.get(name, (None, None))
                now = (spec["numbers"][name] or number, spec["parents"][name] or parent)
                if name in customers and now != (number, parent):
                    changed += 1
                    said += (now[0] != number) + (now[1] != parent)
                customers[name] = now
            earlier = [j for j, t in enumerate(texts) if t == text]
            said += bool(earlier) and texts[-1] != text  # the file of an earlier load, after a newer one
            for what, seen in (
                ("a file loaded again after a newer one", bool(earlier) and texts[-1] != text),
                ("another client's file, a warning", foreign),
                ("an invoice moved", bool(moved)),
                ("a customer changed", bool(changed)),
                ("a payment taken back", bool(taken_back)),
            ):
                if seen:
                    event(what)
            assert (report["moved"], report["taken_back"], report["customers_changed"], report["warnings"]) == (
                len(moved),
                len(taken_back),
                changed,
                said,
            ), spec
            assert report["identical_to_load"] == (earlier[-1] + 1 if earlier else None)
            state = {**state, **{n: dict(inv) for n, inv in spec["rows"].items()}}
            for n in settled:
                state[n] = {**state[n], "applied": max(state[n]["applied"], state[n]["total"]), "status": "Closed"}
            states.append(state)
            missings.append(missing)
            days.append(day)
            texts.append(text)
            customer_states.append(dict(customers))
            made.append(spec)
            tweaked.append(again)

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
            # The customers with an invoice then, with their numbers and parents of then.
            page = run("--db", db, "customers", "--known-at", str(k), "--json")
            assert page.exit_code == 0, page
            owners = sorted({inv["customer"] for inv in known.values()})
            assert [(c["name"], c["customer_number"], c["parent_number"]) for c in page.json["customers"]] == [
                (name, *customer_states[k - 1][name]) for name in owners
            ]

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
                for spec in made[:k]:
                    for inv in spec["rows"].values():
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
            assert [(m["invoice_number"], m["before"], m["after"]) for m in doc["moved"]] == [
                (n, before[n]["customer"], after[n]["customer"])
                for n in common
                if before[n]["customer"] != after[n]["customer"]
            ]
            then, now = customer_states[a], customer_states[b]
            # A contact is first seen at the first load whose file names it for that customer.
            first_seen: dict[tuple[str, tuple[str, str, str]], int] = {}
            for j, spec in enumerate(made):
                for inv in spec["rows"].values():
                    if any(inv["contact"]):
                        first_seen.setdefault((inv["customer"], inv["contact"]), j)
            changes = [
                {"customer_name": name, "customer_number": now[name][0], "field": field, "before": then[name][i],
                 "after": now[name][i]}
                for name in sorted(then)
                for i, field in enumerate(("customer_number", "parent_number"))
                if then[name][i] != now[name][i]
            ]  # fmt: skip
            # Contacts first seen after load a up to load b, of the customers known after load a.
            changes += [
                {"customer_name": name, "customer_number": now[name][0], "field": "contact", "before": None,
                 "after": ", ".join(part for part in contact if part)}
                for (name, contact), j in first_seen.items()
                if a < j <= b and name in then
            ]  # fmt: skip
            order = ("customer_number", "parent_number", "name", "contact")
            changes.sort(key=lambda c: (c["customer_name"], order.index(c["field"]), c["before"] or "", c["after"]))
            assert doc["customer_changes"] == changes

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
