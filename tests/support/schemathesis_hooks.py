"""schemathesis hooks (SCHEMATHESIS_HOOKS=tests.support.schemathesis_hooks): the rules no schema can say.

Each fix-up touches only a schema-valid request (the positive cases; negative ones must stay
invalid) and only the fields of one rule that spans fields, requests or the clock. Every rule
here is also written in the operation's description, and listed in notes/contract.md.
"""

from __future__ import annotations

import os
import uuid

import schemathesis

CALLER = os.environ.get("TWINNING_FUZZ_CALLER_ID", "")
SELF_LOCKING = ("/deactivate", "/tokens/revoke")


def _positive(case) -> bool:
    meta = case.meta
    return meta is None or meta.generation.mode.is_positive


@schemathesis.hook
def before_call(context, case, kwargs):
    # The run's own admin is never deactivated nor stripped of its tokens: every later request would be a 401.
    if case.operation.path.endswith(SELF_LOCKING) and str((case.path_parameters or {}).get("user_id")) == CALLER:
        case.path_parameters = {**case.path_parameters, "user_id": str(uuid.uuid4())}
    if not _positive(case):
        return
    headers = case.headers or {}
    # An Idempotency-Key names one request: a new request needs a new key (a reused one is refused, 422).
    if "Idempotency-Key" in headers:
        case.headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
