"""The operators' registry of readings: filter, reject with a reason, export; enter a reading for a subscriber who
phoned; import a file; list the accounts that sent nothing this period. Every view is limited to the operator's
organisation (OrgScopedAdmin)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from abonent.housing.admin import BuildingFilter
from abonent.housing.models import PersonalAccount
from abonent.jobs import exports
from abonent.orgs.admin_scope import OrgScopedAdmin, user_organisation_id
from abonent.orgs.dates import add_months, month_label, month_start, parse_month
from abonent.orgs.models import Organisation

from . import tasks
from .errors import ReadingError
from .forms import ImportForm, OperatorReadingForm
from .models import Meter, Reading
from .submit import reading_reject, reading_submit


def operator_organisation(request) -> Organisation | None:
    org_id = user_organisation_id(request)
    if org_id is None or org_id < 0:
        return None
    return Organisation.objects.get(pk=org_id)


def operator_today(request) -> dt.date:
    organisation = operator_organisation(request)
    return organisation.today() if organisation else timezone.localdate()


class ReadingBuildingFilter(BuildingFilter):
    """The house of the meter: a flat's meter through its premises, a house meter directly."""

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        building_id = self.building_id()
        if building_id is None:
            return queryset.none()
        return queryset.filter(Q(meter__premises__building_id=building_id) | Q(meter__building_id=building_id))


class PeriodFilter(admin.SimpleListFilter):
    title = _("расчётный период")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        current = month_start(operator_today(request))

        return [
            (add_months(current, -i).strftime("%Y-%m"), month_label(add_months(current, -i))) for i in range(-1, 13)
        ]

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(period=parse_month(self.value()))
            except ValueError:
                return queryset.none()
        return queryset


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Причина отклонения"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


def account_number_subquery():
    """The open account of the meter's premises (the one the subscriber pays by)."""
    return Subquery(
        PersonalAccount.objects.filter(premises_id=OuterRef("meter__premises_id"), closed_on__isnull=True)
        .order_by("number")
        .values("number")[:1]
    )


