from django.core.management.base import BaseCommand

from abonent.payments import autopay, fiscal


class Command(BaseCommand):
    help = "Автоплатежи: письма о предстоящих списаниях и сами списания; чеки, ещё не получившие фискальные данные."

    def handle(self, *args, **options):
        counts = autopay.autopay_run()
        registered = fiscal.pending_register()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()) + f"; чеков зарегистрировано: {registered}")
