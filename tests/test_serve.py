"""``domeo serve`` through real HTTP against a real server process: every endpoint and every error."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import SAMPLE, domeo_command
from serving import raw_request, serving, start

AS_OF = "2025-06-01"


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    """``domeo --db DB ARGS`` in a child process, output piped (bytes)."""
    return subprocess.run(domeo_command("--db", str(db), *args), capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample export, loaded once for this module."""
    db = tmp_path_factory.mktemp("serve") / "sample.db"
    done = cli(db, "ingest", str(SAMPLE), "--json")
    assert done.returncode in (0, 4), done.stderr
    return db


@pytest.fixture(scope="module")
def server(sample_db: Path):  # noqa: ANN201 - a serving.Server
    with serving(str(sample_db)) as running:
        yield running


@pytest.fixture(scope="module")
def names(sample_db: Path) -> dict[str, str]:
    """A customer with contacts and one past-due invoice number, read through the CLI."""
    customers = json.loads(cli(sample_db, "customers", "--as-of", AS_OF, "--sort", "open", "--json").stdout)
    name = next(c["name"] for c in customers["customers"] if c["contact"] is not None)
    number = json.loads(cli(sample_db, "past-due", "--as-of", AS_OF, "--limit", "1", "--json").stdout)["items"][0]
    return {"customer": name, "invoice": number["invoice_number"]}


def _cases(n: dict[str, str]) -> list[tuple[str, list[str]]]:
    name, low = n["customer"], quote(n["customer"].lower())
    return [
        (f"/invoices/past-due?as_of={AS_OF}", ["past-due", "--as-of", AS_OF]),
        (
            f"/invoices/past-due?as_of={AS_OF}&limit=7&offset=20&sort=due_date.desc",
            ["past-due", "--as-of", AS_OF, "--limit", "7", "--offset", "20", "--sort", "due_date.desc"],
        ),
        ("/invoices/past-due", ["past-due"]),
        ("/invoices/summary/month?month=2025-03", ["summary", "--month", "2025-03"]),
        (
            f"/invoices/summary/month?month=2025-03&customer_name={low}",
            ["summary", "--month", "2025-03", "--customer", name],
        ),
        ("/invoices/summary/month?month=2025-03&currency=cad", ["summary", "--month", "2025-03", "--currency", "cad"]),
        ("/invoices/summary/month?month=1999-01", ["summary", "--month", "1999-01"]),
        ("/invoices/summary/range?from=2024-11&to=2025-03", ["summary", "--from", "2024-11", "--to", "2025-03"]),
        (f"/customers/contact?name={low}", ["contact", name]),
        (f"/customers/contact?name={low}&limit=1&offset=1", ["contact", name, "--limit", "1", "--offset", "1"]),
        (
            f"/customers?as_of={AS_OF}&search=a&sort=open&limit=7&offset=3",
            ["customers", "--as-of", AS_OF, "--search", "a", "--sort", "open", "--limit", "7", "--offset", "3"],
        ),
        ("/customers", ["customers"]),
        (f"/aging?as_of={AS_OF}", ["aging", "--as-of", AS_OF]),
        (f"/aging?as_of={AS_OF}&by=parent&tree=true", ["aging", "--as-of", AS_OF, "--by", "parent", "--tree"]),
        (f"/aging?as_of={AS_OF}&by=currency", ["aging", "--as-of", AS_OF, "--by", "currency"]),
        (
            f"/aging?as_of={AS_OF}&buckets=15,45&age_by=invoice&sort=name&limit=3&min_total=100&currency=USD",
            ["aging", "--as-of", AS_OF, "--buckets", "15,45", "--age-by", "invoice", "--sort", "name"]
            + ["--limit", "3", "--min-total", "100", "--currency", "USD"],
        ),
        (
            f"/invoices/past-due?as_of={AS_OF}&customer_name={low}&min_days=30&contact=true&with_children=true",
            ["past-due", "--as-of", AS_OF, "--customer", name, "--min-days", "30", "--contact", "--with-children"],
        ),
        (f"/customers/statement?name={low}&as_of={AS_OF}", ["statement", name, "--as-of", AS_OF]),
        (
            f"/customers/statement?name={low}&as_of={AS_OF}&with_children=true",
            ["statement", name, "--as-of", AS_OF, "--with-children"],
        ),
        (f"/invoices/{n['invoice']}?as_of={AS_OF}", ["invoice", n["invoice"], "--as-of", AS_OF]),
        (f"/invoices/{n['invoice'].lower()}", ["invoice", n["invoice"].lower()]),
    ]


