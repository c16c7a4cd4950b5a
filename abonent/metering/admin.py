from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abonent.housing.admin import BuildingAdmin, BuildingFilter, PremisesAdmin, add_inline
from abonent.orgs.admin_scope import OrgScopedAdmin, OrgScopedInline

from .models import Meter


def operator_today(request):
    """ "Today" in the operator's organisation; a superuser, who sees every organisation, gets the server's date."""
    organisation = getattr(request.user, "organisation", None)
    return organisation.today() if organisation else timezone.localdate()


class HouseMeterInline(OrgScopedInline, admin.TabularInline):
    model = Meter
    fk_name = "building"
    verbose_name = _("общедомовой прибор учёта")
    verbose_name_plural = _("общедомовые приборы учёта")
    fields = ("resource", "serial_number", "model_name", "installed_on", "verification_due", "status")
    extra = 0
    show_change_link = True


class MeterInline(OrgScopedInline, admin.TabularInline):
    model = Meter
    fk_name = "premises"
    # What is checked daily; the rest (digits, seal, initial value) on the meter's own page, via its link.
    fields = ("resource", "serial_number", "place", "installed_on", "verification_due", "status")
    extra = 0
    show_change_link = True


# A house's page lists its common meters after its premises; a premises' page its meters before its accounts.
add_inline(BuildingAdmin, HouseMeterInline)
add_inline(PremisesAdmin, MeterInline, first=True)


class VerificationFilter(admin.SimpleListFilter):
    title = _("поверка")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("expired", _("Поверка: истекла")), ("valid", _("Поверка: действует"))]

    def queryset(self, request, queryset):
        today = operator_today(request)
        if self.value() == "expired":
            return queryset.filter(verification_due__lt=today)
        if self.value() == "valid":
            return queryset.filter(verification_due__gte=today)
        return queryset


class MeterBuildingFilter(BuildingFilter):
    def queryset(self, request, queryset):
        if self.value():
            building_id = self.building_id()
            if building_id is None:
                return queryset.none()
            return queryset.filter(Q(premises__building_id=building_id) | Q(building_id=building_id))
        return queryset


@admin.register(Meter)
class MeterAdmin(OrgScopedAdmin):
    org_path = ("premises__building__organisation", "building__organisation")
    list_display = ("serial_number", "resource", "where", "installed_on", "verification_due", "verified", "status")
    list_select_related = ("premises__building", "building")
    list_filter = ("resource", "status", VerificationFilter, MeterBuildingFilter)
    search_fields = ("serial_number", "premises__building__address", "building__address")
    autocomplete_fields = ("premises", "building")
    fieldsets = (
        (
            _("Где установлен"),
            {
                "fields": ("premises", "building", "place"),
                "description": _("Укажите помещение или, для общедомового прибора, дом — что-то одно."),
            },
        ),
        (_("Прибор"), {"fields": ("resource", "serial_number", "model_name", ("digits_before", "digits_after"))}),
        (
            _("Даты и состояние"),
            {"fields": (("installed_on", "sealed_on"), "verification_due", "initial_value", ("status", "closed_on"))},
        ),
    )
    show_full_result_count = False

    @admin.display(description=_("где установлен"))
    def where(self, obj):
        return str(obj.premises) if obj.premises_id else _("дом: %(address)s") % {"address": obj.building.address}

    @admin.display(description=_("поверка действует"), boolean=True, ordering="verification_due")
    def verified(self, obj):
        return obj.verified_today

    def get_queryset(self, request):
        # Whether the verification holds "today" is the organisation's today, so it is worked out per request.
        today = operator_today(request)
        return (
            super()
            .get_queryset(request)
            .annotate(verified_today=ExpressionWrapper(Q(verification_due__gte=today), output_field=BooleanField()))
        )


from . import admin_readings  # noqa: E402,F401
