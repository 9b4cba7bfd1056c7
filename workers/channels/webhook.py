"""A signed webhook: POST the notification as JSON with ``X-Twinning-Signature: sha256=<hex HMAC>``."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.request
from typing import Any

WEBHOOK_TIMEOUT = 5
SIGNATURE_HEADER = "X-Twinning-Signature"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def post_webhook(url: str, payload: dict[str, Any], secret: str, timeout: float = WEBHOOK_TIMEOUT) -> int:
    """POST ``payload``; answers the HTTP status, raises on a non-2xx answer or a network error."""
    body = encode(payload)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "twinning-webhook/1",
            SIGNATURE_HEADER: sign(body, secret),
            "X-Twinning-Delivery": str(payload.get("id", "")),
        },
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        status = response.status
    if not 200 <= status < 300:
        raise OSError(f"webhook {url} answered {status}")
    return status
