"""Scopes: a resident's read token only reads; writing (readings, payments, appeals) needs a write token. An
organisation's key reaches only the organisation endpoints, each with the scope it names."""

from oauth2_provider.models import AccessToken as OAuthToken
from rest_framework import exceptions, permissions

from .models import AccessToken, OrgApiKey, Scope

SAFE = permissions.SAFE_METHODS


def resident_scope(auth) -> str | None:
    """ "read" or "write" for a resident's personal token or an OAuth 2 token a resident gave an app; None else."""
    if isinstance(auth, AccessToken):
        return auth.scope
    if isinstance(auth, OAuthToken):
        return Scope.WRITE if "write" in auth.scope.split() else Scope.READ
    return None


class ResidentScope(permissions.BasePermission):
    message = "Нужен токен абонента."

    def has_permission(self, request, view):
        if isinstance(request.auth, OrgApiKey):
            raise exceptions.PermissionDenied("Ключ организации не открывает кабинет абонента: нужен токен абонента.")
        scope = resident_scope(request.auth)
        if scope is None:
            raise exceptions.NotAuthenticated("Нужен токен абонента: Authorization: Bearer abt_…")
        if request.method not in SAFE and scope != Scope.WRITE:
            raise exceptions.PermissionDenied("Токен только для чтения: для записи выпустите токен с правом записи.")
        return True


class OrgScopeRequired(permissions.BasePermission):
    """The view names its scope in `org_scope`."""

    def has_permission(self, request, view):
        if resident_scope(request.auth) is not None:
            raise exceptions.PermissionDenied("Токен абонента не открывает разделы организации: нужен её API-ключ.")
        if not isinstance(request.auth, OrgApiKey):
            raise exceptions.NotAuthenticated("Нужен API-ключ организации: Authorization: Bearer abk_…")
        if view.org_scope not in request.auth.scopes:
            raise exceptions.PermissionDenied("У ключа нет права на этот раздел.")
        return True
