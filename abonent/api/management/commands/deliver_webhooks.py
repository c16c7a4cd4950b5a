"""Deliver the webhooks that are due (new and retried): from cron every minute where there is no Celery beat."""

from django.core.management.base import BaseCommand

from abonent.api import webhooks


class Command(BaseCommand):
    help = "Отправить вебхуки, которым подошло время (новые и повторные попытки)."

    def handle(self, *args, **options):
        self.stdout.write(f"Попыток доставки: {webhooks.deliver_due()}")
