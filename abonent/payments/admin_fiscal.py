"""Back office of the 54-ФЗ receipts, refunds, auto-pay and the reconciliation with the provider. The refund page
is PaymentAdmin's (admin.py links it); everything writes through refunds.py and the services."""

from django import forms
from django.contrib import admin
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from abonent.lib.numbers import money
from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path, register_unscoped

from . import refunds, services
from .models import AutoPay, AutoPayCharge, FiscalReceipt, FiscalSettings, Reconciliation, Refund, ServiceFiscal

register_org_path("payments.FiscalSettings", "organisation")
register_org_path("payments.ServiceFiscal", "service__organisation")
register_org_path("payments.FiscalReceipt", "payment__organisation")
register_org_path("payments.Refund", "payment__organisation")
register_org_path("payments.AutoPay", "account__organisation")
register_org_path("payments.AutoPayCharge", "account__organisation")
register_unscoped(
    "payments.Reconciliation", "the provider's shop is the site's, not an organisation's: the whole day is compared"
)
register_unscoped("payments.FiscalDrive", "the sandbox's emulated fiscal drive belongs to the site")


class RefundForm(forms.Form):
    amount = forms.CharField(label=_("Сумма возврата, ₽"))
    reason = forms.CharField(label=_("Причина возврата"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_amount(self):
        try:
            return services.parse_amount(self.cleaned_data["amount"])
        except services.PaymentError as exc:
            raise forms.ValidationError(str(exc)) from exc


def refund_page(model_admin, request, payment):
    """Refund part or all of a card or СБП payment: refused in Russian on the form, nothing changed."""
    rest = refunds.refundable(payment)
    form = RefundForm(request.POST or None, initial={"amount": f"{rest:.2f}".replace(".", ",")})
    if request.method == "POST" and form.is_valid():
        try:
            refund = refunds.refund_create(
                payment=payment,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            model_admin.message_user(request, f"Возвращено {money(refund.amount)}; чек возврата отправлен плательщику.")
            return redirect("admin:payments_payment_change", payment.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "form": form,
        "title": f"Возврат: {payment} (можно вернуть {money(rest)})",
        "opts": model_admin.opts,
    }
    return render(request, "payments/admin/form.html", context)


class ReadOnly(OrgScopedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FiscalSettings)
class FiscalSettingsAdmin(OrgScopedAdmin):
    list_display = ("organisation", "items", "vat_code", "tax_system_code")


@admin.register(ServiceFiscal)
class ServiceFiscalAdmin(OrgScopedAdmin):
    org_path = "service__organisation"
    list_display = ("service", "vat_code", "supplier_name", "supplier_inn")


@admin.register(FiscalReceipt)
class FiscalReceiptAdmin(ReadOnly):
    org_path = "payment__organisation"
    list_display = ("created_at", "kind", "status", "total", "customer_email", "fn", "fd", "fp", "emailed_at")
    list_filter = ("kind", "status")
    search_fields = ("fd", "customer_email", "payment__account__number")


@admin.register(Refund)
class RefundAdmin(ReadOnly):
    org_path = "payment__organisation"
    list_display = ("created_at", "payment", "amount", "reason", "created_by", "provider_refund_id")


@admin.register(AutoPay)
class AutoPayAdmin(ReadOnly):
    org_path = "account__organisation"
    list_display = ("account", "user", "mode", "monthly_limit", "active", "created_at")
    list_filter = ("active", "mode")


@admin.register(AutoPayCharge)
class AutoPayChargeAdmin(ReadOnly):
    org_path = "account__organisation"
    list_display = ("account", "period", "amount", "charge_on", "status", "attempts", "last_error")
    list_filter = ("status",)


@admin.register(Reconciliation)
class ReconciliationAdmin(admin.ModelAdmin):
    list_display = ("day", "provider", "provider_count", "our_count", "verdict")
    readonly_fields = [f.name for f in Reconciliation._meta.fields]

    @admin.display(description=_("итог"))
    def verdict(self, obj) -> str:
        if obj.is_clean:
            return "расхождений нет"
        return (
            f"нет у нас: {len(obj.missing_ours)}, нет у провайдера: {len(obj.missing_provider)}, "
            f"суммы расходятся: {len(obj.mismatches)}"
        )

    def has_module_permission(self, request):
        return request.user.is_superuser  # the whole shop's payments, every organisation's

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
