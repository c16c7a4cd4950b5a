"""`seed_demo`: the demo organisations of the README, or with `--accounts N` a synthetic city for benchmarks."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from abonent.demo import history
from abonent.demo.city import CITY, seed_city
from abonent.demo.external import EXTERNAL
from abonent.demo.logins import DEMO_USERNAMES
from abonent.demo.register import DEMO_CODES, DemoContext, seed
from abonent.demo.reset import purge
from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.metering import tally
from abonent.metering.models import Meter
from abonent.orgs.models import Organisation


def recount() -> None:
    """The demo writes its meters and readings in bulk, around the saves that keep metering's counters."""
    for organisation in Organisation.objects.all():
        tally.tally_recount(organisation)


class Command(BaseCommand):
    help = (
        "Создаёт демо-данные: водоканал и управляющую компанию с домами, лицевыми счетами, приборами учёта, "
        "тарифами, демо-пользователями и историей начислений и оплат за 12 месяцев (расчётом движка). С --accounts N — синтетический город из N лицевых счетов (организация "
        "с кодом city) для нагрузочных тестов."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Ничего не делать, если в базе уже есть организации."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Сначала удалить прежние демо-данные (организации vodokanal, uk, city и демо-пользователей).",
        )
        parser.add_argument(
            "--accounts",
            type=int,
            metavar="N",
            help="Создать синтетический город из N лицевых счетов (только его, без демо-организаций).",
        )
        parser.add_argument(
            "--months",
            type=int,
            default=history.MONTHS,
            metavar="N",
            help=f"Месяцев истории начислений и оплат до текущего (по умолчанию {history.MONTHS}; 0 — без истории).",
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="Строк в одной вставке (по умолчанию 5000).")

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["accounts"] is not None:
            self._city(options)
        else:
            if not self._demo(options):
                return
        self.stdout.write(f"Готово за {time.monotonic() - started:.1f} с.")

    def _city(self, options) -> None:
        count = options["accounts"]
        if count < 1:
            raise CommandError("Число лицевых счетов (--accounts) должно быть положительным.")
        if Organisation.objects.filter(code=CITY).exists() and not options["reset"]:
            raise CommandError(
                "Синтетический город (организация city) уже создан. Чтобы создать его заново, добавьте --reset."
            )
        with transaction.atomic():
            if options["reset"]:
                purge(Organisation.objects.filter(code=CITY))
            seed_city(
                accounts=count,
                batch_size=options["batch_size"],
                progress=options["verbosity"] > 0,
                write=self.stdout.write,
            )
            recount()
        self._analyze()

    def _analyze(self) -> None:
        """PostgreSQL plans by its statistics, and autovacuum gathers them only some minutes after a bulk load:
        until then it takes the new tables for nearly empty, and an admin search ran for minutes."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in (Building, Premises, PersonalAccount, Meter):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def _demo(self, options) -> bool:
        if not 0 <= options["months"] <= 60:
            raise CommandError("Число месяцев истории (--months) должно быть от 0 до 60.")
        User = get_user_model()
        has_orgs = Organisation.objects.exists()
        has_users = User.objects.filter(username__in=DEMO_USERNAMES).exists()
        if options["if_empty"] and (has_orgs or has_users):
            self.stdout.write("В базе уже есть данные: демо-данные не создаются (seed_demo --if-empty).")
            return False
        if (has_orgs or has_users) and not options["reset"]:
            raise CommandError(
                "База не пуста: в ней уже есть организации или демо-пользователи. Демо-данные создаются только "
                "в пустой базе; чтобы удалить прежние демо-данные и создать их заново, запустите "
                "seed_demo --reset."
            )
        with transaction.atomic():
            if options["reset"]:
                purge(Organisation.objects.filter(code__in=(*DEMO_CODES, CITY, EXTERNAL)))
                purge(User.objects.filter(username__in=DEMO_USERNAMES))
            quiet = options["verbosity"] == 0
            if not quiet:
                self.stdout.write("Создаю демо-данные:")
            write = (lambda line: None) if quiet else self.stdout.write
            seed(DemoContext(write=write, history_months=options["months"]))
            recount()
        if options["verbosity"] > 0:
            # Not the logins themselves: `make run` prints them right after this, and twice was once too many.
            self.stdout.write("Демо-входы и адреса печатает manage.py demo_logins (make run — сам).")
        return True