def test_every_endpoint_answers_the_commands_json_byte_for_byte(server, sample_db, names) -> None:  # noqa: ANN001
    for url, argv in _cases(names):
        reply = server.get(url)
        expected = cli(sample_db, *argv, "--json")
        assert expected.returncode == 0, (argv, expected.stderr)
        assert reply.status == 200, (url, reply)
        assert reply.headers["content-type"] == "application/json; charset=utf-8"
        assert reply.body == expected.stdout, url
        assert reply.body.endswith(b"\n") and reply.body.count(b"\n") == 1


def test_the_contracts_example_documents(tmp_path, example) -> None:  # noqa: ANN001 - fixtures
    with serving(str(tmp_path / "test.db")) as server:
        past_due = server.get("/invoices/past-due?as_of=2025-05-01").json
        summary = server.get("/invoices/summary/month?month=2025-03&customer_name=harbor%20lane%20bakery").json
        contact = server.get("/customers/contact?name=Harbor%20Lane%20Bakery").json
        health = server.get("/health")
    assert past_due == {
        "items": [
            {
                "invoice_number": "DF2031977",
                "customer_name": "Harbor Lane Bakery",
                "invoice_date": "2025-03-21",
                "due_date": "2025-04-20",
                "bill_total": "1190.50",
                "applied": "412.25",
                "outstanding": "778.25",
                "currency": "USD",
                "status": "Pending",
                "days_past_due": 11,
            }
        ],
        "total": 1,
        "limit": 50,
        "offset": 0,
    }
    assert summary == {"month": "2025-03", "currency": "USD", "sum_bill_total": "4065.50", "count_invoices": 2}
    assert contact == {
        "customer_name": "Harbor Lane Bakery",
        "contacts": [
            {
                "contact_name": "Dana Whitfield",
                "contact_email": "dana@harborlanebakery.com",
                "contact_phone": "555-204-7781",
                "last_seen_invoice_date": "2025-03-21",
            }
        ],
        "total": 1,
    }
    assert (health.status, health.body) == (200, b'{"status": "ok"}\n')


# Invalid input the command line also refuses: the same code and sentence, HTTP 400 or 404.
_SAME_AS_CLI = [
    ("/invoices/past-due?limit=0", ["past-due", "--limit", "0"], 400),
    ("/invoices/past-due?limit=201", ["past-due", "--limit", "201"], 400),
    ("/invoices/past-due?offset=-1", ["past-due", "--offset", "-1"], 400),
    ("/invoices/past-due?sort=amount", ["past-due", "--sort", "amount"], 400),
    ("/invoices/past-due?as_of=2025-02-30", ["past-due", "--as-of", "2025-02-30"], 400),
    ("/invoices/past-due?as_of=yesterday", ["past-due", "--as-of", "yesterday"], 400),
    ("/invoices/summary/month?month=2024-13", ["summary", "--month", "2024-13"], 400),
    ("/invoices/summary/month?month=Nov%202024", ["summary", "--month", "Nov 2024"], 400),
    ("/invoices/summary/month?month=2025-03&currency=US", ["summary", "--month", "2025-03", "--currency", "US"], 400),
    ("/invoices/summary/month?month=2025-03&customer_name=Nobody", ["summary", "--month", "2025-03", "--customer", "Nobody"], 404),  # noqa: E501
    ("/invoices/summary/range?from=2025-03&to=2025-01", ["summary", "--from", "2025-03", "--to", "2025-01"], 400),
    ("/invoices/summary/range?from=1900-01&to=2025-01", ["summary", "--from", "1900-01", "--to", "2025-01"], 400),
    ("/customers/contact?name=Nobody%20Here", ["contact", "Nobody Here"], 404),
    ("/customers/contact?name=x&limit=500", ["contact", "x", "--limit", "500"], 400),
    ("/customers?sort=size", ["customers", "--sort", "size"], 400),
    ("/aging?buckets=90,30", ["aging", "--buckets", "90,30"], 400),
    ("/aging?age_by=week", ["aging", "--age-by", "week"], 400),
    ("/aging?by=region", ["aging", "--by", "region"], 400),
    ("/aging?by=currency&tree=true", ["aging", "--by", "currency", "--tree"], 400),
    ("/aging?min_total=lots", ["aging", "--min-total", "lots"], 400),
    ("/aging?limit=0", ["aging", "--limit", "0"], 400),
    ("/invoices/NO-SUCH-1", ["invoice", "NO-SUCH-1"], 404),
    ("/invoices/past-due?customer_name=Nobody", ["past-due", "--customer", "Nobody"], 404),
    ("/invoices/past-due?min_days=0", ["past-due", "--min-days", "0"], 400),
    ("/invoices/past-due?with_children=true", ["past-due", "--with-children"], 400),
    ("/customers/statement?name=Nobody", ["statement", "Nobody"], 404),
    ("/customers/statement?name=x&as_of=2025-13-01", ["statement", "x", "--as-of", "2025-13-01"], 400),
]  # fmt: skip


