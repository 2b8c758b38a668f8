"""The AR team's page at ``/``, in a real headless Chromium: the figures shown are the API's.

Loads the page on the bundled sample, compares every figure it shows with
the API's JSON, clicks through the past-due pages, re-sorts them, runs a
customer search, and saves a screenshot (``$DOMEO_SCREENSHOT`` names where,
else the test's own directory). Any console error (a script error, a
Content-Security-Policy violation) fails the test.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from cdp import CHROMIUM, Browser
from helpers import SAMPLE, domeo_command
from serving import serving

pytestmark = pytest.mark.slow

AS_OF = "2025-10-01"  # the sample has open invoices in two currencies then


def money(text: str) -> str:
    """The page's way of showing an amount: thousands separators, the API's exact digits."""
    whole, cents = text.split(".")
    return f"{int(whole):,}.{cents}"


def minus(a: str, b: str) -> str:
    value = int(a.replace(".", "")) - int(b.replace(".", ""))
    return f"{value // 100}.{value % 100:02d}"


@pytest.fixture
def browser():  # noqa: ANN201 - a cdp.Browser
    if CHROMIUM is None and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    running = Browser()
    try:
        yield running
    finally:
        running.close()


def test_the_page_shows_the_apis_figures_and_pages_and_searches(tmp_path: Path, browser) -> None:  # noqa: ANN001
    db = tmp_path / "sample.db"
    done = subprocess.run(domeo_command("--db", str(db), "ingest", str(SAMPLE)), capture_output=True, timeout=120)
    assert done.returncode in (0, 4), done.stderr
    with serving(str(db)) as server:
        api = lambda url: server.get(url).json  # noqa: E731
        browser.open(f"http://{server.host}:{server.port}/?as_of={AS_OF}")
        browser.wait("document.body.dataset.ready === 'yes'")

        # Open AR and past due per currency.
        totals = api(f"/aging?as_of={AS_OF}&by=currency")["totals"]
        shown = browser.js(
            "[...document.querySelectorAll('#totals .card')].map(c => [c.dataset.currency,"
            " c.querySelector('.open').textContent, c.querySelector('.pastdue').textContent])"
        )
        assert shown == [[t["currency"], money(t["total"]), money(minus(t["total"], t["current"]))] for t in totals]
        assert len(shown) >= 2  # the sample has USD and CAD
        past_due_total = api(f"/invoices/past-due?as_of={AS_OF}&limit=1")["total"]
        assert browser.js("document.querySelector('#pastdue-count').textContent").startswith(f"{past_due_total} ")

        # The aging chart: one bar per bucket and currency, each the API's amount.
        buckets = api(f"/aging?as_of={AS_OF}&by=currency")["buckets"]
        bars = browser.js(
            "[...document.querySelectorAll('#aging .chart')].map(c => [c.dataset.currency,"
            " [...c.querySelectorAll('rect.bar')].map(r => [r.dataset.label, r.dataset.value])])"
        )
        assert bars == [[t["currency"], [[b, t[b]] for b in buckets]] for t in totals]

        # The past-due list, page by page and in both orders.
        def rows() -> list[list[str]]:
            return browser.js(
                "[...document.querySelectorAll('#pastdue tbody tr')].map(r => [...r.cells].map(c => c.textContent))"
            )

        def expected(offset: int, sort: str = "due_date.asc") -> list[list[str]]:
            page = api(f"/invoices/past-due?as_of={AS_OF}&limit=20&offset={offset}&sort={sort}")
            return [
                [i["invoice_number"], i["customer_name"], i["due_date"], str(i["days_past_due"])]
                + [money(i["outstanding"]), i["currency"]]
                for i in page["items"]
            ]

        pages = -(-past_due_total // 20)
        assert past_due_total > 40
        assert rows() == expected(0)
        assert browser.js("document.querySelector('#pd-page').textContent") == (
            f"Page 1 of {pages} ({past_due_total} invoices)"
        )
        assert browser.js("document.querySelector('#pd-prev').disabled") is True
        browser.js("document.querySelector('#pd-next').click()")
        browser.wait("document.querySelector('#pd-page').textContent.startsWith('Page 2 ')")
        assert rows() == expected(20)
        browser.js("document.querySelector('#pd-next').click()")
        browser.wait("document.querySelector('#pd-page').textContent.startsWith('Page 3 ')")
        assert rows() == expected(40)
        browser.js("document.querySelector('#pd-prev').click()")
        browser.wait("document.querySelector('#pd-page').textContent.startsWith('Page 2 ')")
        assert rows() == expected(20)
        browser.js(
            "const s = document.querySelector('#pd-sort'); s.value = 'due_date.desc';"
            " s.dispatchEvent(new Event('change'))"
        )
        browser.wait("document.querySelector('#pd-page').textContent.startsWith('Page 1 ')")
        browser.wait(
            f"document.querySelector('#pastdue tbody tr').dataset.invoice === {expected(0, 'due_date.desc')[0][0]!r}"
        )
        assert rows() == expected(0, "due_date.desc")

        # Billing month by month: twelve months to the as-of month, one chart per currency.
        series = api("/invoices/summary/range?from=2024-11&to=2025-10")
        billed = browser.js(
            "[...document.querySelectorAll('#billing .chart')].map(c => [c.dataset.currency,"
            " [...c.querySelectorAll('rect.bar')].map(r => [r.dataset.label, r.dataset.value])])"
        )
        months = series["months"]
        assert billed == [
            [c["currency"], [[m["month"], m["sum_bill_total"]] for m in months if m["currency"] == c["currency"]]]
            for c in series["by_currency"]
        ]

        # What falls due week by week: every row of the API's forecast, overdue first for each currency.
        forecast = api(f"/forecast?as_of={AS_OF}&weeks=8")
        due = browser.js(
            "[...document.querySelectorAll('#forecast tbody tr')].map(r => [...r.cells].map(c => c.textContent))"
        )
        assert due == [
            [
                r["currency"],
                f"Overdue (before {AS_OF})"
                if r["week"] is None
                else f"Week {r['week']}: {r['due_from']} to {r['due_to']}",
                str(r["invoices"]),
                money(r["outstanding"]),
            ]
            for r in forecast["rows"]
        ]
        assert len({r["currency"] for r in forecast["rows"]}) >= 2

        # A customer search: the best match's balances, contacts and open invoices.
        found = api(f"/customers?as_of={AS_OF}&search=cedar&limit=12&sort=open")["customers"]
        assert found
        browser.js(
            "document.querySelector('#search').value = 'cedar'; document.querySelector('#search-button').click()"
        )
        browser.wait("document.querySelector('#customer-detail .contacts, #customer-detail .empty')")
        names = browser.js("[...document.querySelectorAll('#customer-results button')].map(b => b.dataset.name)")
        assert names == [c["name"] for c in found]
        first = found[0]
        contacts = api(f"/customers/contact?name={quote(first['name'])}&limit=20")
        assert browser.js("document.querySelector('#customer-name').textContent").startswith(first["name"])
        shown_contacts = browser.js(
            "[...document.querySelectorAll('#customer-detail .contacts tbody tr')]"
            ".map(r => [...r.cells].map(c => c.textContent))"
        )
        assert shown_contacts == [
            [
                c["contact_name"] or "",
                c["contact_email"] or "",
                c["contact_phone"] or "",
                c["last_seen_invoice_date"] or "",
            ]
            for c in contacts["contacts"]
        ]
        statement = api(f"/customers/statement?name={quote(first['name'])}&as_of={AS_OF}")
        shown_aging = browser.js(
            "[...document.querySelectorAll('#customer-detail .open-aging tbody tr')].map(r => [r.dataset.currency,"
            " r.querySelector('.total').textContent, r.querySelector('.count').textContent])"
        )
        assert shown_aging == [[t["currency"], money(t["total"]), str(t["invoices"])] for t in statement["totals"]]
        shown_open = browser.js(
            "[...document.querySelectorAll('#customer-detail .open-invoices tbody tr')]"
            ".map(r => [...r.cells].map(c => c.textContent))"
        )
        assert shown_open == [
            [i["invoice_number"], i["invoice_date"], i["due_date"], str(i["days_past_due"]), money(i["outstanding"])]
            + [i["currency"]]
            for part in statement["accounts"]
            for i in part["invoices"]
        ]
        assert shown_open, "the first customer found has open invoices"
        # Another customer of the results, by a click.
        if len(found) > 1:
            browser.js("document.querySelectorAll('#customer-results button')[1].click()")
            browser.wait(f"document.querySelector('#customer-name').textContent.startsWith({found[1]['name']!r})")

        browser.js("window.scrollTo(0, 0)")
        shot = Path(os.environ.get("DOMEO_SCREENSHOT") or tmp_path / "page.png")
        browser.screenshot(str(shot))
        assert shot.read_bytes().startswith(b"\x89PNG")
        assert browser.errors == []
    log = server.access_log()
    assert {e["path"] for e in log} >= {
        "/",
        "/static/app.js",
        "/static/app.css",
        "/aging",
        "/invoices/past-due",
        "/invoices/summary/range",
        "/customers",
        "/customers/contact",
        "/customers/statement",
    }
    assert all(e["status"] == 200 for e in log), [e for e in log if e["status"] != 200]


def test_with_a_token_the_page_asks_for_it_once(tmp_path: Path, browser) -> None:  # noqa: ANN001
    db = tmp_path / "sample.db"
    done = subprocess.run(domeo_command("--db", str(db), "ingest", str(SAMPLE)), capture_output=True, timeout=120)
    assert done.returncode in (0, 4), done.stderr
    token = "page-test-token-0123456789abcdef"
    with serving(str(db), env={"DOMEO_API_TOKEN": token}) as server:
        browser.open(f"http://{server.host}:{server.port}/?as_of={AS_OF}")
        browser.wait("!document.querySelector('#token-form').hidden")
        assert browser.js("document.querySelectorAll('#totals .card').length") == 0
        browser.js(
            "document.querySelector('#token').value = 'wrong-token-0123456789';"
            " document.querySelector('#token-form button').click()"
        )
        browser.wait("!document.querySelector('#token-form').hidden")
        browser.js(
            f"document.querySelector('#token').value = {token!r}; document.querySelector('#token-form button').click()"
        )
        browser.wait("document.body.dataset.ready === 'yes'")
        assert browser.js("document.querySelectorAll('#totals .card').length") >= 2
        # The tab keeps it: a reload needs no second asking.
        browser.open(f"http://{server.host}:{server.port}/?as_of={AS_OF}")
        browser.wait("document.body.dataset.ready === 'yes'")
        assert browser.js("document.querySelector('#token-form').hidden") is True
    statuses = [(e["path"], e["status"]) for e in server.access_log() if e["path"] == "/aging"]
    assert statuses[0] == ("/aging", 401) and statuses[-1] == ("/aging", 200)


def test_the_page_shows_an_error_naming_the_parameter(tmp_path: Path, browser) -> None:  # noqa: ANN001
    db = tmp_path / "sample.db"
    done = subprocess.run(domeo_command("--db", str(db), "ingest", str(SAMPLE)), capture_output=True, timeout=120)
    assert done.returncode in (0, 4), done.stderr
    with serving(str(db)) as server:
        browser.open(f"http://{server.host}:{server.port}/?as_of=2025-13-01")
        browser.wait("!document.querySelector('#error').hidden")
        assert browser.js("document.querySelector('#error').textContent") == "as_of '2025-13-01' is not a real date."
    assert [e["status"] for e in server.access_log() if e["path"] == "/aging"] == [400]


def test_docs_renders_the_generated_document_with_the_packaged_swagger_ui(tmp_path: Path, browser) -> None:  # noqa: ANN001
    """Swagger UI (from the installed package, under the page's CSP) shows every operation of /openapi.json."""
    with serving(str(tmp_path / "none-yet.db")) as server:
        paths = server.get("/openapi.json").json["paths"]
        browser.open(f"http://{server.host}:{server.port}/docs")
        browser.wait(f"document.querySelectorAll('.opblock-summary-path').length === {len(paths)}")
        shown = browser.js("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent)")
        version = browser.js("document.querySelector('.version-stamp')?.textContent")
    assert [s.replace("\u200b", "") for s in shown] == list(paths)
    assert version is not None and "3.1" in version
    assert browser.errors == []
