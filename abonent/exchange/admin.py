"""Back office: the organisation's exchange settings, the month upload from its billing, and every file received
(downloadable again). Scoped to the operator's organisation like the rest of the back office."""

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from abonent.billing.models import BillingPeriod
from abonent.lib.inputs import SafeJSONField, parse_ru_month
from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path, user_organisation_id
from abonent.orgs.models import Organisation

from . import tasks
from .errors import ExchangeRefused
from .models import BillingMapping, ExchangeFile, ExchangeToken

register_org_path("exchange.BillingMapping", "organisation")
register_org_path("exchange.ExchangeFile", "organisation")
register_org_path("exchange.ExchangeToken", "organisation")
register_org_path("exchange.ImportedLine", "file__organisation")


class StatementForm(forms.Form):
    file = forms.FileField(label=_("Выписка банка (1CClientBankExchange, kl_to_1c.txt)"))
    organisation = forms.ModelChoiceField(Organisation.objects.all(), label=_("Организация"), required=False)


class MonthForm(forms.Form):
    file = forms.FileField(label=_("Файл месяца из биллинга (CSV, XLSX, DBF)"))
    month = forms.CharField(label=_("Месяц (ММ.ГГГГ)"), max_length=7)
    publish = forms.BooleanField(label=_("Опубликовать период сразу"), required=False)
    organisation = forms.ModelChoiceField(Organisation.objects.all(), label=_("Организация"), required=False)

    def clean_month(self):
        month = parse_ru_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("Нужен месяц в виде ММ.ГГГГ, например 10.2026.")
        return month


class DebtRegistryForm(forms.Form):
    month = forms.CharField(label=_("Опубликованный месяц (ММ.ГГГГ)"), max_length=7)
    organisation = forms.ModelChoiceField(Organisation.objects.all(), label=_("Организация"), required=False)

    clean_month = MonthForm.clean_month


@admin.register(BillingMapping)
class BillingMappingAdmin(OrgScopedAdmin):
    list_display = ("organisation", "preset", "encoding")
    formfield_overrides = {models.JSONField: {"form_class": SafeJSONField}}  # a 5000-digit number: 400, not 500


@admin.register(ExchangeToken)
class ExchangeTokenAdmin(OrgScopedAdmin):
    list_display = ("organisation", "label", "is_active", "created_at")
    readonly_fields = ("digest", "created_at")


@admin.register(ExchangeFile)
class ExchangeFileAdmin(OrgScopedAdmin):
    list_display = (
        "created_at",
        "file_name",
        "month",
        "version",
        "is_current",
        "status",
        "lines",
        "accounts",
        "download",
    )
    list_filter = ("status", "kind")
    exclude = ("content",)
    org_list_filter = "organisation"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ExchangeFile._meta.fields if f.name != "content"]

    def has_delete_permission(self, request, obj=None):
        return False  # the audit of what was received

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("файл"))
    def download(self, obj):
        return format_html('<a href="{}">скачать</a>', reverse("admin:exchange_exchangefile_download", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="exchange_exchangefile_upload"),
            path("<int:pk>/download/", view(self.download_view), name="exchange_exchangefile_download"),
            path("statement/", view(self.statement_view), name="exchange_exchangefile_statement"),
            path("debt-registry/", view(self.debt_registry_view), name="exchange_exchangefile_debt_registry"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:exchange_exchangefile_upload")

    def download_view(self, request, pk):
        stored = self.get_object(request, str(pk))  # another organisation's file: 404
        response = HttpResponse(bytes(stored.content), content_type="application/octet-stream")
        response["Content-Disposition"] = (
            f'attachment; filename="{stored.pk}-{stored.checksum[:8]}.{stored.file_format or "bin"}"'
        )
        return response

    def upload_view(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        form = MonthForm(request.POST or None, request.FILES or None)
        job = self._upload(request, form) if request.method == "POST" and form.is_valid() else None
        if job is not None:
            return redirect("jobs:detail", job.pk)
        if user_organisation_id(request) is not None:
            form.fields.pop("organisation", None)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Загрузить месяц из биллинга",
            "opts": self.opts,
            "multipart": True,
        }
        return render(request, "exchange/admin/form.html", context)

    def statement_view(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        form = StatementForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            org_id = user_organisation_id(request)
            organisation = form.cleaned_data["organisation"] if org_id is None else Organisation.objects.get(pk=org_id)
            if organisation is None:
                form.add_error("organisation", "Укажите организацию.")
            else:
                upload = form.cleaned_data["file"]
                # Thousands of payments: credited by a background job, its page shows the counts.
                job = tasks.statement_start(
                    organisation=organisation, data=upload.read(), file_name=upload.name, actor=request.user
                )
                return redirect("jobs:detail", job.pk)
        if user_organisation_id(request) is not None:
            form.fields.pop("organisation", None)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Загрузить банковскую выписку",
            "opts": self.opts,
            "multipart": True,
        }
        return render(request, "exchange/admin/form.html", context)

    def debt_registry_view(self, request):
        """The bank's debt registry again on request (made on publish already): a job, whose page has the file."""
        if not self.has_view_permission(request):
            return redirect("admin:index")
        form = DebtRegistryForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            org_id = user_organisation_id(request) or getattr(form.cleaned_data["organisation"], "pk", None)
            period = BillingPeriod.objects.filter(organisation_id=org_id, month=form.cleaned_data["month"]).first()
            try:
                if period is None:
                    raise ExchangeRefused(["за этот месяц у организации нет периода"])
                job = tasks.debt_registry_start(period=period, actor=request.user, channel="request")
            except ExchangeRefused as exc:
                form.add_error("month", exc.errors[0])
            else:
                return redirect("jobs:detail", job.pk)
        if user_organisation_id(request) is not None:
            form.fields.pop("organisation", None)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Реестр задолженности для банка",
            "opts": self.opts,
        }
        return render(request, "exchange/admin/form.html", context)

    def _upload(self, request, form):
        """The queued job, or None with the form's error."""
        org_id = user_organisation_id(request)
        organisation = form.cleaned_data["organisation"] if org_id is None else Organisation.objects.get(pk=org_id)
        if organisation is None:
            form.add_error("organisation", "Укажите организацию.")
            return None
        upload = form.cleaned_data["file"]
        # A city's month is hundreds of thousands of lines: a background job loads it, its page shows the outcome.
        return tasks.month_import_start(
            organisation=organisation,
            month=form.cleaned_data["month"],
            data=upload.read(),
            file_name=upload.name,
            publish=form.cleaned_data["publish"],
            channel="admin",
            actor=request.user,
        )