@pytest.mark.parametrize(("url", "argv", "status"), _SAME_AS_CLI, ids=[c[0] for c in _SAME_AS_CLI])
def test_invalid_input_is_the_clis_error_with_its_status(server, sample_db, url, argv, status) -> None:  # noqa: ANN001
    reply = server.get(url)
    expected = cli(sample_db, *argv, "--json")
    assert expected.returncode == {400: 2, 404: 3}[status], expected
    assert reply.status == status, reply
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    assert reply.json == json.loads(expected.stderr)
    assert reply.error["code"] == {400: "invalid_input", 404: "not_found"}[status]


def test_no_such_customer_names_the_closest(server, names) -> None:  # noqa: ANN001
    typo = names["customer"][:-1]
    reply = server.get(f"/customers/contact?name={quote(typo)}")
    assert reply.status == 404
    assert names["customer"] in reply.error["suggestions"]
    assert repr(names["customer"]) in reply.error["message"]


# What only the web layer can be sent: the parameter itself is wrong.
_WEB_ERRORS = [
    ("/invoices/past-due?limit=abc", 400, "The parameter limit takes a whole number, not 'abc'."),
    ("/invoices/past-due?limit=1.5", 400, "The parameter limit takes a whole number, not '1.5'."),
    ("/invoices/past-due?limit=", 400, "The parameter limit takes a whole number, not ''."),
    ("/invoices/past-due?offset=99999999999999999999", 400, None),
    ("/invoices/past-due?limt=5", 400, "/invoices/past-due does not take the parameter 'limt' (it takes: as_of, lim"
                                       "it, offset, sort, customer_name, with_children, min_days, contact, known_at)."),
    ("/invoices/past-due?limit=5&limit=6", 400, "The parameter limit is given more than once."),
    ("/invoices/summary/month", 400, "/invoices/summary/month needs the parameter month (YYYY-MM)."),
    ("/invoices/summary/range?from=2025-01", 400, "/invoices/summary/range needs the parameter to (YYYY-MM)."),
    ("/customers/contact", 400, "/customers/contact needs the parameter name (text)."),
    ("/aging?tree=maybe", 400, "The parameter tree takes true or false, not 'maybe'."),
    ("/health?x=1", 400, None),
    (f"/customers/contact?name={'a' * 201}", 400, "The parameter name is too long (201 characters; at most 200)."),
    (f"/customers?search={'a' * 3000}", 414, None),
    (f"/invoices/{'9' * 3000}", 414, None),
    ("/invoices/%FF%FE", 404, None),
    ("/customers/contact?name=%00%FF%C2%9B", 404, None),
    ("/customers/contact?name=%E2%80%AE%27%3B%20DROP%20TABLE%20invoices%3B--", 404, None),
    ("/nope", 404, "Nothing is served at /nope; see /docs for the API."),
    ("/invoices", 404, None),
    ("/invoices/past-due/extra", 404, None),
    ("/static/../pyproject.toml", 404, None),
    ("/static/%2e%2e/__init__.py", 404, None),
]  # fmt: skip


