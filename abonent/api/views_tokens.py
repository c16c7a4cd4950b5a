"""The profile's "Доступ для приложений": a resident creates a personal access token (shown once), sees their
tokens and revokes one. Django pages in the cabinet (session, CSRF), not API views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from oauth2_provider.models import AccessToken as OAuthToken

from abonent.lib.inputs import parse_id

from . import tokens
from .models import AccessToken, Scope


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request):
    created, errors = None, []
    name, scope = "", Scope.READ
    if request.method == "POST":
        name, scope = request.POST.get("name", ""), request.POST.get("scope", Scope.READ)
        try:
            token, created = tokens.token_create(user=request.user, name=name, scope=scope)
        except ValidationError as exc:
            errors = exc.messages
    context = {
        "tokens": AccessToken.objects.filter(user=request.user),
        "created": created,  # the token itself, on this one answer only
        "errors": errors,
        "name": "" if created else name,
        "scope": scope,
        "scopes": Scope.choices,
        # the apps the resident allowed through OAuth 2, each revoked here like a token
        "apps": OAuthToken.objects.filter(user=request.user).select_related("application").order_by("-created"),
    }
    return render(request, "api/tokens.html", context, status=400 if errors else 200)


@login_required
@require_POST
def app_revoke(request, token_id):
    """Withdraw an app's OAuth 2 access (its access token and the refresh token with it)."""
    token = OAuthToken.objects.filter(user=request.user, pk=parse_id(token_id) or 0).select_related("application")
    token = token.first()
    if token is None:
        raise Http404
    name = token.application.name if token.application else "приложение"
    token.revoke()
    messages.success(request, f"Доступ приложения «{name}» отозван.")
    return redirect("api:tokens")


@login_required
@require_POST
def revoke(request, token_id):
    token = AccessToken.objects.filter(user=request.user, pk=parse_id(token_id) or 0).first()
    if token is None:
        raise Http404
    tokens.token_revoke(token=token)
    messages.success(request, f"Токен «{token.name}» отозван: он больше не действует.")
    return redirect("api:tokens")
