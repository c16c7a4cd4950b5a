"""python manage.py run_schedule — for cron (hourly is fine: every step is idempotent)."""

from django.core.management.base import BaseCommand

from abonent.billing import schedule


class Command(BaseCommand):
    help = "Выполнить шаги закрытия месяца, которые положены сегодня по местному времени каждой организации."

    def handle(self, *args, **options):
        for line in schedule.schedule_run():
            self.stdout.write(line)
