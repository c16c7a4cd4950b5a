"""Forms of the access pages: they check shapes; the rules that touch accounts are in services."""

from captcha.fields import CaptchaField
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from abonent.housing.models import Building
from abonent.lib.inputs import RuDateField, is_ascii_digits, parse_id
from abonent.orgs.models import Organisation

from . import login_guard, selectors, services
from .models import User
from .usernames import username_single_script


def _captcha(**messages):
    return CaptchaField(
        label=_("Код на картинке"),
        error_messages={"invalid": _("Код с картинки введён неверно, попробуйте ещё раз."), **messages},
    )


def _consent():
    return forms.BooleanField(
        label=_("Согласен с условиями и даю согласие на обработку персональных данных"),
        error_messages={"required": _("Без согласия на обработку персональных данных регистрация невозможна.")},
    )


class LoginGuardMixin:
    """The part of a login form that users.login_guard decides: a captcha field once failures call for it,
    a refusal for a user+IP pair that kept failing, a slower answer to further failures.

    The captcha is added before validation when the counters already ask for it, and after a failure that
    crosses a threshold, so the page shown next has it.
    """

    def _guard_setup(self, request):
        self.request = request
        self.user_cache = None
        typed = self.data.get("username") if self.is_bound else None
        self.verdict = login_guard.verdict(request, typed)
        if self.verdict.captcha:
            self._add_captcha()

    def _add_captcha(self):
        if "captcha" not in self.fields:
            self.fields["captcha"] = _captcha(required=login_guard.CAPTCHA_NEEDED)

    def _guarded_authenticate(self, username: str, password: str):
        """The user, or ValidationError; the password is not even checked while the captcha is missing."""
        if self.verdict.refused:
            raise ValidationError(login_guard.REFUSED, code="refused")
        if "captcha" in self.fields and "captcha" not in self.cleaned_data:
            raise ValidationError(login_guard.CAPTCHA_NEEDED, code="captcha")
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            if login_guard.verdict(self.request, username).captcha:
                self._add_captcha()
                login_guard.slow_down()
            raise ValidationError(login_guard.INVALID_LOGIN, code="invalid_login")
        return user

    def _guard_clean(self, username, password):
        if not username or not password:
            return
        if "captcha" in self.fields and "captcha" in self._errors:
            return  # the captcha's own message says what to do
        try:
            self.user_cache = self._guarded_authenticate(username, password)
        except ValidationError as exc:
            self.add_error(None, exc)


class LoginForm(LoginGuardMixin, forms.Form):
    """The subscriber's login; a valid form carries the authenticated user in user_cache."""

    username = forms.CharField(label=_("Лицевой счёт, логин или e-mail"), max_length=254)
    password = forms.CharField(label=_("Пароль"), widget=forms.PasswordInput, strip=False)
    remember = forms.BooleanField(label=_("Запомнить меня"), required=False)
    save_login = forms.BooleanField(label=_("Сохранить логин"), required=False)

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._guard_setup(request)

    def clean(self):
        data = super().clean()
        self._guard_clean(data.get("username"), data.get("password"))
        return data


