"""Back office: payments (cash desk, cancel with a reason, XLSX export), registry upload, unmatched lines, other
ways to pay. Everything through services; every view scoped to the operator's organisation."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from abonent.housing.models import PersonalAccount
from abonent.jobs import exports
from abonent.lib.numbers import money
from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path, user_organisation_id
from abonent.orgs.models import Organisation

from . import admin_fiscal, services, tasks
from .models import Payment, PaymentEvent, PayPoint, Registry, UnmatchedLine
from .registry_layouts import LAYOUTS, layout_choices
from .registry_parse import RegistryError, decode

register_org_path("payments.Payment", "organisation")
register_org_path("payments.Registry", "organisation")
register_org_path("payments.UnmatchedLine", "organisation")
register_org_path("payments.PayPoint", "organisation")
register_org_path("payments.PaymentEvent", "payment__organisation")


def _accounts(request):
    qs = PersonalAccount.objects.all()
    org_id = user_organisation_id(request)
    return qs if org_id is None else qs.filter(organisation_id=org_id)


@admin.display(description=_("период плательщика"), ordering="named_period")
def named_month(obj) -> str:
    """The month a payer named in a bank registry, as the registry writes it (ММ.ГГГГ)."""
    return f"{obj.named_period:%m.%Y}" if obj.named_period else "—"


class AmountField(forms.CharField):
    def clean(self, value):
        try:
            return services.parse_amount(super().clean(value))
        except services.PaymentError as exc:
            raise forms.ValidationError(str(exc)) from exc


class CashForm(forms.Form):
    account = forms.CharField(label=_("Номер лицевого счёта"))
    amount = AmountField(label=_("Сумма, ₽"))
    paid_on = forms.DateField(label=_("Дата оплаты"), input_formats=["%d.%m.%Y", "%Y-%m-%d"])
    payer_name = forms.CharField(label=_("Плательщик"), required=False)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = accounts

    def clean_account(self):
        account = self.accounts.filter(number=self.cleaned_data["account"].strip()).first()
        if account is None:
            raise forms.ValidationError(_("Лицевой счёт не найден."))
        return account


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Причина отмены"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class RegistryForm(forms.Form):
    file = forms.FileField(label=_("Файл реестра"))
    # The presets by bank, encoding and decimal separator: the file's encoding is checked against the choice.
    layout = forms.ChoiceField(label=_("Формат"), choices=layout_choices)
    organisation = forms.ModelChoiceField(Organisation.objects.all(), label=_("Организация"), required=False)


class ResolveForm(forms.Form):
    account = forms.CharField(label=_("Номер лицевого счёта"))
    service = forms.CharField(
        label=_("Код услуги"),
        required=False,
        max_length=60,
        help_text=_("Услуга, которую называет строка; пусто — платёж распределится по квитанции."),
    )


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "status", "actor", "details")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(OrgScopedAdmin):
    list_display = ("created_at", "paid_on", "account", "amount", "channel", "status", "payer_name", named_month)
    list_filter = ("status", "channel", "paid_on")
    search_fields = ("account__number", "external_id", "provider_payment_id", "payer_name")
    list_select_related = ("account",)
    org_list_filter = "organisation"
    date_hierarchy = "paid_on"
    readonly_fields = [f.name for f in Payment._meta.fields]
    inlines = [PaymentEventInline]
    actions = ["export_xlsx"]
    change_list_template = "payments/admin/payment_change_list.html"
    change_form_template = "payments/admin/payment_change_form.html"

    def has_add_permission(self, request):
        return False  # the cash desk form creates payments, through the service

    def has_delete_permission(self, request, obj=None):
        return False  # accounting documents are kept; cancel instead

    def get_urls(self):
        return [
            path("cash/", self.admin_site.admin_view(self.cash_view), name="payments_payment_cash"),
            path("<int:pk>/cancel/", self.admin_site.admin_view(self.cancel_view), name="payments_payment_cancel"),
            path("<int:pk>/refund/", self.admin_site.admin_view(self.refund_view), name="payments_payment_refund"),
            *super().get_urls(),
        ]

    def cash_view(self, request):
        if not self.has_view_permission(request) or not request.user.has_perm("payments.change_payment"):
            return redirect("admin:index")
        form = CashForm(request.POST or None, accounts=_accounts(request))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            payment = services.payment_cash_create(
                account=data["account"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                actor=request.user,
                payer_name=data["payer_name"],
            )
            self.message_user(request, f"Платёж {money(payment.amount)} на л/с {payment.account} зачислен.")
            return redirect("admin:payments_payment_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": "Платёж в кассе", "opts": self.opts}
        return render(request, "payments/admin/form.html", context)

    def cancel_view(self, request, pk):
        payment = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, payment):
            return redirect("admin:index")
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.payment_cancel(payment=payment, reason=form.cleaned_data["reason"], actor=request.user)
            except services.PaymentError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, "Платёж отменён.")
            return redirect("admin:payments_payment_change", payment.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": f"Отменить платёж: {payment}",
            "opts": self.opts,
        }
        return render(request, "payments/admin/form.html", context)

    def refund_view(self, request, pk):
        payment = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, payment):
            return redirect("admin:index")
        return admin_fiscal.refund_page(self, request, payment)

    @admin.action(description=_("Выгрузить в XLSX"))
    def export_xlsx(self, request, queryset):
        # A city's payments are more rows than a request may take to write: a job makes the file.
        org_id = user_organisation_id(request)
        org_id = org_id if org_id and org_id > 0 else None
        exports.admin_export_start(
            self, request, kind=tasks.EXPORT, fmt="xlsx", organisation_id=org_id, label="Платежи"
        )


@admin.register(Registry)
class RegistryAdmin(OrgScopedAdmin):
    list_display = ("imported_at", "file_name", "layout", "lines", "total", "created", "duplicates", "unmatched")
    readonly_fields = [f.name for f in Registry._meta.fields]
    org_list_filter = "organisation"

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="payments_registry_upload"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:payments_registry_upload")

    def _queue_registry(self, request, form, organisation):
        """Queue the registry's import (parsed, matched and credited by a background job: a city's registry takes
        longer than a request). A file in the wrong encoding is refused on the form at once: that check reads the
        bytes only."""
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            decode(data, LAYOUTS[form.cleaned_data["layout"]])
        except RegistryError as exc:
            form.add_error("file", str(exc))
            return None
        job = tasks.registry_start(
            organisation=organisation,
            data=data,
            file_name=upload.name,
            layout=form.cleaned_data["layout"],
            actor=request.user,
        )
        url = reverse("jobs:detail", args=[job.pk])
        self.message_user(request, format_html('Реестр принят в обработку. <a href="{}">Ход и итоги</a>', url))
        return redirect(url)

    def upload_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = RegistryForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            org_id = user_organisation_id(request)
            organisation = form.cleaned_data["organisation"] if org_id is None else Organisation.objects.get(pk=org_id)
            if organisation is None:
                form.add_error("organisation", "Укажите организацию.")
            else:
                response = self._queue_registry(request, form, organisation)
                if response is not None:
                    return response
        if user_organisation_id(request) is not None:
            form.fields.pop("organisation", None)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Загрузить реестр платежей",
            "opts": self.opts,
            "multipart": True,
        }
        return render(request, "payments/admin/form.html", context)


@admin.register(UnmatchedLine)
class UnmatchedLineAdmin(OrgScopedAdmin):
    list_display = (
        "paid_on",
        "account_number",
        "payer_name",
        "amount",
        named_month,
        "service_code",
        "reason",
        "registry",
        "resolved",
    )
    list_filter = (("payment", admin.EmptyFieldListFilter),)
    search_fields = ("account_number", "payer_name")
    readonly_fields = [f.name for f in UnmatchedLine._meta.fields]
    org_list_filter = "organisation"
    change_form_template = "payments/admin/unmatched_change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("сопоставлена"), boolean=True)
    def resolved(self, obj):
        return obj.payment_id is not None

    def get_urls(self):
        return [
            path("<int:pk>/resolve/", self.admin_site.admin_view(self.resolve_view), name="payments_unmatched_resolve"),
            *super().get_urls(),
        ]

    def resolve_view(self, request, pk):
        line = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, line):
            return redirect("admin:index")
        form = ResolveForm(request.POST or None, initial={"account": line.account_number, "service": line.service_code})
        if request.method == "POST" and form.is_valid():
            account = PersonalAccount.objects.filter(
                organisation_id=line.organisation_id, number=form.cleaned_data["account"].strip()
            ).first()
            if account is None:
                form.add_error("account", "Лицевой счёт не найден.")
            else:
                return self._resolve(request, form, line, account)
        return self._form(request, form, line)

    def _resolve(self, request, form, line, account):
        try:
            services.unmatched_resolve(
                line=line, account=account, actor=request.user, service_code=form.cleaned_data["service"]
            )
        except services.PaymentError as exc:
            form.add_error("service", str(exc))
            return self._form(request, form, line)
        self.message_user(request, f"Платёж {money(line.amount)} зачислен на л/с {account.number}.")
        return redirect(reverse("admin:payments_unmatchedline_changelist"))

    def _form(self, request, form, line):
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": f"Сопоставить строку: {line}",
            "opts": self.opts,
        }
        return render(request, "payments/admin/form.html", context)


@admin.register(PayPoint)
class PayPointAdmin(OrgScopedAdmin):
    list_display = ("name", "kind", "address", "url", "sort_order")
    list_filter = ("kind",)
    org_list_filter = "organisation"
