from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from abonent.billing.admin import AccountServiceOffInline
from abonent.lib.inputs import parse_id
from abonent.metering.models import Meter
from abonent.orgs.admin_scope import OrgScopedAdmin, OrgScopedInline, scope_queryset
from abonent.users.admin import reset_registration

from .models import Building, PersonalAccount, Premises


class BuildingFilter(admin.SimpleListFilter):
    """Filter by house, offering only the operator's own houses (a plain related filter would list everyone's).

    A city of thousands of houses would make the sidebar a phone book: past MAX_CHOICES houses the filter is not
    offered (search by address does the job), though a link with ?building=<id> still filters.
    """

    title = _("дом")
    parameter_name = "building"
    building_path = "building"  # from the listed model to its Building
    MAX_CHOICES = 200

    def lookups(self, request, model_admin):
        buildings = scope_queryset(Building.objects.order_by("address"), request)
        rows = list(buildings.values_list("pk", "address")[: self.MAX_CHOICES + 1])
        if len(rows) > self.MAX_CHOICES:
            return []
        return [(str(pk), address) for pk, address in rows]

    def building_id(self) -> int | None:
        """The house asked for; a value that is no id (letters, 20 digits) matches no house rather than a 500."""
        return parse_id(self.value())

    def queryset(self, request, queryset):
        if self.value():
            building_id = self.building_id()
            if building_id is None:
                return queryset.none()
            return queryset.filter(**{f"{self.building_path}_id": building_id})
        return queryset


class AccountBuildingFilter(BuildingFilter):
    building_path = "premises__building"


class AccountOpenFilter(admin.SimpleListFilter):
    title = _("состояние счёта")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Открыт")), ("closed", _("Закрыт"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(closed_on__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_on__isnull=False)
        return queryset


class AreaMessageMixin:
    """A negative area is refused with the register's own words rather than the generic "value ≥ 0"."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name.endswith("_area"):
            formfield.error_messages["min_value"] = _("Площадь не может быть отрицательной.")
        return formfield


class PremisesInline(AreaMessageMixin, OrgScopedInline, admin.TabularInline):
    model = Premises
    fields = ("number", "kind", "total_area", "living_area", "residents", "ownership")
    extra = 0
    show_change_link = True


class HouseMeterInline(OrgScopedInline, admin.TabularInline):
    model = Meter
    fk_name = "building"
    verbose_name = _("общедомовой прибор учёта")
    verbose_name_plural = _("общедомовые приборы учёта")
    fields = ("resource", "serial_number", "model_name", "installed_on", "verification_due", "status")
    extra = 0
    show_change_link = True


@admin.register(Building)
class BuildingAdmin(AreaMessageMixin, OrgScopedAdmin):
    org_path = "organisation"
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("address", "total_area", "common_area", "floors", "built_year")
    list_select_related = ("organisation",)
    search_fields = ("address",)
    fields = ("organisation", "address", "fias_guid", ("total_area", "common_area"), ("floors", "built_year"))
    inlines = [PremisesInline, HouseMeterInline]
    show_full_result_count = False


class MeterInline(OrgScopedInline, admin.TabularInline):
    model = Meter
    fk_name = "premises"
    # What is checked daily; the rest (digits, seal, initial value) on the meter's own page, via its link.
    fields = ("resource", "serial_number", "place", "installed_on", "verification_due", "status")
    extra = 0
    show_change_link = True


class AccountInline(OrgScopedInline, admin.TabularInline):
    """The premises' personal accounts, shown; each is opened and edited on its own page."""

    model = PersonalAccount
    fields = ("number", "payer_name", "opened_on", "closed_on")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Premises)
class PremisesAdmin(AreaMessageMixin, OrgScopedAdmin):
    org_path = "building__organisation"
    org_list_filter = "building__organisation"
    list_display = ("address", "kind", "total_area", "living_area", "residents", "ownership")
    list_select_related = ("building",)
    list_filter = (BuildingFilter, "kind", "ownership")
    search_fields = ("building__address", "=number")
    autocomplete_fields = ("building",)
    fields = ("building", ("number", "kind"), ("total_area", "living_area"), "residents", "ownership")
    inlines = [MeterInline, AccountInline]
    show_full_result_count = False

    @admin.display(description=_("адрес"), ordering="building__address")
    def address(self, obj):
        return str(obj)

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete widgets show the address, which needs the house.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("building"), may_have_duplicates


@admin.register(PersonalAccount)
class PersonalAccountAdmin(OrgScopedAdmin):
    org_path = "organisation"
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("number", "address", "payer_name", "opened_on", "closed_on")
    list_select_related = ("premises__building", "organisation")
    list_filter = (AccountOpenFilter, AccountBuildingFilter)
    search_fields = ("number", "premises__building__address", "payer_name")
    autocomplete_fields = ("premises",)
    # Seed 002's "сброс регистрации" (users app): every user unlinked, a new activation code, an audit row.
    actions = [reset_registration]
    # Which services the close does not charge to this account (a house without sewerage, no hot water).
    inlines = [AccountServiceOffInline]
    fields = (
        "organisation",
        "number",
        "premises",
        "payer_name",
        ("opened_on", "closed_on"),
        "activation_code",
        "els",
    )
    # The (organisation, number) unique constraint serves this order; it is also total, so no extra sort.
    ordering = ("organisation_id", "number")
    show_full_result_count = False

    @admin.display(description=_("адрес"), ordering="premises__building__address")
    def address(self, obj):
        return str(obj.premises)

    def get_inlines(self, request, obj):
        # On the account's own page only: the new-account form stays the plain form it has always been.
        return self.inlines if obj is not None else []
