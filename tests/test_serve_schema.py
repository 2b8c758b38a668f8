"""Property-based tests of ``domeo serve`` generated from its own OpenAPI document (schemathesis).

For every endpoint, valid and invalid parameters are generated from the
document; against a real server process, no answer may be a 5xx, and every
answer must have a documented status, the documented content type, and a
body that matches the documented schema (strict: no undocumented key).
"""

from __future__ import annotations

import subprocess

import pytest
from helpers import SAMPLE, domeo_command
from hypothesis import HealthCheck, settings
from serving import serving

from domeo_cli.serve.app import Settings, build

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow

DOCUMENT = build(Settings(db="unused.db")).app.openapi()  # FastAPI's document, as /openapi.json serves it
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=40, deterministic=True, database="none"
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - the server's URL
    db = tmp_path_factory.mktemp("schema") / "sample.db"
    done = subprocess.run(domeo_command("--db", str(db), "ingest", str(SAMPLE)), capture_output=True, timeout=120)
    assert done.returncode in (0, 4), done.stderr
    with serving(str(db)) as server:
        yield f"http://{server.host}:{server.port}"


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=40, derandomize=True)
def test_no_5xx_and_every_answer_matches_the_document(case, base_url) -> None:  # noqa: ANN001
    case.call_and_validate(base_url=base_url, checks=CHECKS)
