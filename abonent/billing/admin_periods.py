"""Back office for the monthly cycle: periods with their state and runs, the penalty rates and the production
calendar's exceptions, recalculations.

An admin action queues each step as a background job (billing.tasks.close_start; a close of a city takes
longer than a web request may last) and returns at once, with a link to the job's page, where its progress moves;
each run is also recorded in PeriodRun so the period's page shows what ran, how far it got and why it failed (or
that it was cut off: «Прервано»). A step before its day (cycle_guard) first asks for a written reason, kept on
its run; after calculate the draft review (draft_review) compares the month with the previous one.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from abonent.lib.admin_numbers import DecimalInput
from abonent.lib.numbers import money
from abonent.orgs.admin_scope import OrgScopedAdmin, register_org_path, user_organisation_id

from . import cycle, cycle_guard, draft_review, errors, penalties, recalculations, tasks
from .models import BillingPeriod, CalendarDay, Charge, PenaltyRate, PeriodRun, Recalculation

register_org_path("billing.PeriodRun", "period__organisation")
register_org_path("billing.Recalculation", "account__organisation")
register_org_path("billing.Charge", "account__organisation")
register_org_path("billing.Penalty", "account__organisation")
register_org_path("billing.LedgerEntry", "account__organisation")
register_org_path("billing.AccountBalance", "account__organisation")


class PeriodRunInline(admin.TabularInline):
    model = PeriodRun
    extra = 0
    can_delete = False
    fields = (
        "step",
        "shown_status",
        "done",
        "total",
        "started_by",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "forced_reason",
        "message",
    )
    readonly_fields = fields
    ordering = ("-started_at",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("состояние"))
    def shown_status(self, obj):
        return cycle.run_status_label(obj)


class EarlyReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина досрочного запуска"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Кто попросил и зачем; сохраняется в журнале запусков периода."),
    )

    def clean_reason(self):
        try:
            return cycle_guard.clean_reason(self.cleaned_data["reason"])
        except errors.BillingError as exc:
            raise forms.ValidationError(str(exc)) from None


def _early_refusals(periods, step: str | None) -> list[str]:
    """The periods' steps that would run before their day: what the reason form lists."""
    refusals = []
    for period in periods:
        todo = [step] if step else [s for s in cycle.STEPS if cycle.rank(period.state) < cycle.STEPS.index(s) + 1]
        refusals += [f"{period}: {exc}" for name in todo if (exc := cycle_guard.early_step(period, name))]
    return refusals


def warn_rate_table(request) -> None:
    """A month before the penalty rate table ends, the pages of the close say so (a close past it would stop)."""
    warning = penalties.rate_table_warning(timezone.localdate())
    if warning:
        messages.warning(request, warning)


def _step_action(step: str | None, label: str):
    def action(modeladmin, request, queryset):
        periods = list(queryset.select_related("organisation").order_by("organisation_id", "month"))
        reason = None
        refusals = _early_refusals(periods, step)
        if refusals:
            form = EarlyReasonForm(request.POST if "apply" in request.POST else None)
            if not form.is_valid():  # ask for the reason first: nothing runs early without one
                return _reason_page(modeladmin, request, periods, refusals, form, action.__name__, label)
            reason = form.cleaned_data["reason"]
        for period in periods:
            _run_action_step(modeladmin, request, period, step, reason)

    action.__name__ = f"run_{step or 'all'}"
    action.short_description = label
    action.allowed_permissions = ("change",)
    return action


def _run_action_step(modeladmin, request, period, step, reason) -> None:
    # Refusals that need no work (an unknown step, a step before its day without a reason) were answered above;
    # whatever the step itself refuses is shown on the job's page.
    job = tasks.close_start(period=period, step=step, actor=request.user, reason=reason)
    url = reverse("jobs:detail", args=[job.pk])
    text = format_html('{}: задание поставлено в очередь. <a href="{}">Ход выполнения</a>', period, url)
    modeladmin.message_user(request, text, messages.SUCCESS)


def _reason_page(modeladmin, request, periods, refusals, form, action_name, label):
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Досрочный запуск: укажите причину"),
        "opts": modeladmin.model._meta,
        "periods": periods,
        "refusals": refusals,
        "form": form,
        "action_name": action_name,
        "action_label": label,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "billing/admin/early_reason.html", context)