@pytest.mark.parametrize(("url", "status", "message"), _WEB_ERRORS, ids=[c[0][:60] for c in _WEB_ERRORS])
def test_a_bad_request_is_a_4xx_with_the_error_document(server, url, status, message) -> None:  # noqa: ANN001
    reply = server.get(url)
    assert reply.status == status, reply
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    assert reply.headers["x-content-type-options"] == "nosniff"
    error = reply.error
    assert error["code"] == {400: "invalid_input", 404: "not_found", 414: "uri_too_long"}[status]
    if message is not None:
        assert error["message"] == message


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/invoices/past-due", "/health", "/invoices/DF1", "/"])
def test_a_wrong_method_is_405(server, method, path) -> None:  # noqa: ANN001
    reply = server.request(path, method=method, body=b'{"a": 1}', headers={"Content-Type": "application/json"})
    assert reply.status == 405
    assert reply.headers["allow"] == "GET"
    assert reply.error == {"code": "method_not_allowed", "message": f"{method} is not allowed here; use GET."}


def test_head_is_get_without_the_body(server) -> None:  # noqa: ANN001
    head = server.request("/health", method="HEAD")
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-length"] == "17"
    assert server.request("/nope", method="HEAD").status == 404


def test_only_the_docs_assets_of_the_swagger_bundle_are_served(server) -> None:  # noqa: ANN001
    assert server.get("/docs/swagger/swagger-ui-bundle.js").status == 200
    for name in ("index.html", "swagger-initializer.js", "..%2F..%2F__init__.py", "oauth2-redirect.html"):
        reply = server.get(f"/docs/swagger/{name}")
        assert reply.status == 404 and reply.error["code"] == "not_found", name


def test_malformed_http_gets_no_traceback_and_no_html(server) -> None:  # noqa: ANN001
    for data in (
        b"GARBAGE\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /health HTTP/1.1\r\n" + b"X: " + b"a" * 70000 + b"\r\n\r\n",
    ):
        answer = raw_request(server.host, server.port, data)
        head = answer.split(b"\r\n", 1)[0]
        assert not head.startswith(b"HTTP/1.1 5"), answer[:300]
        assert b"Traceback" not in answer and b"<html" not in answer.lower()
    assert server.get("/health").status == 200  # and it still serves


def test_security_headers_and_no_cors_by_default(server) -> None:  # noqa: ANN001
    page = server.get("/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    api = server.get("/invoices/past-due", origin="http://elsewhere.example")
    assert api.headers["x-content-type-options"] == "nosniff"
    assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert api.headers["cache-control"] == "no-store"
    assert not any(k.startswith("access-control-") for k in api.headers)
    assert "server" not in page.headers


def test_openapi_describes_every_endpoint_with_parameters_shapes_and_examples(server) -> None:  # noqa: ANN001
    document = server.get("/openapi.json").json
    assert document["openapi"].startswith("3.0")
    assert set(document["paths"]) == {
        "/invoices/past-due",
        "/invoices/summary/month",
        "/invoices/summary/range",
        "/invoices/{invoice_number}",
        "/customers/contact",
        "/customers/statement",
        "/customers",
        "/aging",
        "/health",
    }
    past_due = document["paths"]["/invoices/past-due"]["get"]
    assert [p["name"] for p in past_due["parameters"]][:4] == ["as_of", "limit", "offset", "sort"]
    limit = past_due["parameters"][1]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 200, 50)
    month = document["paths"]["/invoices/summary/month"]["get"]["parameters"]
    assert [(p["name"], p["required"]) for p in month] == [
        ("month", True),
        ("customer_name", False),
        ("currency", False),
        ("known_at", False),
    ]
    for path, item in document["paths"].items():
        ok = item["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"]["$ref"].startswith("#/components/schemas/"), path
        assert ok["example"], path
        assert "400" in item["get"]["responses"] or path == "/health"
    # The examples are documents the schemas accept.
    jsonschema = pytest.importorskip("jsonschema_rs")  # schemathesis's validator, with the test extra

    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for status, response in item["get"]["responses"].items():
            content = response["content"]["application/json"]
            schema = {**content["schema"], "components": {"schemas": schemas}}
            errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(content["example"])]
            assert not errors, (path, status, errors)


