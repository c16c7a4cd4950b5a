"""Rules of subscriber access, tested without HTTP: given / when / then."""

import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from abonent.testing.factories import (
    AccountLinkFactory,
    OperatorFactory,
    PersonalAccountFactory,
    UserFactory,
)
from abonent.users import selectors, services
from abonent.users.models import AccountLink, AuditEvent, LoginEvent, User
from abonent.users.tokens import email_confirm_token

BASE = "http://testserver/"


# --- values people type ---


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("89175555555", "+79175555555"),
        ("+7 (917) 555-55-55", "+79175555555"),
        ("8 (917) 555 55 55", "+79175555555"),
        ("+79175555555", "+79175555555"),
        ("7-917-555-55-55", "+79175555555"),
    ],
)
def test_phone_forms_are_stored_as_plus_seven(typed, stored):
    assert services.phone_normalize(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "12345", "+8 917 555 55 55", "+1 202 555 0100", "8917555555a", "9175555555", "8917555555512"]
)
def test_other_phones_are_refused_in_russian(typed):
    with pytest.raises(ValidationError) as exc:
        services.phone_normalize(typed)
    assert "Телефон" in exc.value.messages[0]


def test_activation_code_is_read_with_or_without_dashes():
    assert services.activation_code_normalize("1234 5678 9012") == "1234-5678-9012"
    assert services.activation_code_normalize("123456789012") == "1234-5678-9012"
    assert services.activation_code_normalize("1234-5678-9012") == "1234-5678-9012"


@pytest.mark.parametrize(
    ("typed", "amount"), [("123,45", Decimal("123.45")), ("123.45", Decimal("123.45")), ("1 000", Decimal("1000.00"))]
)
def test_amount_with_comma_or_point(typed, amount):
    assert services.amount_parse(typed) == amount


@pytest.mark.parametrize("typed", ["abc", "-5", "1,234", "NaN", "12,3,4"])
def test_bad_amounts_are_none(typed):
    assert services.amount_parse(typed) is None


# --- activation codes ---


def test_activation_code_issue_gives_a_new_code_of_the_format(db):
    account = PersonalAccountFactory(activation_code="1234-5678-9012")
    code = services.account_activation_code_issue(account=account)
    account.refresh_from_db()
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", code)
    assert account.activation_code == code != "1234-5678-9012"


def test_activation_codes_for_a_whole_organisation_skip_closed_accounts(db):
    account = PersonalAccountFactory(activation_code="1234-5678-9012")
    same_org = PersonalAccountFactory(
        premises__building__organisation=account.organisation, activation_code="1234-5678-9012"
    )
    closed = PersonalAccountFactory(
        premises__building__organisation=account.organisation,
        activation_code="1234-5678-9012",
        closed_on=dt.date(2026, 1, 31),
    )
    other = PersonalAccountFactory(activation_code="1234-5678-9012")
    assert services.activation_codes_issue_for(organisation=account.organisation, batch_size=1) == 2
    for a in (account, same_org, closed, other):
        a.refresh_from_db()
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", account.activation_code) and account.activation_code != "1234-5678-9012"
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", same_org.activation_code) and same_org.activation_code != "1234-5678-9012"
    assert closed.activation_code == other.activation_code == "1234-5678-9012"


# --- registration by receipt (seed 002) ---


def _register(account, mailoutbox=None, **over):
    data = {
        "account_number": account.number,
        "email": "new@example.ru",
        "phone": "8 (917) 555-55-55",
        "activation_code": account.activation_code,
        "ip": "10.0.0.1",
        "base_url": BASE,
    }
    data.update(over)
    return services.user_register_by_receipt(**data)