class ReadingAdmin(OrgScopedAdmin):
    org_path = ("meter__premises__building__organisation", "meter__building__organisation")
    list_display = (
        "period_label",
        "account_number",
        "where",
        "meter_serial",
        "value",
        "channel",
        "status_text",
        "is_current",
        "flagged",
        "submitted_at",
    )
    list_select_related = ("meter__premises__building", "meter__building")
    # + by service after the house: billing adds it (services are billing's), with add_reading_filter.
    list_filter = (PeriodFilter, ReadingBuildingFilter, "status", "channel", "flagged", "is_current")
    search_fields = ("meter__serial_number", "=meter__premises__accounts__number")
    readonly_fields = [f.name for f in Reading._meta.fields]
    actions = ["reject_selected", "export_csv", "export_xlsx"]
    show_full_result_count = False
    list_per_page = 50
    change_list_template = "metering/admin/reading_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(account_number=account_number_subquery())

    # Nothing billing depends on is deleted or edited: a correction is a new reading, a refusal a rejection.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("период"), ordering="period")
    def period_label(self, obj):
        return obj.period.strftime("%m.%Y")

    @admin.display(description=_("лицевой счёт"))
    def account_number(self, obj):
        return obj.account_number or "—"

    @admin.display(description=_("где"))
    def where(self, obj):
        meter = obj.meter
        return str(meter.premises) if meter.premises_id else _t("дом: %(a)s") % {"a": meter.building.address}

    @admin.display(description=_("счётчик"), ordering="meter__serial_number")
    def meter_serial(self, obj):
        return f"{obj.meter.get_resource_display()} № {obj.meter.serial_number}"

    @admin.display(description=_("статус"), ordering="status")
    def status_text(self, obj):
        if obj.status == Reading.Status.REJECTED:
            return _t("Отклонено: %(r)s") % {"r": obj.reject_reason}
        return obj.get_status_display()

    # --- actions ---
    @admin.action(description=_("Отклонить выбранные показания (с причиной)"), permissions=["view"])
    def reject_selected(self, request, queryset):
        if not self.has_reject_permission(request):
            raise PermissionDenied
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done, refused = 0, []
            for reading in queryset:
                try:
                    reading_reject(reading=reading, reason=form.cleaned_data["reason"], actor=request.user)
                    done += 1
                except ReadingError as exc:
                    refused.append(f"{reading.meter.serial_number}: {exc.text}")
            if done:
                self.message_user(request, _t("Отклонено показаний: %(n)s.") % {"n": done}, messages.SUCCESS)
            for text in refused:
                self.message_user(request, text, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _t("Отклонить показания"),
            "form": form,
            "readings": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "metering/admin/reject.html", context)

    def has_reject_permission(self, request):
        return request.user.has_perm("metering.change_reading")

    @admin.action(description=_("Выгрузить в CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Выгрузить в XLSX"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    def _export(self, request, queryset, fmt):
        # Up to exporting.LIMIT rows: more than a request may take to write, so a job makes the file.
        organisation = operator_organisation(request)
        exports.admin_export_start(
            self,
            request,
            kind=tasks.EXPORT,
            fmt=fmt,
            organisation_id=getattr(organisation, "pk", None),
            label="Показания",
        )

    # --- extra pages ---
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("enter/", wrap(self.enter_view), name="metering_reading_enter"),
            path("import/", wrap(self.import_view), name="metering_reading_import"),
            path("silent/", wrap(self.silent_view), name="metering_reading_silent"),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **extra}

    def _require(self, request, change=False):
        if not self.has_view_permission(request) or (change and not self.has_reject_permission(request)):
            raise PermissionDenied
        organisation = operator_organisation(request)
        if organisation is None:
            # A superuser is not an organisation's operator: these pages write in one organisation's name.
            raise PermissionDenied
        return organisation

    def enter_view(self, request):
        organisation = self._require(request, change=True)
        form = OperatorReadingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            meter = (
                Meter.objects.filter(
                    premises__accounts__organisation=organisation,
                    premises__accounts__number=data["account_number"].strip(),
                    serial_number=data["serial_number"].strip(),
                )
                .select_related("premises__building__organisation")
                .first()
            )
            if meter is None:
                form.add_error(None, _t("Счётчик с таким номером на этом лицевом счёте не найден."))
            else:
                try:
                    reading = reading_submit(
                        meter=meter,
                        value_text=data["value"],
                        user=request.user,
                        channel=Reading.Channel.OPERATOR,
                        confirm_rollover=data["confirm_rollover"],
                        confirm_high=data["confirm_high"],
                    )
                except ReadingError as exc:
                    form.add_error("value", exc.text)
                else:
                    self.message_user(
                        request,
                        _t("Показание %(v)s принято за %(m)s.")
                        % {"v": reading.value, "m": month_label(reading.period)},
                        messages.SUCCESS,
                    )
                    return redirect("admin:metering_reading_enter")
        return TemplateResponse(
            request, "metering/admin/form.html", self._context(request, _t("Показание со слов абонента"), form=form)
        )

    def import_view(self, request):
        organisation = self._require(request, change=True)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            # Checked and written by a background job (a city's file takes longer than a request may last).
            job = tasks.import_start(
                organisation=organisation, data=upload.read(), file_name=upload.name, actor=request.user
            )
            url = reverse("jobs:detail", args=[job.pk])
            self.message_user(request, format_html('Файл принят в обработку. <a href="{}">Ход и итоги</a>', url))
            return redirect(url)
        return TemplateResponse(
            request,
            "metering/admin/import.html",
            self._context(request, _t("Загрузка показаний из файла"), form=form, report=None),
        )

    def silent_view(self, request):
        organisation = self._require(request)
        try:
            period = parse_month(request.GET["period"]) if request.GET.get("period") else None
        except ValueError:
            period = None
        period = period or month_start(organisation.today())
        sent = Reading.objects.filter(
            meter__premises_id=OuterRef("premises_id"), period=period, is_current=True
        ).exclude(channel=Reading.Channel.ESTIMATE)
        with_meters = Meter.objects.filter(premises_id=OuterRef("premises_id"), status=Meter.Status.ACTIVE)
        accounts = (
            PersonalAccount.objects.filter(organisation=organisation, closed_on__isnull=True)
            .filter(Exists(with_meters))
            .exclude(Exists(sent))
            .select_related("premises__building")
            .order_by("premises__building__address", "number")
        )
        total = accounts.count()
        return TemplateResponse(
            request,
            "metering/admin/silent.html",
            self._context(
                request,
                _t("Не передали показания за %(m)s") % {"m": month_label(period)},
                accounts=accounts[:1000],
                total=total,
                period=period,
            ),
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "enter_url": reverse("admin:metering_reading_enter"),
            "import_url": reverse("admin:metering_reading_import"),
            "silent_url": reverse("admin:metering_reading_silent"),
        }
        return super().changelist_view(request, extra_context)


def add_reading_filter(list_filter, *, after) -> None:
    """A higher app's filter of the readings list (billing's by service: services are billing's), after `after`."""
    filters = list(ReadingAdmin.list_filter)
    filters.insert(filters.index(after) + 1, list_filter)
    ReadingAdmin.list_filter = tuple(filters)


if not admin.site.is_registered(Reading):
    admin.site.register(Reading, ReadingAdmin)