def test_docs_page_loads_nothing_from_elsewhere(server) -> None:  # noqa: ANN001
    docs = server.get("/docs")
    assert docs.status == 200
    sources = re.findall(rb'(?:src|href)="([^"]+)"', docs.body)
    assert sources and all(s.startswith(b"/") for s in sources), sources
    assert b"<script>" not in docs.body  # no inline script
    for source in sources:
        asset = server.get(source.decode())
        assert asset.status == 200, source
    assert "unsafe-inline" not in docs.headers["content-security-policy"].split("script-src")[1].split(";")[0]


def test_access_log_is_one_json_line_per_request_and_nothing_about_the_client(sample_db) -> None:  # noqa: ANN001
    with serving(str(sample_db)) as server:
        server.get("/invoices/past-due?as_of=2025-06-01&limit=3")
        server.get("/customers/contact?name=Somebody%20Private")
        server.request("/health", method="POST")
        server.get("/nope")
    log = server.access_log()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", "/invoices/past-due", 200),
        ("GET", "/customers/contact", 404),
        ("POST", "/health", 405),
        ("GET", "/nope", 404),
    ]
    assert all(set(e) == {"method", "path", "status", "ms"} and e["ms"] >= 0 for e in log)
    text = "\n".join(server.lines[1:])
    assert "Somebody" not in text and "127.0.0.1" not in text and "limit=3" not in text
    # Besides the access log: the line saying where it listens, and the one saying it stopped.
    assert [line for line in server.lines if not line.startswith("{")][1:] == ["domeo serve: stopped."]


def test_no_database_is_503_until_a_load_makes_one(tmp_path, write_csv) -> None:  # noqa: ANN001
    from helpers import EXAMPLE_CSV

    db = tmp_path / "later.db"
    with serving(str(db)) as server:
        assert (
            server.lines[0]
            == f"domeo serve: warning: no database at {db} yet; requests answer 503 until a load makes it."
        )
        health = server.get("/health")
        assert health.status == 503 and health.error["code"] == "no_database"
        report = server.get("/invoices/past-due")
        assert report.status == 503 and report.error["code"] == "no_database"
        assert cli(db, "ingest", str(write_csv(EXAMPLE_CSV, "example.csv"))).returncode == 0
        assert server.get("/health").status == 200
        assert server.get("/invoices/past-due?as_of=2025-05-01").json["total"] == 1
    assert not Path(str(db) + "-journal").exists()


def test_a_query_past_its_time_limit_is_503(sample_db) -> None:  # noqa: ANN001
    # A limit already over when SQLite first checks it (after a few thousand VM steps): a report over
    # the sample's 3,000 invoices always takes more steps than that, whatever the machine's speed.
    with serving(str(sample_db), "--timeout", "0.000001") as server:
        reply = server.get("/aging?as_of=2025-06-01&age_by=invoice&buckets=1,2,3,4,5")
        after = server.get("/aging?as_of=2025-06-01&age_by=invoice&buckets=1,2,3,4,5")
    assert reply.status == 503
    assert reply.error["code"] == "query_timeout"
    assert reply.error["message"].endswith("ran past its time limit and was stopped.")
    assert after.status == 503  # the server is fine and answers the same


def test_the_server_never_writes(tmp_path, example) -> None:  # noqa: ANN001
    db = tmp_path / "test.db"
    before = db.read_bytes()
    with serving(str(db)) as server:
        for url in ("/invoices/past-due", "/aging", "/customers", "/health", "/invoices/summary/month?month=2025-03"):
            assert server.get(url).status == 200
    assert db.read_bytes() == before