def test_register_by_receipt_links_the_account_and_mails_a_set_password_link(
    account, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        user = _register(account)
    assert user.username == account.number
    assert user.phone == "+79175555555"
    assert not user.has_usable_password()
    assert user.consent_at is not None
    assert AccountLink.objects.get(user=user).method == AccountLink.Method.ACTIVATION_CODE
    assert len(mailoutbox) == 1
    assert "/password/set/" in mailoutbox[0].body
    assert "пароль" not in mailoutbox[0].subject.lower() or "установите" in mailoutbox[0].subject.lower()


@pytest.mark.parametrize("over", [{"activation_code": "9999-9999-9999"}, {"account_number": "829999999"}])
def test_register_by_receipt_wrong_proof_says_not_which_part(account, over):
    with pytest.raises(ValidationError) as exc:
        _register(account, **over)
    assert exc.value.messages == [str(services.PROOF_FAILED)]
    assert not User.objects.exists()


def test_register_by_receipt_refuses_a_closed_account(account):
    account.closed_on = dt.date(2026, 1, 31)
    account.save()
    with pytest.raises(ValidationError) as exc:
        _register(account)
    assert "закрыт" in exc.value.messages[0]
    assert not User.objects.exists()


def test_register_by_receipt_twice_is_refused(account):
    _register(account)
    with pytest.raises(ValidationError) as exc:
        _register(account, email="other@example.ru")
    assert "уже зарегистрирован" in exc.value.messages[0]
    assert User.objects.count() == 1


def test_register_by_receipt_refuses_an_email_in_use(account):
    UserFactory(email="new@example.ru")
    with pytest.raises(ValidationError) as exc:
        _register(account)
    assert exc.value.message_dict["email"] == [str(services.EMAIL_IN_USE)]
    assert User.objects.count() == 1


def test_activation_code_checks_are_limited_per_account_number(account):
    for i in range(5):
        with pytest.raises(ValidationError):
            _register(account, activation_code=f"0000-0000-000{i}", ip=f"10.0.0.{i}")
    # Even the right code is refused now: the number was tried too often.
    with pytest.raises(ValidationError) as exc:
        _register(account, ip="10.0.1.1")
    assert exc.value.messages == [str(services.TOO_MANY_TRIES)]


def test_activation_code_checks_are_limited_per_ip(db):
    for i in range(20):
        with pytest.raises(ValidationError):
            services.user_register_by_receipt(
                account_number=f"8300000{i:02d}",
                email="x@example.ru",
                phone="89175555555",
                activation_code="0000-0000-0000",
                ip="10.9.9.9",
                base_url=BASE,
            )
    account = PersonalAccountFactory()
    with pytest.raises(ValidationError) as exc:
        _register(account, ip="10.9.9.9")
    assert exc.value.messages == [str(services.TOO_MANY_TRIES)]


# --- registration by user name (seed 004) ---


def test_register_by_username_is_inactive_until_confirmed(db, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_register_by_username(
            username="petrov", email="p@example.ru", password="x-Long-2026", base_url=BASE
        )
    assert not user.is_active
    assert "/register/confirm/" in mailoutbox[0].body
    token = email_confirm_token.make_token(user)
    assert services.user_email_confirm(user=user, token=token)
    user.refresh_from_db()
    assert user.is_active
    assert not services.user_email_confirm(user=user, token=token)  # works once


def test_register_by_username_refuses_taken_login_and_email(db):
    UserFactory(username="petrov", email="p@example.ru")
    with pytest.raises(ValidationError):
        services.user_register_by_username(
            username="PETROV", email="q@example.ru", password="x-Long-2026", base_url=BASE
        )
    with pytest.raises(ValidationError):
        services.user_register_by_username(
            username="sidorov", email="P@example.ru", password="x-Long-2026", base_url=BASE
        )
    assert User.objects.count() == 1


# --- adding an account (seed 004) ---


def _add(user, account, **over):
    data = {
        "user": user,
        "organisation": account.organisation,
        "building": "Гончарова " + account.premises.building.address.rsplit(" ", 1)[-1],
        "apartment": account.premises.number,
        "account_number": account.number,
        "payment_date": None,
        "payment_amount": None,
        "activation_code": account.activation_code,
        "ip": "10.0.0.2",
    }
    data.update(over)
    return services.account_link_add(**data)


def test_add_account_by_activation_code(account):
    user = UserFactory()
    link = _add(user, account)
    assert link.method == AccountLink.Method.ACTIVATION_CODE
    assert list(selectors.user_links(user)) == [link]


def test_several_users_may_link_one_account(account):
    first, second = UserFactory(), UserFactory()
    _add(first, account)
    _add(second, account)
    assert account.user_links.count() == 2


def test_last_payment_is_no_proof_while_there_are_no_payments(account):
    """last_payment_of() answers None until the payments issue: linking by payment fails with the generic message."""
    assert selectors.last_payment_of(account) is None
    with pytest.raises(ValidationError) as exc:
        _add(
            UserFactory(),
            account,
            activation_code="",
            payment_date=dt.date(2026, 10, 5),
            payment_amount=Decimal("123.45"),
        )
    assert exc.value.messages == [str(services.LINK_PROOF_FAILED)]
    assert not AccountLink.objects.exists()


@pytest.mark.parametrize(
    "over",
    [
        {"activation_code": "9999-9999-9999"},
        {"apartment": "999"},
        {"building": "Ленина 1"},
        {"account_number": "829999999"},
    ],
)
def test_add_account_wrong_detail_gives_one_message(account, over):
    with pytest.raises(ValidationError) as exc:
        _add(UserFactory(), account, **over)
    assert exc.value.messages == [str(services.LINK_PROOF_FAILED)]
    assert not AccountLink.objects.exists()


def test_add_account_of_another_organisation_fails(account):
    other = PersonalAccountFactory()
    with pytest.raises(ValidationError):
        _add(UserFactory(), account, organisation=other.organisation)


def test_add_account_already_linked_and_closed(account):
    user = UserFactory()
    _add(user, account)
    with pytest.raises(ValidationError) as exc:
        _add(user, account)
    assert "уже подключён" in exc.value.messages[0]
    closed = PersonalAccountFactory(closed_on=dt.date(2026, 5, 31))
    with pytest.raises(ValidationError) as exc:
        _add(user, closed)
    assert "закрыт" in exc.value.messages[0]
    assert AccountLink.objects.count() == 1


# --- password reset ---


def test_reset_mails_only_when_login_and_email_match(subscriber, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        services.password_reset_request(login="ivanov", email="nobody@example.ru", ip="1.1.1.1", base_url=BASE)
        services.password_reset_request(login="nobody", email="ivanov@example.ru", ip="1.1.1.1", base_url=BASE)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.password_reset_request(login="820000001", email="IVANOV@example.ru", ip="1.1.1.1", base_url=BASE)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ivanov@example.ru"]


# --- profile ---


def test_email_change_works_once_through_the_signed_link(subscriber, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        services.user_email_change_request(user=subscriber, new_email="new@example.ru", base_url=BASE, ip="1.2.3.4")
    assert mailoutbox[0].to == ["new@example.ru"]
    subscriber.refresh_from_db()
    assert subscriber.email == "ivanov@example.ru"  # not before the link
    token = re.search(r"/profile/email/confirm/([^/]+)/", mailoutbox[0].body).group(1)
    assert services.user_email_change_confirm(user=subscriber, token=token)
    assert subscriber.email == "new@example.ru"
    assert not services.user_email_change_confirm(user=subscriber, token=token)


def test_email_change_to_an_address_in_use_tells_only_its_owner(
    subscriber, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(email="taken@example.ru")
    with django_capture_on_commit_callbacks(execute=True):
        services.user_email_change_request(user=subscriber, new_email="taken@example.ru", base_url=BASE, ip="1.2.3.4")
    # No error for the requester; the owner gets a notice without a link and without the requester's login.
    assert [m.to for m in mailoutbox] == [["taken@example.ru"]]
    assert "/profile/email/confirm/" not in mailoutbox[0].body and "ivanov" not in mailoutbox[0].body


def test_delete_user_erases_personal_data_and_keeps_the_account(subscriber, account):
    LoginEvent.objects.create(user=subscriber, ip="1.2.3.4")
    subscriber.phone = "+79175555555"
    subscriber.save()
    services.user_delete(user=subscriber)
    subscriber.refresh_from_db()
    assert subscriber.email == "" and subscriber.phone == "" and not subscriber.is_active
    assert not subscriber.has_usable_password()
    assert "ivanov" not in subscriber.username
    assert not AccountLink.objects.exists() and not LoginEvent.objects.exists()
    account.refresh_from_db()  # the account and what hangs on it stay


def test_phone_change_normalises_and_refuses(subscriber):
    services.user_phone_change(user=subscriber, phone="8 917 000 11 22")
    assert subscriber.phone == "+79170001122"
    with pytest.raises(ValidationError):
        services.user_phone_change(user=subscriber, phone="12-34")
    subscriber.refresh_from_db()
    assert subscriber.phone == "+79170001122"


# --- operators ---


def test_operator_issues_access_with_a_temporary_password(account):
    operator = OperatorFactory(organisation=account.organisation)
    user, password = services.operator_access_issue(account=account, login="", actor=operator)
    assert user.username == account.number
    assert user.must_change_password
    assert user.check_password(password) and len(password) == 10
    assert AccountLink.objects.get(user=user).method == AccountLink.Method.OPERATOR
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.account) == (operator, AuditEvent.Action.ACCESS_ISSUED, account)
    with pytest.raises(ValidationError):
        services.operator_access_issue(account=account, login=account.number, actor=operator)


def test_registration_reset_unlinks_everyone_and_changes_the_code(account):
    operator = OperatorFactory(organisation=account.organisation)
    registered = _register(account)
    AccountLinkFactory(account=account)
    old_code = account.activation_code
    assert services.account_registration_reset(account=account, actor=operator) == 2
    account.refresh_from_db()
    assert not account.user_links.exists()
    assert account.activation_code != old_code
    registered.refresh_from_db()
    assert registered.username != account.number  # the number is free for a new registration
    event = AuditEvent.objects.get(action=AuditEvent.Action.REGISTRATION_RESET)
    assert event.actor == operator and event.account == account and event.at is not None
    # The old code no longer registers; the new one does.
    with pytest.raises(ValidationError):
        _register(account, activation_code=old_code, email="again@example.ru")
    assert _register(account, email="again@example.ru").username == account.number


def test_login_candidates(subscriber, account):
    assert selectors.users_for_login("IVANOV") == [subscriber]
    assert selectors.users_for_login("ivanov@example.ru") == [subscriber]
    assert selectors.users_for_login(account.number) == [subscriber]
    AccountLinkFactory(account=account)  # a family: the number alone no longer says who
    assert selectors.users_for_login(account.number) == []
    assert selectors.users_for_login("") == []


def test_issue_activation_codes_command(db):

    account = PersonalAccountFactory(activation_code="1234-5678-9012")
    out = StringIO()
    call_command("issue_activation_codes", account.organisation.code, stdout=out)
    assert "выдано кодов активации — 1" in out.getvalue()
    account.refresh_from_db()
    assert account.activation_code != "1234-5678-9012"
    with pytest.raises(CommandError, match="не найдена"):
        call_command("issue_activation_codes", "no-such-org")


def test_password_reset_requests_are_limited_per_login(subscriber, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            services.password_reset_request(login="ivanov", email="ivanov@example.ru", ip=f"10.1.1.{i}", base_url=BASE)
        with pytest.raises(ValidationError) as exc:
            services.password_reset_request(login="ivanov", email="ivanov@example.ru", ip="10.1.2.1", base_url=BASE)
    assert exc.value.messages == [str(services.TOO_MANY_TRIES)]
    assert len(mailoutbox) == 5


def test_add_account_checks_are_limited_per_account_number(account):
    user = UserFactory()
    for i in range(5):
        with pytest.raises(ValidationError):
            _add(user, account, activation_code=f"0000-0000-000{i}", ip=f"10.2.0.{i}")
    with pytest.raises(ValidationError) as exc:
        _add(user, account, ip="10.2.1.1")  # the right code, too late
    assert exc.value.messages == [str(services.TOO_MANY_TRIES)]
    assert not AccountLink.objects.exists()
