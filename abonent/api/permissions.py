"""Scopes: a resident's read token only reads; writing (readings, payments, appeals) needs a write token. An
organisation's key reaches only the organisation endpoints, each with the scope it names."""

from rest_framework import exceptions, permissions

from .models import AccessToken, OrgApiKey, Scope

SAFE = permissions.SAFE_METHODS


class ResidentScope(permissions.BasePermission):
    message = "Нужен токен абонента."

    def has_permission(self, request, view):
        if isinstance(request.auth, OrgApiKey):
            raise exceptions.PermissionDenied("Ключ организации не открывает кабинет абонента: нужен токен абонента.")
        if not isinstance(request.auth, AccessToken):
            raise exceptions.NotAuthenticated("Нужен токен абонента: Authorization: Bearer abt_…")
        if request.method not in SAFE and request.auth.scope != Scope.WRITE:
            raise exceptions.PermissionDenied("Токен только для чтения: для записи выпустите токен с правом записи.")
        return True


class OrgScopeRequired(permissions.BasePermission):
    """The view names its scope in `org_scope`."""

    def has_permission(self, request, view):
        if isinstance(request.auth, AccessToken):
            raise exceptions.PermissionDenied("Токен абонента не открывает разделы организации: нужен её API-ключ.")
        if not isinstance(request.auth, OrgApiKey):
            raise exceptions.NotAuthenticated("Нужен API-ключ организации: Authorization: Bearer abk_…")
        if view.org_scope not in request.auth.scopes:
            raise exceptions.PermissionDenied("У ключа нет права на этот раздел.")
        return True
