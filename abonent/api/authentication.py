"""`Authorization: Bearer <token>`: a resident's personal token (abt_…) or an organisation's key (abk_…).

No session authentication: a page open in the browser must not lend its cookie to a script on another site, and
the API then needs no CSRF token."""

from rest_framework import authentication, exceptions

from . import tokens


class OrganisationClient:
    """request.user for an organisation's key: not a person, acts only inside its organisation."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, key):
        self.key = key
        self.organisation = key.organisation
        self.organisation_id = key.organisation_id


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Заголовок Authorization: Bearer и токен через пробел.")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Токен недействителен или отозван.") from exc
        if not raw.startswith((tokens.ORG_PREFIX, tokens.RESIDENT_PREFIX)):
            return None  # an OAuth 2 access token: the next authentication class (django-oauth-toolkit) reads it
        if raw.startswith(tokens.ORG_PREFIX):
            key = tokens.active_key(raw)
            if key is None:
                raise exceptions.AuthenticationFailed("Ключ недействителен или отозван.")
            return OrganisationClient(key), key
        token = tokens.active_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Токен недействителен или отозван.")
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
