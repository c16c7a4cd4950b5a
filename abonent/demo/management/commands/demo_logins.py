"""`demo_logins`: what to type to try the demo (`make run` prints it before serving)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from abonent.demo.logins import DEMO_LOGINS, DEMO_SUBSCRIBER
from abonent.demo.register import UK, VODOKANAL
from abonent.housing.models import PersonalAccount
from abonent.lib.numbers import typed
from abonent.lib.site import site_url
from abonent.payments.models import Payment
from abonent.users.models import AccountLink
from abonent.users.selectors import last_payment_of

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


@dataclass(frozen=True)
class Proofs:
    """Accounts nobody has linked yet, with what proves them: read from the database, so always true."""

    by_code: PersonalAccount | None
    by_payment: PersonalAccount | None
    last_payment: tuple[dt.date, Decimal] | None


def _free_accounts(code: str):
    User = get_user_model()
    return (
        PersonalAccount.objects.filter(organisation__code=code, closed_on__isnull=True, user_links__isnull=True)
        .exclude(number__in=User.objects.values("username"))
        .select_related("organisation", "premises__building")
        .order_by("number")
    )


def demo_proofs() -> Proofs:
    by_code = _free_accounts(VODOKANAL).first()
    by_payment = _free_accounts(UK).filter(payments__status=Payment.Status.CREDITED).distinct().first()
    return Proofs(by_code, by_payment, last_payment_of(by_payment) if by_payment else None)


def print_proofs(write) -> None:
    proofs = demo_proofs()
    if proofs.by_code is None and proofs.by_payment is None:
        return
    write("Попробовать другие способы входа:")
    if proofs.by_code:
        a = proofs.by_code
        write(
            f"  регистрация по квитанции ({site_url()}/register/receipt/): лицевой счёт {a.number}, "
            f"код активации {a.activation_code} ({a.organisation.short_name})"
        )
    if proofs.by_payment and proofs.last_payment:
        a = proofs.by_payment
        paid_on, amount = proofs.last_payment
        write(
            f"  «Добавить лицевой счёт» (войдите как {DEMO_SUBSCRIBER.username}): {a.organisation.short_name}, "
            f"{a.premises.address}, лицевой счёт {a.number}, последний платёж {paid_on:%d.%m.%Y} "
            f"на сумму {typed(amount)}"
        )


def print_logins(write) -> None:
    User = get_user_model()
    present = set(
        User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).values_list("username", flat=True)
    )
    write("")
    write(f"Абонент: {site_url()}/")
    write(f"Рабочее место оператора: {site_url()}/admin/")
    write("Демо-входы (логин / пароль):")
    for login in DEMO_LOGINS:
        missing = "" if login.username in present else "  — нет в базе: запустите seed_demo"
        write(f"  {login.username:<10} / {login.password:<15} {login.role}{missing}")
    links = (
        AccountLink.objects.filter(user__username=DEMO_SUBSCRIBER.username)
        .select_related("account__organisation", "account__premises__building")
        .order_by("account__organisation__code", "account__number")
    )
    if links:
        write(f"Лицевые счета абонента «{DEMO_SUBSCRIBER.username}»:")
        for link in links:
            account = link.account
            write(f"  № {account.number} — {account.organisation.short_name}, {account.premises.address}")
    print_proofs(write)
    write(mail_whereabouts())
    write("")


def mail_whereabouts() -> str:
    """Where the letters go: a newcomer looks there for the link that confirms a registration."""
    backend = settings.EMAIL_BACKEND
    if backend == FILE_BACKEND:
        return f"Письма (подтверждение регистрации, сброс пароля) — файлы в {settings.EMAIL_FILE_PATH}"
    if backend == "django.core.mail.backends.console.EmailBackend":
        return "Письма печатаются в консоль сервера."
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        return f"Письма отправляются через SMTP-сервер {settings.EMAIL_HOST}:{settings.EMAIL_PORT}."
    return f"Письма отправляет {backend}."


class Command(BaseCommand):
    help = "Печатает демо-логины, пароли и адреса сайта и рабочего места оператора."

    def handle(self, *args, **options):
        print_logins(self.stdout.write)
