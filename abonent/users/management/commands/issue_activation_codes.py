"""New activation codes for every open account of an organisation: run once per period, before receipts."""

from django.core.management.base import BaseCommand, CommandError

from abonent.orgs.models import Organisation
from abonent.users.services import activation_codes_issue_for


class Command(BaseCommand):
    help = "Выдать новые коды активации всем открытым лицевым счетам организации (раз в период, до печати квитанций)."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="код организации (Organisation.code)")

    def handle(self, *args, organisation, **options):
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise CommandError(f"Организация с кодом «{organisation}» не найдена.")
        issued = activation_codes_issue_for(organisation=org)
        self.stdout.write(f"{org.short_name}: выдано кодов активации — {issued}.")
