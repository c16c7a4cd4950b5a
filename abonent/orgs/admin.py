from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .admin_scope import OrgScopedAdmin, user_organisation_id
from .models import RUSSIAN_TIMEZONES, Organisation, Supplier


class OrganisationForm(forms.ModelForm):
    # Russia's zones in words; a zone set outside this list (by a command, say) stays on offer as it is.
    timezone = forms.ChoiceField(label=_("Часовой пояс"), choices=RUSSIAN_TIMEZONES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.timezone
        if current and current not in dict(RUSSIAN_TIMEZONES):
            self.fields["timezone"].choices = [*RUSSIAN_TIMEZONES, (current, current)]

    class Meta:
        model = Organisation
        fields = ("timezone",)  # the admin adds the rest from its fieldsets


@admin.register(Organisation)
class OrganisationAdmin(OrgScopedAdmin):
    form = OrganisationForm
    list_display = ("short_name", "code", "kind", "inn", "timezone", "phone")
    list_filter = ("kind",)
    search_fields = ("short_name", "name", "inn", "code")
    fieldsets = (
        (
            _("Реквизиты"),
            {
                "fields": (
                    ("code", "kind"),
                    "name",
                    "short_name",
                    ("inn", "kpp", "ogrn"),
                    "legal_address",
                    "office_address",
                    ("phone", "email"),
                    "website",
                    "office_hours",
                )
            },
        ),
        (_("Банк"), {"fields": ("bank_name", "bik", "correspondent_account", "settlement_account")}),
        (
            _("Часовой пояс и расчётный цикл"),
            {
                "fields": (
                    "timezone",
                    ("readings_first_day", "readings_last_day"),
                    "receipt_issue_day",
                    "payment_due_day",
                    "multiplying_factor",
                )
            },
        ),
        (_("Объявление"), {"fields": ("notice",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # The code names the organisation in commands and addresses: only a superuser renames it.
        if not request.user.is_superuser:
            readonly.append("code")
        return readonly

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def changelist_view(self, request, extra_context=None):
        # An operator has one organisation: the list of one row is a needless click, open the card itself.
        org_id = user_organisation_id(request)
        if org_id is not None and self.get_queryset(request).filter(pk=org_id).exists():
            return HttpResponseRedirect(reverse("admin:orgs_organisation_change", args=[org_id]))
        return super().changelist_view(request, extra_context)


@admin.register(Supplier)
class SupplierAdmin(OrgScopedAdmin):
    """The organisation's suppliers (РСО, regional operator, capital repair fund): requisites for the ЕПД's own
    sections and the agent's transfers; checked as the organisation's are (Supplier.clean)."""

    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("short_name", "inn", "kpp", "bank_name", "agent_fee_percent")
    search_fields = ("short_name", "name", "inn")
    fieldsets = (
        (_("Реквизиты"), {"fields": ("organisation", "name", "short_name", ("inn", "kpp"), "address", "phone")}),
        (_("Банк"), {"fields": ("bank_name", "bik", "correspondent_account", "settlement_account")}),
        (_("Агентский договор"), {"fields": ("agent_fee_percent",)}),
    )
