from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from abonent.lib.inputs import parse_id
from abonent.orgs.admin_scope import OrgScopedAdmin, OrgScopedInline, scope_queryset

from .models import Building, PersonalAccount, Premises


# The pages of a house, a premises and an account show parts that belong to higher apps (its meters, the services
# it does not receive, the registration reset). Housing imports none of them: the apps import downwards only, so
# each higher app adds its part from its own admin.py, which the admin's autodiscovery imports at start-up.
def add_inline(model_admin, inline, *, first=False):
    """Show `inline` on `model_admin`'s pages, after the inlines it has (or before them, with `first`)."""
    model_admin.inlines = [inline, *model_admin.inlines] if first else [*model_admin.inlines, inline]


def add_action(model_admin, action):
    """Offer `action` in `model_admin`'s change list."""
    model_admin.actions = [*model_admin.actions, action]


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


@admin.register(Building)
class BuildingAdmin(AreaMessageMixin, OrgScopedAdmin):
    org_path = "organisation"
    org_list_filter = "organisation"
    org_list_display = "organisation"
    list_display = ("address", "total_area", "common_area", "floors", "built_year")
    list_select_related = ("organisation",)
    search_fields = ("address",)
    fields = ("organisation", "address", "fias_guid", ("total_area", "common_area"), ("floors", "built_year"))
    inlines = [PremisesInline]  # + the house's meters (metering's admin)
    show_full_result_count = False


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
    inlines = [AccountInline]  # + the meters, first (metering's admin)
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
    # Seed 002's "сброс регистрации" is added by the users app's admin.
    actions = []
    # Which services the close does not charge to this account: the billing app's admin adds its inline.
    inlines = []
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
