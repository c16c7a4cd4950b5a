"""The second step of a staff login (the TOTP code) and setting up the authenticator app: thin views over
users.two_factor."""

import io

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import two_factor
from .two_factor import TOTPDevice


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Код из приложения",
        max_length=12,
        error_messages={
            "required": "Введите код из приложения-аутентификатора.",
            "max_length": "Код — это 6 цифр из приложения-аутентификатора.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "")


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if url and safe else "/admin/"


def _staff_only(request) -> None:
    if not two_factor.applies_to(request.user):
        raise Http404


def _verified_login(request, device: TOTPDevice):
    # A new session id with the higher privilege, as at the password step.
    request.session.cycle_key()
    django_otp.login(request, device)
    return redirect(_next_url(request))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    _staff_only(request)
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect(reverse("users:two_factor_setup") + "?" + urlencode({"next": _next_url(request)}))
    if two_factor.is_verified(request.user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = two_factor.check_code(device, form.cleaned_data["code"])
        if error is None:
            return _verified_login(request, device)
        form.add_error("code", error)
    return render(request, "users/two_factor/verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    _staff_only(request)
    confirmed = two_factor.confirmed_device(request.user)
    if confirmed is not None and not two_factor.is_verified(request.user):
        # A password alone must not replace the device: the code of the current one first.
        return redirect(reverse("users:two_factor_verify") + "?" + urlencode({"next": request.get_full_path()}))
    device = two_factor.pending_device(request.user, create=True)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = two_factor.check_code(device, form.cleaned_data["code"])
        if error is None:
            _confirm(device)
            messages.success(request, "Двухфакторный вход включён: при следующем входе понадобится код из приложения.")
            return _verified_login(request, device)
        form.add_error("code", error)
    context = {
        "form": form,
        "next": _next_url(request),
        "secret": two_factor.base32_secret(device),
        "replacing": confirmed is not None,
    }
    return render(request, "users/two_factor/setup.html", context)


def _confirm(device: TOTPDevice) -> None:
    """The new device becomes the only one: an old phone's app stops opening the back office."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])


@never_cache
@login_required
@require_GET
def setup_qr(request):
    """The QR code of the device being set up, as an SVG image from our own origin (a strict img-src allows it)."""
    _staff_only(request)
    if two_factor.code_pending(request) and two_factor.confirmed_device(request.user) is not None:
        raise Http404
    device = two_factor.pending_device(request.user, create=False)
    if device is None:
        raise Http404
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
