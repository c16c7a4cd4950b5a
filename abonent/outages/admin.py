"""Outages in the back office: the operator picks the houses of their organisation; times are typed and shown in
the organisation's local time; saving tells the subscribers of the houses (services.outage_notify)."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path, user_organisation_id
from abonent.orgs.models import Organisation

from . import services
from .models import Outage

register_org_path("outages.Outage", "organisation")


class OutageForm(forms.ModelForm):
    class Meta:
        model = Outage
        fields = ("organisation", "kind", "resource", "starts_at", "ends_at", "buildings", "description")

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation") if "organisation" in self.fields else None
        organisation_id = organisation.pk if organisation else self.instance.organisation_id
        if "buildings" in cleaned and organisation_id is not None:
            try:
                services.outage_buildings_check(organisation_id, list(cleaned["buildings"]))
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(Outage)
class OutageAdmin(OrgScopedAdmin):
    form = OutageForm
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("__str__", "starts_at", "ends_at", "houses")
    list_filter = ("kind", "resource")
    search_fields = ("description", "buildings__address")
    date_hierarchy = "starts_at"
    filter_horizontal = ("buildings",)
    fields = ("organisation", "kind", "resource", "starts_at", "ends_at", "buildings", "description")

    @admin.display(description="дома")
    def houses(self, obj) -> str:
        return "; ".join(b.address for b in obj.buildings.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("buildings")

    def _local_zone(self, request, object_id=None):
        """The zone times are typed in: the operator's organisation, or for a superuser the outage's own."""
        org_id = user_organisation_id(request)
        if org_id is None and object_id is not None:
            outage = Outage.objects.filter(pk=object_id if str(object_id).isdigit() else None).first()
            org_id = outage.organisation_id if outage else None
        org = Organisation.objects.filter(pk=org_id).first() if org_id else None
        return org.tz if org else timezone.get_current_timezone()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with timezone.override(self._local_zone(request, object_id)):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        with timezone.override(self._local_zone(request)):
            return super().changelist_view(request, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.outage_notify(form.instance)  # the houses are saved only now
