"""Use cases of subscriber access. Each is atomic; e-mails go out on commit; guessable secrets are rate-limited."""

import datetime as dt
import re
import secrets
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from abonent.housing.models import Building, PersonalAccount
from abonent.lib.inputs import check_column, is_ascii_digits, parse_money
from abonent.orgs.models import Organisation

from . import emails, ratelimit, selectors
from .models import AccountLink, AuditEvent, LoginEvent, User
from .tokens import email_confirm_token, password_token, uid_encode
from .usernames import username_single_script

# One message for every failed proof: it must not tell which part (number, code, payment, address) was wrong.
PROOF_FAILED = _("Данные не совпадают с данными лицевого счёта. Проверьте номер счёта и код активации с квитанции.")
LINK_PROOF_FAILED = _(
    "Не удалось подтвердить лицевой счёт: проверьте организацию, адрес, номер счёта и дату и сумму последнего "
    "платежа (или код активации с квитанции)."
)
TOO_MANY_TRIES = _("Слишком много попыток. Попробуйте ещё раз через час.")
ACCOUNT_CLOSED = _("Лицевой счёт закрыт: подключить его к личному кабинету нельзя.")
ACCOUNT_ALREADY_REGISTERED = _(
    "Этот лицевой счёт уже зарегистрирован. Войдите по номеру счёта или воспользуйтесь «Забыли пароль?»."
)
ALREADY_LINKED = _("Этот лицевой счёт уже подключён к вашему личному кабинету.")
EMAIL_IN_USE = _("Этот e-mail уже используется другим пользователем.")
USERNAME_IN_USE = _("Этот логин уже занят.")
SAME_AS_TEMPORARY = _("Новый пароль должен отличаться от выданного организацией временного пароля.")
EMAIL_CHANGE_TOO_MANY = _("Слишком много запросов на смену e-mail. Попробуйте ещё раз через час.")
EMAIL_CHANGE_SALT = "abonent.users.email-change"
LINK_MAX_AGE = 24 * 60 * 60
CODE_RE = re.compile(r"^\d{4}-\d{4}-\d{4}$", re.ASCII)


# --- values people type ------------------------------------------------------------------------------------


def phone_normalize(value: str) -> str:
    """+7XXXXXXXXXX from 8XXXXXXXXXX or +7XXXXXXXXXX, with spaces, brackets and dashes; anything else is refused."""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw, flags=re.ASCII)  # 0-9 only: «８９１７…» in full width is no phone number
    shape_ok = re.fullmatch(r"\+?[\d\s()\-]+", raw, flags=re.ASCII) and len(digits) == 11
    if shape_ok and (digits[0] == "7" or (digits[0] == "8" and not raw.startswith("+"))):
        return "+7" + digits[1:]
    raise ValidationError(_("Телефон: 11 цифр, например +7 917 555-55-55 или 8 (917) 555-55-55."), code="phone")


def activation_code_normalize(value: str) -> str:
    """ "1234 1234 1234", "123412341234" and "1234-1234-1234" are the same code."""
    digits = re.sub(r"[\s\-]", "", value or "")
    if len(digits) == 12 and is_ascii_digits(digits):
        return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"
    return (value or "").strip()


def amount_parse(value: str) -> Decimal | None:
    """ "123,45" and "123.45" both mean 123 roubles 45 kopecks; «１２３» or "1e999" are no amount."""
    return parse_money(value)


def _codes_match(stored: str, typed: str) -> bool:
    return bool(stored) and constant_time_compare(stored, activation_code_normalize(typed))


def _proof_allowed(*, ip: str, account_number: str) -> None:
    """Count one check of an account number; refuse when the IP or the number was tried too often."""
    ok_ip = ratelimit.hit("proof-ip", ip, ratelimit.PROOF_PER_IP)
    ok_account = ratelimit.hit("proof-account", account_number, ratelimit.PROOF_PER_ACCOUNT)
    if not (ok_ip and ok_account):
        raise ValidationError(TOO_MANY_TRIES, code="throttled")


