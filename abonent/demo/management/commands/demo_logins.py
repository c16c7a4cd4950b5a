"""`demo_logins`: what to type to try the demo (`make run` prints it before serving)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from abonent.demo.logins import DEMO_LOGINS, DEMO_SUBSCRIBER
from abonent.users.models import AccountLink

SITE_URL = "http://127.0.0.1:8000/"
ADMIN_URL = "http://127.0.0.1:8000/admin/"


def print_logins(write) -> None:
    User = get_user_model()
    present = set(
        User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).values_list("username", flat=True)
    )
    write("")
    write(f"Абонент: {SITE_URL}")
    write(f"Рабочее место оператора: {ADMIN_URL}")
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
    write("")


class Command(BaseCommand):
    help = "Печатает демо-логины, пароли и адреса сайта и рабочего места оператора."

    def handle(self, *args, **options):
        print_logins(self.stdout.write)
