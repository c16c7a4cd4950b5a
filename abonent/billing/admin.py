import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from abonent.housing.admin import PersonalAccountAdmin, add_inline
from abonent.metering.admin_readings import ReadingBuildingFilter, add_reading_filter
from abonent.orgs.admin_scope import OrgScopedAdmin, OrgScopedInline, register_org_path, scope_queryset

from . import locked
from .models import FAR_FUTURE, AccountServiceOff, Norm, Service, Tariff

PARKING_DAY = dt.date(1, 1, 1)

register_org_path("billing.AccountServiceOff", "account__organisation")


class DatedValueInlineForm(forms.ModelForm):
    """A tariff or norm row in its service's page.

    Its model's clean() compares the dates with the rows as they are in the database, but here the operator
    may change several rows at once (close the old tariff on 30 June and add the new one from 1 July): the
    formset compares the rows as they will be instead, so the model's own overlap message is dropped here.
    """

    def _post_clean(self):
        super()._post_clean()
        errors = self._errors.get(NON_FIELD_ERRORS)
        if not errors:
            return
        prefix = str(self._meta.model.overlap_message)
        kept = [error for error in errors.as_data() if not " ".join(error.messages).startswith(prefix)]
        if kept:
            self._errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
        else:
            del self._errors[NON_FIELD_ERRORS]


class DatedValueFormSet(BaseInlineFormSet):
    """Refuses rows of one service whose dates overlap, as they will be once saved; saves them so that the
    database, which checks every single write, never sees an overlap on the way there."""

    def save_existing_objects(self, commit=True):
        if commit:
            # Moving the start of the new tariff back and the end of the old one back is fine as a whole, but
            # whichever row is written first would overlap the other. So the rows about to change or go are
            # first parked on distinct days of the year 1, which no real row covers; then each takes its place.
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk and (form in self.deleted_forms or form.has_changed())
            ]
            for offset, pk in enumerate(moving):
                parked = PARKING_DAY + dt.timedelta(days=offset)
                self.model.objects.filter(pk=pk).update(valid_from=parked, valid_to=parked)
        return super().save_existing_objects(commit)

    def clean(self):
        super().clean()
        for form in self.deleted_forms:  # a changed row is refused by its model's clean(), a deleted one here
            message = form.instance.pk and locked.refusal(form.instance, deleting=True)
            if message:
                raise ValidationError(message)
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("valid_from"):
                continue
            rows.append((data["valid_from"], data.get("valid_to") or FAR_FUTURE))
        _refuse_overlaps(rows, self.model.overlap_message)


def _refuse_overlaps(periods: list[tuple[dt.date, dt.date]], message) -> None:
    """Refuse, in Russian, the first two of `periods` ((start, end), FAR_FUTURE for an open end) that overlap."""
    periods = sorted(periods)
    for (start, end), (next_start, next_end) in zip(periods, periods[1:], strict=False):
        if next_start <= end:
            raise ValidationError(
                _("%(msg)s Пересекаются периоды %(first)s и %(second)s.")
                % {"msg": message, "first": _period(start, end), "second": _period(next_start, next_end)}
            )


def _period(start, end) -> str:
    return f"с {start:%d.%m.%Y} " + (f"по {end:%d.%m.%Y}" if end != FAR_FUTURE else "бессрочно")


class TariffInline(OrgScopedInline, admin.TabularInline):
    model = Tariff
    form = DatedValueInlineForm
    formset = DatedValueFormSet
    fields = ("valid_from", "valid_to", "price")
    extra = 0
    show_change_link = True


class NormInline(OrgScopedInline, admin.TabularInline):
    model = Norm
    form = DatedValueInlineForm
    formset = DatedValueFormSet
    fields = ("valid_from", "valid_to", "value", "basis")
    extra = 0
    show_change_link = True


class ServiceOffFormSet(BaseInlineFormSet):
    """Refuses two rows of one service whose dates overlap among the rows as submitted (each row's clean()
    compares it with the database only, so two new overlapping rows would otherwise reach the database's
    constraint and fail there)."""

    def clean(self):
        super().clean()
        rows: dict[int, list[tuple[dt.date, dt.date]]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("since") or not data.get("service"):
                continue
            rows.setdefault(data["service"].pk, []).append((data["since"], data.get("until") or FAR_FUTURE))
        for periods in rows.values():
            _refuse_overlaps(periods, AccountServiceOff.overlap_message)


class AccountServiceOffInline(OrgScopedInline, admin.TabularInline):
    """On the personal account's page: the services it does not receive; the close charges none of them for a
    month the row touches. The service choices are the operator's organisation's."""

    model = AccountServiceOff
    formset = ServiceOffFormSet
    fields = ("service", "since", "until", "reason")
    extra = 0
    verbose_name = _("услуга, которая не оказывается")
    verbose_name_plural = _("Услуги, которые не оказываются")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service")


add_inline(PersonalAccountAdmin, AccountServiceOffInline)


class ServiceFilter(admin.SimpleListFilter):
    """The readings list (metering's admin) by service: a "by meter" service names the resource its meters measure."""

    title = _("услуга")
    parameter_name = "service"

    def lookups(self, request, model_admin):
        services = scope_queryset(
            Service.objects.filter(method__in=[Service.Method.METER, Service.Method.COMMON_HOUSE]).exclude(resource=""),
            request,
        )
        return [(s.resource, s.name) for s in services.order_by("sort_order", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(meter__resource=self.value())
        return queryset


add_reading_filter(ServiceFilter, after=ReadingBuildingFilter)


class LockedDeleteMixin:
    """A row a published period was charged by is not deleted (locked.py): the delete page and the bulk action
    list the reason among what protects it, and delete nothing."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        reasons = [message for obj in objs if (message := locked.refusal(obj, deleting=True))]
        return deleted, counts, perms_needed, [*reasons, *protected]


@admin.register(Service)
class ServiceAdmin(LockedDeleteMixin, OrgScopedAdmin):
    org_path = "organisation"
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("name", "code", "unit", "method", "resource", "supplier", "payee", "sort_order", "is_active")
    list_display_links = ("name",)
    list_select_related = ("organisation", "supplier")
    list_filter = ("is_active", "method")
    search_fields = ("name", "code")
    fields = (
        "organisation",
        ("code", "name"),
        ("unit", "method", "resource"),
        "multiplying_factor_applies",
        ("supplier", "payee"),
        ("sort_order", "is_active"),
    )
    inlines = [TariffInline, NormInline]


class DatedValueAdmin(LockedDeleteMixin, OrgScopedAdmin):
    org_path = "service__organisation"
    org_list_filter = "service__organisation"
    list_select_related = ("service",)
    list_filter = (("service", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("service__name", "service__code")
    date_hierarchy = "valid_from"


@admin.register(Tariff)
class TariffAdmin(DatedValueAdmin):
    list_display = ("service", "valid_from", "valid_to", "price")
    fields = ("service", ("valid_from", "valid_to"), "price")


@admin.register(Norm)
class NormAdmin(DatedValueAdmin):
    list_display = ("service", "valid_from", "valid_to", "value", "basis")
    fields = ("service", ("valid_from", "valid_to"), ("value", "basis"))


from . import admin_periods  # noqa: E402,F401