def _email_free(email: str, *, except_user: User | None = None) -> None:
    others = User.objects.filter(email__iexact=email)
    if except_user is not None:
        others = others.exclude(pk=except_user.pk)
    if others.exists():
        raise ValidationError({"email": EMAIL_IN_USE})


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _send_set_password_link(*, user: User, base_url: str, template: str) -> None:
    path = reverse("users:password_set", kwargs={"uidb64": uid_encode(user), "token": password_token.make_token(user)})
    emails.send(to=user.email, template=template, context={"user": user, "link": _absolute(base_url, path)})


# --- activation codes ----------------------------------------------------------------------------------------


def activation_code_generate() -> str:
    return "-".join(f"{secrets.randbelow(10_000):04d}" for _ in range(3))


@transaction.atomic
def account_activation_code_issue(*, account: PersonalAccount, actor: User | None = None) -> str:
    """A new random code for the account (format 1234-1234-1234): each period, and after a registration reset."""
    code = activation_code_generate()
    while code == account.activation_code:
        code = activation_code_generate()
    account.activation_code = code
    account.save(update_fields=["activation_code"])
    if actor is not None:
        AuditEvent.objects.create(actor=actor, action=AuditEvent.Action.CODE_ISSUED, account=account)
    return code


def activation_codes_issue_for(*, organisation: Organisation, batch_size: int = 5000) -> int:
    """A new code for every open account of an organisation, once per period before receipts are printed.

    In sets: one UPDATE per batch (bulk_update), never one query per account; returns how many were issued.
    """
    accounts = PersonalAccount.objects.filter(organisation=organisation, closed_on__isnull=True).only("pk")
    issued = 0
    batch: list[PersonalAccount] = []
    with transaction.atomic():
        for account in accounts.iterator(chunk_size=batch_size):
            account.activation_code = activation_code_generate()
            batch.append(account)
            if len(batch) >= batch_size:
                PersonalAccount.objects.bulk_update(batch, ["activation_code"])
                issued += len(batch)
                batch = []
        if batch:
            PersonalAccount.objects.bulk_update(batch, ["activation_code"])
            issued += len(batch)
    return issued


# --- the three ways in ---------------------------------------------------------------------------------------


@transaction.atomic
def user_register_by_receipt(
    *, account_number: str, email: str, phone: str, activation_code: str, ip: str, base_url: str
) -> User:
    """Seed 002: the account number becomes the login; a one-time link to set the password goes by e-mail."""
    account_number = account_number.strip()
    _proof_allowed(ip=ip, account_number=account_number)
    matches = [
        a for a in selectors.accounts_by_number(account_number) if _codes_match(a.activation_code, activation_code)
    ]
    if len(matches) != 1:
        raise ValidationError(PROOF_FAILED, code="proof")
    account = matches[0]
    if not account.is_open:
        raise ValidationError(ACCOUNT_CLOSED, code="closed")
    if User.objects.filter(username__iexact=account_number).exists():
        raise ValidationError(ACCOUNT_ALREADY_REGISTERED, code="registered")
    email = check_column(User, "email", email)
    _email_free(email)
    user = User(username=account_number, email=email, phone=phone_normalize(phone), consent_at=timezone.now())
    user.set_unusable_password()  # never a password by e-mail: the subscriber sets it through the link
    user.save()
    AccountLink.objects.create(user=user, account=account, method=AccountLink.Method.ACTIVATION_CODE)
    _send_set_password_link(user=user, base_url=base_url, template="registered")
    return user


