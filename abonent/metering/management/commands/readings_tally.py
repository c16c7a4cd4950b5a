"""python manage.py readings_tally: recount the counters of readings received (metering.tally) from the readings
themselves — after readings were written around the application (a restore, a bulk load), or to check them."""

from django.core.management.base import BaseCommand

from abonent.metering.tally import tally_recount
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Пересчитать счётчики принятых показаний по периодам и способам передачи из самих показаний."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="код организации (по умолчанию — все)")

    def handle(self, *args, org=None, **options):
        organisations = Organisation.objects.order_by("pk")
        if org:
            organisations = organisations.filter(code=org)
        for organisation in organisations:
            rows = tally_recount(organisation)
            self.stdout.write(f"{organisation.code}: счётчиков показаний пересчитано — {rows}")
