"""Edits of the register that change what the subscriber's cached figures and pages show (billing.figures): an
organisation's name or notice, a building's address, a premises' area, an account's payer, a service the account
does not receive, a service's name, supplier or payee, a supplier's name (the card's debt by service). Edits are rare and made one at a time in the back office, so a whole organisation's figures are
simply renewed; bulk loads (bulk_create, update) send no signals and need none: their accounts have no cached
figures yet."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.metering.models import Meter
from abonent.orgs.models import Organisation, Supplier

from . import figures
from .models import AccountServiceOff, Service


@receiver(post_save, sender=Organisation, dispatch_uid="billing.figures.organisation_saved")
def organisation_saved(sender, instance, created, **kwargs):
    if not created:
        figures.organisation_figures_bump(instance.pk)


@receiver(post_save, sender=Building, dispatch_uid="billing.figures.building_saved")
def building_saved(sender, instance, created, **kwargs):
    if not created:
        figures.organisation_figures_bump(instance.organisation_id)


@receiver(post_save, sender=Premises, dispatch_uid="billing.figures.premises_saved")
def premises_saved(sender, instance, created, **kwargs):
    if not created:
        figures.organisation_figures_bump(
            Building.objects.values_list("organisation_id", flat=True).get(pk=instance.building_id)
        )


@receiver(post_save, sender=PersonalAccount, dispatch_uid="billing.figures.account_saved")
def account_saved(sender, instance, created, **kwargs):
    if not created:
        figures.accounts_figures_bump([instance.pk])


@receiver(post_save, sender=AccountServiceOff, dispatch_uid="billing.figures.service_off_saved")
@receiver(post_delete, sender=AccountServiceOff, dispatch_uid="billing.figures.service_off_deleted")
def service_off_changed(sender, instance, **kwargs):
    # The card lists the account's services off (statements.services_off); the charges change at the next close.
    figures.accounts_figures_bump([instance.account_id])


@receiver(post_save, sender=Meter, dispatch_uid="billing.figures.meter_saved")
@receiver(post_delete, sender=Meter, dispatch_uid="billing.figures.meter_deleted")
def meter_changed(sender, instance, **kwargs):
    # A flat's meter: its premises' accounts; a house meter (ОДПУ) is in every flat's common-house lines.
    if instance.premises_id:
        accounts = PersonalAccount.objects.filter(premises_id=instance.premises_id).values_list("pk", flat=True)
        figures.accounts_figures_bump(list(accounts))
    elif instance.building_id:
        figures.organisation_figures_bump(
            Building.objects.values_list("organisation_id", flat=True).get(pk=instance.building_id)
        )


@receiver(post_save, sender=Service, dispatch_uid="billing.figures.service_saved")
@receiver(post_save, sender=Supplier, dispatch_uid="billing.figures.supplier_saved")
def service_or_supplier_saved(sender, instance, created, **kwargs):
    # The card's month and its debt by service name the service and its supplier (statements.debt_parts).
    if not created:
        figures.organisation_figures_bump(instance.organisation_id)
