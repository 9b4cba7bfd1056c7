"""One-click unsubscribe (RFC 8058): a signed token naming the user, and the link every mail carries.

The token is ``itsdangerous``-signed with TWINNING_SECRET (salt ``unsubscribe``) and carries only
the user id. It does not expire: a link in a mail from last year must still stop the mail. It
grants one thing only, setting that user's email preference to ``off``.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "unsubscribe"


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def unsubscribe_token(secret: str, user_id: str) -> str:
    return _serializer(secret).dumps(str(user_id))


def read_unsubscribe_token(secret: str, token: str) -> str | None:
    """The user id the token was signed for, or None for a forged, altered or malformed token."""
    try:
        user_id = _serializer(secret).loads(token)
    except BadSignature:
        return None
    return user_id if isinstance(user_id, str) else None


def unsubscribe_url(public_url: str, secret: str, user_id: str) -> str:
    return f"{public_url.rstrip('/')}/unsubscribe/{unsubscribe_token(secret, user_id)}"


def unsubscribe_headers(public_url: str, secret: str, user_id: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(public_url, secret, user_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
