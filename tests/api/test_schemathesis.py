"""schemathesis, every check (positive-data acceptance included), over every operation of the served document.

The runner (tests/support/fuzz.py) serves a fresh programme with `twinning serve`, asks the server
for /openapi.json and runs `st run --checks all` against it as the admin: the examples, fuzzing and
stateful phases, a seeded sample small enough for `make test`. `make fuzz` runs the long version
(every phase, coverage included, many more examples). Nothing lists the operations by hand: an
endpoint added to the document is tested by the next run.

0 failures of any kind: a schema-valid request may be refused only for what no schema can know
(a 404 for an id that does not exist, a 409 for a rule of the recorded state, a 412 for a stale
If-Match, a 400 for a cursor the list never handed out); never a 422.
"""

from __future__ import annotations

import os

import pytest

from tests.support import fuzz

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("TWINNING_SCHEMATHESIS_EXAMPLES", "2"))  # raise it for a deeper local run
SEED = int(os.environ.get("TWINNING_SCHEMATHESIS_SEED", "1"))


def test_every_operation_passes_every_check(tmp_path):
    summary = fuzz.run(
        tmp_path, examples=EXAMPLES, seed=SEED, workers=2, phases="examples,fuzzing,stateful", max_failures=20
    )
    print(summary.line())
    report = f"{summary.line()}\n{summary.output[-20000:]}"
    assert summary.operations_in_document > 0
    assert summary.operations_tested == summary.operations_in_document, report
    assert summary.cases >= summary.operations_in_document, report
    assert summary.failures == {}, report
    assert summary.errors == [], report


def test_the_run_is_configured_from_the_document_alone():
    """The expected answers are derived from the document: a new list with a cursor gets its 400 too."""
    document = {
        "paths": {
            "/api/v1/things": {
                "get": {"operationId": "list_things", "parameters": [{"in": "query", "name": "cursor"}]},
                "post": {"operationId": "make_thing", "parameters": []},
            }
        }
    }
    config = fuzz.config_for(document)
    assert 'include-operation-id = ["list_things"]' in config
    assert '"412"' in config.split("[[operations]]")[0]
    assert '"400"' in config.split("[[operations]]")[1] and '"400"' not in config.split("[[operations]]")[0]
