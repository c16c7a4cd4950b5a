"""python manage.py seed_history — a year of billing history for the demo organisations, by the engine itself."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from abonent.billing.models import Charge
from abonent.demo.history import billing_history, context_from_database


class Command(BaseCommand):
    help = "Построить 12 месяцев начислений и оплат демо-организаций (после seed_demo), расчётом движка."

    def handle(self, *args, **options):
        ctx = context_from_database()
        if not ctx.orgs:
            raise CommandError("Нет демо-организаций: сначала выполните seed_demo.")
        if Charge.objects.filter(period__organisation__in=ctx.orgs.values()).exists():
            self.stdout.write("История начислений уже построена.")
            return
        ctx.write = self.stdout.write if options["verbosity"] > 0 else (lambda line: None)
        with transaction.atomic():
            billing_history(ctx)
