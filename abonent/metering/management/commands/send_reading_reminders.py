"""python manage.py send_reading_reminders: run daily (or hourly); each reminder goes out once."""

from django.core.management.base import BaseCommand

from abonent.metering.reminders import reading_reminders_send
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Напоминания о передаче показаний: при открытии приёма и за два дня до его окончания."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="код организации (по умолчанию — все)")

    def handle(self, *args, org=None, **options):
        organisations = Organisation.objects.order_by("pk")
        if org:
            organisations = organisations.filter(code=org)
        total = 0
        for organisation in organisations:
            sent = reading_reminders_send(organisation=organisation)
            total += sent
            if sent:
                self.stdout.write(f"{organisation.code}: отправлено напоминаний — {sent}")
        self.stdout.write(f"Всего отправлено: {total}.")
