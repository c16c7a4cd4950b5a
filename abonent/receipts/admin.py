"""Receipts in the back office: any receipt of an account, a period's receipts for the printing house, the
mailing's log. Operators need no new permissions: seeing periods and accounts is enough to see their receipts."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from abonent.billing.models import BillingPeriod
from abonent.billing.selectors import PUBLISHED
from abonent.orgs.admin_scope import OrgScopedAdmin

from . import tasks
from .models import AccountReceipts, PeriodReceipts, ReceiptDelivery


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeriodReceipts)
class PeriodReceiptsAdmin(ReadOnly, OrgScopedAdmin):
    list_display = ("month", "organisation", "published_at")
    actions = ["export_pdf", "export_zip"]
    org_path = "organisation"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("billing.view_billingperiod")

    def has_module_permission(self, request):
        return self.has_view_permission(request) and super().has_module_permission(request)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=PUBLISHED).select_related("organisation")

    def _export(self, request, queryset, fmt: str):
        if queryset.count() != 1:
            self.message_user(request, _("Выберите один период."), messages.WARNING)
            return None
        period = BillingPeriod.objects.select_related("organisation").get(pk=queryset.get().pk)
        # Thousands of receipts take minutes: the file is made by a background job and downloaded from its page.
        job = tasks.export_start(period=period, fmt=fmt, actor=request.user)
        url = reverse("jobs:detail", args=[job.pk])
        self.message_user(
            request, format_html('Выгрузка поставлена в очередь. <a href="{}">Ход и файл</a>', url), messages.SUCCESS
        )
        return None

    @admin.action(description=_("Все квитанции одним PDF"))
    def export_pdf(self, request, queryset):
        return self._export(request, queryset, "pdf")

    @admin.action(description=_("Все квитанции ZIP-архивом"))
    def export_zip(self, request, queryset):
        return self._export(request, queryset, "zip")


@admin.register(AccountReceipts)
class AccountReceiptsAdmin(ReadOnly, OrgScopedAdmin):
    list_display = ("number", "payer_name", "receipts")
    search_fields = ("number", "payer_name")
    org_path = "organisation"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("housing.view_personalaccount")

    def has_module_permission(self, request):
        return self.has_view_permission(request) and super().has_module_permission(request)

    def get_changelist_instance(self, request):
        # The published months of the organisations on the page, read once per page rather than once per row.
        self._months = {}
        for org_id, month in (
            BillingPeriod.objects.filter(state=PUBLISHED).order_by("-month").values_list("organisation_id", "month")
        ):
            self._months.setdefault(org_id, []).append(month)
        return super().get_changelist_instance(request)

    @admin.display(description=_("Квитанции (PDF)"))
    def receipts(self, obj):
        months = getattr(self, "_months", {}).get(obj.organisation_id, [])[:12]
        return (
            format_html_join(
                " · ",
                '<a href="{}">{}</a>',
                ((reverse("receipts:admin_pdf", args=[obj.pk, f"{m:%Y-%m}"]), f"{m:%m.%Y}") for m in months),
            )
            or "—"
        )


@admin.register(ReceiptDelivery)
class ReceiptDeliveryAdmin(ReadOnly, OrgScopedAdmin):
    # The e-mail addresses receipts went to: an operator sees only their organisation's.
    org_path = "account__organisation"
    list_display = ("account", "period", "email", "status", "sent_at", "error")
    list_filter = ("status",)
    list_select_related = ("account", "period__organisation")