# -- safe by default ---------------------------------------------------------------------------


def test_a_non_loopback_host_without_token_is_refused(sample_db) -> None:  # noqa: ANN001
    done = subprocess.run(
        domeo_command("--db", str(sample_db), "serve", "--host", "0.0.0.0", "--port", "0"),
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "DOMEO_API_TOKEN"},
    )
    assert done.returncode == 2
    assert done.stderr == (
        "domeo: error: Refusing to listen on 0.0.0.0 without a token: anyone who can reach this machine could "
        "read the AR data. Set DOMEO_API_TOKEN (or --token) and send 'Authorization: Bearer TOKEN', or keep the "
        "default --host 127.0.0.1.\n"
    )
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("LocalHost", True), ("0.0.0.0", False), ("::", False), ("192.0.2.10", False), ("10.0.0.1", False),
     ("example.com", False), ("", False)],
)  # fmt: skip
def test_only_loopback_is_served_without_a_token(host: str, loopback: bool) -> None:
    from domeo_cli.errors import InvalidInput
    from domeo_cli.serve import check_options, is_loopback

    assert is_loopback(host) is loopback
    if loopback:
        check_options(host, 0, 1, None, [], 10)
    else:
        with pytest.raises(InvalidInput, match=f"Refusing to listen on {re.escape(host)} without a token"):
            check_options(host, 0, 1, None, [], 10)
        check_options(host, 0, 1, "a-token-of-16-chars", [], 10)


@pytest.mark.parametrize(
    ("options", "sentence"),
    [
        ({"token": "short"}, "The API token must be at least 16 printable characters"),
        ({"token": "sixteen chars with spaces"}, "The API token must be at least 16 printable characters"),
        ({"workers": 0}, "--workers takes a whole number from 1 to 64, not 0."),
        ({"timeout": 0}, "--timeout takes a number of seconds above 0 and at most 3600, not 0."),
        ({"cors": ["*"]}, "--cors takes an origin such as https://ar.example.com (scheme and host), not '*'."),
        ({"cors": ["https://ok.example", "ftp://x"]}, "--cors takes an origin"),
        ({"port": 70000}, "--port takes a port number from 0 to 65535 (0: any free port), not 70000."),
    ],
)
def test_bad_server_options_are_refused(options, sentence) -> None:  # noqa: ANN001
    from domeo_cli.errors import InvalidInput
    from domeo_cli.serve import check_options

    values = {"host": "127.0.0.1", "port": 0, "workers": 1, "token": None, "cors": [], "timeout": 10.0, **options}
    with pytest.raises(InvalidInput) as refused:
        check_options(**values)
    assert refused.value.message.startswith(sentence)