@admin.register(BillingPeriod)
class BillingPeriodAdmin(OrgScopedAdmin):
    list_display = ("__str__", "state", "readings_closed_at", "calculated_at", "published_at", "last_run")
    list_filter = ("state",)
    org_list_filter = "organisation"
    org_list_display = "organisation"
    ordering = ("-month",)
    fields = (
        "organisation",
        "month",
        "state",
        "readings_closed_at",
        "calculated_at",
        "published_at",
        "totals",
        "review_link",
    )
    readonly_fields = ("state", "readings_closed_at", "calculated_at", "published_at", "totals", "review_link")
    inlines = [PeriodRunInline]
    actions = [
        _step_action("close_readings", _("Закрыть приём показаний")),
        _step_action("calculate", _("Рассчитать (повторный расчёт заменяет черновик)")),
        _step_action("publish", _("Опубликовать (выпустить квитанции)")),
        _step_action(None, _("Выполнить все оставшиеся шаги")),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "organisation", "month"] if obj else fields

    def has_delete_permission(self, request, obj=None):
        return False  # a period carries charges and ledger entries

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warn_rate_table(request)
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("последний запуск"))
    def last_run(self, obj):
        run = obj.runs.first()
        if run is None:
            return "—"
        progress = f" {run.done}/{run.total}" if run.total else ""
        return f"{run.step}: {cycle.run_status_label(run)}{progress}"

    @admin.display(description=_("черновик"))
    def review_link(self, obj):
        if obj.pk is None or cycle.rank(obj.state) < cycle.rank(BillingPeriod.State.CALCULATED):
            return "—"
        url = reverse("admin:billing_billingperiod_review", args=[obj.pk])
        return format_html('<a href="{}">Сверка с прошлым месяцем: итоги, изменения, основания</a>', url)

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_view)
        return [path("<path:object_id>/review/", review, name="billing_billingperiod_review"), *super().get_urls()]

    def review_view(self, request, object_id):
        """The draft review of a calculated period (draft_review): read before publishing."""
        period = self.get_object(request, object_id)  # another organisation's period: 404
        if not self.has_view_permission(request, period):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Черновик: %(period)s") % {"period": period},
            "opts": self.model._meta,
            "original": period,
            "period": period,
            "calculated": cycle.rank(period.state) >= cycle.rank(BillingPeriod.State.CALCULATED),
            "review": draft_review.draft_review(period),
        }
        return TemplateResponse(request, "billing/admin/draft_review.html", context)

    @admin.display(description=_("итоги"))
    def totals(self, obj):
        if obj.pk is None:
            return "—"

        charges = Charge.objects.filter(period=obj).aggregate(
            n=Count("id"), s=Sum("amount"), a=Count("account", distinct=True)
        )
        return f"Начислений: {charges['n']} на {charges['a']} л/с, сумма {money(charges['s'] or 0)}"


@admin.register(PenaltyRate)
class PenaltyRateAdmin(admin.ModelAdmin):
    """One table for every organisation: the rate is the law's. Operators with the permission may edit it."""

    list_display = ("valid_from", "valid_to", "rate", "moratorium", "note")
    fields = (("valid_from", "valid_to"), ("rate", "moratorium"), "note")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "rate":  # operators write 9,5
            kwargs.setdefault("localize", True)
            kwargs.setdefault("widget", DecimalInput(db_field.decimal_places))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warn_rate_table(request)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(OrgScopedAdmin):
    """Exceptions to the production calendar. A row for all organisations (a federal decree the library does not
    know yet) is the superuser's; an operator adds the days of their own organisation (a regional non-working day)
    and sees the rows for all, read-only."""

    list_display = ("day", "is_working", "note", "scope")
    list_filter = ("is_working",)
    fields = ("organisation", "day", "is_working", "note")
    org_list_filter = "organisation"

    def get_queryset(self, request):
        queryset = super(OrgScopedAdmin, self).get_queryset(request)
        org_id = user_organisation_id(request)
        if org_id is None:
            return queryset
        return queryset.filter(Q(organisation_id=org_id) | Q(organisation__isnull=True))

    def _is_common(self, request, obj) -> bool:
        # Read from the database: the operator's form sets the organisation on the instance it is given.
        return (
            obj is not None
            and not request.user.is_superuser
            and CalendarDay.objects.filter(pk=obj.pk, organisation__isnull=True).exists()
        )

    def has_change_permission(self, request, obj=None):
        return not self._is_common(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._is_common(request, obj) and super().has_delete_permission(request, obj)

    @admin.display(description=_("для кого"))
    def scope(self, obj):
        return obj.organisation or _("все организации")


class RecalculationForm(forms.ModelForm):
    class Meta:
        model = Recalculation
        fields = ("account", "corrected_period", "period", "service", "volume", "amount", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "period" in self.fields:
            self.fields["period"].required = False
            self.fields["period"].help_text = _("Пусто — текущий неопубликованный период")
        if "amount" in self.fields:  # a volume valued at the tariff instead is as good
            self.fields["amount"].required = False
            self.fields["amount"].help_text = _("Или объём — тогда сумма по тарифу корректируемого периода")

    def clean(self):
        data = super().clean()
        if (data.get("amount") is None) == (data.get("volume") is None):
            raise forms.ValidationError(_("Укажите либо сумму, либо объём перерасчёта."))
        period = data.get("period")
        if period and period.state == BillingPeriod.State.PUBLISHED:
            raise forms.ValidationError(_("Период опубликован: перерасчёт учитывается в следующем периоде."))
        return data


@admin.register(Recalculation)
class RecalculationAdmin(OrgScopedAdmin):
    org_path = "account__organisation"
    form = RecalculationForm
    list_display = ("account", "period", "corrected_period", "service", "kind", "volume", "amount", "reason")
    list_filter = ("kind",)
    search_fields = ("account__number", "reason")
    autocomplete_fields = ("account",)
    readonly_fields = ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return RecalculationForm.Meta.fields
        return (*RecalculationForm.Meta.fields, "kind", "created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        # A booked recalculation is a ledger fact once its period is published: a correction is a new one.
        return self.get_fields(request, obj) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        created = recalculations.recalculation_create(
            account=data["account"],
            corrected_period=data["corrected_period"],
            period=data.get("period"),
            service=data.get("service"),
            amount=data.get("amount"),
            volume=data.get("volume"),
            reason=data["reason"],
            actor=request.user,
        )
        obj.pk = created.pk