@transaction.atomic
def user_register_by_username(*, username: str, email: str, password: str, base_url: str) -> User:
    """Seed 004: the user is inactive until the link sent to the e-mail confirms the address."""
    username, email = check_column(User, "username", username), check_column(User, "email", email)
    _username_allowed(username, field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": USERNAME_IN_USE})
    _email_free(email)
    user = User(username=username, email=email, is_active=False, consent_at=timezone.now())
    user.set_password(password)
    user.save()
    path = reverse(
        "users:register_confirm", kwargs={"uidb64": uid_encode(user), "token": email_confirm_token.make_token(user)}
    )
    emails.send(to=email, template="confirm", context={"user": user, "link": _absolute(base_url, path)})
    return user


@transaction.atomic
def user_email_confirm(*, user: User, token: str) -> bool:
    if user.is_active or not email_confirm_token.check_token(user, token):
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    return True


def _username_allowed(username: str, *, field: str) -> None:
    """What every form setting a login checks, for callers that come without a form."""
    try:
        username_single_script(username)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


@transaction.atomic
def user_password_set(*, user: User, password: str) -> None:
    """A new password from a one-time link or the forced change; the old hash (and so the link) stops working.

    A user still on an operator-issued temporary password may not keep it as the "new" one."""
    if user.must_change_password and user.check_password(password):
        raise ValidationError({"new_password1": SAME_AS_TEMPORARY})
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


def password_reset_request(*, login: str, email: str, ip: str, base_url: str) -> None:
    """ "Забыли пароль?": a one-time link if the login and e-mail belong together; silence otherwise."""
    allowed_ip = ratelimit.hit("reset-ip", ip, ratelimit.RESET_PER_IP)
    allowed_login = ratelimit.hit("reset-login", login, ratelimit.RESET_PER_LOGIN)
    if not (allowed_ip and allowed_login):
        raise ValidationError(TOO_MANY_TRIES, code="throttled")
    for user in selectors.users_for_login(login):
        if user.is_active and user.email and user.email.lower() == email.strip().lower():
            _send_set_password_link(user=user, base_url=base_url, template="reset")


def login_record(*, user: User, ip: str | None, user_agent: str) -> LoginEvent:
    return LoginEvent.objects.create(user=user, ip=ip or None, user_agent=(user_agent or "")[:300])


# --- linked accounts -----------------------------------------------------------------------------------------


def _address_matches(account: PersonalAccount, building, apartment: str) -> bool:
    """The house chosen from the list (a Building) is the account's; or, typed as text, leniently: every word typed
    for the building is a word of its address ("Гончарова 5" ⊂ "ул. Гончарова, д. 5")."""
    if isinstance(building, Building):
        return building.pk == account.premises.building_id and _flat_matches(account, apartment)
    words = set(re.findall(r"\w+", account.premises.building.address.lower()))
    typed = set(re.findall(r"\w+", (building or "").lower()))
    if not typed or not typed <= words:
        return False
    return _flat_matches(account, apartment)


def _flat_matches(account: PersonalAccount, apartment: str) -> bool:
    return (apartment or "").strip().lower() == (account.premises.number or "").strip().lower()


@transaction.atomic
def account_link_add(
    *,
    user: User,
    organisation: Organisation,
    building: Building | str,
    apartment: str,
    account_number: str,
    payment_date: dt.date | None,
    payment_amount: Decimal | None,
    activation_code: str,
    ip: str,
) -> AccountLink:
    """Seed 004 "Добавить лицевой счёт": proven by the last payment's date and amount, or by the activation code."""
    account_number = (account_number or "").strip()
    _proof_allowed(ip=ip, account_number=account_number)
    account = (
        PersonalAccount.objects.select_related("premises__building")
        .filter(organisation=organisation, number=account_number)
        .first()
    )
    method = None
    if account is not None and _address_matches(account, building, apartment):
        last = selectors.last_payment_of(account)
        if (
            last is not None
            and payment_date is not None
            and payment_amount is not None
            and last == (payment_date, payment_amount)
        ):
            method = AccountLink.Method.LAST_PAYMENT
        elif activation_code and _codes_match(account.activation_code, activation_code):
            method = AccountLink.Method.ACTIVATION_CODE
    if method is None:
        raise ValidationError(LINK_PROOF_FAILED, code="proof")
    if not account.is_open:
        raise ValidationError(ACCOUNT_CLOSED, code="closed")
    if AccountLink.objects.filter(user=user, account=account).exists():
        raise ValidationError(ALREADY_LINKED, code="linked")
    return AccountLink.objects.create(user=user, account=account, method=method)


@transaction.atomic
def account_link_set_receipts(*, link: AccountLink, by_email: bool) -> None:
    link.receipts_by_email = by_email
    link.save(update_fields=["receipts_by_email"])


@transaction.atomic
def account_link_remove(*, link: AccountLink) -> None:
    link.delete()


# --- profile -------------------------------------------------------------------------------------------------


def user_email_change_request(*, user: User, new_email: str, base_url: str, ip: str) -> None:
    """The new address is used only after the link sent to it is followed (within 24 hours, once).

    Limited per user and per IP: each request sends a letter to an address of the requester's choosing.
    The requester is never told that the address is taken (that would tell whose it is): its owner gets a
    notice instead of a link, a letter just like the link's, so the answer and its time are the same."""
    allowed_user = ratelimit.hit("email-change-user", str(user.pk), ratelimit.EMAIL_CHANGE_PER_USER)
    allowed_ip = ratelimit.hit("email-change-ip", ip, ratelimit.EMAIL_CHANGE_PER_IP)
    if not (allowed_user and allowed_ip):
        raise ValidationError(EMAIL_CHANGE_TOO_MANY, code="throttled")
    new_email = check_column(User, "email", new_email.strip())
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        emails.send(to=new_email, template="email_taken", context={})
        return
    token = signing.dumps({"u": user.pk, "old": user.email, "new": new_email}, salt=EMAIL_CHANGE_SALT)
    path = reverse("users:email_confirm", kwargs={"token": token})
    emails.send(to=new_email, template="email_change", context={"user": user, "link": _absolute(base_url, path)})


@transaction.atomic
def user_email_change_confirm(*, user: User, token: str) -> bool:
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return False
    # The old address is in the token: once the change is made, the same link no longer matches (works once).
    if data.get("u") != user.pk or data.get("old") != user.email:
        return False
    if User.objects.filter(email__iexact=data["new"]).exclude(pk=user.pk).exists():
        return False  # taken by someone else since the link was sent
    user.email = data["new"]
    user.save(update_fields=["email"])
    return True


@transaction.atomic
def user_phone_change(*, user: User, phone: str) -> None:
    user.phone = phone_normalize(phone) if phone.strip() else ""
    user.save(update_fields=["phone"])


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Erase the person (152-ФЗ); the accounts and their billing history stay, only the links go.

    The row stays, anonymised, so that anything recorded as done by this user keeps a valid reference.
    """
    AccountLink.objects.filter(user=user).delete()
    LoginEvent.objects.filter(user=user).delete()
    user.username = f"deleted-{user.pk}-{secrets.token_hex(4)}"
    user.email = ""
    user.phone = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.consent_at = None
    user.set_unusable_password()
    user.save()
    AuditEvent.objects.create(actor=None, action=AuditEvent.Action.USER_DELETED, details=f"user id {user.pk}")


# --- operators ------------------------------------------------------------------------------------------------

TEMP_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def temporary_password() -> str:
    return "".join(secrets.choice(TEMP_PASSWORD_ALPHABET) for _ in range(10))


@transaction.atomic
def operator_access_issue(*, account: PersonalAccount, login: str, actor: User) -> tuple[User, str]:
    """Seed 000: the organisation gives a login and a temporary password, printed on a slip; the subscriber
    must set a new password at the first login."""
    login = check_column(User, "username", (login or "").strip() or account.number, key="login")
    _username_allowed(login, field="login")
    if User.objects.filter(username__iexact=login).exists():
        raise ValidationError({"login": USERNAME_IN_USE})
    if not account.is_open:
        raise ValidationError(ACCOUNT_CLOSED)
    password = temporary_password()
    user = User(username=login, must_change_password=True)
    user.set_password(password)
    user.save()
    AccountLink.objects.create(user=user, account=account, method=AccountLink.Method.OPERATOR)
    AuditEvent.objects.create(
        actor=actor, action=AuditEvent.Action.ACCESS_ISSUED, account=account, details=f"логин {login}"
    )
    return user, password


@transaction.atomic
def account_registration_reset(*, account: PersonalAccount, actor: User) -> int:
    """Seed 002's "сброс регистрации": every user is unlinked and the old activation code stops working.

    Users who registered with this account number as their login lose it too (the number is free again).
    Returns how many users were unlinked.
    """
    links = list(AccountLink.objects.filter(account=account).select_related("user"))
    for link in links:
        user = link.user
        if user.username == account.number and not user.is_staff:
            # The login was the account number: free it so the next registration by receipt can take it.
            user.username = f"{account.number}-reset-{user.pk}"
            user.save(update_fields=["username"])
    AccountLink.objects.filter(account=account).delete()
    account_activation_code_issue(account=account)
    AuditEvent.objects.create(
        actor=actor,
        action=AuditEvent.Action.REGISTRATION_RESET,
        account=account,
        details=", ".join(link.user.username for link in links) or "—",
    )
    return len(links)