class AdminLoginForm(LoginGuardMixin, AdminAuthenticationForm):
    """/admin/login/ under the same counters as the subscriber's login (it had no limit at all)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self._guard_setup(request)

    def clean(self):
        self._guard_clean(self.cleaned_data.get("username"), self.cleaned_data.get("password"))
        if self.user_cache is not None:
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class NewPasswordForm(SetPasswordForm):
    """A new password set through a link or the forced change: never the operator-issued temporary one,
    or the printed slip (and whoever printed it) would keep access."""

    def clean_new_password1(self):
        value = self.cleaned_data["new_password1"]
        if self.user.must_change_password and self.user.check_password(value):
            raise ValidationError(services.SAME_AS_TEMPORARY, code="same_as_temporary")
        return value


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Мобильный телефон"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "placeholder": "+7 (917) 555-55-55"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        return services.phone_normalize(value)


class ReceiptRegistrationForm(forms.Form):
    account_number = forms.CharField(
        label=_("Лицевой счёт"), max_length=30, help_text=_("Номер лицевого счёта с квитанции")
    )
    email = forms.EmailField(label=_("E-mail"), help_text=_("На него придёт ссылка для установки пароля"))
    phone = PhoneField()
    activation_code = forms.CharField(
        label=_("Код активации"),
        max_length=20,
        help_text=_("С последней квитанции, в виде 1234-1234-1234"),
        widget=forms.TextInput(attrs={"placeholder": "1234-1234-1234", "autocomplete": "off"}),
    )
    consent = _consent()
    captcha = _captcha()

    def clean_account_number(self):
        value = self.cleaned_data["account_number"].strip()
        if not is_ascii_digits(value):
            raise ValidationError(_("Номер лицевого счёта — только цифры."))
        return value

    def clean_activation_code(self):
        value = services.activation_code_normalize(self.cleaned_data["activation_code"])
        if not services.CODE_RE.match(value):
            raise ValidationError(_("Код активации — 12 цифр в виде 1234-1234-1234."))
        return value


class UsernameRegistrationForm(forms.Form):
    username = forms.RegexField(
        label=_("Имя пользователя (логин)"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Логин: буквы, цифры и символы @ . + - _ без пробелов.")},
    )
    email = forms.EmailField(label=_("E-mail"))
    password1 = forms.CharField(label=_("Пароль"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Пароль ещё раз"), widget=forms.PasswordInput, strip=False)
    consent = _consent()
    captcha = _captcha()

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        if value.isdigit():
            # Digits-only logins are account numbers (registration by receipt), so they can't be taken here.
            raise ValidationError(_("Логин не может состоять только из цифр."))
        username_single_script(value)
        if User.objects.filter(username__iexact=value).exists():
            raise ValidationError(services.USERNAME_IN_USE)
        return value

    def clean_email(self):
        value = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=value).exists():
            raise ValidationError(services.EMAIL_IN_USE)
        return value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Пароли не совпадают."))
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(username=data.get("username", ""), email=data.get("email", ""))
                )
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class AddAccountForm(forms.Form):
    """Organisation → house from its list (filtered by the words typed in "Поиск дома") → flat. The list is the
    organisation's houses matching the filter, at most 20 (selectors.houses_matching); any house of the chosen
    organisation is accepted, so a house the page's script found by another filter is valid too."""

    organisation = forms.ModelChoiceField(
        label=_("Управляющая организация"),
        queryset=Organisation.objects.order_by("short_name"),
        empty_label="—",
        error_messages={"invalid_choice": _("Выберите организацию из списка.")},
    )
    house_search = forms.CharField(
        label=_("Поиск дома"),
        max_length=100,
        required=False,
        help_text=_("Улица или номер дома, например: Гончарова 5 — и нажмите «Показать дома»"),
    )
    building = forms.ModelChoiceField(
        label=_("Дом"),
        queryset=Building.objects.none(),
        empty_label="—",
        error_messages={
            "required": _("Выберите дом из списка."),
            "invalid_choice": _("Выберите дом из списка домов этой организации."),
        },
    )
    apartment = forms.CharField(
        label=_("Квартира"), max_length=16, required=False, help_text=_("Пусто для частного дома")
    )
    account_number = forms.CharField(label=_("Лицевой счёт"), max_length=30)
    payment_date = RuDateField(label=_("Дата последнего платежа"), required=False)
    payment_amount = forms.CharField(
        label=_("Сумма последнего платежа"),
        required=False,
        max_length=20,
        help_text=_("Если вы заплатили 123 рубля 45 копеек, введите 123,45"),
    )
    activation_code = forms.CharField(
        label=_("или код активации с квитанции"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "1234-1234-1234", "autocomplete": "off"}),
    )
    captcha = _captcha()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        org_id = self._chosen("organisation")
        field = self.fields["building"]
        if org_id is None:
            return
        field.queryset = Building.objects.filter(organisation_id=org_id)
        shown = selectors.houses_matching(org_id, self._raw("house_search"))
        chosen = self._chosen("building")
        if chosen is not None and chosen not in {h.pk for h in shown}:
            shown = list(field.queryset.filter(pk=chosen)) + shown
        field.widget.choices = [("", "—")] + [(h.pk, h.address) for h in shown]

    def _raw(self, name) -> str:
        source = self.data if self.is_bound else self.initial
        value = source.get(name, "")
        return str(value.pk if hasattr(value, "pk") else value or "")

    def _chosen(self, name) -> int | None:
        return parse_id(self._raw(name))

    def clean_account_number(self):
        value = self.cleaned_data["account_number"].strip()
        if not is_ascii_digits(value):  # «８２００…» in full width is not the number on the receipt
            raise ValidationError(_("Номер лицевого счёта — только цифры."))
        return value

    def clean_payment_amount(self):
        value = self.cleaned_data["payment_amount"]
        if not value:
            return None
        amount = services.amount_parse(value)
        if amount is None:
            raise ValidationError(_("Сумма — число с копейками через запятую, например 123,45."))
        return amount

    def clean(self):
        data = super().clean()
        has_payment = data.get("payment_date") and data.get("payment_amount") is not None
        if not has_payment and not data.get("activation_code") and not self.errors:
            raise ValidationError(_("Укажите дату и сумму последнего платежа или код активации с квитанции."))
        return data


class PasswordResetRequestForm(forms.Form):
    login = forms.CharField(label=_("Лицевой счёт или логин"), max_length=150)
    email = forms.EmailField(label=_("E-mail, указанный при регистрации"))
    captcha = _captcha()


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("Новый e-mail"))


class PhoneChangeForm(forms.Form):
    phone = PhoneField(required=False)


class DeleteUserForm(forms.Form):
    password = forms.CharField(label=_("Пароль для подтверждения"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        value = self.cleaned_data["password"]
        if not self.user.check_password(value):
            raise ValidationError(_("Пароль неверный."))
        return value