def test_a_bad_server_option_is_exit_2_before_anything_starts(sample_db) -> None:  # noqa: ANN001
    done = subprocess.run(
        domeo_command("--db", str(sample_db), "serve", "--workers", "0", "--port", "0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "domeo: error: --workers takes a whole number from 1 to 64, not 0.\n"


def test_a_busy_port_is_one_sentence(server, sample_db) -> None:  # noqa: ANN001
    done = subprocess.run(
        domeo_command("--db", str(sample_db), "serve", "--port", str(server.port)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert (
        done.stderr == f"domeo: error: Port {server.port} on 127.0.0.1 is already in use; choose another with --port.\n"
    )


TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.mark.parametrize("how", ["env", "option"])
def test_with_a_token_every_api_request_needs_it(sample_db, how) -> None:  # noqa: ANN001
    args = ("--host", "0.0.0.0", "--token", TOKEN) if how == "option" else ("--host", "0.0.0.0")
    env = {"DOMEO_API_TOKEN": TOKEN} if how == "env" else None
    server = start(str(sample_db), *args, env=env)
    try:
        server.host = "127.0.0.1"
        assert "token required" in server.lines[-1]
        for url in ("/invoices/past-due", "/health", "/aging", "/nope"):
            missing = server.get(url)
            assert missing.status == 401, url
            assert missing.error["code"] == "unauthorized"
            assert missing.headers["www-authenticate"].startswith("Bearer")
            wrong = server.get(url, authorization=f"Bearer {TOKEN[:-1]}x")
            assert wrong.status == 401
            assert server.get(url, authorization=f"bearer {TOKEN}").status == 401
            assert server.get(url, authorization=TOKEN).status == 401
        assert server.get("/health", authorization=f"Bearer {TOKEN}").status == 200
        good = server.get("/invoices/past-due?as_of=2025-06-01", authorization=f"Bearer {TOKEN}")
        assert good.status == 200 and good.json["total"] > 0
        # The page and the API's description hold no data: a browser loads them, then sends the token.
        for url in ("/", "/static/app.js", "/docs", "/openapi.json"):
            assert server.get(url).status == 200, url
    finally:
        assert server.stop() == 0


def test_cors_only_for_the_origin_given(sample_db) -> None:  # noqa: ANN001
    with serving(str(sample_db), "--cors", "https://ar.example.com") as server:
        allowed = server.get("/health", origin="https://ar.example.com")
        other = server.get("/health", origin="https://evil.example.net")
        preflight = server.request(
            "/invoices/past-due",
            method="OPTIONS",
            headers={
                "Origin": "https://ar.example.com",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
    assert allowed.headers["access-control-allow-origin"] == "https://ar.example.com"
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]


# -- stopping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", ["1", pytest.param("2", marks=pytest.mark.slow)])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_sigterm_and_ctrl_c_stop_it_cleanly(sample_db, workers, sig) -> None:  # noqa: ANN001
    server = start(str(sample_db), "--workers", workers)
    assert server.get("/health").status == 200  # a worker answers: it is up
    code = server.stop(sig)
    assert code == 0, server.lines
    assert server.lines[-1] == "domeo serve: stopped."
    assert not any("Traceback" in line or "Error" in line for line in server.lines), server.lines
    import socket

    with pytest.raises(OSError), socket.create_connection((server.host, server.port), timeout=5):
        pass


def test_serve_help_lists_its_options() -> None:
    done = subprocess.run(domeo_command("serve", "--help"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for option in ("--host", "--port", "--workers", "--token", "--cors", "--timeout", "--db"):
        assert option in done.stdout


def test_reports_do_not_import_the_server(tmp_path, example) -> None:  # noqa: ANN001
    # A report through the entry point users run, and the command line's whole command table.
    code = (
        "import sys; sys.argv = ['domeo', 'past-due', '--as-of', '2025-05-01', '--json']\n"
        "import domeo_cli.__main__ as m\n"
        "try:\n    m.main()\nexcept SystemExit:\n    pass\n"
        "import domeo_cli.cli, domeo_cli.reports\n"
        "heavy = ('fastapi', 'uvicorn', 'starlette', 'swagger_ui_bundle', 'httptools', 'uvloop', 'anyio')\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in heavy or n.startswith('domeo_cli.serve')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert '"DF2031977"' in done.stdout, done
    assert done.stdout.rstrip().endswith("[]"), done


def test_a_database_file_replaced_by_another_is_read_anew(tmp_path, write_csv) -> None:  # noqa: ANN001
    from helpers import EXAMPLE_CSV

    served, other = tmp_path / "served.db", tmp_path / "other.db"
    assert cli(served, "ingest", str(write_csv(EXAMPLE_CSV, "example.csv"))).returncode == 0
    assert cli(other, "ingest", str(SAMPLE)).returncode in (0, 4)
    with serving(str(served)) as server:
        before = server.get("/invoices/summary/month?month=2025-03").json
        assert before["count_invoices"] == 3
        for _ in range(8):  # every worker thread has its connection to the first file now
            assert server.get("/invoices/summary/month?month=2025-03").json == before
        os.replace(other, served)
        after = [server.get("/invoices/summary/month?month=2025-03").json for _ in range(8)]
    expected = json.loads(cli(served, "summary", "--month", "2025-03", "--json").stdout)
    assert expected != before
    assert after == [expected] * 8
