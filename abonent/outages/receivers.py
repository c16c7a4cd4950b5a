"""The subscriber's home page shows the outages of their houses from the cache (selectors.current_at), and the
page itself is cached per user (lib.page_cache, keyed by the organisation's figures version): any change of an
outage renews both for its organisation."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from abonent.billing import figures

from . import selectors
from .models import Outage


@receiver(post_save, sender=Outage, dispatch_uid="outages.saved")
@receiver(post_delete, sender=Outage, dispatch_uid="outages.deleted")
def outage_changed(sender, instance, **kwargs):
    selectors.active_forget(instance.organisation_id)
    figures.organisation_figures_bump(instance.organisation_id)


@receiver(m2m_changed, sender=Outage.buildings.through, dispatch_uid="outages.buildings_changed")
def outage_buildings_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Outage):
        selectors.active_forget(instance.organisation_id)
        figures.organisation_figures_bump(instance.organisation_id)
