"""Organisation tokens for the HTTP endpoint: issued once in plain text, kept as a digest, looked up by it."""

import hashlib
import secrets

from .models import ExchangeToken


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(organisation, label: str = "") -> str:
    token = secrets.token_urlsafe(32)
    ExchangeToken.objects.create(organisation=organisation, label=label[:120], digest=digest(token))
    return token


def organisation_of(header: str | None):
    """The organisation of an "Authorization: Token …" header, or None for a missing, unknown or revoked token."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "token" or not token.strip():
        return None
    found = ExchangeToken.objects.select_related("organisation").filter(digest=digest(token.strip()), is_active=True)
    row = found.first()
    return row.organisation if row else None
