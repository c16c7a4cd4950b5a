"""Access pages: thin views over users.services and users.selectors."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from abonent.lib import page_cache
from abonent.lib.forms import apply_error
from abonent.lib.inputs import parse_id
from abonent.orgs.models import Organisation

from . import access, forms, ratelimit, selectors, services
from .models import User
from .tokens import password_token, uid_decode

SAVED_LOGIN_COOKIE = "abonent_login"
SAVED_LOGIN_AGE = 365 * 24 * 60 * 60
REMEMBER_AGE = 30 * 24 * 60 * 60
BACKEND = "abonent.users.backends.LoginBackend"


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _login(request, user: User, *, remember: bool = False) -> None:
    login(request, user, backend=BACKEND)  # rotates the session id
    # Staff sessions end with the browser even with «Запомнить меня» (and after an idle time, users.idle_timeout).
    request.session.set_expiry(REMEMBER_AGE if remember and not user.is_staff else 0)
    services.login_record(
        user=user, ip=ratelimit.client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


def _home_for(user: User) -> str:
    return "/admin/" if user.is_staff else reverse("users:cabinet")


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(_home_for(request.user))
    saved = request.COOKIES.get(SAVED_LOGIN_COOKIE, "")
    # The form checks the password under users.login_guard (captcha after failures, per user and per IP).
    form = forms.LoginForm(request, request.POST or None, initial={"username": saved, "save_login": bool(saved)})
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        user = form.user_cache
        _login(request, user, remember=form.cleaned_data["remember"])
        safe = url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        response = redirect(next_url if next_url and safe else _home_for(user))
        if form.cleaned_data["save_login"]:
            response.set_cookie(
                SAVED_LOGIN_COOKIE,
                form.cleaned_data["username"],
                max_age=SAVED_LOGIN_AGE,
                httponly=True,
                samesite="Lax",
                secure=not settings.DEBUG,
            )
        else:
            response.delete_cookie(SAVED_LOGIN_COOKIE)
        return response
    return render(request, "users/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/")


@require_GET
def register_choice(request):
    return render(request, "users/register_choice.html")


@require_http_methods(["GET", "POST"])
def register_receipt(request):
    form = forms.ReceiptRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_register_by_receipt(
                account_number=data["account_number"],
                email=data["email"],
                phone=data["phone"],
                activation_code=data["activation_code"],
                ip=ratelimit.client_ip(request),
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            return render(request, "users/registered.html", {"email": user.email, "login": user.username})
    return render(request, "users/register_receipt.html", {"form": form})


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register_username(request):
    form = forms.UsernameRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_register_by_username(
                username=data["username"], email=data["email"], password=data["password1"], base_url=_base_url(request)
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            return render(
                request, "users/registered.html", {"email": user.email, "login": user.username, "confirm": True}
            )
    return render(request, "users/register_username.html", {"form": form})


def _user_from_uid(uidb64: str) -> User | None:
    pk = uid_decode(uidb64)
    return User.objects.filter(pk=pk).first() if pk else None


@require_GET
def register_confirm(request, uidb64, token):
    user = _user_from_uid(uidb64)
    if user is None or not services.user_email_confirm(user=user, token=token):
        return render(request, "users/link_invalid.html", status=400)
    messages.success(request, _("E-mail подтверждён. Войдите с вашим логином и паролем."))
    return redirect(reverse("users:login"))


@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_set(request, uidb64, token):
    """The one-time link from registration by receipt or "Забыли пароль?"."""
    user = _user_from_uid(uidb64)
    if user is None or not user.is_active or not password_token.check_token(user, token):
        return render(request, "users/link_invalid.html", status=400)
    form = forms.NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_password_set(user=user, password=form.cleaned_data["new_password1"])
        _login(request, user)
        messages.success(request, _("Пароль установлен. Добро пожаловать в личный кабинет."))
        return redirect(_home_for(user))
    return render(request, "users/password_set.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                login=form.cleaned_data["login"],
                email=form.cleaned_data["email"],
                ip=ratelimit.client_ip(request),
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            # The same answer whether or not such a login and e-mail exist.
            return render(request, "users/password_reset_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "users/password_reset.html", {"form": form})


@sensitive_post_parameters("new_password1", "new_password2")
@login_required
@require_http_methods(["GET", "POST"])
def password_change_forced(request):
    """Seed 000: the first login with an operator-issued password ends here until a new one is set."""
    if not request.user.must_change_password:
        return redirect(reverse("users:profile"))
    form = forms.NewPasswordForm(request.user, request.POST or None)  # refuses the temporary password
    if request.method == "POST" and form.is_valid():
        services.user_password_set(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Новый пароль сохранён."))
        return redirect(_home_for(request.user))
    return render(request, "users/password_change_forced.html", {"form": form})


@login_required
@require_GET
@page_cache.per_user
def cabinet(request):
    links = selectors.user_links(request.user)
    page_cache.depends_on(request, [link.account for link in links])
    return render(request, "users/cabinet.html", {"links": links})


@login_required
@require_http_methods(["GET", "POST"])
def account_add(request):
    if request.method == "POST" and "find_houses" in request.POST:
        # "Показать дома" without the script: the same page, the list filtered, nothing checked or saved yet.
        form = forms.AddAccountForm(initial=request.POST.dict())
        return render(request, "users/account_add.html", {"form": form})
    form = forms.AddAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.account_link_add(
                user=request.user,
                organisation=data["organisation"],
                building=data["building"],
                apartment=data["apartment"],
                account_number=data["account_number"],
                payment_date=data["payment_date"],
                payment_amount=data["payment_amount"],
                activation_code=data["activation_code"],
                ip=ratelimit.client_ip(request),
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Лицевой счёт %(number)s добавлен.") % {"number": link.account.number})
            return redirect(reverse("users:cabinet"))
    return render(request, "users/account_add.html", {"form": form})


@login_required
@require_GET
def account_add_houses(request):
    """The house list of "Добавить лицевой счёт" for the page's script: the organisation's houses matching the
    words typed, at most 20, as JSON. Houses are no secret (they are on every receipt); a bad organisation is a
    Russian error, not a 500."""
    org_id = parse_id(request.GET.get("organisation"))
    if org_id is None or not Organisation.objects.filter(pk=org_id).exists():
        return JsonResponse({"error": _("Выберите организацию из списка.")}, status=400)
    houses = selectors.houses_matching(org_id, request.GET.get("q", "")[:100])
    return JsonResponse({"houses": [{"id": h.pk, "address": h.address} for h in houses]})


@require_GET
def consent(request):
    return render(request, "users/consent.html")


# --- profile ------------------------------------------------------------------------------------------------


def _profile(request, **forms_given):
    user = request.user
    context = {
        "email_form": forms.EmailChangeForm(initial={"email": user.email}),
        "phone_form": forms.PhoneChangeForm(initial={"phone": user.phone}),
        "password_form": PasswordChangeForm(user),
        "delete_form": forms.DeleteUserForm(user=user),
        "links": selectors.user_links(user),
        "logins": selectors.recent_logins(user),
    }
    context.update(forms_given)
    return render(request, "users/profile.html", context, status=400 if forms_given else 200)


@login_required
@require_GET
def profile(request):
    return _profile(request)


@login_required
@require_POST
def profile_email(request):
    form = forms.EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            services.user_email_change_request(
                user=request.user,
                new_email=form.cleaned_data["email"],
                base_url=_base_url(request),
                ip=ratelimit.client_ip(request),
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("На адрес %(email)s отправлена ссылка. E-mail изменится, когда вы её откроете.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect(reverse("users:profile"))
    return _profile(request, email_form=form)


@login_required
@require_GET
def profile_email_confirm(request, token):
    if not services.user_email_change_confirm(user=request.user, token=token):
        return render(request, "users/link_invalid.html", status=400)
    messages.success(request, _("E-mail изменён."))
    return redirect(reverse("users:profile"))


@login_required
@require_POST
def profile_phone(request):
    form = forms.PhoneChangeForm(request.POST)
    if form.is_valid():
        services.user_phone_change(user=request.user, phone=form.cleaned_data["phone"] or "")
        messages.success(request, _("Телефон сохранён."))
        return redirect(reverse("users:profile"))
    return _profile(request, phone_form=form)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@require_POST
def profile_password(request):
    form = PasswordChangeForm(request.user, request.POST)
    if form.is_valid():
        services.user_password_set(user=request.user, password=form.cleaned_data["new_password1"])
        # This session stays; every other session of the user ends (its stored hash no longer matches).
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Пароль изменён. На других устройствах нужно войти заново."))
        return redirect(reverse("users:profile"))
    return _profile(request, password_form=form)


@login_required
@require_POST
def profile_receipts(request, link_id):
    link = access.link_for_user(request.user, link_id)
    services.account_link_set_receipts(link=link, by_email=request.POST.get("receipts_by_email") == "on")
    messages.success(
        request, _("Подписка на квитанции по лицевому счёту %(n)s сохранена.") % {"n": link.account.number}
    )
    return redirect(reverse("users:profile"))


@login_required
@require_http_methods(["GET", "POST"])
def profile_unlink(request, link_id):
    """Unlinking asks first: the button opens a page saying what happens; only its "Да, отключить" (a POST with
    confirm) unlinks. Works without a script; another's link is 404 on both steps."""
    link = access.link_for_user(request.user, link_id)
    if request.method == "GET" or request.POST.get("confirm") != "1":
        return render(request, "users/unlink_confirm.html", {"link": link})
    number = link.account.number
    services.account_link_remove(link=link)
    messages.success(request, _("Лицевой счёт %(n)s отключён от личного кабинета.") % {"n": number})
    return redirect(reverse("users:profile"))


@sensitive_post_parameters("password")
@login_required
@require_POST
def profile_delete(request):
    form = forms.DeleteUserForm(request.POST, user=request.user)
    if form.is_valid():
        services.user_delete(user=request.user)
        logout(request)
        messages.success(request, _("Ваш пользователь удалён, персональные данные стёрты."))
        return redirect("/")
    return _profile(request, delete_form=form)
